// Tests of the storage adapters: the shared behavioural suite (test/storage/store-suite.ts) against
// MemoryStore and SqliteStore, then what only the SQLite adapter promises: atomic commits, reopening,
// and refusing files it must not serve.
import { afterAll, describe, expect, it } from 'vitest';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { isUrbisError } from '../../src/core/errors.js';
import { MemoryStore } from '../../src/storage/memory/memory-store.js';
import { SCHEMA_VERSION, SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import type { SmtWrite } from '../../src/core/merkle/store.js';
import type { StateEntry } from '../../src/core/ledger/types.js';
import { canonicalJson, fromHex } from '../../src/core/encoding/index.js';
import { entryHash, merkleKey } from '../../src/core/ledger/state.js';
import { verifyProof } from '../../src/core/merkle/index.js';
import { txHash } from '../../src/core/ledger/tx.js';
import { Ledger } from '../../src/engine/ledger.js';
import { OPEN_POLICY, expectOk, newChain, newSigner, withCity } from '../helpers/chain.js';
import { T0, chainEntry, commit, fakeHash, idEntry, nextBundle, nsEntry, seedCity, smtWrite, storeSuite } from './store-suite.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'urbis-'));
let n = 0;
const freshFile = (): string => path.join(dir, `store-${n++}.db`);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

storeSuite('MemoryStore', () => new MemoryStore());
storeSuite('SqliteStore', () => SqliteStore.open(freshFile()));

/** Rewrites the transaction index as schemas 1 and 2 kept it: the replay window in its own table, pruned at `time`. */
function toSeparateReplayWindow(raw: Database.Database, time: number): void {
  raw.exec(`CREATE TABLE seen(hash TEXT PRIMARY KEY, until INTEGER NOT NULL) WITHOUT ROWID;
    CREATE INDEX seen_until ON seen(until);
    INSERT INTO seen SELECT hash, until FROM txs WHERE until >= ${time};
    CREATE TABLE txs2(hash TEXT PRIMARY KEY, height INTEGER NOT NULL, idx INTEGER NOT NULL, ok INTEGER NOT NULL, code TEXT, message TEXT) WITHOUT ROWID;
    INSERT INTO txs2 SELECT hash, height, idx, ok, code, message FROM txs;
    DROP TABLE txs; ALTER TABLE txs2 RENAME TO txs;`);
}

function expectCode(fn: () => unknown, code: string): void {
  let err: unknown;
  try {
    fn();
  } catch (e) {
    err = e;
  }
  expect(isUrbisError(err), String(err)).toBe(true);
  expect((err as { code: string }).code).toBe(code);
}

describe('SqliteStore', () => {
  it('reports a block out of order as STORE_CORRUPT', () => {
    const s = SqliteStore.open(freshFile());
    commit(s, { entries: [chainEntry()] });
    const b = nextBundle(s);
    expectCode(() => s.commitBlock({ ...b, block: { ...b.block, header: { ...b.block.header, height: 5 } } }), 'STORE_CORRUPT');
    s.close();
  });

  it('rolls back everything when a commit fails midway', () => {
    const s = SqliteStore.open(freshFile());
    commit(s, { time: T0, entries: [chainEntry(), nsEntry('1')], txs: [{ label: 'old', until: T0 + 10 }], smt: [smtWrite([0], 1)] });
    const before = { head: s.head(), chain: s.chain(), ns: s.ns('1') };
    const a = idEntry('1', 'A', { links: [{ rel: 'part-of', target: 'X' }] });
    const ns2 = nsEntry('1', { version: 2, status: 'suspended' });
    const good = nextBundle(s, {
      time: T0 + 1000,
      entries: [a, ns2, { ...chainEntry(2), validators: ['z6MkNew'] }],
      txs: [{ label: 'new', until: T0 + 5000 }],
      smt: [smtWrite([0], 2), smtWrite([1, 0], 3)],
    });
    // The bad row comes last, after every other table has been written.
    const bads: Array<(b: typeof good) => typeof good> = [
      (b) => ({ ...b, smtWrites: [...b.smtWrites, { path: new Uint8Array([9]), node: { not: 'bytes' } } as unknown as SmtWrite] }),
      (b) => ({ ...b, versions: [...b.versions, a as StateEntry] }), // duplicate (key, version)
      (b) => ({ ...b, cert: { ...b.cert, sigs: 1n } as never }), // not JSON-serialisable
    ];
    for (const bad of bads) {
      expect(() => s.commitBlock(bad(good))).toThrow();
      expect(s.head()).toEqual(before.head);
      expect(s.id('1/A')).toBeUndefined();
      expect(s.idHistory('1/A')).toEqual([]);
      expect(s.ns('1')).toEqual(before.ns);
      expect(s.nsHistory('1')).toHaveLength(1);
      expect(s.chain()).toEqual(before.chain);
      expect(s.search({ linkedTo: 'X' }).items).toEqual([]);
      expect(s.tx(fakeHash('new'))).toBeUndefined();
      expect(s.hasTx(fakeHash('new'))).toBe(false);
      expect(s.hasTx(fakeHash('old'))).toBe(true); // the pruning was rolled back too
      expect(s.get(new Uint8Array([0]))).toEqual(smtWrite([0], 1).node);
      expect(s.get(new Uint8Array([1, 0]))).toBeUndefined();
      expect(s.block(1)).toBeUndefined();
      expect(s.cert(1)).toBeUndefined();
    }
    // The same height commits cleanly afterwards.
    s.commitBlock(good);
    expect(s.head()!.height).toBe(1);
    expect(s.id('1/A')).toEqual(a);
    expect(s.ns('1')).toEqual(ns2);
    expect(s.hasTx(fakeHash('old'))).toBe(false);
    s.close();
  });

  it('iterates all entries in pages while the store stays usable', () => {
    const s = SqliteStore.open(freshFile());
    commit(s, { entries: [chainEntry(), nsEntry('1')] });
    commit(s, { entries: Array.from({ length: 2500 }, (_, i) => idEntry('1', `N${i}`)) });
    let count = 0;
    for (const e of s.allEntries()) {
      count++;
      if (e.kind === 'id') expect(s.id(`${e.ns}/${e.local}`)).toEqual(e); // a query between two items
    }
    expect(count).toBe(2502);
    s.close();
  });

  it('drives a real Ledger to the same blocks as the memory store, across a reopen', () => {
    const ref = newChain(new MemoryStore());
    const city = withCity(ref);
    const lamps = Array.from({ length: 40 }, (_, i) =>
      ref.tx('id.register', { id: `156.130100/LAMP-${i}`, record: { type: 'lamp', attributes: { n: i } } }, [city]),
    );
    ref.commit(...lamps.slice(0, 25));
    ref.commit(...lamps.slice(25), lamps[0]); // the last one is a replay
    expectOk(
      ref.run('ns.create', { ns: '156.130100.7', controllers: { keys: [city.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'district' } }, [city]),
    );

    // Replay the same blocks through a Ledger over SQLite, reopening the file halfway.
    const file = freshFile();
    let store = SqliteStore.open(file);
    let ledger = new Ledger(store, { validator: ref.validator });
    const replay = (h: number): void => {
      const b = ref.store.block(h)!;
      if (h === 0) ledger.commitGenesis(b.txs[0] as never);
      else ledger.commitBlock(b.txs, b.header.time);
      expect(store.head()!.header).toEqual(b.header);
    };
    const top = ref.store.head()!.height;
    for (let h = 0; h <= 2; h++) replay(h);
    store.close();
    store = SqliteStore.open(file);
    ledger = new Ledger(store, { validator: ref.validator });
    for (let h = 3; h <= top; h++) replay(h);
    expect(store.head()).toEqual(ref.store.head());
    for (let h = 0; h <= top; h++) {
      expect(store.block(h)).toEqual(ref.store.block(h));
      expect(store.changes(h)).toEqual(ref.store.changes(h));
    }
    expect(store.search({ ns: '156', limit: 1000 })).toEqual(ref.store.search({ ns: '156', limit: 1000 }));
    for (const l of lamps) {
      expect(store.tx(txHash(l.body))).toEqual(ref.store.tx(txHash(l.body)));
      expect(store.hasTx(txHash(l.body))).toBe(true);
    }
    const e = store.id('156.130100/LAMP-7')!;
    expect(e).toEqual(ref.store.id('156.130100/LAMP-7'));
    const p = ledger.prove('id:156.130100/LAMP-7');
    verifyProof(fromHex(store.head()!.header.stateRoot, 32), merkleKey('id:156.130100/LAMP-7'), entryHash(e), p.proof);
    // A block after the reopen computes the same root from the nodes read back from SQLite.
    const other = newSigner();
    const t = ref.tx('id.register', { id: '156.130100/LAMP-X', record: { type: 'lamp' }, controllers: { keys: [other.id], threshold: 1 } }, [city]);
    const mine = ledger.commitBlock([t], T0 + 999_999);
    const theirs = ref.ledger.commitBlock([t], T0 + 999_999);
    expect(mine.header).toEqual(theirs.header);
    store.close();
  });

  it('stores transactions and final entries as the canonical text the block hashed (each serialised once)', () => {
    const file = freshFile();
    const c = newChain(SqliteStore.open(file));
    const city = withCity(c);
    // Integer-like member names: JavaScript orders them numerically, RFC 8785 by code units, so
    // JSON.stringify of the parsed value is not the canonical text.
    const attributes = { '10': 'ten', '9': 'nine', b: 1, a: 2 };
    const t = c.tx('id.register', { id: '156.130100/LAMP-1', record: { type: 'lamp', attributes } }, [city]);
    const u = c.tx('id.register', { id: '156.130100/LAMP-2', record: { type: 'lamp' } }, [city]);
    c.commit(t, u);
    const h = c.store.head()!.height;
    const db = new Database(file, { readonly: true });
    const row = db.prepare('SELECT txs FROM blocks WHERE height = ?').get(h) as { txs: string };
    expect(row.txs).toBe(`[${canonicalJson(t)},${canonicalJson(u)}]`);
    expect(row.txs).not.toBe(JSON.stringify([t, u]));
    const body = db.prepare("SELECT body FROM entries WHERE key = 'id:156.130100/LAMP-1'").pluck().get() as string;
    const e = c.store.id('156.130100/LAMP-1')!;
    expect(body).toBe(canonicalJson(e));
    expect(db.prepare("SELECT body FROM history WHERE key = 'id:156.130100/LAMP-1'").pluck().get()).toBe(body);
    db.close();
    expect(c.store.block(h)!.txs).toEqual([t, u]);
    c.store.close();
  });

  it('reopens a store with the same head and contents', () => {
    const file = freshFile();
    const s = SqliteStore.open(file);
    const { all } = seedCity(s);
    commit(s, { smt: [smtWrite([3, 1, 2, 3], 9)] });
    const head = s.head();
    const page = s.search({ ns: '156', limit: 10 });
    s.close();
    s.close(); // idempotent

    const r = SqliteStore.open(file, { synchronous: 'FULL' });
    expect(r.head()).toEqual(head);
    expect(r.chain()).toEqual(chainEntry());
    expect(r.ns('156.1301.42')).toEqual(nsEntry('156.1301.42', { record: { type: 'organisation' } }));
    for (const e of all) expect(r.id(`${e.ns}/${e.local}`)).toEqual(e);
    expect(r.search({ ns: '156', limit: 10 })).toEqual(page);
    expect(r.get(new Uint8Array([3, 1, 2, 3]))).toEqual(smtWrite([0], 9).node);
    expect(r.hasTx(fakeHash('batch'))).toBe(true);
    commit(r, {});
    expect(r.head()!.height).toBe(head!.height + 1);
    r.close();
  });

  it('serves a read-only connection beside the writer', () => {
    const file = freshFile();
    expectCode(() => SqliteStore.open(file, { readonly: true }), 'STORE_NOT_INITIALIZED');
    const w = SqliteStore.open(file);
    commit(w, { entries: [chainEntry(), nsEntry('1')] });
    const r = SqliteStore.open(file, { readonly: true });
    expect(r.head()!.height).toBe(0);
    expect(r.ns('1')!.version).toBe(1);
    commit(w, { entries: [nsEntry('1', { version: 2 }), idEntry('1', 'A')] });
    expect(r.head()!.height).toBe(1);
    expect(r.ns('1')!.version).toBe(2);
    expect(r.id('1/A')).toEqual(idEntry('1', 'A'));
    expectCode(() => r.commitBlock(nextBundle(r)), 'INTERNAL');
    expectCode(() => r.putCert(w.cert(0)!), 'INTERNAL');
    r.close();
    w.close();
  });

  it('refuses a store written by a newer schema', () => {
    const file = freshFile();
    SqliteStore.open(file).close();
    const raw = new Database(file);
    raw.pragma(`user_version = ${SCHEMA_VERSION + 1}`);
    raw.close();
    expectCode(() => SqliteStore.open(file), 'STORE_CORRUPT');
    expect(() => SqliteStore.open(file)).toThrow(/newer/);
  });

  it('migrates a schema 1 store (current tree only): provable from its head on, refused read-only before', () => {
    const file = freshFile();
    const c = newChain(SqliteStore.open(file));
    const city = withCity(c);
    expectOk(c.run('id.register', { id: '156.130100/LAMP-1', record: { type: 'lamp' } }, [city]));
    const head = c.store.head()!.height;
    c.store.close();
    // Rewrite the file as schema 1 wrote it: one row per position, the latest, no version.
    const raw = new Database(file);
    raw.exec(`CREATE TABLE smt1(path BLOB PRIMARY KEY, node BLOB NOT NULL) WITHOUT ROWID;
      INSERT INTO smt1 SELECT path, node FROM smt AS a WHERE ver = (SELECT max(ver) FROM smt AS b WHERE b.path = a.path);
      DROP TABLE smt; ALTER TABLE smt1 RENAME TO smt;`);
    toSeparateReplayWindow(raw, c.store.head()!.header.time);
    raw.pragma('user_version = 1');
    raw.close();
    expectCode(() => SqliteStore.open(file, { readonly: true }), 'STORE_UPGRADE_REQUIRED');
    expect(() => SqliteStore.open(file, { readonly: true })).toThrow(/urbis node/);

    const store = SqliteStore.open(file);
    expect(new Database(file, { readonly: true }).pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(store.provableFrom()).toBe(head);
    const ledger = new Ledger(store, { validator: c.validator });
    const key = 'id:156.130100/LAMP-1';
    const p = ledger.proveAt(key, head);
    verifyProof(fromHex(p.header.stateRoot, 32), merkleKey(key), entryHash(p.entry!), p.proof);
    expectCode(() => ledger.proveAt(key, head - 1), 'STATE_NOT_PROVABLE');
    // Blocks after the migration keep every height from the migration on provable.
    const lamp2 = c.tx('id.register', { id: '156.130100/LAMP-2', record: { type: 'lamp' } }, [city]);
    ledger.commitBlock([lamp2], c.time + 5000);
    const old = ledger.proveAt('id:156.130100/LAMP-2', head);
    expect(old.entry).toBeNull();
    verifyProof(fromHex(old.header.stateRoot, 32), merkleKey('id:156.130100/LAMP-2'), null, old.proof);
    expect(old.header.height).toBe(head);
    store.close();
  });

  it('migrates a schema 2 store (replay window in its own table) into the transaction index, and verify passes', () => {
    const file = freshFile();
    const c = newChain(SqliteStore.open(file));
    const city = withCity(c);
    const lamps = [1, 2, 3].map((i) => c.tx('id.register', { id: `156.130100/LAMP-${i}`, record: { type: 'lamp' } }, [city]));
    c.commit(lamps[0]!, lamps[1]!);
    expect(c.commit(lamps[2]!, lamps[0]!).map((r) => r.ok)).toEqual([true, false]); // the second is a replay
    const head = c.store.head()!;
    c.store.close();
    // Rewrite the file as schema 2 wrote it: the window in `seen`, plus a snapshot's replay row
    // (a transaction of a block below the store, absent from the index).
    const raw = new Database(file);
    const window = raw.prepare('SELECT hash FROM txs WHERE until >= ?').pluck().all(head.header.time) as string[];
    toSeparateReplayWindow(raw, head.header.time);
    raw.exec(`INSERT INTO seen VALUES ('${'ab'.repeat(32)}', ${head.header.time + 60_000})`);
    raw.pragma('user_version = 2');
    raw.close();
    expectCode(() => SqliteStore.open(file, { readonly: true }), 'STORE_UPGRADE_REQUIRED');

    const store = SqliteStore.open(file);
    const db = new Database(file, { readonly: true });
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'seen'").pluck().get()).toBe(0);
    db.close();
    for (const l of lamps) {
      expect(store.hasTx(txHash(l.body))).toBe(true);
      expect(store.tx(txHash(l.body))?.result.ok).toBe(true);
    }
    // The snapshot's replay row: in the window, at no place of this store.
    expect(store.hasTx('ab'.repeat(32))).toBe(true);
    expect(store.tx('ab'.repeat(32))).toBeUndefined();
    expect(window).toEqual(expect.arrayContaining(lamps.map((l) => txHash(l.body))));
    expect([...store.audit().seen()].map((r) => r.hash).sort()).toEqual([...window, 'ab'.repeat(32)].sort());
    // Replays are still refused after the migration, and the next block writes the window in the index.
    const ledger = new Ledger(store, { validator: c.validator });
    const lamp4 = c.tx('id.register', { id: '156.130100/LAMP-4', record: { type: 'lamp' } }, [city]);
    const r = ledger.commitBlock([lamps[1]!, lamp4], head.header.time + 1000).results;
    expect(r[0]).toMatchObject({ ok: false, code: 'TX_REPLAYED' });
    expect(r[1]!.ok).toBe(true);
    expect(store.hasTx(txHash(lamp4.body))).toBe(true);
    store.close();
  });

  it('keeps the replay window in the transaction index: in it until the head passes the window end', () => {
    const file = freshFile();
    const c = newChain(SqliteStore.open(file));
    const city = withCity(c);
    const t = c.tx('id.register', { id: '156.130100/LAMP-1', record: { type: 'lamp' } }, [city], { ttlMs: 5000 });
    expectOk(c.commit(t)[0]!);
    const hash = txHash(t.body);
    expect(c.store.hasTx(hash)).toBe(true);
    c.time = t.body.validUntil - 1000; // the next block is at validUntil: still in the window
    c.commit();
    expect(c.store.hasTx(hash)).toBe(true);
    c.commit(); // past the window end
    expect(c.store.hasTx(hash)).toBe(false);
    // The index keeps where it landed; the replay window has no table of its own.
    expect(c.store.tx(hash)?.result.ok).toBe(true);
    const db = new Database(file, { readonly: true });
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'seen'").pluck().get()).toBe(0);
    db.close();
    c.store.close();
  });

  it('refuses files that are not Urbis stores', () => {
    const foreign = freshFile();
    const raw = new Database(foreign);
    raw.exec('CREATE TABLE t(x)');
    raw.close();
    expectCode(() => SqliteStore.open(foreign), 'STORE_CORRUPT');
    const garbage = freshFile();
    fs.writeFileSync(garbage, Buffer.alloc(8192, 0x5a));
    expectCode(() => SqliteStore.open(garbage), 'STORE_CORRUPT');
  });

  it('refuses a head pointer that disagrees with the blocks', () => {
    const file = freshFile();
    const s = SqliteStore.open(file);
    commit(s, { entries: [chainEntry()] });
    commit(s);
    s.close();
    const raw = new Database(file);
    raw.exec('DELETE FROM blocks WHERE height = 1');
    raw.close();
    expectCode(() => SqliteStore.open(file), 'STORE_CORRUPT');

    const file2 = freshFile();
    const s2 = SqliteStore.open(file2);
    commit(s2, { entries: [chainEntry()] });
    s2.close();
    const raw2 = new Database(file2);
    raw2.exec("UPDATE meta SET v = 'beef' WHERE k = 'head_hash'");
    raw2.close();
    expectCode(() => SqliteStore.open(file2), 'STORE_CORRUPT');
  });

  it('answers searches from indexes without sorting', () => {
    const file = freshFile();
    const s = SqliteStore.open(file);
    seedCity(s);
    const queries = [
      {},
      { ns: '156' },
      { type: 'lamp' },
      { type: 'lamp', ns: '156' },
      { linkedTo: 'X' },
      { linkedTo: 'X', type: 'lamp', ns: '1', status: 'active' },
    ];
    for (const q of queries) s.search(q);
    s.children('156', null, 10);
    // Every statement the store prepared is visible through its own plan: ask SQLite directly.
    const raw = new Database(file, { readonly: true });
    const plans = [
      "SELECT body FROM entries WHERE kind = 'id' AND id > ? ORDER BY id",
      "SELECT body FROM entries WHERE kind = 'id' AND id > ? AND id < ? AND status = ? ORDER BY id",
      "SELECT body FROM entries WHERE kind = 'id' AND type = ? AND id > ? AND id < ? ORDER BY id",
      "SELECT e.body FROM links l JOIN entries e ON e.id = l.id AND e.kind = 'id' WHERE l.target = ? AND l.id > ? AND l.id < ? AND e.type = ? AND e.status = ? ORDER BY l.id",
      "SELECT body FROM entries WHERE kind = 'ns' AND parent = ? AND ns > ? ORDER BY ns LIMIT ?",
    ].map((sql) => {
      const args = Array.from({ length: sql.split('?').length - 1 }, () => 'a');
      return (raw.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join('; ');
    });
    raw.close();
    for (const p of plans) {
      expect(p).not.toMatch(/TEMP B-TREE/);
      expect(p).toMatch(/USING/);
    }
    s.close();
  });
});

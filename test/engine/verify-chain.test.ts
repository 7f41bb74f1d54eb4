/**
 * `urbis verify` checks every table derived from the blocks, and the startup check refuses a store
 * whose tree or replay window does not match them (docs/cli.md "verify"). Each case tampers with one
 * table of a real SQLite store behind the ledger's back, the way a disk fault or an intruder would.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { quickCheck, verifyChain, assertStoreSound } from '../../src/engine/verify-chain.js';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { isUrbisError } from '../../src/core/errors.js';
import { newChain, withCity, expectOk } from '../helpers/chain.js';

const tmp = mkdtempSync(join(tmpdir(), 'urbis-verify-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));
let n = 0;

/** A chain of a few blocks in a fresh SQLite file; returns the file (closed). */
function build(): string {
  const file = join(tmp, `l${n++}.db`);
  const store = SqliteStore.open(file);
  const c = newChain(store);
  const city = withCity(c);
  expectOk(c.run('id.register', { id: '156.130100/LAMP-1', record: { type: 'lamp', links: [{ rel: 'located-in', target: '156.130100/LAMP-2' }] } }, [city]));
  expectOk(c.run('id.register', { id: '156.130100/LAMP-2', record: { type: 'lamp' } }, [city]));
  expectOk(c.run('id.update', { id: '156.130100/LAMP-2', record: { type: 'lamp', attributes: { w: 40 } } }, [city]));
  // One invalid transaction too: the index records it.
  expect(c.run('id.register', { id: '156.130100/LAMP-2', record: { type: 'lamp' } }, [city]).ok).toBe(false);
  store.close();
  return file;
}

function tamper(file: string, sql: string): void {
  const db = new Database(file);
  const r = db.prepare(sql).run();
  db.close();
  expect(r.changes, sql).toBeGreaterThan(0);
}

function check(file: string, quick = false) {
  const store = SqliteStore.open(file, { readonly: true });
  try {
    return quick ? quickCheck(store) : verifyChain(store);
  } finally {
    store.close();
  }
}

describe('urbis verify: every derived table', () => {
  it('passes an untouched store, full and quick', () => {
    const f = build();
    expect(check(f).ok).toBe(true);
    expect(check(f, true).ok).toBe(true);
  });

  const cases: Array<[string, string, string]> = [
    ['entry status column', "UPDATE entries SET status = 'deactivated' WHERE kind = 'id'", 'entries'],
    ['entry type column', "UPDATE entries SET type = 'bench' WHERE kind = 'id'", 'entries'],
    ['entry parent column', "UPDATE entries SET parent = '999' WHERE kind = 'ns' AND parent IS NOT NULL", 'entries'],
    ['history row deleted', "DELETE FROM history WHERE version = 1 AND key LIKE 'id:%LAMP-2'", 'history'],
    ['history height', "UPDATE history SET height = height + 1 WHERE key LIKE 'id:%LAMP-1'", 'history'],
    ['history body', "UPDATE history SET body = replace(body, 'lamp', 'lump') WHERE key LIKE 'id:%LAMP-1'", 'history'],
    ['link invented', "INSERT INTO links(target, id) VALUES ('156.130100/X', '156.130100/LAMP-2')", 'links'],
    ['link deleted', 'DELETE FROM links', 'links'],
    ['transaction outcome', 'UPDATE txs SET ok = 1, code = NULL, message = NULL WHERE ok = 0', 'txs'],
    ['transaction place', 'UPDATE txs SET idx = idx + 1 WHERE ok = 1', 'txs'],
    ['transaction forgotten', 'DELETE FROM txs WHERE ok = 0', 'txs'],
    // The replay window is the `until` column of the transaction index (schema 3).
    ['replay window row deleted', 'UPDATE txs SET until = NULL WHERE hash = (SELECT hash FROM txs WHERE until IS NOT NULL LIMIT 1)', 'seen'],
    ['replay window end', 'UPDATE txs SET until = until - 1 WHERE until IS NOT NULL', 'seen'],
    ['replay window given to an invalid transaction', 'UPDATE txs SET until = 9007199254740991 WHERE ok = 0', 'seen'],
    ['root of the stored tree', 'UPDATE smt SET node = zeroblob(65) WHERE length(path) = (SELECT min(length(path)) FROM smt)', 'smt'],
    ['deep node of the stored tree', 'UPDATE smt SET node = zeroblob(65) WHERE path = (SELECT path FROM smt ORDER BY length(path) DESC LIMIT 1)', 'smt'],
    // The versioned tree: a record of a past height only, which the current tree no longer reads.
    ['past version of the root', 'UPDATE smt SET node = zeroblob(65) WHERE length(path) = 1 AND ver = 2', 'smt'],
    ['past version of a node deleted', 'DELETE FROM smt WHERE length(path) = 1 AND ver = 3', 'smt'],
    ['past version of a node moved to another height', 'UPDATE smt SET ver = ver + 100 WHERE ver = 1 AND length(path) > 1', 'smt'],
    ['a node of the header history log', 'UPDATE hlog SET hash = zeroblob(32) WHERE level = 1 AND idx = 0', 'hlog'],
  ];
  for (const [what, sql, table] of cases) {
    it(`names the table when ${what} is tampered with`, () => {
      const f = build();
      tamper(f, sql);
      const r = check(f);
      expect(r.ok).toBe(false);
      if (r.ok) return;
      expect(r.table ?? r.code, r.message).toBe(table);
      expect(r.message).toMatch(/table|entry|differs/);
    });
  }
});

describe('startup check', () => {
  it('refuses a store whose replay window lost a row: an old signed update could run again', () => {
    const f = build();
    tamper(f, 'UPDATE txs SET until = NULL');
    const r = check(f, true);
    expect(r).toMatchObject({ ok: false, code: 'STORE_CORRUPT', table: 'seen' });
    const store = SqliteStore.open(f, { readonly: true });
    let err: unknown;
    try {
      assertStoreSound(store);
    } catch (e) {
      err = e;
    } finally {
      store.close();
    }
    expect(isUrbisError(err, 'STORE_CORRUPT')).toBe(true);
    expect((err as Error).message).toMatch(/seen/);
  });

  it('refuses a store whose history was rewritten: a past version or a past tree record', () => {
    const body = build();
    tamper(body, "UPDATE history SET body = replace(body, '\"lamp\"', '\"bench\"') WHERE key LIKE 'id:%LAMP-2' AND version = 1");
    expect(check(body, true)).toMatchObject({ ok: false, code: 'STORE_CORRUPT', table: 'history' });
    const node = build();
    tamper(node, 'UPDATE smt SET node = zeroblob(65) WHERE length(path) = 1 AND ver = 2');
    expect(check(node, true)).toMatchObject({ ok: false, code: 'STORE_CORRUPT', table: 'smt', height: 2 });
  });

  it("refuses a store whose tree no longer proves entries against the head's root", () => {
    const f = build();
    tamper(f, 'UPDATE smt SET node = zeroblob(65) WHERE length(path) = (SELECT min(length(path)) FROM smt)');
    expect(check(f, true)).toMatchObject({ ok: false, code: 'STORE_CORRUPT', table: 'smt' });
  });

  it("refuses a store whose history log no longer gives the head's history root", () => {
    const f = build();
    tamper(f, 'DELETE FROM hlog WHERE level = (SELECT max(level) FROM hlog)');
    expect(check(f, true)).toMatchObject({ ok: false, code: 'STORE_CORRUPT', table: 'hlog' });
  });

  it('is run by a node before it serves: a tampered store does not start', async () => {
    const { startNode } = await import('../../src/node/runtime.js');
    const dir = join(tmp, `node${n++}`);
    const node = await startNode({ dir, port: 0, init: true });
    await node.close();
    tamper(join(dir, 'ledger.db'), 'UPDATE smt SET node = zeroblob(65) WHERE length(path) = (SELECT min(length(path)) FROM smt)');
    const err = await startNode({ dir, port: 0 }).then(
      async (x) => (await x.close(), null),
      (e: unknown) => e,
    );
    expect(isUrbisError(err, 'STORE_CORRUPT')).toBe(true);
    expect((err as Error).message).toMatch(/table smt/);
    // The directory was released: a repaired store could be opened again.
    tamper(join(dir, 'ledger.db'), "UPDATE meta SET v = v WHERE k = 'head_height'");
  });

  it('refuses a store whose transaction index misplaces a recent transaction', () => {
    const f = build();
    tamper(f, 'UPDATE txs SET idx = idx + 1 WHERE ok = 1');
    expect(check(f, true)).toMatchObject({ ok: false, code: 'STORE_CORRUPT', table: 'txs' });
  });
});

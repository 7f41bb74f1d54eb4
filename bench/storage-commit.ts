// SQLite store benchmark (a program, not a test): time of one `commitBlock` carrying 10,000
// identifier registrations (10,000 entries + 10,000 history rows + 10,000 tx rows + 100,000 Merkle
// node writes), over several consecutive blocks so the tables grow; then point reads. Reference in
// the same run: the same number of rows inserted raw into bare tables in one transaction.
// Run: node --import tsx bench/storage-commit.ts [blocks=5] [synchronous=NORMAL]
import * as os from 'node:os';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { randomBytes } from 'node:crypto';
import Database from 'better-sqlite3';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { encodeNodePath } from '../src/core/merkle/store.js';
import { headerHash } from '../src/core/ledger/block.js';
import type { BlockBundle } from '../src/storage/types.js';
import type { IdEntry, NsEntry, Tx } from '../src/core/ledger/types.js';
import type { SmtWrite } from '../src/core/merkle/store.js';

const BLOCKS = Number(process.argv[2] ?? 5);
const SYNC = (process.argv[3] ?? 'NORMAL') as 'NORMAL' | 'FULL';
const PER_BLOCK = 10_000;
const SMT_PER_BLOCK = 100_000;
const T0 = 1_700_000_000_000;
const hex = (n: number): string => randomBytes(n).toString('hex');

function makeBundle(height: number, prev: string): BlockBundle {
  const ns = `156.130100.${height % 7}`;
  const entries: IdEntry[] = [];
  const txs: Tx[] = [];
  const hashes: string[] = [];
  const committed = new Map<string, number>();
  for (let i = 0; i < PER_BLOCK; i++) {
    const local = `LAMP-${String(height * PER_BLOCK + i).padStart(8, '0')}`;
    const h = hex(32);
    entries.push({
      kind: 'id',
      id: `${ns}/${local}:K`,
      ns,
      local,
      controllers: null,
      record: {
        type: 'lamp',
        attributes: { model: 'LX-200', watts: 40, street: 'Avenue 12' },
        links: i % 10 === 0 ? [{ rel: 'located-in', target: `${ns}/SITE-${i % 50}:X` }] : undefined,
      },
      status: 'active',
      version: 1,
      created: T0,
      updated: T0,
      height,
      tx: h,
    });
    txs.push({
      body: {
        v: 1,
        chain: 'bench',
        type: 'id.register',
        nonce: hex(8),
        validFrom: T0,
        validUntil: T0 + 3_600_000,
        payload: { id: `${ns}/${local}`, record: { type: 'lamp', attributes: { model: 'LX-200', watts: 40, street: 'Avenue 12' } } },
      },
      sigs: [{ key: `z6Mk${hex(22)}`, sig: randomBytes(64).toString('base64url') }],
    });
    hashes.push(h);
    committed.set(h, T0 + 3_600_000);
  }
  // Ten node positions per registration along the key's path, as the sparse Merkle tree writes them.
  const smtWrites: SmtWrite[] = [];
  for (let i = 0; i < SMT_PER_BLOCK / 10; i++) {
    const key = randomBytes(32);
    for (let d = 0; d < 10; d++) smtWrites.push({ path: encodeNodePath(d === 9 ? 14 + (i % 6) : d + 4, key), node: randomBytes(65) });
  }
  const header = {
    v: 2 as const,
    chain: 'bench',
    height,
    prev,
    historyRoot: hex(32),
    time: T0 + height * 1000,
    txRoot: hex(32),
    stateRoot: hex(32),
    txCount: txs.length,
    nextValidators: hex(32),
  };
  const hh = headerHash(header);
  return {
    block: { header, txs, results: txs.map(() => ({ ok: true as const })) },
    headerHash: hh,
    cert: { height, headerHash: hh, sigs: [{ key: 'z6MkValidator', sig: randomBytes(64).toString('base64url') }] },
    hashes,
    entries,
    versions: entries,
    committedTxs: committed,
    smtWrites,
    historyWrites: [],
  };
}

function reference(dir: string): number {
  const db = new Database(path.join(dir, 'ref.db'));
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${SYNC}`);
  db.exec('CREATE TABLE a(k TEXT PRIMARY KEY, v TEXT); CREATE TABLE b(k BLOB PRIMARY KEY, v BLOB) WITHOUT ROWID');
  const ia = db.prepare('INSERT INTO a VALUES (?, ?)');
  const ib = db.prepare('INSERT INTO b VALUES (?, ?)');
  const body = JSON.stringify(makeBundle(0, '').entries[0]);
  const rowsA = Array.from({ length: 4 * PER_BLOCK }, () => hex(16));
  const rowsB = Array.from({ length: SMT_PER_BLOCK }, () => [randomBytes(5), randomBytes(65)] as const);
  const t = performance.now();
  db.transaction(() => {
    for (const k of rowsA) ia.run(k, body);
    for (const [k, v] of rowsB) ib.run(k, v);
  })();
  const ms = performance.now() - t;
  db.close();
  return ms;
}

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'urbis-'));
  try {
    console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, synchronous=${SYNC}`);
    const refMs = reference(dir);
    const rows = 4 * PER_BLOCK + SMT_PER_BLOCK;
    console.log(
      `reference: ${rows.toLocaleString('en-US')} raw rows in one transaction: ${refMs.toFixed(0)} ms (${Math.round(rows / (refMs / 1000)).toLocaleString('en-US')} rows/s)`,
    );

    const store = SqliteStore.open(path.join(dir, 'ledger.db'), { synchronous: SYNC });
    const ns: NsEntry = {
      kind: 'ns',
      ns: '156',
      id: '156:X',
      controllers: { keys: ['z6Mk'], threshold: 1 },
      policy: {},
      limits: {},
      record: { type: 'country' },
      status: 'active',
      children: 0,
      ids: 0,
      serials: {},
      version: 1,
      created: T0,
      updated: T0,
      height: 0,
      tx: hex(32),
    };
    const g = makeBundle(0, '0'.repeat(64));
    store.commitBlock({ ...g, entries: [ns], versions: [ns], smtWrites: [], block: { ...g.block, txs: [], results: [] }, hashes: [], committedTxs: new Map() });
    // Rows written per block: entries + history + txs + seen + smt (+ ~1,000 links, the block row).
    const written = 4 * PER_BLOCK + SMT_PER_BLOCK;
    const times: number[] = [];
    let prev = store.head()!.headerHash;
    let last: BlockBundle | undefined;
    for (let h = 1; h <= BLOCKS; h++) {
      const b = makeBundle(h, prev);
      const t = performance.now();
      store.commitBlock(b);
      const ms = performance.now() - t;
      times.push(ms);
      prev = store.head()!.headerHash;
      last = b;
      console.log(`block ${h}: ${ms.toFixed(0)} ms (${Math.round(written / (ms / 1000)).toLocaleString('en-US')} rows/s)`);
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(
      `commitBlock, ${PER_BLOCK.toLocaleString('en-US')} registrations + ${SMT_PER_BLOCK.toLocaleString('en-US')} node writes: median ${sorted[Math.floor(sorted.length / 2)]!.toFixed(0)} ms/block, ratio to reference ${(sorted[Math.floor(sorted.length / 2)]! / refMs).toFixed(2)}`,
    );

    const keys = last!.entries.map((e) => `${(e as IdEntry).ns}/${(e as IdEntry).local}`);
    let t = performance.now();
    for (const k of keys) store.id(k);
    console.log(`id() point reads: ${Math.round(keys.length / ((performance.now() - t) / 1000)).toLocaleString('en-US')} /s`);
    t = performance.now();
    for (let i = 0; i < keys.length; i++) store.id(`${keys[i]}X`);
    console.log(`id() misses: ${Math.round(keys.length / ((performance.now() - t) / 1000)).toLocaleString('en-US')} /s`);
    const paths = last!.smtWrites.slice(0, 20_000).map((w) => w.path);
    t = performance.now();
    for (const p of paths) store.get(p);
    console.log(`get() node reads: ${Math.round(paths.length / ((performance.now() - t) / 1000)).toLocaleString('en-US')} /s`);
    t = performance.now();
    for (let i = 0; i < 50_000; i++) store.ns('156');
    console.log(`ns() cached reads: ${Math.round(50_000 / ((performance.now() - t) / 1000)).toLocaleString('en-US')} /s`);
    t = performance.now();
    let n = 0;
    for (let i = 0; i < 200; i++) n += store.search({ ns: '156.130100.3', type: 'lamp', limit: 100 }).items.length;
    console.log(`search pages of 100: ${Math.round(200 / ((performance.now() - t) / 1000)).toLocaleString('en-US')} /s (${n} items)`);
    store.close();
    console.log(`database size: ${(fs.statSync(path.join(dir, 'ledger.db')).size / 1e6).toFixed(0)} MB`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();

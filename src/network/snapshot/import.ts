/**
 * Joining from a snapshot: fetches `GET /v1/snapshot` from a peer, checks every line with the pure
 * checks of src/core/ledger/snapshot.ts, bulk-loads the SQLite store and rebuilds the Merkle map,
 * whose root must equal the certified header's state root (docs/network.md "Snapshots").
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import { UrbisError } from '../../core/errors.js';
import { checkReplayRow, checkSnapshotEnd, checkSnapshotEntry, checkSnapshotHead, invalidSnapshot } from '../../core/ledger/snapshot.js';
import type { StateEntry } from '../../core/ledger/types.js';
import { EMPTY_HASH, SparseMerkleTree, type SmtChange } from '../../core/merkle/index.js';
import { toHex } from '../../core/encoding/index.js';
import { SqliteStore } from '../../storage/sqlite/sqlite-store.js';

/** Entries and replay rows written per store transaction. */
const PAGE = 5000;

/** Splits a byte stream into lines. */
async function* lines(body: AsyncIterable<Uint8Array>): AsyncGenerator<string> {
  const dec = new TextDecoder('utf-8', { fatal: true });
  let buf = '';
  for await (const chunk of body) {
    buf += dec.decode(chunk, { stream: true });
    let i: number;
    let start = 0;
    while ((i = buf.indexOf('\n', start)) >= 0) {
      yield buf.slice(start, i);
      start = i + 1;
    }
    buf = buf.slice(start);
  }
  buf += dec.decode();
  if (buf.length > 0) yield buf;
}

export interface ImportOptions {
  /** Base URL of the peer (`http://host:port`). */
  url: string;
  /** Where the store is created (must not exist). */
  dbFile: string;
  chainId: string;
  /** Validators whose quorum the snapshot's certificate must reach. */
  trusted: string[];
  log?: (line: string) => void;
}

export interface ImportResult {
  height: number;
  headerHash: string;
  entries: number;
  seen: number;
  streamSeq: number;
  ms: number;
}

/**
 * Fetches a snapshot from a peer and builds a store from it in `<dbFile>.import`, renamed to `dbFile`
 * only once the state root and the certificate checked out.
 *
 * @throws UrbisError NET_SNAPSHOT_INVALID (with the reason), NODE_NOT_READY when the peer cannot be
 *   reached or has no certified head yet, STORE_ALREADY_INITIALIZED when `dbFile` exists.
 */
export async function importSnapshot(o: ImportOptions): Promise<ImportResult> {
  const t0 = Date.now();
  const log = o.log ?? (() => {});
  if (existsSync(o.dbFile)) throw new UrbisError('STORE_ALREADY_INITIALIZED', `${o.dbFile} exists; a snapshot is only imported into an empty directory`);
  const tmp = `${o.dbFile}.import`;
  for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
  let res: Response;
  try {
    res = await fetch(`${o.url.replace(/\/+$/, '')}/v1/snapshot`);
  } catch (e) {
    throw new UrbisError('NODE_NOT_READY', `cannot fetch a snapshot from ${o.url}: ${(e as Error).message}`, { retryAfterMs: 5000 }, { cause: e });
  }
  if (res.status !== 200 || !res.body) {
    throw new UrbisError('NODE_NOT_READY', `${o.url} answered ${res.status} to /v1/snapshot: ${(await res.text().catch(() => '')).slice(0, 300)}`, {
      retryAfterMs: 5000,
    });
  }
  const it = lines(res.body as unknown as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
  const next = async (): Promise<string> => {
    const r = await it.next();
    if (r.done) invalidSnapshot('the snapshot ends early');
    return r.value;
  };
  const parse = (line: string, what: string): unknown => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return invalidSnapshot(`${what} is not JSON`);
    }
  };

  // --- head and certificate: checked before anything is written -----------------------------
  const { head, hash, history } = checkSnapshotHead(parse(await next(), 'the first line'), o.chainId, o.trusted);
  log(`snapshot of ${o.url}: height ${head.height}, ${head.entries} entries, certificate with ${head.cert.sigs.length} signatures`);

  const store = SqliteStore.open(tmp);
  let ok = false;
  try {
    // --- entries: written as they come; Merkle leaves packed 64 bytes each ---------------------
    const pairs = Buffer.allocUnsafe(head.entries * 64);
    let n = 0;
    let batch: StateEntry[] = [];
    let bodies: string[] = [];
    let chainSeen = false;
    const flush = () => {
      if (batch.length === 0) return;
      store.importState({ entries: batch, bodies, seen: [], smtWrites: [] });
      batch = [];
      bodies = [];
    };
    for (let i = 0; i < head.entries; i++) {
      const line = await next();
      const { entry: e, key: mk, value: vh } = checkSnapshotEntry(parse(line, `entry ${i}`), i, o.chainId);
      if (e.kind === 'chain') chainSeen = true;
      pairs.set(mk, n * 64);
      pairs.set(vh, n * 64 + 32);
      n++;
      batch.push(e);
      bodies.push(line);
      if (batch.length >= PAGE) flush();
    }
    flush();
    if (!chainSeen) invalidSnapshot('the snapshot has no chain entry');

    // --- replay set ---------------------------------------------------------------------------
    let seen: [string, number][] = [];
    for (let i = 0; i < head.seen; i++) {
      seen.push(checkReplayRow(parse(await next(), `replay row ${i}`), i));
      if (seen.length >= PAGE) {
        store.importState({ entries: [], seen, smtWrites: [] });
        seen = [];
      }
    }
    if (seen.length) store.importState({ entries: [], seen, smtWrites: [] });
    checkSnapshotEnd(parse(await next(), 'the last line'), head);

    // --- Merkle map: 256 batches by the first key byte, each a contiguous key range --------------
    const count = new Uint32Array(257);
    for (let i = 0; i < n; i++) count[pairs[i * 64]! + 1]!++;
    for (let b = 0; b < 256; b++) count[b + 1]! += count[b]!;
    const order = new Uint32Array(n);
    const fill = count.slice(0, 256);
    for (let i = 0; i < n; i++) order[fill[pairs[i * 64]!]!++] = i;
    const tree = new SparseMerkleTree(store, EMPTY_HASH);
    for (let b = 0; b < 256; b++) {
      const changes: SmtChange[] = [];
      for (let j = count[b]!; j < count[b + 1]!; j++) {
        const i = order[j]! * 64;
        changes.push({ key: pairs.subarray(i, i + 32), value: pairs.subarray(i + 32, i + 64) });
      }
      if (changes.length === 0) continue;
      const { root, writes } = tree.update(changes);
      store.importState({ entries: [], seen: [], smtWrites: writes, smtVersion: head.height });
      tree.commit(root);
    }
    const root = toHex(tree.root());
    if (root !== head.header.stateRoot) {
      invalidSnapshot(`the entries give state root ${root}, the certified header says ${head.header.stateRoot}`, { root, stateRoot: head.header.stateRoot });
    }
    store.importHead(head.header, head.cert, { 'net.stream_seq': String(head.streamSeq), 'net.sig_seq': String(head.sigSeq) }, history);
    ok = true;
    log(`snapshot verified: state root ${root} matches certified header ${hash}`);
  } finally {
    store.close();
    if (!ok) for (const f of [tmp, `${tmp}-wal`, `${tmp}-shm`]) rmSync(f, { force: true });
    await it.return?.(undefined);
  }
  // Closing the only connection checkpoints the WAL into the file; move a leftover WAL along anyway.
  if (existsSync(`${tmp}-wal`)) renameSync(`${tmp}-wal`, `${o.dbFile}-wal`);
  rmSync(`${tmp}-shm`, { force: true });
  renameSync(tmp, o.dbFile);
  return { height: head.height, headerHash: hash, entries: head.entries, seen: head.seen, streamSeq: head.streamSeq, ms: Date.now() - t0 };
}

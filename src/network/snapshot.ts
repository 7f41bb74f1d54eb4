/**
 * Certified state snapshots: docs/network.md "Snapshots". A node joining a network with a long
 * history fetches the state at a certified height from any peer, checks it against the certificate,
 * and replays only the rest of the stream.
 *
 * Format of `GET /v1/snapshot` (`application/x-ndjson`, one JSON document per line):
 *   line 1:        {"v":1,"chainId","height","headerHash","header","cert","streamSeq","sigSeq","entries":n,"seen":m}
 *   next n lines:  one state entry each (the `chain`, `ns:` and `id:` entries), in state-key order
 *   next m lines:  ["<tx hash>", <validUntil>]: the replay-protection set
 *   last line:     {"end":true,"entries":n,"seen":m}
 *
 * Everything in a snapshot is attacker-controlled until checked. The joining node verifies that the
 * certificate reaches a quorum of the validators it trusts (the genesis set, or the network file's
 * `trustedValidators`) over SHA-256(JCS(header)), rebuilds the Merkle map from the entries, and
 * requires its root to equal the header's stateRoot. The replay set and the stream positions are not
 * covered by the state root: a peer lying about them makes the node compute headers the quorum does
 * not sign, which the node detects (it reports itself diverged) rather than accepts.
 */
import { existsSync, renameSync, rmSync } from 'node:fs';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UrbisError, isUrbisError } from '../core/errors.js';
import { checkCertificate, headerHash, isQuorum, verifyCertificate } from '../core/ledger/block.js';
import { entryHash, merkleKey, stateKey } from '../core/ledger/state.js';
import type { BlockHeader, Certificate, StateEntry } from '../core/ledger/types.js';
import { EMPTY_HASH, SparseMerkleTree, type SmtChange } from '../core/merkle/index.js';
import { toHex } from '../core/encoding/index.js';
import { SqliteStore } from '../storage/sqlite/sqlite-store.js';
import { requireReady } from '../node/guards.js';
import type { NodeRuntime } from '../node/types.js';

/** First line of a snapshot. */
export interface SnapshotHead {
  v: 1;
  chainId: string;
  height: number;
  headerHash: string;
  header: BlockHeader;
  cert: Certificate;
  /** Ordering-stream sequence of the message that closed block `height`. */
  streamSeq: number;
  /** Signature-stream sequence after which signatures for `height + 1` appear. */
  sigSeq: number;
  entries: number;
  seen: number;
}

const PAGE = 5000;
/** Largest snapshot accepted: bounds memory (64 bytes per entry while the Merkle map is rebuilt). */
const MAX_ENTRIES = 200_000_000;

/**
 * Registers `GET /v1/snapshot` on a node whose store is the SQLite file `dbFile`.
 * The snapshot is read on a second, read-only connection inside one read transaction, so it is the
 * state of exactly one certified block however long the transfer takes.
 */
export function registerSnapshotRoute(app: FastifyInstance, rt: NodeRuntime, dbFile: string, maxConcurrent = 2): void {
  let open = 0;
  app.get('/v1/snapshot', async (req, reply) => {
    requireReady(rt);
    // A snapshot is the whole state: a few at a time, so that fetching them cannot starve the node.
    if (open >= maxConcurrent) throw new UrbisError('NODE_BUSY', `${open} snapshots are being sent; retry later`, { retryAfterMs: 10_000 });
    open++;
    try {
      await sendSnapshot(req, reply, rt, dbFile);
    } finally {
      open--;
    }
  });
}

async function sendSnapshot(_req: FastifyRequest, reply: FastifyReply, rt: NodeRuntime, dbFile: string): Promise<void> {
  let snap = SqliteStore.openSnapshot(dbFile);
  // The head read by the snapshot is certified (the store only holds certified blocks), except
  // block 0 before its certificate, or a certificate being rewritten: check, retry briefly.
  for (let attempt = 0; ; attempt++) {
    const validators = rt.ledger.chain().validators;
    const c = checkCertificate(snap.cert, validators);
    if (isQuorum(c.valid.length, validators.length) || snap.head.height > 0) break;
    snap.close();
    if (attempt >= 10) throw new UrbisError('NODE_NOT_READY', 'the head block is not certified yet', { retryAfterMs: 1000 });
    await new Promise((r) => setTimeout(r, 100));
    snap = SqliteStore.openSnapshot(dbFile);
  }
  const head: SnapshotHead = {
    v: 1,
    chainId: rt.chainId,
    height: snap.head.height,
    headerHash: snap.head.headerHash,
    header: snap.head.header,
    cert: snap.cert,
    streamSeq: Number(snap.meta('net.stream_seq') ?? 0),
    sigSeq: Number(snap.meta('net.sig_seq') ?? 0),
    entries: snap.counts.entries,
    seen: snap.counts.seen,
  };
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, { 'content-type': 'application/x-ndjson', 'cache-control': 'no-store' });
  let closed = false;
  res.on('close', () => (closed = true)); // the peer went away (or the answer ended)
  const write = async (text: string) => {
    if (!res.write(text)) await new Promise((r) => res.once('drain', r));
  };
  try {
    await write(`${JSON.stringify(head)}\n`);
    let after = '';
    let n = 0;
    while (!closed) {
      const rows = snap.entriesAfter(after, PAGE);
      if (rows.length === 0) break;
      n += rows.length;
      await write(`${rows.map((r) => r.body).join('\n')}\n`);
      after = rows[rows.length - 1]!.key;
    }
    let hashAfter = '';
    let m = 0;
    while (!closed) {
      const rows = snap.seenAfter(hashAfter, PAGE);
      if (rows.length === 0) break;
      m += rows.length;
      await write(`${rows.map((r) => JSON.stringify([r.hash, r.until])).join('\n')}\n`);
      hashAfter = rows[rows.length - 1]!.hash;
    }
    if (!closed) await write(`${JSON.stringify({ end: true, entries: n, seen: m })}\n`);
  } finally {
    snap.close();
    res.end();
  }
}

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

function invalid(message: string, details?: Record<string, unknown>): never {
  throw new UrbisError('NET_SNAPSHOT_INVALID', message, details);
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
    if (r.done) invalid('the snapshot ends early');
    return r.value;
  };
  const parse = (line: string, what: string): unknown => {
    try {
      return JSON.parse(line) as unknown;
    } catch {
      return invalid(`${what} is not JSON`);
    }
  };

  // --- head and certificate: checked before anything is written -----------------------------
  const head = parse(await next(), 'the first line') as SnapshotHead;
  if (typeof head !== 'object' || head === null || head.v !== 1) invalid('the first line is not a snapshot head');
  if (head.chainId !== o.chainId || head.header?.chain !== o.chainId) invalid(`the snapshot is of chain ${String(head.chainId)}, not ${o.chainId}`);
  for (const k of ['height', 'streamSeq', 'sigSeq', 'entries', 'seen'] as const) {
    if (!Number.isSafeInteger(head[k]) || head[k] < 0) invalid(`${k} must be a non-negative integer`);
  }
  if (head.entries > MAX_ENTRIES) invalid(`the snapshot has ${head.entries} entries, more than ${MAX_ENTRIES}`);
  if (head.header.height !== head.height) invalid('the header is not at the snapshot height');
  let hash: string;
  try {
    hash = headerHash(head.header);
    verifyCertificate(head.header, head.cert, o.trusted);
  } catch (e) {
    if (isUrbisError(e) && e.code === 'CERT_INVALID') {
      invalid(`the snapshot certificate does not reach a quorum of the trusted validators: ${e.message}`, { ...e.details });
    }
    return invalid(`the snapshot header is malformed: ${(e as Error).message}`);
  }
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
      const e = parse(line, `entry ${i}`) as StateEntry;
      let key: string;
      let mk: Uint8Array;
      let vh: Uint8Array;
      try {
        key = stateKey(e);
        mk = merkleKey(key);
        vh = entryHash(e);
      } catch {
        return invalid(`entry ${i} is not a state entry`);
      }
      if (e.kind === 'chain') {
        chainSeen = true;
        if (e.chainId !== o.chainId) invalid(`the snapshot's chain entry names chain ${e.chainId}`);
      }
      pairs.set(mk, n * 64);
      pairs.set(vh, n * 64 + 32);
      n++;
      batch.push(e);
      bodies.push(line);
      if (batch.length >= PAGE) flush();
    }
    flush();
    if (!chainSeen) invalid('the snapshot has no chain entry');

    // --- replay set ---------------------------------------------------------------------------
    let seen: [string, number][] = [];
    for (let i = 0; i < head.seen; i++) {
      const row = parse(await next(), `replay row ${i}`);
      if (!Array.isArray(row) || typeof row[0] !== 'string' || !/^[0-9a-f]{64}$/.test(row[0]) || !Number.isSafeInteger(row[1])) {
        invalid(`replay row ${i} is malformed`);
      }
      seen.push([row[0] as string, row[1] as number]);
      if (seen.length >= PAGE) {
        store.importState({ entries: [], seen, smtWrites: [] });
        seen = [];
      }
    }
    if (seen.length) store.importState({ entries: [], seen, smtWrites: [] });
    const end = parse(await next(), 'the last line') as { end?: unknown; entries?: unknown };
    if (end?.end !== true || end.entries !== head.entries) invalid('the snapshot does not end where its head says');

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
      store.importState({ entries: [], seen: [], smtWrites: writes });
      tree.commit(root);
    }
    const root = toHex(tree.root());
    if (root !== head.header.stateRoot) {
      invalid(`the entries give state root ${root}, the certified header says ${head.header.stateRoot}`, { root, stateRoot: head.header.stateRoot });
    }
    store.importHead(head.header, head.cert, { 'net.stream_seq': String(head.streamSeq), 'net.sig_seq': String(head.sigSeq) });
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

/**
 * `GET /v1/snapshot` (docs/network.md "Snapshots"): the state of one certified block, streamed as
 * NDJSON from a second, read-only SQLite connection. Served by every node whose store is an SQLite
 * file (single nodes and network nodes alike), so any node can seed others.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UrbisError } from '../../core/errors.js';
import { checkCertificate, isQuorum } from '../../core/ledger/block.js';
import type { SnapshotHead } from '../../core/ledger/snapshot.js';
import { frontierPositions } from '../../core/merkle/log.js';
import { toHex } from '../../core/encoding/index.js';
import { SqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { requireReady } from '../guards.js';
import { NO_QUERY } from './common.js';
import type { NodeRuntime } from '../types.js';

/** Entries and replay rows read per query. */
const PAGE = 5000;

/**
 * Registers `GET /v1/snapshot` on a node whose store is the SQLite file `dbFile`.
 * The snapshot is read on a second, read-only connection inside one read transaction, so it is the
 * state of exactly one certified block however long the transfer takes.
 */
export function registerSnapshotRoute(app: FastifyInstance, rt: NodeRuntime, dbFile: string, maxConcurrent = 2): void {
  let open = 0;
  app.get('/v1/snapshot', { schema: NO_QUERY }, async (req, reply) => {
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
    history: frontierPositions(snap.head.height).map((p) => {
      const h = snap.historyNode(p.level, p.index);
      if (!h) {
        snap.close();
        throw new UrbisError('HISTORY_UNAVAILABLE', `the store lacks history subtree (${p.level}, ${p.index})`);
      }
      return toHex(h);
    }),
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

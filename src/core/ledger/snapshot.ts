/**
 * Certified state snapshots, the checks (docs/network.md "Snapshots"): the head line, each state
 * entry, each replay row and the closing line. Everything in a snapshot is attacker-controlled until
 * checked here; transport (src/node/routes/snapshot.ts, src/network/snapshot/import.ts) and storage stay outside.
 */
import { UrbisError, isUrbisError } from '../errors.js';
import { entryHash, merkleKey, stateKey } from './state.js';
import { AnswerVerifier } from './verify.js';
import { historyLeaf } from './block.js';
import { fromHex, toHex } from '../encoding/index.js';
import { appendLeaf, frontierPositions, rootFromFrontier, type SubtreeNode } from '../merkle/log.js';
import type { BlockHeader, Certificate, StateEntry } from './types.js';

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
  /**
   * Frontier of the header history log before the head: the perfect subtree hashes covering headers
   * 0..height−1, largest first (docs/protocol.md "History tree"); they must give `header.historyRoot`.
   */
  history: string[];
}

/** Largest snapshot accepted: bounds memory (64 bytes per entry while the Merkle map is rebuilt). */
export const MAX_SNAPSHOT_ENTRIES = 200_000_000;

/** Throws NET_SNAPSHOT_INVALID. */
export function invalidSnapshot(message: string, details?: Record<string, unknown>): never {
  throw new UrbisError('NET_SNAPSHOT_INVALID', message, details);
}

/**
 * Checks the head line: chain, counts, and a certificate reaching a quorum of `trusted` over the
 * header. Nothing may be written before this passed.
 *
 * @returns the head, the hash of its header, and the history log nodes to store (the frontier
 *   checked against `header.historyRoot`, then the head header appended).
 * @throws UrbisError NET_SNAPSHOT_INVALID with the reason.
 */
export function checkSnapshotHead(doc: unknown, chainId: string, trusted: string[]): { head: SnapshotHead; hash: string; history: SubtreeNode[] } {
  const head = doc as SnapshotHead;
  if (typeof head !== 'object' || head === null || head.v !== 1) invalidSnapshot('the first line is not a snapshot head');
  if (head.chainId !== chainId || head.header?.chain !== chainId) invalidSnapshot(`the snapshot is of chain ${String(head.chainId)}, not ${chainId}`);
  for (const k of ['height', 'streamSeq', 'sigSeq', 'entries', 'seen'] as const) {
    if (!Number.isSafeInteger(head[k]) || head[k] < 0) invalidSnapshot(`${k} must be a non-negative integer`);
  }
  if (head.entries > MAX_SNAPSHOT_ENTRIES) invalidSnapshot(`the snapshot has ${head.entries} entries, more than ${MAX_SNAPSHOT_ENTRIES}`);
  if (head.header.height !== head.height) invalidSnapshot('the header is not at the snapshot height');
  let hash: string;
  try {
    // The one reader verifier: strict header and certificate shapes, quorum of the trusted keys.
    hash = new AnswerVerifier({ chainId, validators: trusted }, { certCacheSize: 0 }).verifyHeader(head.header, head.cert).headerHash;
  } catch (e) {
    if (isUrbisError(e) && e.code === 'CERT_INVALID' && e.details?.valid !== undefined) {
      invalidSnapshot(`the snapshot certificate does not reach a quorum of the trusted validators: ${e.message}`, { ...e.details });
    }
    return invalidSnapshot(`the snapshot header is malformed: ${(e as Error).message}`);
  }
  const positions = frontierPositions(head.height);
  if (
    !Array.isArray(head.history) ||
    head.history.length !== positions.length ||
    !head.history.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))
  ) {
    invalidSnapshot(`the history frontier must be ${positions.length} hashes`);
  }
  const frontier = head.history.map((h) => fromHex(h, 32));
  if (toHex(rootFromFrontier(frontier)) !== head.header.historyRoot) invalidSnapshot('the history frontier does not give the certified history root');
  const history: SubtreeNode[] = positions.map((p, i) => ({ ...p, hash: frontier[i]! }));
  const read = (l: number, i: number) => history.find((n) => n.level === l && n.index === i)?.hash;
  history.push(...appendLeaf(head.height, historyLeaf(hash), read));
  return { head, hash, history };
}

/**
 * Checks entry line `i` and returns its Merkle leaf (key and value hashes).
 *
 * @throws UrbisError NET_SNAPSHOT_INVALID.
 */
export function checkSnapshotEntry(doc: unknown, i: number, chainId: string): { entry: StateEntry; key: Uint8Array; value: Uint8Array } {
  const e = doc as StateEntry;
  let key: Uint8Array;
  let value: Uint8Array;
  try {
    key = merkleKey(stateKey(e));
    value = entryHash(e);
  } catch {
    return invalidSnapshot(`entry ${i} is not a state entry`);
  }
  if (e.kind === 'chain' && e.chainId !== chainId) invalidSnapshot(`the snapshot's chain entry names chain ${e.chainId}`);
  return { entry: e, key, value };
}

/**
 * Checks replay row `i`: `["<tx hash>", <validUntil>]`.
 *
 * @throws UrbisError NET_SNAPSHOT_INVALID.
 */
export function checkReplayRow(row: unknown, i: number): [string, number] {
  if (!Array.isArray(row) || typeof row[0] !== 'string' || !/^[0-9a-f]{64}$/.test(row[0]) || !Number.isSafeInteger(row[1])) {
    invalidSnapshot(`replay row ${i} is malformed`);
  }
  return [row[0] as string, row[1] as number];
}

/**
 * Checks the closing line against the head.
 *
 * @throws UrbisError NET_SNAPSHOT_INVALID.
 */
export function checkSnapshotEnd(doc: unknown, head: SnapshotHead): void {
  const end = doc as { end?: unknown; entries?: unknown } | null;
  if (end?.end !== true || end.entries !== head.entries) invalidSnapshot('the snapshot does not end where its head says');
}

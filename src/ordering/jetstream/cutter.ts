/**
 * Deterministic block cutting from the ordered stream: docs/network.md "Block cutting".
 *
 * Every node reads the same JetStream stream in the same order and feeds each message to a
 * {@link BlockCutter}; since the rule looks at nothing but the messages (subject kind, payload,
 * stream sequence, stream timestamp), every node cuts byte-identical blocks. Pure: no clock, no I/O.
 *
 * The rule, for the block at height h+1 (the first message considered is the one after the last
 * message of block h):
 * - a `tx` message whose payload parses as JSON contributes transactions: the elements of its `txs`
 *   array if the payload is a batch `{"txs": [...]}`, else the payload itself; one that is not JSON is
 *   skipped (it can only come from a client bypassing the nodes, and it is skipped the same way
 *   everywhere);
 * - a `tx` message that is JSON but not exactly the RFC 8785 canonical form of its value (a
 *   duplicate member, whitespace, member order, escapes, number forms) contributes one entry: its
 *   text as received, a JSON string, which the state machine records as invalid (TX_NOT_CANONICAL).
 *   Nodes publish only canonical text (admission refuses anything else), so such a message comes
 *   from someone writing to the stream directly; no parser's reading of it is ever executed;
 * - the block is cut as soon as it holds at least `maxBlockTxs` transactions, closed by the message
 *   that got it there (a block holds whole messages, so it may exceed maxBlockTxs by less than one
 *   batch);
 * - a `tick` message `{"height": h+1}` cuts the block if it holds at least one transaction, closed by
 *   the tick; a tick for any other height, or malformed, is ignored;
 * - heartbeat: a `tick` message `{"height": h+1}` while the block holds no transaction cuts an empty
 *   block if the network's `heartbeatMs` (config record) is above 0 and the tick's stream timestamp
 *   is at least `heartbeatMs` after the time of block h; otherwise it is ignored;
 * - every other message (the network's `config` record) is ignored.
 * Block time = max(time of block h, stream timestamp in ms of the closing message).
 */

import { canonicalJson, firstDuplicateKey } from '../../core/encoding/index.js';

/** Kind of a stream message, from its subject. */
export type StreamMsgKind = 'tx' | 'tick' | 'other';

/** One message of the ordering stream, as the cutter sees it. */
export interface StreamMsg {
  /** Stream sequence (1, 2, ...). */
  seq: number;
  kind: StreamMsgKind;
  /** Stream timestamp, ms since the epoch (assigned by the stream leader, replicated). */
  time: number;
  /** Raw payload (UTF-8 JSON). */
  data: Uint8Array | string;
}

/** A block cut from the stream, ready to be applied. */
export interface CutBlock {
  height: number;
  /** Transactions as parsed from the stream, in stream order; a message that is not canonical JSON as its text (a string). */
  txs: unknown[];
  time: number;
  /** Stream sequence of the first transaction. */
  firstSeq: number;
  /** Stream sequence of the closing message: the next block starts after it. */
  lastSeq: number;
  /** What closed the block. */
  cause: 'full' | 'tick' | 'heartbeat';
}

/** Where cutting starts: right after block `height - 1`. */
export interface CutterStart {
  /** Height of the next block to cut. */
  height: number;
  /** Time of the previous block (block time never decreases). */
  prevTime: number;
  maxBlockTxs: number;
  /** The network's heartbeat (config record), ms; 0 or absent: empty blocks are never cut. */
  heartbeatMs?: number;
}

const decoder = new TextDecoder('utf-8', { fatal: true });

function text(data: Uint8Array | string): string | null {
  if (typeof data === 'string') return data;
  try {
    return decoder.decode(data);
  } catch {
    return null;
  }
}

function parseJson(data: Uint8Array | string): { ok: true; value: unknown; text: string } | { ok: false } {
  const t = text(data);
  if (t === null) return { ok: false };
  try {
    return { ok: true, value: JSON.parse(t) as unknown, text: t };
  } catch {
    return { ok: false };
  }
}

/** True when `text` is exactly the RFC 8785 canonical JSON of `value`, its parse, with no duplicate member. */
function isCanonicalText(text: string, value: unknown): boolean {
  if (firstDuplicateKey(text) !== null) return false;
  try {
    return canonicalJson(value) === text;
  } catch {
    return false;
  }
}

/** The transactions of a batch payload `{"txs": [...]}` (no `body`), or null for a single transaction. */
function batchOf(v: unknown): unknown[] | null {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return null;
  const o = v as { txs?: unknown; body?: unknown };
  return Array.isArray(o.txs) && o.body === undefined ? o.txs : null;
}

/** Height named by a tick payload, or null if malformed. */
export function tickHeight(data: Uint8Array | string): number | null {
  const p = parseJson(data);
  if (!p.ok || typeof p.value !== 'object' || p.value === null) return null;
  const h = (p.value as { height?: unknown }).height;
  return typeof h === 'number' && Number.isSafeInteger(h) && h >= 0 ? h : null;
}

/** Incremental form of the cutting rule: push messages in stream order, get blocks out. */
export class BlockCutter {
  private height: number;
  private prevTime: number;
  private readonly max: number;
  private readonly heartbeatMs: number;
  private txs: unknown[] = [];
  private firstSeq = 0;
  /** Stream sequence of the last message pushed (0 before any). */
  lastSeq = 0;

  /** @throws RangeError when maxBlockTxs is not a positive integer (a configuration bug). */
  constructor(start: CutterStart) {
    if (!Number.isSafeInteger(start.maxBlockTxs) || start.maxBlockTxs < 1) throw new RangeError('maxBlockTxs must be a positive integer');
    this.height = start.height;
    this.prevTime = start.prevTime;
    this.max = start.maxBlockTxs;
    this.heartbeatMs = start.heartbeatMs ?? 0;
    if (!Number.isSafeInteger(this.heartbeatMs) || this.heartbeatMs < 0) throw new RangeError('heartbeatMs must be a non-negative integer');
  }

  /** Time of the last block cut (or of the block the cutter started after). */
  headTime(): number {
    return this.prevTime;
  }

  /** Height of the block being assembled. */
  nextHeight(): number {
    return this.height;
  }

  /** Transactions waiting in the block being assembled. */
  pending(): number {
    return this.txs.length;
  }

  /**
   * Feeds one message. Messages must come in stream order without gaps in what the caller chose to
   * read; a message at or below the last one pushed is ignored (redelivery).
   *
   * @returns the block this message closed, or null.
   */
  push(m: StreamMsg): CutBlock | null {
    if (m.seq <= this.lastSeq) return null;
    this.lastSeq = m.seq;
    if (m.kind === 'tx') {
      const p = parseJson(m.data);
      if (!p.ok) return null;
      const canonical = isCanonicalText(p.text, p.value);
      const batch = canonical ? batchOf(p.value) : null;
      if (batch && batch.length === 0) return null;
      if (this.txs.length === 0) this.firstSeq = m.seq;
      if (batch) for (const t of batch) this.txs.push(t);
      else this.txs.push(canonical ? p.value : p.text);
      return this.txs.length >= this.max ? this.cut(m, 'full') : null;
    }
    if (m.kind === 'tick') {
      if (tickHeight(m.data) !== this.height) return null;
      if (this.txs.length > 0) return this.cut(m, 'tick');
      if (this.heartbeatMs > 0 && m.time - this.prevTime >= this.heartbeatMs) {
        this.firstSeq = m.seq;
        return this.cut(m, 'heartbeat');
      }
      return null;
    }
    return null;
  }

  private cut(m: StreamMsg, cause: CutBlock['cause']): CutBlock {
    const time = Math.max(this.prevTime, m.time);
    const b: CutBlock = { height: this.height, txs: this.txs, time, firstSeq: this.firstSeq, lastSeq: m.seq, cause };
    this.txs = [];
    this.height++;
    this.prevTime = time;
    return b;
  }
}

/**
 * The cutting rule as a pure function over a message list (tests, documentation).
 *
 * @returns the blocks cut and the number of transactions left waiting after the last one.
 */
export function cutBlocks(msgs: readonly StreamMsg[], start: CutterStart): { blocks: CutBlock[]; pending: number } {
  const c = new BlockCutter(start);
  const blocks: CutBlock[] = [];
  for (const m of msgs) {
    const b = c.push(m);
    if (b) blocks.push(b);
  }
  return { blocks, pending: c.pending() };
}

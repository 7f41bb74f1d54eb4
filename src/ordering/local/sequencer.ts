/**
 * In-process sequencer for a single-node network: orders submitted transactions and cuts a block
 * every `blockIntervalMs` or as soon as `maxBlockTxs` are waiting, whichever comes first.
 *
 * Heartbeat (docs/protocol.md "Heartbeat blocks"): with `heartbeatMs` > 0, an empty block is cut
 * when the head is that old (by the head's own time), so that the certified time of the head stays
 * recent on an idle chain and readers can hold answers to a maximum age.
 *
 * Ordering is kept apart from execution (as in tessera): `submit` only admits a checked transaction
 * into the queue and returns a promise of its outcome; the block is built and committed by the
 * {@link Ledger}. Back-pressure: beyond `maxPending` queued transactions, submissions fail at once
 * with NODE_BUSY (the HTTP layer answers 503 with Retry-After) instead of queueing without bound.
 */
import { UrbisError } from '../../core/errors.js';
import type { CommitResult, Ledger } from '../../engine/ledger.js';
import type { VerifyPool } from '../../engine/verify-pool.js';
import type { TxOutcome } from '../types.js';

export interface SequencerOptions {
  blockIntervalMs?: number;
  maxBlockTxs?: number;
  maxPending?: number;
  /** Clock, ms since epoch; injectable for tests. */
  now?: () => number;
  /** Called after every committed block (change feed, metrics). */
  onBlock?: (r: CommitResult) => void;
  /** Called when committing a block fails; the sequencer stops. */
  onError?: (e: unknown) => void;
  /** Worker threads for signature checks ({@link LocalSequencer.submitAsync}). */
  pool?: VerifyPool;
  /** Cut an empty block when no block was cut for this long, ms (default 0: never). */
  heartbeatMs?: number;
}

interface Pending {
  raw: unknown;
  hash: string;
  waiters: Array<{ resolve: (o: TxOutcome) => void; reject: (e: unknown) => void }>;
}

export class LocalSequencer {
  private queue: Pending[] = [];
  private readonly byHash = new Map<string, Pending>();
  private timer: NodeJS.Timeout | null = null;
  private heartbeatTimer: NodeJS.Timeout | null = null;
  private stopped = false;
  private failed: unknown = null;
  readonly blockIntervalMs: number;
  readonly maxBlockTxs: number;
  readonly maxPending: number;
  readonly heartbeatMs: number;
  private readonly now: () => number;

  constructor(
    private readonly ledger: Ledger,
    private readonly opts: SequencerOptions = {},
  ) {
    this.blockIntervalMs = opts.blockIntervalMs ?? 50;
    this.maxBlockTxs = opts.maxBlockTxs ?? 5000;
    this.maxPending = opts.maxPending ?? 100_000;
    this.now = opts.now ?? Date.now;
    this.heartbeatMs = opts.heartbeatMs ?? 0;
    if (!Number.isSafeInteger(this.heartbeatMs) || this.heartbeatMs < 0) throw new RangeError('heartbeatMs must be a non-negative integer');
    this.scheduleHeartbeat();
  }

  /** Arms the heartbeat for `heartbeatMs` after the head's time (at once if the head is older). */
  private scheduleHeartbeat(): void {
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
    if (this.heartbeatMs === 0 || this.stopped || this.failed) return;
    const head = this.ledger.store.head();
    const due = head ? head.header.time + this.heartbeatMs - this.now() : this.heartbeatMs;
    this.heartbeatTimer = setTimeout(() => this.heartbeat(), Math.min(Math.max(0, due), this.heartbeatMs));
    // A CLI process holding the sequencer must be able to exit.
    this.heartbeatTimer.unref?.();
  }

  /**
   * Cuts an empty block if the head is `heartbeatMs` old and nothing waits (a waiting transaction
   * gets its block from the interval timer anyway).
   *
   * @returns the commit result, or null when no block was due.
   */
  heartbeat(): CommitResult | null {
    this.heartbeatTimer = null;
    if (this.stopped || this.failed || this.heartbeatMs === 0) return null;
    const head = this.ledger.store.head();
    if (this.queue.length > 0 || (head && this.now() - head.header.time < this.heartbeatMs)) {
      this.scheduleHeartbeat();
      return null;
    }
    return this.commit([]);
  }

  /** Number of transactions waiting for a block. */
  pending(): number {
    return this.queue.length;
  }

  /**
   * Checks and enqueues a transaction. Idempotent: submitting a transaction that is already queued
   * joins the same outcome; one already committed resolves with its recorded outcome.
   *
   * @returns the hash and a promise settled when the transaction is in a committed block.
   * @throws UrbisError from the pre-checks, or NODE_BUSY when the queue is full.
   */
  submit(raw: unknown): { hash: string; done: Promise<TxOutcome> } {
    this.checkOpen();
    const { hash } = this.ledger.precheck(raw, this.now());
    return this.enqueue(raw, hash);
  }

  /**
   * {@link submit} with the signature checks done by the verification worker pool (when the
   * sequencer has one), so that admission runs beside block production on another core.
   */
  async submitAsync(raw: unknown): Promise<{ hash: string; done: Promise<TxOutcome> }> {
    if (!this.opts.pool) return this.submit(raw);
    this.checkOpen();
    if (this.queue.length >= this.maxPending) this.busy();
    const { hash } = await this.ledger.precheckAsync(raw, this.now(), this.opts.pool);
    this.checkOpen();
    return this.enqueue(raw, hash);
  }

  private checkOpen(): void {
    if (this.stopped) throw new UrbisError('NODE_NOT_READY', 'the sequencer is stopped');
    if (this.failed) throw new UrbisError('NODE_NOT_READY', 'the node stopped producing blocks after a storage failure');
  }

  private busy(): never {
    throw new UrbisError('NODE_BUSY', `${this.queue.length} transactions are waiting; retry shortly`, { retryAfterMs: this.blockIntervalMs * 4 });
  }

  private enqueue(raw: unknown, hash: string): { hash: string; done: Promise<TxOutcome> } {
    const known = this.ledger.store.tx(hash);
    if (known?.result.ok) return { hash, done: Promise.resolve({ hash, height: known.height, index: known.index, result: known.result }) };
    let p = this.byHash.get(hash);
    if (!p) {
      if (this.queue.length >= this.maxPending) this.busy();
      p = { raw, hash, waiters: [] };
      this.queue.push(p);
      this.byHash.set(hash, p);
    }
    const entry = p;
    const done = new Promise<TxOutcome>((resolve, reject) => entry.waiters.push({ resolve, reject }));
    this.schedule();
    return { hash, done };
  }

  /** A promise of the outcome of a queued transaction, or null if it is not queued. */
  waiter(hash: string): Promise<TxOutcome> | null {
    const p = this.byHash.get(hash);
    if (!p) return null;
    return new Promise<TxOutcome>((resolve, reject) => p.waiters.push({ resolve, reject }));
  }

  /** True once a storage failure stopped block production. */
  hasFailed(): boolean {
    return this.failed !== null;
  }

  private schedule(): void {
    if (this.queue.length >= this.maxBlockTxs) {
      if (this.timer) clearTimeout(this.timer);
      this.timer = null;
      setImmediate(() => this.cut());
      return;
    }
    if (!this.timer) this.timer = setTimeout(() => this.cut(), this.blockIntervalMs);
  }

  /** Cuts a block from the queue now (if anything is waiting). Returns its commit result. */
  cut(): CommitResult | null {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.queue.length === 0 || this.failed) return null;
    return this.commit(this.queue.splice(0, this.maxBlockTxs));
  }

  private commit(batch: Pending[]): CommitResult | null {
    let res: CommitResult;
    try {
      res = this.ledger.commitBlock(
        batch.map((p) => p.raw),
        this.now(),
      );
    } catch (e) {
      // Nothing of the block was committed (the store commit is atomic). Stop producing blocks:
      // a node whose disk fails must not carry on with a state it could not persist.
      this.failed = e;
      if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
      for (const p of batch) for (const w of p.waiters) w.reject(e);
      for (const p of batch) this.byHash.delete(p.hash);
      this.opts.onError?.(e);
      return null;
    }
    this.scheduleHeartbeat();
    batch.forEach((p, i) => {
      this.byHash.delete(p.hash);
      const outcome: TxOutcome = { hash: p.hash, height: res.height, index: i, result: res.results[i]! };
      for (const w of p.waiters) w.resolve(outcome);
    });
    this.opts.onBlock?.(res);
    if (this.queue.length > 0) this.schedule();
    return res;
  }

  /** Commits what is queued, then stops accepting transactions. */
  stop(): void {
    while (this.queue.length > 0 && !this.failed) this.cut();
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.heartbeatTimer) clearTimeout(this.heartbeatTimer);
    this.heartbeatTimer = null;
  }
}

/**
 * The publish side of network ordering: docs/network.md "Submission". Implements the HTTP layer's
 * {@link Orderer} port.
 *
 * A submitted transaction is pre-checked against the committed state (shape, chain id, window,
 * signatures), then published to the ordering stream. Transactions admitted during one turn of the
 * event loop go out together as one message `{"txs": [...]}` (at most {@link MAX_BATCH}, within the
 * servers' max_payload): JetStream's cost is per message (a Raft entry on three servers, a delivery
 * to every node), so batching on the way in is what lets a 2-core machine order more than a few
 * hundred transactions per second. The batch's `Nats-Msg-Id` is derived from its transaction hashes,
 * so a publish retried after a lost acknowledgement is stored once; a transaction submitted again
 * to this node while its first copy is not yet committed joins the first one; a copy submitted to
 * another node is ordered twice and committed once (the ledger's replay protection marks the second
 * copy TX_REPLAYED, and the transaction's recorded outcome stays the first).
 *
 * "Accepted" (HTTP 202) means the stream acknowledged the message, i.e. it is stored on a majority of
 * the stream's replicas. Back-pressure instead of queues: beyond `maxInFlight` transactions awaiting
 * their acknowledgement, or `maxBacklog` ordered transactions not yet applied here, a submission fails
 * at once with NODE_BUSY (503 + Retry-After).
 */
import { UrbisError } from '../../core/errors.js';
import { sha256 } from '../../core/crypto/index.js';
import { toHex, utf8Encode } from '../../core/encoding/index.js';
import type { Ledger } from '../../engine/ledger.js';
import type { VerifyPool } from '../../engine/verify-pool.js';
import type { Orderer, TxOutcome } from '../types.js';
import type { NetworkFollower } from './follower.js';
import type { StreamPublisher } from './publisher.js';

/** Most transactions in one stream message. */
export const MAX_BATCH = 256;
/**
 * How long the first transaction of a batch waits for company, ms. HTTP requests of concurrent
 * clients arrive in separate turns of the event loop; a couple of milliseconds gathers them.
 */
const BATCH_WINDOW_MS = 2;
/** How long a published transaction is remembered here for joining resubmissions, ms. */
const RECENT_MS = 120_000;

export interface JetStreamOrdererOptions {
  ledger: Ledger;
  follower: NetworkFollower;
  publisher: StreamPublisher;
  /** Subject of transactions. */
  subject: string;
  blockIntervalMs: number;
  /** Most transactions awaiting their stream acknowledgement. */
  maxInFlight: number;
  maxBacklog: number;
  /** Largest message the NATS servers accept (their max_payload). */
  maxPayload: number;
  now?: () => number;
  /** Worker threads for the signature checks of admission (src/engine/verify-pool.ts); absent: this thread. */
  pool?: VerifyPool;
}

/** An admitted transaction: its hash, its outcome, and its acknowledgement by the stream. */
type Admitted = { hash: string; done: Promise<TxOutcome>; accepted: Promise<void> };

interface Queued {
  hash: string;
  json: string;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export class JetStreamOrderer implements Orderer {
  readonly blockIntervalMs: number;
  private readonly o: JetStreamOrdererOptions;
  private readonly now: () => number;
  private queue: Queued[] = [];
  private queuedBytes = 0;
  private scheduled = false;
  /** Transactions queued or awaiting their acknowledgement. */
  private inFlight = 0;
  private readonly recent = new Map<string, { accepted: Promise<void>; at: number }>();
  private readonly sweep: NodeJS.Timeout;
  /** Messages published (for the average batch size). */
  batches = 0;

  constructor(opts: JetStreamOrdererOptions) {
    this.o = opts;
    this.blockIntervalMs = opts.blockIntervalMs;
    this.now = opts.now ?? Date.now;
    this.sweep = setInterval(() => {
      const old = Date.now() - RECENT_MS;
      for (const [h, r] of this.recent) if (r.at < old) this.recent.delete(h);
    }, 10_000);
    this.sweep.unref();
  }

  pending(): number {
    return this.inFlight + this.o.follower.backlog();
  }

  /**
   * Admits a transaction: synchronously, or with a verification pool, once its signatures were
   * checked on the pool's workers.
   *
   * @throws UrbisError from the pre-checks; NODE_DIVERGED, NODE_NOT_READY, NODE_BUSY, TX_TOO_LARGE
   *   (with a pool: the promise rejects with them).
   */
  submit(raw: unknown): Admitted | Promise<Admitted> {
    this.admissible();
    if (this.o.pool) {
      // Signatures on the worker pool; the state may have changed meanwhile, so check it again.
      return this.o.ledger.precheckAsync(raw, this.now(), this.o.pool).then(({ hash }) => {
        this.admissible();
        return this.enqueue(raw, hash);
      });
    }
    const { hash } = this.o.ledger.precheck(raw, this.now());
    return this.enqueue(raw, hash);
  }

  /** @throws UrbisError NODE_DIVERGED, NODE_NOT_READY. */
  private admissible(): void {
    const f = this.o.follower;
    if (f.divergence) throw new UrbisError('NODE_DIVERGED', f.notReady() ?? 'this node diverged from the certified chain', { retryAfterMs: 60_000 });
    const why = f.notReady();
    if (why) throw new UrbisError('NODE_NOT_READY', why, { retryAfterMs: 2000 });
  }

  /** Queues a checked transaction for publishing (or joins its earlier submission). */
  private enqueue(raw: unknown, hash: string): Admitted {
    const f = this.o.follower;
    const known = this.o.ledger.store.tx(hash);
    if (known && known.result.ok) {
      return { hash, done: Promise.resolve({ hash, height: known.height, index: known.index, result: known.result }), accepted: Promise.resolve() };
    }
    const seen = this.recent.get(hash);
    if (seen) {
      const done = f.waitFor(hash);
      done.catch(() => {});
      return { hash, done, accepted: seen.accepted };
    }
    const backlog = f.backlog();
    if (backlog > this.o.maxBacklog || this.inFlight >= this.o.maxInFlight || this.o.publisher.full()) {
      throw new UrbisError('NODE_BUSY', `${backlog} ordered transactions wait to be applied and ${this.inFlight} to be acknowledged; retry shortly`, {
        retryAfterMs: Math.max(500, this.blockIntervalMs * 4),
      });
    }
    const json = JSON.stringify(raw);
    const bytes = utf8Encode(json).length;
    if (bytes + 64 > this.o.maxPayload) {
      throw new UrbisError('TX_TOO_LARGE', `the transaction is ${bytes} bytes; the ordering service accepts at most ${this.o.maxPayload - 64}`);
    }
    const done = f.waitFor(hash);
    done.catch(() => {});
    let resolve!: () => void;
    let reject!: (e: unknown) => void;
    const accepted = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    accepted.catch(() => {});
    this.recent.set(hash, { accepted, at: Date.now() });
    if (this.queuedBytes + bytes + 16 > this.o.maxPayload) this.flush();
    this.queue.push({ hash, json, resolve, reject });
    this.queuedBytes += bytes + 1;
    this.inFlight++;
    if (this.queue.length >= MAX_BATCH) this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      setTimeout(() => this.flush(), BATCH_WINDOW_MS);
    }
    return { hash, done, accepted };
  }

  /** Publishes what is queued as one message. */
  private flush(): void {
    this.scheduled = false;
    this.batches++;
    const batch = this.queue;
    if (batch.length === 0) return;
    this.queue = [];
    this.queuedBytes = 0;
    const payload = `{"txs":[${batch.map((q) => q.json).join(',')}]}`;
    const msgId = `b-${toHex(sha256(utf8Encode(batch.map((q) => q.hash).join('')))).slice(0, 48)}`;
    this.o.publisher.publish(this.o.subject, utf8Encode(payload), msgId).then(
      () => {
        this.inFlight -= batch.length;
        for (const q of batch) q.resolve();
      },
      (e: unknown) => {
        this.inFlight -= batch.length;
        for (const q of batch) {
          this.recent.delete(q.hash);
          this.o.follower.dropWaiters(q.hash, e);
          q.reject(e);
        }
      },
    );
  }

  waiter(hash: string): Promise<TxOutcome> | null {
    return this.o.follower.existingWaiter(hash);
  }

  /** Stops the housekeeping timer. */
  close(): void {
    clearInterval(this.sweep);
  }
}

/**
 * The publish side of network ordering: docs/network.md "Submission". Implements the HTTP layer's
 * {@link Orderer} port.
 *
 * A submitted transaction is pre-checked against the committed state (shape, chain id, window,
 * signatures), then published to the ordering stream with `Nats-Msg-Id` = its hash, so a retried
 * submission is stored once within the duplicate window (beyond it, the ledger's replay protection
 * commits it once). The HTTP answer (202) waits for the stream's acknowledgement: "accepted" means
 * durably stored on a quorum of the stream's replicas. Back-pressure instead of queues: beyond
 * `maxInFlight` publishes awaiting their ack, or `maxBacklog` ordered transactions not yet applied
 * here, a submission fails at once with NODE_BUSY (503 + Retry-After).
 */
import { UrbisError } from '../../core/errors.js';
import type { Ledger } from '../../engine/ledger.js';
import type { Orderer } from '../../node/runtime.js';
import type { TxOutcome } from '../local/sequencer.js';
import type { NetworkFollower } from './follower.js';
import type { StreamPublisher } from './publisher.js';

export interface JetStreamOrdererOptions {
  ledger: Ledger;
  follower: NetworkFollower;
  publisher: StreamPublisher;
  /** Subject of transactions. */
  subject: string;
  blockIntervalMs: number;
  maxBacklog: number;
  /** Largest message the NATS servers accept (their max_payload). */
  maxPayload: number;
  now?: () => number;
}

const encoder = new TextEncoder();

export class JetStreamOrderer implements Orderer {
  readonly blockIntervalMs: number;
  private readonly o: JetStreamOrdererOptions;
  private readonly now: () => number;

  constructor(opts: JetStreamOrdererOptions) {
    this.o = opts;
    this.blockIntervalMs = opts.blockIntervalMs;
    this.now = opts.now ?? Date.now;
  }

  pending(): number {
    return this.o.publisher.pending() + this.o.follower.backlog();
  }

  /**
   * @throws UrbisError from the pre-checks; NODE_DIVERGED, NODE_NOT_READY, NODE_BUSY, TX_TOO_LARGE.
   */
  submit(raw: unknown): { hash: string; done: Promise<TxOutcome>; accepted: Promise<void> } {
    const f = this.o.follower;
    if (f.divergence) throw new UrbisError('NODE_DIVERGED', f.notReady() ?? 'this node diverged from the certified chain', { retryAfterMs: 60_000 });
    const why = f.notReady();
    if (why) throw new UrbisError('NODE_NOT_READY', why, { retryAfterMs: 2000 });
    const { hash } = this.o.ledger.precheck(raw, this.now());
    const known = this.o.ledger.store.tx(hash);
    if (known) {
      return { hash, done: Promise.resolve({ hash, height: known.height, index: known.index, result: known.result }), accepted: Promise.resolve() };
    }
    const backlog = f.backlog();
    if (backlog > this.o.maxBacklog || this.o.publisher.full()) {
      throw new UrbisError('NODE_BUSY', `${backlog} ordered transactions wait to be applied and ${this.o.publisher.pending()} to be acknowledged; retry shortly`, {
        retryAfterMs: Math.max(500, this.blockIntervalMs * 4),
      });
    }
    const data = encoder.encode(JSON.stringify(raw));
    if (data.length > this.o.maxPayload) {
      throw new UrbisError('TX_TOO_LARGE', `the transaction is ${data.length} bytes; the ordering service accepts at most ${this.o.maxPayload}`);
    }
    const done = f.waitFor(hash);
    done.catch(() => {});
    const accepted = this.o.publisher.publish(this.o.subject, data, hash).then(
      () => undefined,
      (e: unknown) => {
        f.dropWaiters(hash, e);
        throw e;
      },
    );
    return { hash, done, accepted };
  }

  waiter(hash: string): Promise<TxOutcome> | null {
    return this.o.follower.existingWaiter(hash);
  }
}

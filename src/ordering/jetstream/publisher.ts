/**
 * Asynchronous JetStream publishing with bounded in-flight acknowledgements and retries:
 * docs/network.md "Submission".
 *
 * Publishes are plain NATS publishes with a reply subject under one wildcard inbox subscription:
 * the stream answers each with a PubAck. Measured on this machine it is 2-4x the rate of awaiting
 * `js.publish` one promise at a time, because no per-request subscription or timer is created.
 *
 * While the stream has no leader (an election takes ~5 s after the leader dies) a publish gets "no
 * responders", an error ack, or no answer at all. Those are retried with backoff, with the same
 * `Nats-Msg-Id`, so a publish that did land and is retried is stored once (JetStream deduplicates
 * by message id within the stream's duplicate window).
 */
import { createInbox, headers, type MsgHdrs, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { UrbisError } from '../../core/errors.js';

/** Acknowledgement of a stored message. */
export interface PubAck {
  stream: string;
  seq: number;
  duplicate: boolean;
}

export interface PublisherOptions {
  /** Most publishes awaiting an ack at once; beyond, `publish` fails with NODE_BUSY. Default 2000. */
  maxInFlight?: number;
  /** How long one attempt waits for its ack, ms. Default 2000. */
  ackTimeoutMs?: number;
  /** How long a publish keeps retrying before it is reported as NODE_BUSY, ms. Default 8000. */
  retryForMs?: number;
}

interface Waiting {
  resolve: (m: { data: Uint8Array; headers: MsgHdrs | undefined }) => void;
  reject: (e: Error) => void;
  timer: NodeJS.Timeout;
}

class RetryableError extends Error {}

const decoder = new TextDecoder();

export class StreamPublisher {
  private readonly prefix = createInbox();
  private readonly sub: Subscription;
  private readonly waiting = new Map<string, Waiting>();
  private counter = 0;
  private inFlight = 0;
  private closed = false;
  readonly maxInFlight: number;
  private readonly ackTimeoutMs: number;
  private readonly retryForMs: number;
  /** Highest stream sequence acknowledged so far (0 before any). */
  lastSeq = 0;

  constructor(
    private readonly nc: NatsConnection,
    opts: PublisherOptions = {},
  ) {
    this.maxInFlight = opts.maxInFlight ?? 2000;
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 2000;
    this.retryForMs = opts.retryForMs ?? 8000;
    this.sub = nc.subscribe(`${this.prefix}.*`, {
      callback: (_err, m) => {
        const token = m.subject.slice(this.prefix.length + 1);
        const w = this.waiting.get(token);
        if (!w) return;
        this.waiting.delete(token);
        clearTimeout(w.timer);
        w.resolve({ data: m.data, headers: m.headers });
      },
    });
  }

  /** Publishes awaiting their ack. */
  pending(): number {
    return this.inFlight;
  }

  /** True when a new publish would be refused. */
  full(): boolean {
    return this.inFlight >= this.maxInFlight;
  }

  /**
   * Publishes `data` to `subject` with message id `msgId` and resolves with the stream's ack.
   *
   * @param opts.bounded count against (and refuse beyond) the in-flight limit; default true.
   * @param opts.retryForMs override of the retry budget (Infinity: until closed).
   * @throws UrbisError NODE_BUSY when too many publishes are in flight, or the stream did not
   *   acknowledge within the retry budget; NET_PUBLISH_REFUSED when the stream refused the message
   *   for good (for example a wrong expected sequence).
   */
  async publish(
    subject: string,
    data: Uint8Array,
    msgId: string,
    opts: { bounded?: boolean; retryForMs?: number; expectLastSubjectSeq?: number } = {},
  ): Promise<PubAck> {
    if (this.closed) throw new UrbisError('NODE_NOT_READY', 'the node is stopping');
    const bounded = opts.bounded !== false;
    if (bounded && this.inFlight >= this.maxInFlight) {
      throw new UrbisError('NODE_BUSY', `${this.inFlight} transactions are being ordered; retry shortly`, { retryAfterMs: 500 });
    }
    if (bounded) this.inFlight++;
    try {
      const deadline = Date.now() + (opts.retryForMs ?? this.retryForMs);
      let delay = 50;
      for (;;) {
        try {
          return await this.attempt(subject, data, msgId, opts.expectLastSubjectSeq);
        } catch (e) {
          if (!(e instanceof RetryableError) || this.closed || Date.now() + delay > deadline) {
            if (e instanceof UrbisError) throw e;
            throw new UrbisError('NODE_BUSY', `the ordering stream is unavailable: ${(e as Error).message}`, { retryAfterMs: 2000 }, { cause: e });
          }
          await new Promise((r) => setTimeout(r, delay));
          delay = Math.min(delay * 2, 1000);
        }
      }
    } finally {
      if (bounded) this.inFlight--;
    }
  }

  private attempt(subject: string, data: Uint8Array, msgId: string, expectLastSubjectSeq?: number): Promise<PubAck> {
    const token = String(this.counter++);
    const h = headers();
    h.set('Nats-Msg-Id', msgId);
    if (expectLastSubjectSeq !== undefined) h.set('Nats-Expected-Last-Subject-Sequence', String(expectLastSubjectSeq));
    return new Promise<PubAck>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(token);
        reject(new RetryableError(`no acknowledgement within ${this.ackTimeoutMs} ms`));
      }, this.ackTimeoutMs);
      this.waiting.set(token, {
        timer,
        reject,
        resolve: (m) => {
          if (m.headers?.hasError || m.data.length === 0) {
            // 503 no responders: no stream leader right now.
            reject(new RetryableError(`no responders (${m.headers?.code ?? 'empty reply'})`));
            return;
          }
          let ack: { stream?: string; seq?: number; duplicate?: boolean; error?: { code?: number; err_code?: number; description?: string } };
          try {
            ack = JSON.parse(decoder.decode(m.data)) as typeof ack;
          } catch {
            reject(new RetryableError('malformed acknowledgement'));
            return;
          }
          if (ack.error) {
            // 10071: wrong last sequence (an expectation failed): final. Anything else (no leader,
            // not enabled, cluster not available, ...) may pass once the stream has a leader again.
            if (ack.error.err_code === 10071) {
              reject(
                new UrbisError('NET_PUBLISH_REFUSED', `the stream refused the message: ${ack.error.description ?? 'wrong last sequence'}`, {
                  errCode: ack.error.err_code,
                }),
              );
            } else {
              reject(new RetryableError(ack.error.description ?? `error ${ack.error.code ?? '?'}`));
            }
            return;
          }
          const seq = ack.seq ?? 0;
          if (seq > this.lastSeq) this.lastSeq = seq;
          resolve({ stream: ack.stream ?? '', seq, duplicate: ack.duplicate === true });
        },
      });
      try {
        this.nc.publish(subject, data, { reply: `${this.prefix}.${token}`, headers: h });
      } catch (e) {
        clearTimeout(timer);
        this.waiting.delete(token);
        reject(new RetryableError((e as Error).message));
      }
    });
  }

  /** Stops: waiting publishes fail at their next retry. */
  close(): void {
    this.closed = true;
    this.sub.unsubscribe();
    for (const w of this.waiting.values()) {
      clearTimeout(w.timer);
      w.reject(new RetryableError('publisher closed'));
    }
    this.waiting.clear();
  }
}

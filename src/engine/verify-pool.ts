/**
 * Ed25519 verification in worker threads, so that the admission of transactions (signature checks,
 * the ceiling of a node's write rate) runs beside the apply loop instead of on the same core.
 *
 * Requests are gathered for one turn of the event loop and sent in batches to amortise messaging.
 * The worker applies the same rule as the core: it only ever sees inputs the core already checked
 * for length; OpenSSL's verification is the strict RFC 8032 one (docs/protocol.md, "Signatures"),
 * and the core's extra key checks (small order, non-canonical encodings) are applied before a
 * request is queued.
 */
import { Worker } from 'node:worker_threads';
import { availableParallelism } from 'node:os';

/** Default pool size: the machine's cores less the one the apply loop runs on, at least 1. */
export function defaultVerifyWorkers(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** Most verification workers a node accepts (a setting beyond this is a mistake, not a machine). */
export const MAX_VERIFY_WORKERS = 256;

/**
 * Whether a pool size setting (`verifyWorkers` in config.json, `--verify-workers`,
 * `URBIS_VERIFY_WORKERS`) is allowed: an integer from 1 to {@link MAX_VERIFY_WORKERS}.
 */
export function validVerifyWorkers(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 1 && n <= MAX_VERIFY_WORKERS;
}

/** The worker's code: plain JavaScript evaluated in the worker (no file to resolve). */
const WORKER_SOURCE = `
const { parentPort } = require('node:worker_threads');
const crypto = require('node:crypto');
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');
const keys = new Map();
function key(pub) {
  const id = pub.toString('latin1');
  let k = keys.get(id);
  if (!k) {
    k = crypto.createPublicKey({ key: Buffer.concat([SPKI, pub]), format: 'der', type: 'spki' });
    if (keys.size > 10000) keys.clear();
    keys.set(id, k);
  }
  return k;
}
parentPort.on('message', ({ id, items }) => {
  const out = new Uint8Array(items.length);
  for (let i = 0; i < items.length; i++) {
    const [pub, msg, sig] = items[i];
    try {
      out[i] = crypto.verify(null, Buffer.from(msg), key(Buffer.from(pub)), Buffer.from(sig)) ? 1 : 0;
    } catch {
      out[i] = 0;
    }
  }
  parentPort.postMessage({ id, out }, [out.buffer]);
});
`;

type Item = [pub: Uint8Array, msg: Uint8Array, sig: Uint8Array];

interface Pending {
  items: Item[];
  resolve: (ok: boolean[]) => void;
  reject: (e: unknown) => void;
}

/** A pool of verification workers. Call {@link close} when done. */
export class VerifyPool {
  private readonly workers: Worker[] = [];
  private readonly inflight = new Map<number, { parts: Pending[]; sizes: number[] }>();
  private queue: Pending[] = [];
  private queued = 0;
  private next = 0;
  private seq = 0;
  private scheduled = false;
  private closed = false;

  /**
   * @param size number of worker threads (default {@link defaultVerifyWorkers}).
   * @param batch most signatures per message to a worker.
   */
  constructor(
    size = defaultVerifyWorkers(),
    private readonly batch = 256,
  ) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(WORKER_SOURCE, { eval: true });
      w.unref();
      w.on('message', (m: { id: number; out: Uint8Array }) => this.done(m.id, m.out));
      w.on('error', (e) => this.failAll(e));
      this.workers.push(w);
    }
  }

  /** Verifies signatures; resolves with one boolean per item, in order. */
  verify(items: Item[]): Promise<boolean[]> {
    if (this.closed) return Promise.reject(new Error('verify pool is closed'));
    if (items.length === 0) return Promise.resolve([]);
    return new Promise((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.queued += items.length;
      if (this.queued >= this.batch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    while (this.queue.length > 0) {
      const parts: Pending[] = [];
      const sizes: number[] = [];
      const items: Item[] = [];
      while (this.queue.length > 0 && items.length < this.batch) {
        const p = this.queue.shift()!;
        parts.push(p);
        sizes.push(p.items.length);
        items.push(...p.items);
      }
      this.queued -= items.length;
      const id = this.seq++;
      this.inflight.set(id, { parts, sizes });
      const w = this.workers[this.next++ % this.workers.length]!;
      w.postMessage({ id, items });
    }
  }

  private done(id: number, out: Uint8Array): void {
    const f = this.inflight.get(id);
    if (!f) return;
    this.inflight.delete(id);
    let o = 0;
    f.parts.forEach((p, i) => {
      const n = f.sizes[i]!;
      const res: boolean[] = [];
      for (let j = 0; j < n; j++) res.push(out[o + j] === 1);
      o += n;
      p.resolve(res);
    });
  }

  private failAll(e: unknown): void {
    for (const f of this.inflight.values()) for (const p of f.parts) p.reject(e);
    this.inflight.clear();
    for (const p of this.queue) p.reject(e);
    this.queue = [];
  }

  /** Number of worker threads. */
  get size(): number {
    return this.workers.length;
  }

  async close(): Promise<void> {
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/**
 * The benchmarks' HTTP helpers: every request to a node waits out a busy node instead of dying on
 * its first answer. A node applying a large block may answer 503 (NODE_NOT_READY, NODE_BUSY, a
 * problem document without the fields asked for), 429 (rate limit), or not at all for a while; each
 * helper retries with a pause (the node's `Retry-After` when it gives one, capped) until the answer
 * has what the caller needs, and gives up only after a bounded wait, with an error naming the last
 * answer, which the benchmark reports ({@link runPart}).
 */
import http from 'node:http';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { report } from './report.js';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Statuses that mean "busy, ask again": the node sheds load or is not ready yet. */
const BUSY = new Set([429, 502, 503, 504]);

/** The pause before the next try: the node's `Retry-After` (seconds) when given, within [50 ms, 5 s]. */
function pause(retryAfter: string | null | undefined, fallbackMs: number): number {
  const s = retryAfter === null || retryAfter === undefined ? NaN : Number(retryAfter);
  return Number.isFinite(s) && s >= 0 ? Math.min(5000, Math.max(50, s * 1000)) : fallbackMs;
}

/**
 * GETs `url` as JSON and hands it to `pick`, retrying until `pick` accepts it (returns a value) or
 * `timeoutMs` passes: a busy status, an answer without the fields `pick` needs, a body that is not
 * JSON, or no answer at all are all retried.
 *
 * @throws Error after `timeoutMs`, naming the last answer.
 */
export async function getJson<T>(url: string, pick: (body: unknown) => T | undefined, timeoutMs = 120_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    let wait = 200;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(Math.max(1000, Math.min(30_000, deadline - Date.now()))) });
      const body: unknown = await res.json().catch(() => undefined);
      const v = res.ok ? pick(body) : undefined;
      if (v !== undefined) return v;
      last = res.ok ? `HTTP ${res.status} without the expected fields` : `HTTP ${res.status}`;
      if (BUSY.has(res.status)) wait = pause(res.headers.get('retry-after'), wait);
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() + wait > deadline) throw new Error(`${url}: no usable answer within ${timeoutMs} ms (last: ${last})`);
    await sleep(wait);
  }
}

/** The latest block's height and header hash (waits while the node answers without a header). */
export function head(url: string, timeoutMs?: number): Promise<{ height: number; hash: string }> {
  return getJson(
    `${url}/v1/blocks/latest`,
    (b) => {
      const r = b as { header?: { height?: unknown }; headerHash?: unknown } | undefined;
      const height = r?.header?.height;
      return typeof height === 'number' && typeof r?.headerHash === 'string' ? { height, hash: r.headerHash } : undefined;
    },
    timeoutMs,
  );
}

// node:http with keep-alive: a load generator shares the cores with the node, and fetch (undici)
// costs it about 4 times more CPU per request.
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

function postOnce(url: string, body: string): Promise<{ status: number; retryAfter: string | undefined }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: u.hostname,
        port: u.port,
        path: u.pathname + u.search,
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.resume();
        const ra = res.headers['retry-after'];
        res.on('end', () => resolve({ status: res.statusCode ?? 0, retryAfter: Array.isArray(ra) ? ra[0] : ra }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * POSTs a JSON body (a signed transaction: resubmitting it is safe, the node deduplicates by hash)
 * until the node accepts it (200 or 202), waiting out busy answers and dropped keep-alive sockets
 * for at most `timeoutMs`.
 *
 * @throws Error on any other status, or after `timeoutMs`.
 */
export async function post(url: string, body: string, timeoutMs = 120_000): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer';
  for (;;) {
    let wait = 100;
    try {
      const r = await postOnce(url, body);
      if (r.status === 202 || r.status === 200) return r.status;
      if (!BUSY.has(r.status)) throw new Error(`POST ${url}: HTTP ${r.status}`);
      last = `HTTP ${r.status}`;
      wait = pause(r.retryAfter, 50);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A kept-alive socket the server closed meanwhile, or a node restarting: retry.
      if (code !== 'ECONNRESET' && code !== 'ECONNREFUSED' && code !== 'EPIPE') throw e;
      last = code;
    }
    if (Date.now() + wait > deadline) throw new Error(`POST ${url}: not accepted within ${timeoutMs} ms (last: ${last})`);
    await sleep(wait);
  }
}

/**
 * Runs one part of a benchmark; a part that fails is reported as `{"bench": name, "error": …}` (and
 * the process will exit 1) while the other parts still run and report.
 */
export async function runPart(name: string, env: Record<string, unknown>, f: () => Promise<void>): Promise<boolean> {
  try {
    await f();
    return true;
  } catch (e) {
    process.stderr.write(`${name}: ${(e as Error).stack ?? String(e)}\n`);
    report(name, { error: (e as Error).message }, env);
    process.exitCode = 1;
    return false;
  }
}

/** Resident set size of a process, MiB (Linux /proc; undefined elsewhere or once it exited). */
export function rssMiB(pid: number): number | undefined {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** Samples a process's RSS every `everyMs` until stopped; `stop()` returns the samples (MiB). */
export function sampleRss(pid: number, everyMs = 250): { stop(): number[] } {
  const out: number[] = [];
  const take = () => {
    const r = rssMiB(pid);
    if (r !== undefined) out.push(r);
  };
  take();
  const t = setInterval(take, everyMs);
  return {
    stop() {
      clearInterval(t);
      take();
      return out;
    },
  };
}

/** Bytes of all files under `dir` (a data directory: the SQLite database, its WAL, config, keys). */
export function diskBytes(dir: string): number {
  let n = 0;
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    const s = statSync(p);
    n += s.isDirectory() ? diskBytes(p) : s.size;
  }
  return n;
}

/**
 * HTTP transport of the client SDK: docs/api.md (routes), RFC 9457 (problem documents), RFC 9110
 * §10.2.3 (Retry-After). Uses the global `fetch` (or an injected one) and nothing from Node, so it
 * runs in browsers too.
 *
 * Everything a node answers is attacker-controlled: sizes are bounded before parsing, problem
 * documents only ever select a code from the registry, and no answer is trusted for what it claims
 * about the ledger (that is src/client/verify.ts).
 */
import { ERROR_CODES, UrbisError, type ErrorCode } from '../core/errors.js';
import { canonicalJson } from '../core/encoding/index.js';

/** The part of `fetch` the client uses; inject one for tests or custom transports. */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Retry policy for overload (503, 429) and network failures. */
export interface RetryOptions {
  /** Retries after the first attempt (default 5). */
  retries?: number;
  /** First backoff delay, doubled per attempt, with jitter (default 200 ms). */
  baseDelayMs?: number;
  /** Upper bound of any single delay, Retry-After included (default 10 s). */
  maxDelayMs?: number;
}

export interface HttpOptions {
  url: string;
  fetch: FetchLike;
  timeoutMs: number;
  retry: Required<RetryOptions>;
  maxBodyBytes: number;
}

/** A node's answer: status, headers and the parsed JSON body (undefined if none or not JSON). */
export interface HttpAnswer {
  status: number;
  headers: Headers;
  json: unknown;
  /** The body as text (for the answers that are not JSON: the checkpoint note). */
  text?: string;
}

export interface RequestOptions {
  body?: unknown;
  query?: Record<string, string | number | undefined>;
  /** Overrides the client's per-request timeout (long polls). */
  timeoutMs?: number;
  accept?: string;
  /** Retry 503 / 429 / network failures (default true; every Urbis route is idempotent). */
  retry?: boolean;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

/** Statuses that mean "try again later", with or without Retry-After. */
const RETRY_STATUSES = new Set([429, 503]);

export function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** Retry-After (RFC 9110 §10.2.3): delay-seconds or an HTTP-date; null when absent or unreadable. */
export function retryAfterMs(headers: Headers, now: number = Date.now()): number | null {
  const v = headers.get('retry-after');
  if (v === null) return null;
  const t = v.trim();
  if (/^\d{1,9}$/.test(t)) return Number(t) * 1000;
  const d = Date.parse(t);
  return Number.isNaN(d) ? null : Math.max(0, d - now);
}

/**
 * Turns a non-2xx answer into an {@link UrbisError}: the problem's `code` when it is a registered
 * code (the node's own words about what went wrong), otherwise CLIENT_HTTP. `details.httpStatus`
 * keeps the status; `details.retryAfterMs` the server's requested delay.
 */
export function problemError(a: HttpAnswer): UrbisError {
  const p = isObj(a.json) ? a.json : {};
  const code = typeof p.code === 'string' && Object.hasOwn(ERROR_CODES, p.code) ? (p.code as ErrorCode) : null;
  const text = typeof p.detail === 'string' ? p.detail : typeof p.title === 'string' ? p.title : '';
  const details: Record<string, unknown> = { ...(isObj(p.details) ? p.details : {}), httpStatus: a.status };
  const ra = retryAfterMs(a.headers);
  if (ra !== null) details.retryAfterMs = ra;
  if (code) return new UrbisError(code, text.slice(0, 1000) || undefined, details);
  if (typeof p.code === 'string') details.code = p.code.slice(0, 100);
  return new UrbisError('CLIENT_HTTP', `node answered HTTP ${a.status}${text ? `: ${text.slice(0, 1000)}` : ''}`, details);
}

/** The transport: one base URL, timeouts, bounded bodies, retries with backoff. */
export class Http {
  readonly base: string;

  constructor(readonly opts: HttpOptions) {
    this.base = opts.url.replace(/\/+$/, '');
  }

  /** Absolute URL of a path with an optional query (undefined values are left out). */
  url(path: string, query?: Record<string, string | number | undefined>): string {
    let u = this.base + path;
    if (query) {
      const q = new URLSearchParams();
      for (const [k, v] of Object.entries(query)) if (v !== undefined) q.append(k, String(v));
      const s = q.toString();
      if (s) u += (u.includes('?') ? '&' : '?') + s;
    }
    return u;
  }

  /**
   * Sends a request and returns the answer whatever its status, after retrying overload and
   * network failures (bounded by the retry policy).
   *
   * @throws UrbisError CLIENT_TIMEOUT (no complete answer in time), CLIENT_HTTP (network failure,
   *   oversized or undecodable body), or the problem's code when retries are exhausted on 503/429.
   */
  async send(method: 'GET' | 'POST', path: string, o: RequestOptions = {}): Promise<HttpAnswer> {
    const { retries, baseDelayMs, maxDelayMs } = this.opts.retry;
    const attempts = o.retry === false ? 1 : retries + 1;
    let last: UrbisError | undefined;
    for (let attempt = 0; attempt < attempts; attempt++) {
      let delay: number;
      try {
        const a = await this.once(method, path, o);
        if (!RETRY_STATUSES.has(a.status)) return a;
        last = problemError(a);
        const ra = retryAfterMs(a.headers);
        delay = ra ?? backoff(attempt, baseDelayMs);
      } catch (e) {
        // A timeout is not retried: the caller's time budget is spent already.
        if (!(e instanceof UrbisError) || e.code !== 'CLIENT_HTTP' || e.details?.network !== true) throw e;
        last = e;
        delay = backoff(attempt, baseDelayMs);
      }
      if (attempt + 1 < attempts) await sleep(Math.min(delay, maxDelayMs), o.signal);
      if (o.signal?.aborted) break;
    }
    throw last ?? new UrbisError('CLIENT_HTTP', 'request aborted');
  }

  /** GET or POST expecting a 2xx JSON answer. @throws UrbisError as {@link send}, or the problem's code. */
  async json(method: 'GET' | 'POST', path: string, o: RequestOptions = {}): Promise<unknown> {
    const a = await this.send(method, path, o);
    if (a.status < 200 || a.status >= 300) throw problemError(a);
    if (a.json === undefined) throw new UrbisError('CLIENT_HTTP', `${path}: the node's answer is not JSON`, { httpStatus: a.status });
    return a.json;
  }

  /**
   * Opens a streaming request (server-sent events): the timeout covers only the wait for the
   * response headers; the caller reads `body` until it aborts `signal`.
   *
   * @throws UrbisError CLIENT_TIMEOUT, CLIENT_HTTP, or the problem's code for a non-2xx answer.
   */
  async stream(path: string, o: RequestOptions & { signal: AbortSignal }): Promise<Response> {
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    o.signal.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, o.timeoutMs ?? this.opts.timeoutMs);
    let res: Response;
    try {
      res = await this.opts.fetch(this.url(path, o.query), {
        method: 'GET',
        headers: { accept: o.accept ?? 'text/event-stream', ...o.headers },
        signal: ctl.signal,
      });
    } catch (e) {
      o.signal.removeEventListener('abort', onAbort);
      throw transportError(e, timedOut, path);
    } finally {
      clearTimeout(timer);
    }
    if (res.status < 200 || res.status >= 300) {
      const a = await this.readAnswer(res, path).catch(() => ({ status: res.status, headers: res.headers, json: undefined }));
      throw problemError(a);
    }
    return res;
  }

  private async once(method: 'GET' | 'POST', path: string, o: RequestOptions): Promise<HttpAnswer> {
    const ctl = new AbortController();
    const onAbort = () => ctl.abort();
    o.signal?.addEventListener('abort', onAbort, { once: true });
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      ctl.abort();
    }, o.timeoutMs ?? this.opts.timeoutMs);
    try {
      const headers: Record<string, string> = { accept: o.accept ?? 'application/json, application/problem+json', ...o.headers };
      let body: string | undefined;
      if (o.body !== undefined) {
        headers['content-type'] = 'application/json';
        // Canonical JSON (RFC 8785): nodes admit transactions only in that exact form.
        body = canonicalJson(o.body);
      }
      // The timer also covers reading the body: a node that trickles bytes cannot hold the caller.
      const res = await this.opts.fetch(this.url(path, o.query), { method, headers, body, signal: ctl.signal });
      return await this.readAnswer(res, path);
    } catch (e) {
      throw transportError(e, timedOut, path);
    } finally {
      clearTimeout(timer);
      o.signal?.removeEventListener('abort', onAbort);
    }
  }

  private async readAnswer(res: Response, path: string): Promise<HttpAnswer> {
    const text = await readBounded(res, this.opts.maxBodyBytes, path);
    let json: unknown;
    if (text.length > 0) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined;
      }
    }
    return { status: res.status, headers: res.headers, json, text };
  }
}

function backoff(attempt: number, base: number): number {
  // Full jitter: concurrent clients pushed back together do not come back together.
  return base * 2 ** attempt * (0.5 + Math.random() / 2);
}

function transportError(e: unknown, timedOut: boolean, path: string): UrbisError {
  if (e instanceof UrbisError) return e;
  if (timedOut) return new UrbisError('CLIENT_TIMEOUT', `${path}: no answer within the timeout`, undefined, { cause: e });
  const msg = e instanceof Error ? e.message : String(e);
  return new UrbisError('CLIENT_HTTP', `${path}: ${msg}`, { network: true }, { cause: e });
}

/** Reads a body as UTF-8 text, refusing more than `max` bytes. */
async function readBounded(res: Response, max: number, path: string): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? NaN);
  if (declared > max) {
    await res.body?.cancel().catch(() => undefined);
    throw new UrbisError('CLIENT_HTTP', `${path}: answer of ${declared} bytes exceeds the ${max}-byte limit`, { httpStatus: res.status });
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel().catch(() => undefined);
      throw new UrbisError('CLIENT_HTTP', `${path}: answer exceeds the ${max}-byte limit`, { httpStatus: res.status });
    }
    chunks.push(value);
  }
  const all = new Uint8Array(total);
  let o = 0;
  for (const c of chunks) {
    all.set(c, o);
    o += c.byteLength;
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(all);
  } catch (e) {
    throw new UrbisError('CLIENT_HTTP', `${path}: answer is not UTF-8`, { httpStatus: res.status }, { cause: e });
  }
}

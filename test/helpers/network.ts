/**
 * Test helper for the multi-city network tests: HTTP calls to nodes, transactions signed by the
 * root authority, waiting for convergence.
 */
import '../../src/platform/node.js';
import { buildTxBody, signTx, type Signer } from '../../src/core/ledger/tx.js';
import type { Payloads, TxType } from '../../src/core/ledger/types.js';
import type { LocalNetwork } from '../../src/network/local.js';

export const OPEN_POLICY = {
  children: { charset: 'alnum' as const, minLength: 1, maxLength: 16 },
  ids: { charset: 'alnum' as const, minLength: 1, maxLength: 64 },
};

export function tx<T extends TxType>(chain: string, type: T, payload: Payloads[T], signers: Signer[]) {
  return signTx(buildTxBody(type, payload, { chain, now: Date.now() }), signers);
}

export async function getJson<T = any>(url: string): Promise<{ status: number; body: T }> {
  const r = await fetch(url);
  const text = await r.text();
  let body: any = text;
  try {
    body = JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: r.status, body };
}

/** POST /v1/tx; returns status and body (202/200 on success). */
export async function submit(url: string, t: unknown): Promise<{ status: number; body: any; retryAfter: string | null }> {
  const r = await fetch(`${url}/v1/tx`, { method: 'POST', body: JSON.stringify(t), headers: { 'content-type': 'application/json' } });
  const body = await r.json().catch(() => null);
  return { status: r.status, body, retryAfter: r.headers.get('retry-after') };
}

/** Submits and waits for the outcome on the same node; throws unless committed ok. */
export async function submitAndWait(url: string, t: unknown, timeoutMs = 20_000): Promise<{ height: number; hash: string }> {
  const deadline = Date.now() + timeoutMs;
  let s = await submit(url, t);
  while (s.status === 503 && Date.now() < deadline) {
    await sleep(200);
    s = await submit(url, t);
  }
  if (s.status !== 202 && s.status !== 200) throw new Error(`submit to ${url}: ${s.status} ${JSON.stringify(s.body)}`);
  const hash = s.body.hash as string;
  for (;;) {
    const r = await getJson(`${url}/v1/tx/${hash}?wait=5000`);
    if (r.body?.status === 'committed') {
      if (!r.body.result.ok) throw new Error(`tx ${hash} committed invalid: ${r.body.result.code} ${r.body.result.message}`);
      return { height: r.body.height, hash };
    }
    if (Date.now() > deadline) throw new Error(`tx ${hash} not committed on ${url} within ${timeoutMs} ms`);
  }
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls until `fn` returns a truthy value (or throws after the timeout). */
export async function until<T>(what: string, fn: () => Promise<T | null | undefined | false>, timeoutMs = 30_000, everyMs = 200): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}${last ? `: ${(last as Error).message}` : ''}`);
    await sleep(everyMs);
  }
}

/** Head (height, hash, state root) of a node, or null if it does not answer. */
export async function head(url: string): Promise<{ height: number; hash: string; stateRoot: string } | null> {
  try {
    const r = await getJson(`${url}/v1/blocks/latest`);
    if (r.status !== 200) return null;
    return { height: r.body.header.height, hash: r.body.headerHash, stateRoot: r.body.header.stateRoot };
  } catch {
    return null;
  }
}

/** Waits until every given node has the same head, at least `minHeight`; returns it. */
export async function converged(urls: string[], minHeight = 0, timeoutMs = 30_000) {
  return until(
    `nodes ${urls.join(', ')} to converge`,
    async () => {
      const heads = await Promise.all(urls.map(head));
      if (heads.some((h) => !h || h.height < minHeight)) return null;
      return heads.every((h) => h!.hash === heads[0]!.hash) ? heads[0]! : null;
    },
    timeoutMs,
  );
}

/** Dumps the last log lines of every node (for failing tests). */
export function logs(net: LocalNetwork, n = 30): string {
  return net.nodes.map((x) => `--- ${x.name}\n${x.log.slice(-n).join('\n')}`).join('\n');
}

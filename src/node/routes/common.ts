/**
 * Helpers shared by the `/v1` routes: proven answers, the per-height answer cache, caching headers
 * and the decoding of wildcard path tails. docs/api.md "Caching" fixes the cache lifetimes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UrbisError } from '../../core/errors.js';
import type { EventBlockProof, ListPage, ProvenJson } from '../../core/api/types.js';
import { stateKey } from '../../core/ledger/state.js';
import { txHash } from '../../core/ledger/tx.js';
import type { BlockHeader, Certificate, StateEntry } from '../../core/ledger/types.js';
import type { Page } from '../../storage/types.js';
import { proofToJson } from '../../core/merkle/index.js';
import type { NodeRuntime } from '../types.js';
import { problem } from '../problem.js';
import { parsePastAt } from '../../core/api/past.js';

/**
 * Schema of a route that takes no query parameters: any is a 400 HTTP_BAD_REQUEST, as on every
 * other route (an unknown parameter is an error, never silently ignored).
 */
export const NO_QUERY = { querystring: { type: 'object', properties: {}, additionalProperties: false } } as const;

/** Positive answers may be cached a few seconds; negative ones only briefly (docs/api.md "Caching"). */
export const CACHE_POSITIVE = 'public, max-age=5';
export const CACHE_NEGATIVE = 'public, max-age=1';

/** A serialised answer; `link` is its RFC 8288 `Link` field, when it has one. */
export interface CachedAnswer {
  status: number;
  body: string;
  link?: string;
}

/** Answers cached per block height: the proof of an entry only changes when a block commits. */
export class AnswerCache<V = CachedAnswer> {
  private height = -1;
  private readonly map = new Map<string, V>();
  constructor(private readonly max = 20_000) {}
  get(height: number, key: string): V | undefined {
    if (height !== this.height) {
      this.map.clear();
      this.height = height;
      return undefined;
    }
    return this.map.get(key);
  }
  set(height: number, key: string, v: V): void {
    if (height !== this.height) return;
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(key, v);
  }
}

/** An entry (or its absence) with its Merkle proof, header and certificate, as JSON. */
export function provenJson<E extends StateEntry>(rt: NodeRuntime, key: string): ProvenJson<E> {
  const p = rt.ledger.prove(key);
  return { key: p.key, entry: p.entry as E | null, proof: proofToJson(p.proof), header: p.header, cert: p.cert };
}

/**
 * `"header":…,"cert":…` of committed heights as JSON text, serialised once per height and
 * certificate: a height's header never changes, and its certificate only gains signatures (the text
 * is made again when its signatures differ). Bounded: the least recently used heights go first.
 */
export class HeightTexts {
  private readonly map = new Map<number, { sigs: string; text: string }>();
  constructor(private readonly max = 4096) {}

  text(header: BlockHeader, cert: Certificate): string {
    let sigs = cert.headerHash;
    for (const s of cert.sigs) sigs += `|${s.key} ${s.sig}`;
    const hit = this.map.get(header.height);
    if (hit && hit.sigs === sigs) {
      // Most recently used last.
      this.map.delete(header.height);
      this.map.set(header.height, hit);
      return hit.text;
    }
    const text = `"header":${JSON.stringify(header)},"cert":${JSON.stringify(cert)}`;
    if (this.map.size >= this.max) this.map.delete(this.map.keys().next().value!);
    this.map.set(header.height, { sigs, text });
    return text;
  }
}

/**
 * The answer to `?version=N` or `?at=<height | RFC 3339 time>` (docs/api.md "Past versions"): the
 * entry in force at that height with its proof against that block's certified header; for a time,
 * also the next block's header and certificate (`next`), which show the height is the last one at
 * or before it. 404 (ID_NOT_FOUND, with the proof of absence at that height) when the identifier did
 * not exist yet.
 *
 * @throws UrbisError HTTP_BAD_REQUEST for a malformed `at`; ID_NOT_FOUND for an unknown version;
 *   HTTP_NOT_FOUND for a height above the head or a time before genesis; STATE_NOT_PROVABLE.
 */
export function pastAnswer(
  rt: Pick<NodeRuntime, 'ledger' | 'store'>,
  idText: string,
  key: string,
  q: { version?: number; at?: string },
): { status: number; body: unknown } {
  const p = pastProof(rt, key, q);
  const proven = { key: p.key, entry: p.entry, proof: proofToJson(p.proof), header: p.header, cert: p.cert, ...(p.next ? { next: p.next } : {}) };
  if (!p.entry) return { status: 404, body: problem('ID_NOT_FOUND', `${idText} was not registered at block ${p.header.height}`, { proven }) };
  return { status: 200, body: { id: idText, ...proven } };
}

/**
 * {@link pastAnswer} as JSON text, the same bytes as `JSON.stringify` of its body: the header and
 * certificate of the past height (and of the next one, for a time) spliced in from `texts`, where
 * they are serialised once per height instead of once per answer.
 */
export function pastAnswerText(
  rt: Pick<NodeRuntime, 'ledger' | 'store'>,
  texts: HeightTexts,
  idText: string,
  key: string,
  q: { version?: number; at?: string },
): { status: number; body: string } {
  const p = pastProof(rt, key, q);
  const proof = proofToJson(p.proof);
  if (!p.entry || (p.next && (p.next.header === undefined || p.next.cert === undefined))) {
    // Not registered then (a problem document), or a next block without its certificate: the object form.
    const proven = { key: p.key, entry: p.entry, proof, header: p.header, cert: p.cert, ...(p.next ? { next: p.next } : {}) };
    if (!p.entry) return { status: 404, body: JSON.stringify(problem('ID_NOT_FOUND', `${idText} was not registered at block ${p.header.height}`, { proven })) };
    return { status: 200, body: JSON.stringify({ id: idText, ...proven }) };
  }
  const next = p.next ? `,"next":{${texts.text(p.next.header!, p.next.cert!)}}` : '';
  return {
    status: 200,
    body:
      `{"id":${JSON.stringify(idText)},"key":${JSON.stringify(p.key)},"entry":${JSON.stringify(p.entry)},"proof":${JSON.stringify(proof)},` +
      `${texts.text(p.header, p.cert)}${next}}`,
  };
}

/** The proof behind a past answer, and for a time the next block's header and certificate. */
function pastProof(
  rt: Pick<NodeRuntime, 'ledger' | 'store'>,
  key: string,
  q: { version?: number; at?: string },
): ReturnType<NodeRuntime['ledger']['proveAt']> & { next?: { header: BlockHeader | undefined; cert: Certificate | undefined } } {
  let p;
  let next: { header: BlockHeader | undefined; cert: Certificate | undefined } | undefined;
  if (q.version !== undefined) {
    p = rt.ledger.proveVersion(key, rt.store.idHistory(key.slice('id:'.length)), q.version);
  } else {
    const at = parsePastAt(q.at!);
    if (at === null) throw new UrbisError('HTTP_BAD_REQUEST', '"at" must be a block height or an RFC 3339 time such as 2026-01-31T12:00:00Z');
    let height: number;
    if ('height' in at) height = at.height;
    else {
      height = rt.ledger.heightAt(at.time);
      const h = rt.store.header(height + 1);
      if (h) next = { header: h, cert: rt.store.cert(height + 1) };
    }
    p = rt.ledger.proveAt(key, height);
  }
  return next ? { ...p, next } : p;
}

/**
 * Sends a cached answer with ETag and Cache-Control tied to the block height. Representations
 * other than the JSON one (`variant`, e.g. `linkset`) get their own entity tag (RFC 9110 §8.8.3:
 * one tag per representation).
 */
export function sendCached(
  req: FastifyRequest,
  reply: FastifyReply,
  height: number,
  hit: CachedAnswer,
  variant?: { name: string; type: string },
): FastifyReply {
  const etag = variant ? `"h${height}-${variant.name}"` : `"h${height}"`;
  reply.header('etag', etag);
  reply.header('cache-control', hit.status === 200 ? CACHE_POSITIVE : CACHE_NEGATIVE);
  if (hit.link) reply.header('link', hit.link);
  if (hit.status === 200 && req.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply
    .code(hit.status)
    .type(hit.status !== 200 ? 'application/problem+json' : (variant?.type ?? 'application/json; charset=utf-8'))
    .send(hit.body);
}

/**
 * RFC 9110 §12.5.1 proactive negotiation: the offer the `Accept` field prefers (highest `q`, then
 * the order of the field; `type/*` and `*\/*` match the first offer they cover; media-type
 * parameters are ignored). No field, or nothing acceptable: the first offer (these routes keep
 * answering JSON to clients that ask for something else, as they always did).
 */
export function preferredMedia<T extends string>(accept: string | undefined, offers: readonly T[]): T {
  if (!accept) return offers[0]!;
  let best: { offer: T; q: number } | null = null;
  for (const part of accept.split(',').slice(0, 32)) {
    const [range, ...params] = part.split(';').map((x) => x.trim().toLowerCase());
    let q = 1;
    for (const p of params) if (p.startsWith('q=')) q = Number(p.slice(2));
    if (!(q > 0) || !range) continue;
    const offer = range === '*/*' ? offers[0] : range.endsWith('/*') ? offers.find((o) => o.startsWith(range.slice(0, -1))) : offers.find((o) => o === range);
    if (offer !== undefined && (best === null || q > best.q)) best = { offer, q };
  }
  return best?.offer ?? offers[0]!;
}

/** Decodes a wildcard path tail (identifiers contain `/` and `:`; clients may or may not encode them). */
export function tail(req: FastifyRequest): string {
  const raw = (req.params as Record<string, string>)['*'] ?? '';
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new UrbisError('HTTP_BAD_REQUEST', 'malformed percent-encoding in the path');
  }
}

/** The `proofs` query parameter of listings (docs/api.md "Verifiable listings"): `proofs=1`. */
export const PROOFS_PARAM = { type: 'integer', enum: [0, 1] } as const;

/**
 * A page of current entries with the state proof of each against the head, and that head's header
 * and certificate. Call it in the same synchronous turn as the read of the page.
 */
export function provenPage<E extends StateEntry>(rt: NodeRuntime, page: Page<E>): { page: ListPage<E>; header: BlockHeader; cert: Certificate } {
  const p = rt.ledger.proveAll(page.items.map(stateKey));
  return { page: { items: page.items, next: page.next, proofs: p.proofs.map(proofToJson) }, header: p.header, cert: p.cert };
}

/**
 * The transactions `hashes` of block `height`, each with its audit path against the block's
 * transaction root, and the block's header and certificate.
 *
 * @throws UrbisError STORE_CORRUPT when a transaction is not in that block.
 */
export function blockTxProofs(rt: NodeRuntime, height: number, hashes: string[]): EventBlockProof {
  const indices = hashes.map((hash) => {
    const loc = rt.store.tx(hash);
    if (loc && loc.height === height) return loc.index;
    // The index names the last commit of a hash; an earlier, rejected copy sits elsewhere.
    const i = rt.store.block(height)?.txs.findIndex((t) => txHashOrNull(t) === hash) ?? -1;
    if (i < 0) throw new UrbisError('STORE_CORRUPT', `transaction ${hash} is not in block ${height}`);
    return i;
  });
  return { height, ...rt.ledger.txInclusions(height, indices) };
}

function txHashOrNull(t: { body: unknown }): string | null {
  try {
    return txHash(t.body as Parameters<typeof txHash>[0]);
  } catch {
    return null;
  }
}

/**
 * Helpers shared by the `/v1` routes: proven answers, the per-height answer cache, caching headers
 * and the decoding of wildcard path tails. docs/api.md "Caching" fixes the cache lifetimes.
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { UrbisError } from '../../core/errors.js';
import type { ProvenJson } from '../../core/api/types.js';
import type { StateEntry } from '../../core/ledger/types.js';
import { proofToJson } from '../../core/merkle/index.js';
import type { NodeRuntime } from '../types.js';

/** Positive answers may be cached a few seconds; negative ones only briefly (docs/api.md "Caching"). */
export const CACHE_POSITIVE = 'public, max-age=5';
export const CACHE_NEGATIVE = 'public, max-age=1';

/** Answers cached per block height: the proof of an entry only changes when a block commits. */
export class AnswerCache {
  private height = -1;
  private readonly map = new Map<string, { status: number; body: string }>();
  constructor(private readonly max = 20_000) {}
  get(height: number, key: string): { status: number; body: string } | undefined {
    if (height !== this.height) {
      this.map.clear();
      this.height = height;
      return undefined;
    }
    return this.map.get(key);
  }
  set(height: number, key: string, v: { status: number; body: string }): void {
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

/** Sends a cached JSON string with ETag and Cache-Control tied to the block height. */
export function sendCached(req: FastifyRequest, reply: FastifyReply, height: number, hit: { status: number; body: string }): FastifyReply {
  const etag = `"h${height}"`;
  reply.header('etag', etag);
  reply.header('cache-control', hit.status === 200 ? CACHE_POSITIVE : CACHE_NEGATIVE);
  if (hit.status === 200 && req.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply
    .code(hit.status)
    .type(hit.status === 200 ? 'application/json; charset=utf-8' : 'application/problem+json')
    .send(hit.body);
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

/**
 * `GET /v1/search`: identifiers by type, namespace, link, status and attributes; with `proofs=1`, a
 * state proof per item against one certified header. docs/api.md "Search".
 */
import type { FastifyInstance } from 'fastify';
import { canonicalNsPath, parseIdLenient } from '../../core/ledger/names.js';
import type { SearchQuery } from '../../storage/types.js';
import { guarded, requireReady } from '../guards.js';
import type { NodeRuntime } from '../types.js';
import { CACHE_NEGATIVE, PROOFS_PARAM, provenPage } from './common.js';

export function registerSearchRoutes(app: FastifyInstance, rt: NodeRuntime): void {
  app.get(
    '/v1/search',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            type: { type: 'string', maxLength: 32 },
            ns: { type: 'string', maxLength: 200 },
            linkedTo: { type: 'string', maxLength: 300 },
            status: { type: 'string', enum: ['active', 'suspended', 'deactivated'] },
            cursor: { type: 'string', maxLength: 300 },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
            proofs: PROOFS_PARAM,
          },
          patternProperties: { '^attr\\.[A-Za-z0-9_.-]{1,64}$': { type: 'string', maxLength: 256 } },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      requireReady(rt);
      const raw = req.query as Record<string, string | number | undefined>;
      const q: SearchQuery = { limit: (raw.limit as number | undefined) ?? 100, cursor: (raw.cursor as string | undefined) ?? null };
      if (raw.type !== undefined) q.type = String(raw.type);
      if (raw.status !== undefined) q.status = String(raw.status);
      if (raw.ns !== undefined) q.ns = canonicalNsPath(String(raw.ns), 'ns');
      if (raw.linkedTo !== undefined) q.linkedTo = parseIdLenient(String(raw.linkedTo)).text;
      for (const [k, v] of Object.entries(raw)) {
        if (k.startsWith('attr.') && v !== undefined) (q.attrs ??= {})[k.slice(5)] = String(v);
      }
      reply.header('cache-control', CACHE_NEGATIVE);
      if (raw.proofs !== 1) return reply.send(guarded(() => rt.store.search(q)));
      // One synchronous turn: the page and its proofs are of the same head.
      const p = guarded(() => provenPage(rt, rt.store.search(q)));
      return reply.send({ ...p.page, header: p.header, cert: p.cert });
    },
  );
}

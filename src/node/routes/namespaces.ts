/**
 * Namespace routes: `GET /v1/ns/<path>` (proven entry and a page of children) and `GET /v1/ns`
 * (top-level namespaces); with `proofs=1`, a state proof per child. docs/api.md "Namespaces".
 */
import type { FastifyInstance } from 'fastify';
import type { NsAnswer, NsRootAnswer } from '../../core/api/types.js';
import { canonicalNsPath } from '../../core/ledger/names.js';
import { nsKey } from '../../core/ledger/state.js';
import type { NsEntry } from '../../core/ledger/types.js';
import { guarded, requireReady } from '../guards.js';
import { problem, sendProblem } from '../problem.js';
import type { NodeRuntime } from '../types.js';
import { CACHE_NEGATIVE, CACHE_POSITIVE, PROOFS_PARAM, provenJson, provenPage, tail } from './common.js';

export function registerNamespaceRoutes(app: FastifyInstance, rt: NodeRuntime): void {
  app.get(
    '/v1/ns/*',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { cursor: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: 1000 }, proofs: PROOFS_PARAM },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      requireReady(rt);
      const ns = canonicalNsPath(tail(req), 'ns');
      const q = req.query as { cursor?: string; limit?: number; proofs?: number };
      // One synchronous turn: the entry, its children and their proofs are of the same head.
      const { proven, children } = guarded(() => {
        const proven = provenJson<NsEntry>(rt, nsKey(ns));
        if (!proven.entry) return { proven, children: null };
        const page = rt.store.children(ns, q.cursor ?? null, q.limit ?? 100);
        return { proven, children: q.proofs === 1 ? provenPage(rt, page).page : page };
      });
      if (!children) {
        return sendProblem(reply.header('cache-control', CACHE_NEGATIVE), problem('NS_NOT_FOUND', `namespace ${ns} does not exist`, { proven }));
      }
      const ans: NsAnswer = { ...proven, ns, children };
      reply.header('cache-control', CACHE_POSITIVE);
      return reply.send(ans);
    },
  );

  app.get('/v1/ns', { schema: { querystring: { type: 'object', properties: { proofs: PROOFS_PARAM }, additionalProperties: false } } }, async (req, reply) => {
    const q = req.query as { proofs?: number };
    if (q.proofs !== 1) return reply.send({ ns: null, children: guarded(() => rt.store.children(null, null, 1000)) } satisfies NsRootAnswer);
    requireReady(rt);
    const p = guarded(() => provenPage(rt, rt.store.children(null, null, 1000)));
    return reply.send({ ns: null, children: p.page, header: p.header, cert: p.cert } satisfies NsRootAnswer);
  });
}

/**
 * Operations routes: Prometheus metrics, liveness, readiness and the OpenAPI description.
 */
import type { FastifyInstance } from 'fastify';
import type { ReadyProblem } from '../../ordering/types.js';
import type { NodeRuntime } from '../types.js';
import { openApiDocument } from '../openapi.js';
import { NO_QUERY } from './common.js';

/**
 * Health and metrics are never rate-limited: a busy node must still answer its supervisor. They take
 * no query parameters (a probe configured with one fails at once, with a 400 saying so).
 */
const NO_LIMIT = { config: { rateLimit: false }, schema: NO_QUERY } as const;

export function registerOpsRoutes(app: FastifyInstance, rt: NodeRuntime): void {
  app.get('/metrics', NO_LIMIT, async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    return reply.type(rt.metrics.registry.contentType).send(await rt.metrics.registry.metrics());
  });
  app.get('/healthz', NO_LIMIT, async (_req, reply) => reply.header('cache-control', 'no-store').send({ ok: true }));
  // docs/operations.md "Readiness": 503 with stable reason codes while the node cannot make progress.
  app.get('/readyz', NO_LIMIT, async (_req, reply) => {
    reply.header('cache-control', 'no-store');
    let height = -1;
    const reasons: ReadyProblem[] = [];
    try {
      height = rt.store.head()?.height ?? -1;
    } catch (e) {
      reasons.push({ code: 'STORE_UNREADABLE', detail: `store unreadable: ${(e as Error).message}` });
    }
    reasons.push(...rt.readiness());
    const net = rt.network?.status() ?? {};
    if (reasons.length > 0)
      return reply
        .code(503)
        .header('retry-after', '5')
        .send({ ready: false, code: reasons[0]!.code, reason: reasons[0]!.detail, reasons, height, ...net });
    // The heights whose state this node proves (docs/protocol.md (State map) §10).
    const provable = rt.ledger.provable();
    return reply.send({ ready: true, height, chainId: rt.chainId, validator: rt.orderer !== null, ...(provable ? { provable } : {}), ...net });
  });
  const doc = JSON.stringify(openApiDocument());
  app.get('/openapi.json', { schema: NO_QUERY }, async (_req, reply) =>
    reply.type('application/json').header('cache-control', 'public, max-age=3600').send(doc),
  );
}

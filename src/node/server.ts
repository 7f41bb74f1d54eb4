/**
 * The node's HTTP API (fastify): docs/api.md, described as OpenAPI 3.1 at `/openapi.json`.
 *
 * Every request is hostile until checked: a JSON schema on every route, a body size limit, a per-
 * client rate limit, and one error path that turns anything thrown into an RFC 9457 problem document
 * carrying a stable code from docs/errors.md. Writes happen only through signed transactions.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { ERROR_CODES, UrbisError, isUrbisError, type ErrorCode } from '../core/errors.js';
import type { Problem } from '../core/api/types.js';
import type { NodeRuntime } from './runtime.js';
import { registerApiRoutes } from './routes/api.js';
import { registerDidRoutes } from './routes/did.js';
import { registerOpsRoutes } from './routes/ops.js';

/** Options of {@link createServer}; every one has a documented default. */
export interface ServerOptions {
  /** Requests per second per client IP; 0 disables the limit (default 600). */
  rateLimit?: number;
  /** Allowed CORS origins: '*' (default), a list, or false to disable CORS headers. */
  cors?: '*' | string[] | false;
  /** Largest request body, bytes (default: the chain's maxTxBytes plus 64 KiB). */
  bodyLimit?: number;
  /** Host of the https URL form of identifiers (default id.urbis.city). */
  urlHost?: string;
  /** fastify/pino logger options, or false (default false). */
  logger?: boolean | object;
  /** Extra routes registered beside the API (a network node adds `/v1/snapshot`). */
  routes?: (app: FastifyInstance, rt: NodeRuntime) => void;
}

/** Builds a problem document for an error code. */
export function problem(code: ErrorCode, detail: string, extra: Partial<Problem> = {}): Problem {
  return {
    type: `https://urbis.city/errors/${code}`,
    title: ERROR_CODES[code].description,
    status: ERROR_CODES[code].status,
    detail,
    code,
    ...extra,
  };
}

/** Sends a problem document; 503 answers carry Retry-After. */
export function sendProblem(reply: FastifyReply, p: Problem, retryAfterMs?: number): FastifyReply {
  if (p.status === 503 || p.status === 429) reply.header('retry-after', String(Math.max(1, Math.ceil((retryAfterMs ?? 1000) / 1000))));
  reply.header('cache-control', 'no-store');
  return reply.code(p.status).type('application/problem+json').send(p);
}

function fromFastifyError(e: FastifyError): { code: ErrorCode; detail: string } {
  if (e.validation) return { code: 'HTTP_BAD_REQUEST', detail: `${e.validationContext ?? 'request'} ${e.message}` };
  switch (e.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'HTTP_BODY_TOO_LARGE', detail: e.message };
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'HTTP_UNSUPPORTED_MEDIA', detail: e.message };
  }
  if (e.statusCode === 429) return { code: 'HTTP_RATE_LIMITED', detail: e.message };
  if (e.statusCode === 405) return { code: 'HTTP_METHOD_NOT_ALLOWED', detail: e.message };
  if (e.statusCode && e.statusCode >= 400 && e.statusCode < 500) return { code: 'HTTP_BAD_REQUEST', detail: e.message };
  return { code: 'INTERNAL', detail: 'internal error' };
}

/**
 * Creates the fastify app of a node (not listening yet: call `listen`, or `inject` in tests).
 */
export function createServer(rt: NodeRuntime, opts: ServerOptions = {}): FastifyInstance {
  const bodyLimit = opts.bodyLimit ?? rt.ledger.params().maxTxBytes + 65_536;
  const app = Fastify({
    logger: opts.logger ?? false,
    bodyLimit,
    // Identifiers are case-insensitive, but routes are not: keep paths exact.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 600 },
    return503OnClosing: true,
    // Unknown query parameters and body fields are errors, not silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  });

  app.setErrorHandler((err, req, reply) => {
    if (isUrbisError(err)) {
      const retry = (err.details?.retryAfterMs as number | undefined) ?? undefined;
      return sendProblem(reply, problem(err.code, err.message, { instance: req.url, ...(err.details ? { details: { ...err.details } } : {}) }), retry);
    }
    const fe = err as FastifyError;
    const { code, detail } = fromFastifyError(fe);
    if (code === 'INTERNAL') req.log.error({ err }, 'internal error');
    return sendProblem(reply, problem(code, detail, { instance: req.url }));
  });
  app.setNotFoundHandler((req, reply) => sendProblem(reply, problem('HTTP_NOT_FOUND', `no route ${req.method} ${req.url.split('?')[0]}`)));

  if (opts.cors !== false) {
    void app.register(cors, {
      origin: opts.cors === undefined || opts.cors === '*' ? '*' : opts.cors,
      methods: ['GET', 'POST', 'HEAD', 'OPTIONS'],
      exposedHeaders: ['ETag', 'Retry-After', 'Location'],
      strictPreflight: false,
    });
  }
  const rate = opts.rateLimit ?? 600;
  if (rate > 0) {
    void app.register(rateLimit, {
      max: rate,
      timeWindow: 1000,
      errorResponseBuilder: (_req, ctx) => new UrbisError('HTTP_RATE_LIMITED', `more than ${ctx.max} requests per second`, { retryAfterMs: ctx.ttl }),
    });
  }

  app.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done) => {
    rt.metrics.httpRequests.inc({ route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
    done();
  });

  void app.register(async (scoped) => {
    registerApiRoutes(scoped, rt);
    registerDidRoutes(scoped, rt);
    registerOpsRoutes(scoped, rt);
    opts.routes?.(scoped, rt);
  });
  return app;
}

/** Throws NODE_DIVERGED or NODE_NOT_READY when the node cannot answer reliably. */
export function requireReady(rt: NodeRuntime): void {
  const diverged = rt.network?.diverged();
  if (diverged) throw new UrbisError('NODE_DIVERGED', diverged, { retryAfterMs: 60_000 });
  const why = rt.notReady();
  if (why) throw new UrbisError('NODE_NOT_READY', why, { retryAfterMs: 5000 });
}

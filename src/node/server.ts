/**
 * The node's HTTP API (fastify): docs/api.md, described as OpenAPI 3.1 at `/openapi.json`.
 *
 * Every request is hostile until checked: a JSON schema on every route, a body size limit, a per-
 * client rate limit, and one error path that turns anything thrown into an RFC 9457 problem document
 * carrying a stable code from docs/errors.md. Writes happen only through signed transactions.
 */
import { randomUUID } from 'node:crypto';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import { UrbisError, isUrbisError } from '../core/errors.js';
import { fromFastifyError, instanceOf, problem, sendProblem } from './problem.js';
import { registerBlockRoutes } from './routes/blocks.js';
import { labelUrlHandler, registerCodeRoutes } from './routes/codes.js';
import { registerDidRoutes } from './routes/did.js';
import { registerEventRoutes, type EventFeedLimits } from './routes/events.js';
import { registerSnapshotRoute } from './routes/snapshot.js';
import { registerIdRoutes } from './routes/ids.js';
import { registerNamespaceRoutes } from './routes/namespaces.js';
import { registerOpsRoutes } from './routes/ops.js';
import { registerSearchRoutes } from './routes/search.js';
import { registerTxRoutes } from './routes/tx.js';
import { builtWebApp, registerWebApp, type WebApp } from './web.js';
import { SignerLimits, type SignerLimitOptions } from './signer-limits.js';
import type { NodeRuntime, RawBodyRequest } from './types.js';

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
  /** fastify/pino logger options, or false (default false). Ignored when `loggerInstance` is given. */
  logger?: boolean | object;
  /** The web app to serve at `/` and the label URLs (default: the built app, if any; null: none). */
  webApp?: WebApp | null;
  /** A pino logger to use (the CLI's `--log`, shared with the node's own messages). */
  loggerInstance?: FastifyBaseLogger;
  /** Per-signer admission limits of `POST /v1/tx` (default 1000 per second per key, burst 10 000; rate 0 disables). */
  signerLimits?: SignerLimitOptions;
  /** Caps on change-feed connections (default 2000 in total, 20 per client address). */
  events?: EventFeedLimits;
  /** The node's SQLite store file: `GET /v1/snapshot` streams certified snapshots of it (absent: no such route). */
  snapshotFile?: string;
  /** Extra routes registered beside the API (a network node adds `/v1/snapshot`). */
  routes?: (app: FastifyInstance, rt: NodeRuntime) => void;
}

/** The routes each app registered (method and URL pattern), for the OpenAPI check. */
const ROUTES = new WeakMap<FastifyInstance, Array<{ method: string; url: string }>>();

/** Every route `app` registered: method (HEAD routes fastify adds for GET excluded) and URL pattern. */
export function registeredRoutes(app: FastifyInstance): Array<{ method: string; url: string }> {
  return [...(ROUTES.get(app) ?? [])];
}

/** A caller's `X-Request-Id` is kept when it is this tame (it goes into logs); otherwise a UUID is made. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Creates the fastify app of a node (not listening yet: call `listen`, or `inject` in tests).
 */
export function createServer(rt: NodeRuntime, opts: ServerOptions = {}): FastifyInstance {
  const bodyLimit = opts.bodyLimit ?? rt.ledger.params().maxTxBytes + 65_536;
  const app = Fastify({
    ...(opts.loggerInstance ? { loggerInstance: opts.loggerInstance } : { logger: opts.logger ?? false }),
    // Every request has an id: the caller's X-Request-Id if it is well-formed, else a new UUID. It is
    // the reqId (fastify's default log label) of every log line about the request and comes back in
    // the X-Request-Id header.
    requestIdHeader: false,
    genReqId: (req) => {
      const h = req.headers['x-request-id'];
      return typeof h === 'string' && REQUEST_ID.test(h) ? h : randomUUID();
    },
    bodyLimit,
    // Identifiers are case-insensitive, but routes are not: keep paths exact.
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 600 },
    // Answered by our own hook below, as a problem document.
    return503OnClosing: false,
    // Errors fastify raises before routing (a malformed URL): problem documents too.
    frameworkErrors: (err, req, reply) => {
      const { code, detail } = fromFastifyError(err as FastifyError);
      const inst = instanceOf(req.url);
      void sendProblem(reply, problem(code, detail, inst === undefined ? {} : { instance: inst }));
    },
    // Unknown query parameters and body fields are errors, not silently dropped.
    ajv: { customOptions: { removeAdditional: false, coerceTypes: true, allErrors: false } },
  });

  // Bodies are JSON only (docs/api.md): without its default text/plain parser fastify answers any
  // other content type with FST_ERR_CTP_INVALID_MEDIA_TYPE, i.e. 415 HTTP_UNSUPPORTED_MEDIA, instead
  // of parsing the text and failing the schema with a misleading 400.
  app.removeContentTypeParser('text/plain');

  app.setErrorHandler((err, req, reply) => {
    const inst = instanceOf(req.url);
    const at = inst === undefined ? {} : { instance: inst };
    if (isUrbisError(err)) {
      const retry = (err.details?.retryAfterMs as number | undefined) ?? undefined;
      return sendProblem(reply, problem(err.code, err.message, { ...at, ...(err.details ? { details: { ...err.details } } : {}) }), retry);
    }
    const fe = err as FastifyError;
    const { code, detail } = fromFastifyError(fe);
    if (code === 'INTERNAL') req.log.error({ err }, 'internal error');
    return sendProblem(reply, problem(code, detail, at));
  });
  app.setNotFoundHandler((req, reply) => {
    const inst = instanceOf(req.url);
    return sendProblem(reply, problem('HTTP_NOT_FOUND', `no route ${req.method} ${inst ?? '(malformed path)'}`, inst === undefined ? {} : { instance: inst }));
  });
  // JSON bodies are kept as received as well: a transaction is admitted only in its exact canonical
  // form (src/core/ledger/tx.ts checkCanonicalTxText), which needs the bytes, not the parsed value.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    (req as RawBodyRequest).rawBody = body as string;
    parseJson(req, body as string, done);
  });

  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  app.addHook('onRequest', (_req, _reply, done) => {
    done(closing ? new UrbisError('NODE_NOT_READY', 'the node is shutting down', { retryAfterMs: 5000 }) : undefined);
  });

  if (opts.cors !== false) {
    void app.register(cors, {
      origin: opts.cors === undefined || opts.cors === '*' ? '*' : opts.cors,
      methods: ['GET', 'POST', 'HEAD', 'OPTIONS'],
      exposedHeaders: ['ETag', 'Retry-After', 'Location', 'X-Request-Id'],
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

  const table: Array<{ method: string; url: string }> = [];
  ROUTES.set(app, table);
  app.addHook('onRoute', (r) => {
    for (const m of [r.method].flat()) if (m !== 'HEAD') table.push({ method: m, url: r.url });
  });

  app.addHook('onRequest', (req, reply, done) => {
    reply.header('x-request-id', req.id);
    done();
  });
  app.addHook('onResponse', (req: FastifyRequest, reply: FastifyReply, done) => {
    rt.metrics.httpRequests.inc({ route: req.routeOptions.url ?? 'unmatched', status: String(reply.statusCode) });
    done();
  });

  void app.register(async (scoped) => {
    registerTxRoutes(scoped, rt, new SignerLimits(opts.signerLimits));
    registerIdRoutes(scoped, rt);
    registerNamespaceRoutes(scoped, rt);
    registerBlockRoutes(scoped, rt);
    registerSearchRoutes(scoped, rt);
    registerEventRoutes(scoped, rt, opts.events);
    registerDidRoutes(scoped, rt);
    const web = opts.webApp === undefined ? builtWebApp() : opts.webApp;
    // With the web app, /id/* answers HTML from it and everything else (JSON, linkset) from the codes routes.
    registerCodeRoutes(scoped, rt, { labelUrls: !web });
    registerOpsRoutes(scoped, rt);
    if (web) {
      const labelUrls = labelUrlHandler(rt);
      registerWebApp(scoped, rt, web, { otherwise: (req, reply) => (req.routeOptions.url === '/id/*' ? labelUrls(req, reply) : reply.callNotFound()) });
    }
    if (opts.snapshotFile) registerSnapshotRoute(scoped, rt, opts.snapshotFile);
    opts.routes?.(scoped, rt);
  });
  return app;
}

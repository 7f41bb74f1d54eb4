/**
 * The standalone provider gateway (`urbis gateway`): a reverse proxy that admits signed requests
 * of granted consumers (./plugin.ts) and forwards them to the provider's upstream service, adding
 * who was admitted in `Urbis-Grantee` / `Urbis-Key` headers. The upstream needs no change and no
 * knowledge of Urbis; it should listen where only the gateway reaches it.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { UrbisError, isUrbisError } from '../core/errors.js';
import { sendRefusal, urbisGateway, type GatewayOptions } from './plugin.js';
import type { ReceiptBatcher } from './receipts.js';

/** Options of {@link createGatewayServer}. */
export interface GatewayServerOptions extends GatewayOptions {
  /** Base URL of the upstream service, e.g. `http://127.0.0.1:9000`. */
  upstream: string;
  /** Upstream timeout, ms (default 30 000). */
  upstreamTimeoutMs?: number;
  /** Access receipts: recorded for every served request, handed out at `/.well-known/urbis/receipts/<leaf>`. */
  receipts?: ReceiptBatcher;
}

/** RFC 9110 §7.6.1 hop-by-hop fields, plus those the proxy sets itself. */
const HOP = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'host',
  'content-length',
  'urbis-grantee',
  'urbis-key',
]);

/**
 * Creates the gateway's fastify app (not listening). `GET /.well-known/urbis/gateway` is open and
 * describes the gateway (service, authorities, what to sign).
 */
export function createGatewayServer(opts: GatewayServerOptions): FastifyInstance {
  const upstream = opts.upstream.replace(/\/+$/, '');
  if (!/^https?:\/\/[^/?#\s]+$/.test(upstream)) throw new UrbisError('CLI_USAGE', `the upstream must be an http(s) base URL, not ${opts.upstream}`);
  const app = Fastify({ logger: false, bodyLimit: opts.bodyLimit ?? 1_048_576, return503OnClosing: true });
  const info = '/.well-known/urbis/gateway';
  const receipts = opts.receipts;
  const isOpen = (path: string) => path === info || path.startsWith('/.well-known/urbis/receipts/');
  urbisGateway(app, { ...opts, open: isOpen, ...(receipts ? { onServed: (r) => receipts.add(r) } : {}) });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));
  app.get(info, async () => ({ service: opts.view.subject, fragment: opts.service ?? null, authorities: [...opts.authorities], height: opts.view.height }));
  app.get('/.well-known/urbis/receipts/:leaf', async (req) => {
    const leaf = (req.params as { leaf: string }).leaf;
    const p = /^[0-9a-f]{64}$/.test(leaf) ? receipts?.proof(leaf) : undefined;
    // Not anchored yet (or unknown): the consumer asks again after the next interval.
    if (!p) throw new UrbisError('RECEIPT_NOT_FOUND', `no anchored receipt ${leaf.slice(0, 64)} at this gateway (yet)`);
    return p;
  });

  app.all('/*', async (req, reply) => {
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(req.headers)) {
      if (v === undefined || HOP.has(k)) continue;
      headers[k] = Array.isArray(v) ? v.join(', ') : v;
    }
    const a = req.urbisAccess!;
    headers['urbis-grantee'] = a.grantee;
    headers['urbis-key'] = a.key;
    headers.forwarded = `for="${req.ip}";host="${req.headers.host ?? ''}"`;
    const body = Buffer.isBuffer(req.body) && req.body.length > 0 ? req.body : undefined;
    let res: Response;
    try {
      res = await fetch(upstream + req.url, {
        method: req.method,
        headers,
        ...(body ? { body: body as unknown as BodyInit } : {}),
        redirect: 'manual',
        signal: AbortSignal.timeout(opts.upstreamTimeoutMs ?? 30_000),
      });
    } catch (e) {
      throw new UrbisError('GATEWAY_UPSTREAM', `the upstream did not answer: ${(e as Error).message}`);
    }
    const out = Buffer.from(await res.arrayBuffer());
    reply.code(res.status);
    res.headers.forEach((v, k) => {
      // fetch has already decoded the body: its encoding and length no longer apply.
      if (!HOP.has(k) && k !== 'content-encoding') reply.header(k, v);
    });
    return reply.send(out);
  });

  app.setErrorHandler((err, req, reply) => {
    const e = isUrbisError(err) ? err : new UrbisError('GATEWAY_UPSTREAM', `the gateway failed to forward the request: ${(err as Error).message}`);
    return sendRefusal(reply, req, e);
  });
  return app;
}

/**
 * The web app every node serves (web/, built by Vite into dist/web and shipped in the package): the
 * explorer at `/`, the label URLs `/id/{identifier}`, and the app's other deep links, for requests
 * that ask for HTML. The page carries the node's genesis, which the app pins as its trust anchor on
 * first use and verifies every answer against (docs/ARCHITECTURE.md "Web app").
 *
 * Nothing is fetched from elsewhere (no CDN): the app works on a closed city network. When the app
 * is not built (a source checkout before `npm run build`), none of these routes exist.
 */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Tx } from '../core/ledger/types.js';
import type { NodeRuntime } from './types.js';

/** Paths of the app's views (besides `/` and `/id/…`); see web/src/lib/route.ts. */
export const WEB_APP_PATHS = ['/', '/ns', '/ns/*', '/ledger', '/ledger/*', '/tx/*', '/scan', '/manage', '/trust', '/id/*'] as const;

/** Where the page holds the genesis: a JSON data block, `null` in the build. */
const GENESIS_SLOT = /<script type="application\/json" id="urbis-genesis">\s*null\s*<\/script>/;

/** Content-Security-Policy of the app: its own origin only; WebAssembly for the code scanner. */
export const WEB_APP_CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "media-src 'self' blob:",
  "connect-src 'self'",
  "worker-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
};

/** The built app: its index page and its assets (content-hashed file names). */
export interface WebApp {
  dir: string;
  index: string;
  assets: Map<string, { body: Buffer; type: string }>;
}

/** Where the built app is: dist/web beside the compiled code, or in the checkout's dist/. */
export function findWebApp(): string | null {
  for (const rel of ['../../web/', '../../dist/web/']) {
    const dir = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(join(dir, 'index.html')) && existsSync(join(dir, 'assets'))) return dir;
  }
  return null;
}

/** Loads the built app into memory (a few hundred kilobytes). Null when it is not built. */
export function loadWebApp(dir: string | null = findWebApp()): WebApp | null {
  if (dir === null) return null;
  const index = readFileSync(join(dir, 'index.html'), 'utf8');
  if (!GENESIS_SLOT.test(index)) return null;
  const assets = new Map<string, { body: Buffer; type: string }>();
  for (const name of readdirSync(join(dir, 'assets'))) {
    const path = join(dir, 'assets', name);
    const ext = name.slice(name.lastIndexOf('.'));
    if (!statSync(path).isFile() || !TYPES[ext]) continue;
    assets.set(name, { body: readFileSync(path), type: TYPES[ext] });
  }
  return { dir, index, assets };
}

let built: WebApp | null | undefined;

/** The built app of this installation, loaded once per process. */
export function builtWebApp(): WebApp | null {
  if (built === undefined) built = loadWebApp();
  return built;
}

/** The index page with the genesis embedded (JSON in a data block; `<` escaped so it cannot end the element). */
export function indexWithGenesis(app: WebApp, genesis: Tx<'genesis'>): string {
  const json = JSON.stringify(genesis)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
  return app.index.replace(GENESIS_SLOT, () => `<script type="application/json" id="urbis-genesis">${json}</script>`);
}

/** True when the client prefers HTML (a browser navigating), by the Accept header (RFC 9110 §12.5.1). */
export function wantsHtml(accept: string | undefined): boolean {
  if (!accept) return false;
  let html = -1;
  let json = -1;
  for (const part of accept.toLowerCase().split(',')) {
    const [type, ...params] = part.trim().split(';');
    const qp = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const q = qp ? Number(qp.slice(2)) : 1;
    if (!Number.isFinite(q)) continue;
    if (type === 'text/html' || type === 'application/xhtml+xml') html = Math.max(html, q);
    else if (type === 'application/json' || type?.endsWith('+json')) json = Math.max(json, q);
  }
  return html > 0 && html >= json;
}

/**
 * Registers the app's routes. `html(req)` is true when a request for an app path should get the
 * page; other requests for these paths (an API client asking for JSON) are passed to `otherwise`,
 * which defaults to "no such route".
 */
export function registerWebApp(
  app: FastifyInstance,
  rt: NodeRuntime,
  web: WebApp,
  opts: { otherwise?: (req: FastifyRequest, reply: FastifyReply) => unknown } = {},
): void {
  const page = Buffer.from(indexWithGenesis(web, rt.genesis));
  const sendPage = (reply: FastifyReply) =>
    reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .header('content-security-policy', WEB_APP_CSP)
      .header('x-content-type-options', 'nosniff')
      .header('referrer-policy', 'no-referrer')
      .header('vary', 'accept')
      .send(page);
  for (const path of WEB_APP_PATHS) {
    app.get(path, async (req, reply) => {
      if (wantsHtml(req.headers.accept)) return sendPage(reply);
      if (opts.otherwise) return opts.otherwise(req, reply);
      return reply.callNotFound();
    });
  }
  app.get('/assets/:name', async (req, reply) => {
    const a = web.assets.get((req.params as { name: string }).name);
    if (!a) return reply.callNotFound();
    return reply.type(a.type).header('cache-control', 'public, max-age=31536000, immutable').header('x-content-type-options', 'nosniff').send(a.body);
  });
}

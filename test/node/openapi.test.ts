/**
 * The OpenAPI document (served at /openapi.json) against the routes the server really registers:
 * every route in fastify's route table is described, every described operation exists, each has a
 * unique operationId, and the document passes a real OpenAPI linter (Redocly, OpenAPI 3.1).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registeredRoutes } from '../../src/node/server.js';
import { createServer } from '../../src/node/server.js';
import { newTestNode, type TestNode } from '../helpers/node.js';

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'];
/** `/v1/ids/:id/code.svg`, `/1.0/identifiers/*` and `/v1/ids/{id}/code.svg` alike: parameters blanked. */
const shape = (path: string) => path.replace(/\{[^}]+\}|:[A-Za-z0-9_]+|\*/g, '{}');

let node: TestNode;
let app: ReturnType<typeof createServer>;
let doc: { openapi: string; servers?: unknown[]; paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, unknown> }>> };

beforeAll(async () => {
  node = newTestNode({ rateLimit: 0, webApp: null });
  // Every optional route the node kinds register: the snapshot route included.
  app = createServer(node.runtime, { rateLimit: 0, webApp: null, snapshotFile: join(tmpdir(), 'none.db') });
  await app.ready();
  doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
});

afterAll(async () => {
  await app.close();
  await node.app.close();
});

describe('/openapi.json', () => {
  it('describes exactly the routes the server registered', () => {
    // The CORS plugin's catch-all preflight (OPTIONS *) is not an operation of the API.
    const routes = new Set(
      registeredRoutes(app)
        .filter((r) => !(r.method === 'OPTIONS' && r.url === '*'))
        .map((r) => `${r.method} ${shape(r.url)}`),
    );
    const described = new Set(
      Object.entries(doc.paths).flatMap(([p, ops]) =>
        Object.keys(ops)
          .filter((m) => METHODS.includes(m))
          .map((m) => `${m.toUpperCase()} ${shape(p)}`),
      ),
    );
    expect(routes.size).toBeGreaterThan(15);
    expect(
      [...routes].filter((r) => !described.has(r)),
      'routes missing from the document',
    ).toEqual([]);
    // A wildcard route (`/v1/ids/*`) serves the paths below its prefix (`/v1/ids/{id}/history`).
    const wildcards = registeredRoutes(app)
      .filter((r) => r.url.endsWith('*'))
      .map((r) => `${r.method} ${r.url.slice(0, -1)}`);
    const routed = (op: string) => routes.has(op) || wildcards.some((w) => op.startsWith(w));
    expect(
      [...described].filter((r) => !routed(r)),
      'operations without a route',
    ).toEqual([]);
    expect(routes.has('GET /v1/snapshot')).toBe(true);
  });

  it('has servers, and a unique operationId and responses on every operation', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
    expect(doc.servers?.length).toBeGreaterThan(0);
    const ids: string[] = [];
    for (const [p, ops] of Object.entries(doc.paths)) {
      for (const [m, op] of Object.entries(ops)) {
        if (!METHODS.includes(m)) continue;
        expect(op.operationId, `${m} ${p}`).toMatch(/^[a-z][A-Za-z0-9]+$/);
        expect(Object.keys(op.responses ?? {}).length, `${m} ${p}`).toBeGreaterThan(0);
        ids.push(op.operationId!);
      }
    }
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('passes the Redocly OpenAPI linter', () => {
    const dir = mkdtempSync(join(tmpdir(), 'urbis-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc));
      const redocly = fileURLToPath(new URL('../../node_modules/@redocly/cli/bin/cli.js', import.meta.url));
      let out = '';
      let ok = true;
      try {
        out = execFileSync(process.execPath, [redocly, 'lint', file, '--format', 'stylish'], {
          encoding: 'utf8',
          stdio: ['ignore', 'pipe', 'pipe'],
          env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
        });
      } catch (e) {
        ok = false;
        out = `${(e as { stdout?: string }).stdout ?? ''}${(e as { stderr?: string }).stderr ?? ''}`;
      }
      expect(ok, out).toBe(true);
      expect(out).not.toMatch(/^\s*\d+:\d+\s+error\b/m);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/**
 * The OpenAPI document (served at /openapi.json) against the routes the server really registers:
 * every route in fastify's route table is described, every described operation exists, each has a
 * unique operationId, the error answers it lists that every route gives alike (429 past the rate
 * limit, 400 for a query parameter on a route that takes none) are the ones the routes give, and the
 * document passes a real OpenAPI linter (Redocly, OpenAPI 3.1) with no error and no warning.
 */
import { spawnSync } from 'node:child_process';
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
type Response = { description?: string };
let doc: { openapi: string; servers?: unknown[]; paths: Record<string, Record<string, { operationId?: string; responses?: Record<string, Response> }>> };

/** Every operation of the document: method, path template, and a concrete URL for it. */
function operations(): Array<{ method: string; path: string; url: string; responses: Record<string, Response> }> {
  const sample: Record<string, string> = { id: '156.130100.42%2FLAMP-1', hash: 'a'.repeat(64), height: '0', ns: '156', didUrl: 'did%3Aurbis%3A156' };
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([m]) => METHODS.includes(m))
      .map(([m, op]) => ({ method: m.toUpperCase(), path, url: path.replace(/\{([^}]+)\}/g, (_, k: string) => sample[k]!), responses: op.responses ?? {} })),
  );
}

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

  it('lists 429 on exactly the operations the rate limit applies to', async () => {
    // One request per second per client address: a first request spends it, the second is the check.
    const limited = createServer(node.runtime, { rateLimit: 1, webApp: null, snapshotFile: join(tmpdir(), 'none.db') });
    await limited.ready();
    try {
      const ops = operations();
      expect(ops.length).toBeGreaterThan(20);
      for (const [i, op] of ops.entries()) {
        const remoteAddress = `10.9.${i >> 8}.${i & 255}`;
        await limited.inject({ method: 'GET', url: '/v1/ns', remoteAddress });
        const r = await limited.inject({ method: op.method as 'GET', url: op.url, remoteAddress, ...(op.method === 'POST' ? { payload: {} } : {}) });
        const documented = op.responses['429'] !== undefined;
        expect([`${op.method} ${op.path}`, r.statusCode === 429], r.body).toEqual([`${op.method} ${op.path}`, documented]);
      }
    } finally {
      await limited.close();
    }
  });

  it('lists 400 for an unknown query parameter where the route takes none, and the route gives it', async () => {
    const noQuery = operations().filter((op) => /route takes none/.test(op.responses['400']?.description ?? ''));
    expect(noQuery.map((op) => op.path).sort()).toEqual(
      ['/healthz', '/metrics', '/openapi.json', '/readyz', '/v1/blocks/latest', '/v1/checkpoint', '/v1/evidence', '/v1/snapshot', '/v1/trust/bundle'].sort(),
    );
    for (const op of noQuery) {
      const r = await app.inject({ method: op.method as 'GET', url: `${op.url}?verbose=1` });
      expect([op.path, r.statusCode, r.json().code]).toEqual([op.path, 400, 'HTTP_BAD_REQUEST']);
    }
  });

  it('passes the Redocly OpenAPI linter with no error and no warning', () => {
    const dir = mkdtempSync(join(tmpdir(), 'urbis-openapi-'));
    try {
      const file = join(dir, 'openapi.json');
      writeFileSync(file, JSON.stringify(doc));
      const redocly = fileURLToPath(new URL('../../node_modules/@redocly/cli/bin/cli.js', import.meta.url));
      // The JSON report: every problem with its rule and place, and the totals (ignored ones too, so
      // that a lint-ignore file could not hide one either).
      const run = spawnSync(process.execPath, [redocly, 'lint', file, '--format', 'json'], {
        encoding: 'utf8',
        env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' },
      });
      const report = JSON.parse(run.stdout) as {
        totals: { errors: number; warnings: number; ignored: number };
        problems: Array<{ ruleId: string; severity: string; message: string; location: Array<{ pointer: string }> }>;
      };
      const problems = report.problems.map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer}: ${p.message}`);
      expect(problems).toEqual([]);
      expect(report.totals).toEqual({ errors: 0, warnings: 0, ignored: 0 });
      expect(run.status).toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});

/**
 * Hostile input at every route: random paths, query strings, bodies and headers. The node must
 * answer every request with a well-formed status below 500 (problem+json for errors), keep
 * answering afterwards, and its state root must not move.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { expectOk, withCity } from '../helpers/chain.js';
import { newTestNode } from '../helpers/node.js';

const ROUTES = [
  '/v1/tx',
  '/v1/tx/',
  '/v1/ids/',
  '/v1/ns/',
  '/v1/blocks/',
  '/v1/blocks/latest',
  '/v1/checkpoint',
  '/v1/search',
  '/1.0/identifiers/',
  '/metrics',
  '/healthz',
  '/readyz',
  '/openapi.json',
  '/',
];

const junk = fc.oneof(
  fc.string({ maxLength: 80 }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom(
    'did:urbis:',
    '156.130100/LAMP-1:X',
    '%',
    '%2F%2F',
    '..%2F..',
    '::::',
    'did:urbis:156:130100:X:Y',
    '\u0000',
    '🚦',
    'a'.repeat(700),
    '-1',
    '1e309',
    'null',
  ),
);

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }).map((v) => JSON.stringify(v)),
  fc.string({ maxLength: 200 }),
  fc.constantFrom(
    '{"body":{"v":1},"sigs":[]}',
    '{"body":null,"sigs":null}',
    '{"__proto__":{"x":1},"body":{},"sigs":[]}',
    '[]',
    '{',
    '{"body":{"v":1,"chain":"x","type":"id.register","nonce":"n","validFrom":0,"validUntil":1e300,"payload":{}},"sigs":[{"key":"z6Mk","sig":"AA"}]}',
  ),
);

describe('HTTP API under hostile input', () => {
  it('never fails with a 5xx, stays up, and keeps its state root', async () => {
    const n = newTestNode({ rateLimit: 0 });
    const city = withCity(n.chain);
    expectOk(n.chain.run('id.allocate', { ns: '156.130100', prefix: 'L-', count: 10, record: { type: 'lamp' } }, [city]));
    const root = n.chain.store.head()!.header.stateRoot;
    let requests = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...ROUTES),
        junk,
        fc.dictionary(fc.constantFrom('limit', 'cursor', 'type', 'ns', 'linkedTo', 'attr.x', 'wait', 'version', 'at', 'zz'), junk, { maxKeys: 3 }),
        fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD', 'OPTIONS'),
        jsonish,
        fc.record({
          accept: fc.oneof(junk, fc.constantFrom('application/did+json', 'application/did-resolution', '*/*')),
          'content-type': fc.oneof(junk, fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-16')),
          'if-none-match': junk,
          'last-event-id': junk,
        }),
        async (route, tail, query, method, body, headers) => {
          const qs = new URLSearchParams(query as Record<string, string>).toString();
          let url = route + (route.endsWith('/') ? encodeURIComponent(tail) : '') + (qs ? `?${qs}` : '');
          if (url.length > 4000) url = url.slice(0, 4000);
          const safeHeaders: Record<string, string> = {};
          for (const [k, v] of Object.entries(headers)) {
            // Header values with control characters cannot even be sent; HTTP clients refuse them.
            if (/^[\t\x20-\x7e]*$/.test(v)) safeHeaders[k] = v;
          }
          const res = await n.app.inject({
            method: method as 'GET',
            url,
            headers: safeHeaders,
            ...(method === 'POST' || method === 'PUT' ? { payload: body } : {}),
          });
          requests++;
          expect(res.statusCode, `${method} ${url}`).toBeLessThan(500);
          if (res.statusCode >= 400 && method !== 'HEAD' && !url.startsWith('/1.0/')) {
            expect(res.headers['content-type'], `${method} ${url}`).toContain('application/problem+json');
            expect(typeof res.json().code).toBe('string');
          }
        },
      ),
      { numRuns: 400, seed: 20261124 },
    );
    expect(requests).toBe(400);
    expect(n.chain.store.head()!.header.stateRoot).toBe(root);
    expect((await n.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await n.app.inject({ method: 'GET', url: `/v1/ids/${encodeURIComponent(n.chain.store.id('156.130100/L-000001')!.id)}` })).statusCode).toBe(200);
  });
});

/**
 * Every error a node sends is an RFC 9457 problem document (§3: type, title, status, detail,
 * instance) served as application/problem+json (§3), carrying a code from the one registry
 * (src/core/errors.ts) whose HTTP status it has. fastify's own errors included: a malformed URL,
 * bad JSON, an empty or oversized body, an unsupported media type, no such route, shutting down.
 */
import { describe, expect, it } from 'vitest';
import { Agent, request } from 'node:http';
import { ERROR_CODES } from '../../src/core/errors.js';
import { newTestNode } from '../helpers/node.js';

type Req = { method: 'GET' | 'POST' | 'DELETE' | 'PUT'; url: string; payload?: string; headers?: Record<string, string> };
const json = { 'content-type': 'application/json' };

const cases: Array<[string, Req, string]> = [
  ['bad percent-encoding in an identifier', { method: 'GET', url: '/v1/ids/%ff' }, 'HTTP_URL_INVALID'],
  ['bad percent-encoding in a namespace', { method: 'GET', url: '/v1/ns/%ff' }, 'HTTP_URL_INVALID'],
  ['bad percent-encoding anywhere', { method: 'GET', url: '/%zz' }, 'HTTP_URL_INVALID'],
  ['truncated JSON', { method: 'POST', url: '/v1/tx', payload: '{"body":', headers: json }, 'HTTP_JSON_INVALID'],
  ['empty JSON body', { method: 'POST', url: '/v1/tx', payload: '', headers: json }, 'HTTP_JSON_INVALID'],
  ['JSON that is not an object', { method: 'POST', url: '/v1/tx', payload: '[1,2]', headers: json }, 'HTTP_BAD_REQUEST'],
  ['body too large', { method: 'POST', url: '/v1/tx', payload: `{"a":"${'x'.repeat(5000)}"}`, headers: json }, 'HTTP_BODY_TOO_LARGE'],
  ['unsupported media type', { method: 'POST', url: '/v1/tx', payload: '<tx/>', headers: { 'content-type': 'application/xml' } }, 'HTTP_UNSUPPORTED_MEDIA'],
  ['no such route', { method: 'GET', url: '/nope' }, 'HTTP_NOT_FOUND'],
  ['no such method', { method: 'DELETE', url: '/v1/tx' }, 'HTTP_NOT_FOUND'],
  ['unknown query parameter', { method: 'GET', url: '/v1/search?bogus=1' }, 'HTTP_BAD_REQUEST'],
  ['bad path parameter', { method: 'GET', url: '/v1/blocks/abc' }, 'HTTP_BAD_REQUEST'],
  ['identifier typo', { method: 'GET', url: '/v1/ids/156.130100/LAMP-1:Z' }, 'ID_CHECK_MISMATCH'],
];

function expectProblem(res: { statusCode: number; headers: Record<string, unknown>; body: string }, code: string): void {
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const p = JSON.parse(res.body) as Record<string, unknown>;
  expect(p.code).toBe(code);
  expect(Object.hasOwn(ERROR_CODES, code)).toBe(true);
  expect(p.status).toBe(ERROR_CODES[code as keyof typeof ERROR_CODES].status);
  expect(res.statusCode).toBe(p.status);
  expect(p.type).toBe(`https://urbis.city/errors/${code}`);
  expect(typeof p.title).toBe('string');
  expect(typeof p.detail).toBe('string');
}

describe('problem documents for every error', () => {
  const n = newTestNode({ rateLimit: 0, bodyLimit: 1000 });
  for (const [what, req, code] of cases) {
    it(`${what} → ${code}`, async () => {
      expectProblem(await n.app.inject(req), code);
    });
  }

  it('a node shutting down answers NODE_NOT_READY as a problem document', async () => {
    const m = newTestNode({ rateLimit: 0 });
    // A slow hook keeps close() running while a request comes in on a kept-alive connection.
    m.app.addHook('preClose', async () => {
      await new Promise((r) => setTimeout(r, 300));
    });
    const url = await m.app.listen({ port: 0, host: '127.0.0.1' });
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    const get = () =>
      new Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        request(`${url}/v1/checkpoint`, { agent }, (res) => {
          let body = '';
          res.on('data', (d: Buffer) => (body += d.toString()));
          res.on('end', () => resolve({ statusCode: res.statusCode ?? 0, headers: res.headers, body }));
        })
          .on('error', reject)
          .end();
      });
    expect((await get()).statusCode).toBe(200);
    const closing = m.app.close();
    await new Promise((r) => setTimeout(r, 50));
    const res = await get();
    agent.destroy();
    await closing;
    expectProblem(res, 'NODE_NOT_READY');
  });
});

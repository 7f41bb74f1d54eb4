/**
 * Every error answer the OpenAPI document lists is one its route really gives: for each operation
 * and each 4xx/5xx status it lists (429, checked for every route in openapi.test.ts, aside), a
 * request here produces exactly that status. A status listed without a request here fails, as does
 * a request whose status is not listed.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance, InjectOptions } from 'fastify';
import { expectOk, newSigner, withCity } from '../helpers/chain.js';
import { newTestNode, type TestNode } from '../helpers/node.js';
import { createServer } from '../../src/node/server.js';
import { formatDid, parseIdentifier } from '../../src/core/ids/index.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import { cosigner } from '../../src/core/note/index.js';
import type { ReadyProblem } from '../../src/ordering/types.js';

const METHODS = ['get', 'put', 'post', 'delete', 'patch'];
const WITNESS = cosigner('witness.example/w', new Uint8Array(32).fill(7));
/** A 1×1 PNG: a well-formed image holding no QR code. */
const BLANK_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

let n: TestNode; // no issuer key
let ni: TestNode; // an issuer key the namespace's policy does not name
let lamp: string;
let gone: string;
let busy: FastifyInstance;
let snap: FastifyInstance;

function populate(t: TestNode): void {
  const city = withCity(t.chain);
  expectOk(t.chain.run('id.register', { id: '156.130100/LAMP-1', record: { type: 'lamp' } }, [city]));
  expectOk(t.chain.run('id.register', { id: '156.130100/LAMP-2', record: { type: 'lamp' } }, [city]));
  expectOk(t.chain.run('id.deactivate', { id: objectIdText('156.130100', 'LAMP-2') }, [city]));
}

/** Runs `fn` with a runtime member replaced, then puts it back. */
async function patched<T extends object, K extends keyof T>(o: T, k: K, v: T[K], fn: () => Promise<number>): Promise<number> {
  const before = o[k];
  o[k] = v;
  try {
    return await fn();
  } finally {
    o[k] = before;
  }
}

beforeAll(async () => {
  n = newTestNode({ rateLimit: 0, webApp: null, bodyLimit: 200_000 });
  ni = newTestNode({ rateLimit: 0, webApp: null }, { issuer: newSigner() });
  populate(n);
  populate(ni);
  lamp = encodeURIComponent(objectIdText('156.130100', 'LAMP-1'));
  gone = encodeURIComponent(objectIdText('156.130100', 'LAMP-2'));
  busy = createServer(n.runtime, { rateLimit: 0, webApp: null, events: { maxClients: 0 } });
  await busy.ready();
  // The snapshot route is registered for a node with an SQLite file (none is read before these answers).
  snap = createServer(n.runtime, { rateLimit: 0, webApp: null, snapshotFile: join(tmpdir(), 'urbis-no-such.db') });
  await snap.ready();
});

afterAll(async () => {
  await busy.close();
  await snap.close();
  await n.app.close();
  await ni.app.close();
});

describe('documented error answers', () => {
  it('each listed 4xx/5xx status of each operation is produced by its route', async () => {
    const on = (app: FastifyInstance, o: InjectOptions) => async () => (await app.inject(o)).statusCode;
    const get = (url: string, headers: Record<string, string> = {}) => on(n.app, { method: 'GET', url, headers });
    const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
      on(n.app, { method: 'POST', url, payload: payload as string, headers });
    const notReady = (f: () => Promise<number>) => () => patched(n.runtime, 'notReady', () => 'catching up', f);
    const storeDown = (f: () => Promise<number>) => () =>
      patched(
        n.runtime.store,
        'head',
        () => {
          throw new Error('disk gone');
        },
        f,
      );
    const signed = (now?: number) =>
      n.chain.tx('id.register', { id: '156.130100/BUS-1', record: { type: 'vehicle' } }, [newSigner()], now === undefined ? {} : { now });
    const forged = (now?: number) => {
      const t = signed(now);
      return { ...t, sigs: [{ key: newSigner().id, sig: t.sigs[0]!.sig }] };
    };
    const absentDid = formatDid(parseIdentifier(objectIdText('156.130100', 'NXNE-1')));
    const goneDid = formatDid(parseIdentifier(objectIdText('156.130100', 'LAMP-2')));
    const lampDid = formatDid(parseIdentifier(objectIdText('156.130100', 'LAMP-1')));

    const recipes: Record<string, () => Promise<number>> = {
      'POST /v1/tx 400': post('/v1/tx', { body: { v: 1 }, sigs: [] }),
      'POST /v1/tx 401': post('/v1/tx', forged()),
      'POST /v1/tx 403': post('/v1/tx', signed()),
      'POST /v1/tx 413': post('/v1/tx', { ...signed(), pad: 'x'.repeat(250_000) }),
      'POST /v1/tx 415': post('/v1/tx', JSON.stringify(signed()), { 'content-type': 'text/plain' }),
      'POST /v1/tx 503': notReady(post('/v1/tx', signed())),
      'POST /v1/tx/check 400': post('/v1/tx/check', { body: { v: 1 }, sigs: [] }),
      'POST /v1/tx/check 401': post('/v1/tx/check', forged(Date.now())),
      'POST /v1/tx/check 413': post('/v1/tx/check', { ...signed(), pad: 'x'.repeat(250_000) }),
      'POST /v1/tx/check 415': post('/v1/tx/check', JSON.stringify(signed()), { 'content-type': 'text/plain' }),
      'POST /v1/tx/check 503': notReady(post('/v1/tx/check', signed())),
      'GET /v1/tx/{hash} 400': get('/v1/tx/not-a-hash'),
      'GET /v1/tx/{hash} 404': get(`/v1/tx/${'a'.repeat(64)}`),
      'GET /v1/ids/{id} 400': get('/v1/ids/156.130100%2FLAMP-1%3AZ'),
      'GET /v1/ids/{id} 404': get(`/v1/ids/${encodeURIComponent(objectIdText('156.130100', 'NXNE-1'))}`),
      'GET /v1/ids/{id} 503': notReady(get(`/v1/ids/${lamp}`)),
      'GET /v1/ids/{id}/history 400': get(`/v1/ids/${lamp}/history?proofs=7`),
      'GET /v1/ids/{id}/history 404': get(`/v1/ids/${encodeURIComponent(objectIdText('156.130100', 'NXNE-1'))}/history`),
      'GET /v1/ns/{ns} 400': get('/v1/ns/156?limit=0'),
      'GET /v1/ns/{ns} 404': get('/v1/ns/999'),
      'GET /v1/ns 400': get('/v1/ns?proofs=7'),
      'GET /v1/ns 503': notReady(get('/v1/ns?proofs=1')),
      'GET /v1/blocks/latest 400': get('/v1/blocks/latest?x=1'),
      'GET /v1/blocks/latest 503': storeDown(get('/v1/blocks/latest')),
      'GET /v1/blocks/{height} 404': get('/v1/blocks/999999'),
      'GET /v1/checkpoint 400': get('/v1/checkpoint?x=1'),
      'GET /v1/checkpoint 503': notReady(get('/v1/checkpoint')),
      'GET /v1/consistency 400': get('/v1/consistency'),
      // A node started from a snapshot holds no block before it.
      'GET /v1/consistency 404': () => {
        const header = n.runtime.store.header.bind(n.runtime.store);
        return patched(n.runtime.store, 'header', (h: number) => (h === 0 ? undefined : header(h)), get('/v1/consistency?from=0'));
      },
      'GET /v1/checkpoint/note 400': get('/v1/checkpoint/note?size=-1'),
      'GET /v1/checkpoint/note 404': get('/v1/checkpoint/note?size=999999'),
      'GET /v1/checkpoint/note 503': notReady(get('/v1/checkpoint/note')),
      'POST /v1/checkpoint/cosignatures 400': post('/v1/checkpoint/cosignatures', { size: 1, witness: 'not a key', cosignature: '' }),
      'POST /v1/checkpoint/cosignatures 404': post('/v1/checkpoint/cosignatures', {
        size: 999999,
        witness: WITNESS.vkey,
        cosignature: WITNESS.cosign('x\n', 1),
      }),
      'POST /v1/checkpoint/cosignatures 503': notReady(post('/v1/checkpoint/cosignatures', { size: 1, witness: WITNESS.vkey, cosignature: '' })),
      'GET /v1/evidence 400': get('/v1/evidence?x=1'),
      'POST /v1/evidence 422': post('/v1/evidence', { a: {}, b: {} }),
      'GET /v1/search 400': get('/v1/search?status=sleeping'),
      'GET /v1/events 400': get('/v1/events', { 'last-event-id': 'soon' }),
      'GET /v1/events 410': () => patched(n.runtime.events, 'earliest', () => 5, get('/v1/events', { 'last-event-id': '1.0' })),
      'GET /v1/events 503': on(busy, { method: 'GET', url: '/v1/events' }),
      'GET /v1/snapshot 400': on(snap, { method: 'GET', url: '/v1/snapshot?x=1' }),
      'GET /v1/snapshot 503': notReady(on(snap, { method: 'GET', url: '/v1/snapshot' })),
      'GET /1.0/identifiers/{didUrl} 400': get('/1.0/identifiers/did%3Aurbis%3Anope'),
      'GET /1.0/identifiers/{didUrl} 404': get(`/1.0/identifiers/${encodeURIComponent(absentDid)}`),
      'GET /1.0/identifiers/{didUrl} 406': get(`/1.0/identifiers/${encodeURIComponent(lampDid)}`, { accept: 'image/png' }),
      'GET /1.0/identifiers/{didUrl} 410': get(`/1.0/identifiers/${encodeURIComponent(goneDid)}`),
      'GET /1.0/identifiers/{didUrl} 500': () =>
        patched(
          n.runtime.ledger,
          'prove',
          () => {
            throw new Error('disk gone');
          },
          get(`/1.0/identifiers/${encodeURIComponent(lampDid)}`),
        ),
      'GET /1.0/identifiers/{didUrl} 501': get('/1.0/identifiers/did%3Aexample%3A123'),
      'GET /v1/ids/{id}/code.svg 403': on(ni.app, { method: 'GET', url: `/v1/ids/${lamp}/code.svg` }),
      'GET /v1/ids/{id}/code.svg 404': on(ni.app, { method: 'GET', url: `/v1/ids/${encodeURIComponent(objectIdText('156.130100', 'NXNE-1'))}/code.svg` }),
      'GET /v1/ids/{id}/code.svg 409': get(`/v1/ids/${lamp}/code.svg`),
      'GET /v1/ids/{id}/code.svg 410': on(ni.app, { method: 'GET', url: `/v1/ids/${gone}/code.svg` }),
      'GET /v1/ids/{id}/code.png 403': on(ni.app, { method: 'GET', url: `/v1/ids/${lamp}/code.png` }),
      'GET /v1/ids/{id}/code.png 404': on(ni.app, { method: 'GET', url: `/v1/ids/${encodeURIComponent(objectIdText('156.130100', 'NXNE-1'))}/code.png` }),
      'GET /v1/ids/{id}/code.png 409': get(`/v1/ids/${lamp}/code.png`),
      'GET /v1/ids/{id}/code.png 410': on(ni.app, { method: 'GET', url: `/v1/ids/${gone}/code.png` }),
      'POST /v1/codes/verify 400': post('/v1/codes/verify', { code: 'x', image: BLANK_PNG }),
      'POST /v1/codes/verify 413': post('/v1/codes/verify', { image: 'A'.repeat(12 * 1024 * 1024) }),
      'POST /v1/codes/verify 422': post('/v1/codes/verify', { image: BLANK_PNG }),
      'GET /v1/trust/bundle 400': get('/v1/trust/bundle?x=1'),
      'GET /v1/trust/bundle 409': () => patched(n.runtime, 'validator', undefined, get('/v1/trust/bundle')),
      'GET /v1/trust/bundle 503': notReady(get('/v1/trust/bundle')),
      'GET /id/{id} 404': get(`/id/${encodeURIComponent(objectIdText('156.130100', 'NXNE-1'))}`),
      'GET /id/{id} 406': get(`/id/${lamp}`, { accept: 'image/png' }),
      'GET /metrics 400': get('/metrics?x=1'),
      'GET /healthz 400': get('/healthz?x=1'),
      'GET /readyz 400': get('/readyz?x=1'),
      'GET /readyz 503': () =>
        patched(n.runtime, 'readiness', (): ReadyProblem[] => [{ code: 'NO_FINALITY', detail: 'no certified block while transactions wait' }], get('/readyz')),
      'GET /openapi.json 400': get('/openapi.json?x=1'),
    };

    const doc = (await n.app.inject({ method: 'GET', url: '/openapi.json' })).json<{
      paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
    }>();
    const listed = Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([m]) => METHODS.includes(m))
        .flatMap(([m, op]) =>
          Object.keys(op.responses)
            .filter((s) => s >= '400' && s !== '429')
            .map((s) => `${m.toUpperCase()} ${path} ${s}`),
        ),
    );
    expect(
      listed.filter((k) => !(k in recipes)),
      'listed statuses without a request here',
    ).toEqual([]);
    expect(
      Object.keys(recipes).filter((k) => !listed.includes(k)),
      'statuses produced but not listed',
    ).toEqual([]);
    const got: string[] = [];
    for (const [key, run] of Object.entries(recipes)) got.push(`${key.slice(0, key.lastIndexOf(' '))} ${await run()}`);
    expect(got).toEqual(Object.keys(recipes));
  }, 60_000);
});

import { describe, expect, it } from 'vitest';
import { expectOk, newSigner, withCity } from '../helpers/chain.js';
import { newTestNode, type TestNode } from '../helpers/node.js';
import { verifyProvenEntry } from '../../src/core/ledger/verify.js';
import { proofFromJson, verifyProof } from '../../src/core/merkle/index.js';
import { fromHex } from '../../src/core/encoding/index.js';
import { entryHash, merkleKey } from '../../src/core/ledger/state.js';
import { formatDid, formatUrl, parseIdentifier } from '../../src/core/ids/index.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import type { IdAnswer, Problem, ProvenJson } from '../../src/core/api/types.js';

function verify(n: TestNode, p: ProvenJson) {
  return verifyProvenEntry({ ...p, proof: proofFromJson(p.proof) }, n.runtime.anchor);
}

function setup(): TestNode & { city: ReturnType<typeof newSigner>; lamp: string } {
  const n = newTestNode();
  const city = withCity(n.chain);
  expectOk(
    n.chain.run('id.allocate', { ns: '156.130100', prefix: 'LAMP-', count: 20, record: { type: 'lamp', attributes: { power: 60, zone: 'north' } } }, [city]),
  );
  expectOk(
    n.chain.run(
      'id.register',
      {
        id: '156.130100/CAM-1',
        record: {
          type: 'camera',
          links: [{ rel: 'located-in', target: '156.130100/LAMP-000001' }],
          services: [{ id: '#feed', type: 'VideoFeed', serviceEndpoint: 'https://v.example/1' }],
        },
      },
      [city],
    ),
  );
  return { ...n, city, lamp: objectIdText('156.130100', 'LAMP-000005') };
}

describe('HTTP API: resolution', () => {
  it('resolves every identifier form with a proof that verifies against the genesis validators', async () => {
    const n = setup();
    const id = parseIdentifier(n.lamp);
    for (const form of [n.lamp, n.lamp.toLowerCase(), encodeURIComponent(n.lamp), encodeURIComponent(formatDid(id)), encodeURIComponent(formatUrl(id))]) {
      const res = await n.app.inject({ method: 'GET', url: `/v1/ids/${form}` });
      expect(res.statusCode, form).toBe(200);
      const body = res.json() as IdAnswer;
      expect(body.id).toBe(n.lamp);
      expect(body.did).toBe(formatDid(id));
      expect(body.version).toBe(1);
      expect(verify(n, body).present).toBe(true);
      expect(res.headers.etag).toBe(`"h${body.header.height}"`);
      expect(res.headers['cache-control']).toContain('max-age');
    }
  });

  it('answers a typo as a typo and an unknown identifier with a verified non-inclusion proof', async () => {
    const n = setup();
    const typo = n.lamp.slice(0, -1) + (n.lamp.endsWith('0') ? '1' : '0');
    const bad = await n.app.inject({ method: 'GET', url: `/v1/ids/${encodeURIComponent(typo)}` });
    expect(bad.statusCode).toBe(400);
    expect(bad.headers['content-type']).toContain('application/problem+json');
    expect((bad.json() as Problem).code).toBe('ID_CHECK_MISMATCH');
    const absent = objectIdText('156.130100', 'LAMP-999999');
    const res = await n.app.inject({ method: 'GET', url: `/v1/ids/${encodeURIComponent(absent)}` });
    expect(res.statusCode).toBe(404);
    const p = res.json() as Problem;
    expect(p.code).toBe('ID_NOT_FOUND');
    expect(verify(n, p.proven!).present).toBe(false);
    expect(res.headers['cache-control']).toBe('public, max-age=1');
  });

  it('answers 503 with Retry-After, never "not found", when the store cannot be read', async () => {
    const n = setup();
    const store = n.chain.store as unknown as { id: (k: string) => unknown };
    store.id = () => {
      throw new Error('disk I/O error');
    };
    const res = await n.app.inject({ method: 'GET', url: `/v1/ids/${encodeURIComponent(n.lamp)}` });
    expect(res.statusCode).toBe(503);
    expect(res.json().code).toBe('STORE_UNAVAILABLE');
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('serves 304 for a matching ETag, history, and past versions', async () => {
    const n = setup();
    const first = await n.app.inject({ method: 'GET', url: `/v1/ids/${encodeURIComponent(n.lamp)}` });
    const again = await n.app.inject({
      method: 'GET',
      url: `/v1/ids/${encodeURIComponent(n.lamp)}`,
      headers: { 'if-none-match': first.headers.etag as string },
    });
    expect(again.statusCode).toBe(304);
    expectOk(n.chain.run('id.update', { id: n.lamp, record: { type: 'lamp', attributes: { power: 30 } } }, [n.city]));
    const hist = await n.app.inject({ method: 'GET', url: `/v1/ids/${encodeURIComponent(n.lamp)}/history` });
    expect(hist.json().versions.map((v: { version: number }) => v.version)).toEqual([1, 2]);
    const v1 = await n.app.inject({ method: 'GET', url: `/v1/ids/${encodeURIComponent(n.lamp)}?version=1` });
    expect(v1.json().entry.record.attributes.power).toBe(60);
    // Version 1 proven against the certified header of the block that wrote it (protocol.md (State map) §10).
    const a1 = v1.json();
    expect(a1.header.height).toBe(a1.entry.height);
    verifyProof(fromHex(a1.header.stateRoot, 32), merkleKey(a1.key), entryHash(a1.entry), proofFromJson(a1.proof));
    expect(v1.headers['cache-control']).toContain('max-age=3600');
    const v2time = n.chain.store.idHistory(n.lamp.split(':')[0]!)[1]!.updated;
    const atV1 = await n.app.inject({ method: 'GET', url: `/v1/ids/${encodeURIComponent(n.lamp)}?at=${new Date(v2time - 1).toISOString()}` });
    expect(atV1.json().entry.version).toBe(1);
    const atV2 = await n.app.inject({ method: 'GET', url: `/v1/ids/${encodeURIComponent(n.lamp)}?at=${new Date(v2time).toISOString()}` });
    expect(atV2.json().entry.version).toBe(2);
    const changed = await n.app.inject({
      method: 'GET',
      url: `/v1/ids/${encodeURIComponent(n.lamp)}`,
      headers: { 'if-none-match': first.headers.etag as string },
    });
    expect(changed.statusCode).toBe(200);
  });

  it('answers past heights with proofs, absence included, and pruned heights with STATE_NOT_PROVABLE', async () => {
    const n = setup();
    const url = `/v1/ids/${encodeURIComponent(n.lamp)}`;
    const born = n.chain.store.idHistory(n.lamp.split(':')[0]!)[0]!.height;
    const before = await n.app.inject({ method: 'GET', url: `${url}?at=${born - 1}` });
    expect(before.statusCode).toBe(404);
    const p = before.json().proven;
    expect([before.json().code, p.entry, p.header.height]).toEqual(['ID_NOT_FOUND', null, born - 1]);
    verifyProof(fromHex(p.header.stateRoot, 32), merkleKey(p.key), null, proofFromJson(p.proof));
    // A time carries the next certified header, which shows the block is the last one before it.
    const t = n.chain.store.header(born)!.time;
    const byTime = (await n.app.inject({ method: 'GET', url: `${url}?at=${new Date(t).toISOString()}` })).json();
    expect(byTime.header.height).toBe(born);
    expect(byTime.next === undefined || byTime.next.header.time > t).toBe(true);
    for (const bad of ['yesterday', '2026-13-01T00:00:00Z', '-1', '1.5']) {
      expect((await n.app.inject({ method: 'GET', url: `${url}?at=${bad}` })).json().code, bad).toBe('HTTP_BAD_REQUEST');
    }
    expect((await n.app.inject({ method: 'GET', url: `${url}?at=1&version=1` })).statusCode).toBe(400);
    expect((await n.app.inject({ method: 'GET', url: `${url}?at=99999` })).json().code).toBe('HTTP_NOT_FOUND');
    expect((await n.app.inject({ method: 'GET', url: '/readyz' })).json().provable).toEqual({ from: 0, to: n.chain.store.head()!.height });

    const head = n.chain.store.head()!.height;
    n.chain.store.pruneHistory(head);
    const pruned = await n.app.inject({ method: 'GET', url: `${url}?at=${born}` });
    expect(pruned.statusCode).toBe(410);
    expect(pruned.json()).toMatchObject({ code: 'STATE_NOT_PROVABLE', details: { from: head, to: head, height: born } });
    expect((await n.app.inject({ method: 'GET', url: `${url}?version=1` })).json().code).toBe('STATE_NOT_PROVABLE');
    expect((await n.app.inject({ method: 'GET', url: '/readyz' })).json().provable).toEqual({ from: head, to: head });
    expect((await n.app.inject({ method: 'GET', url: `${url}?at=${head}` })).statusCode).toBe(200);
  });

  it('serves namespaces, blocks, the checkpoint and search', async () => {
    const n = setup();
    const ns = await n.app.inject({ method: 'GET', url: '/v1/ns/156' });
    expect(ns.statusCode).toBe(200);
    expect(ns.json().children.items.map((c: { ns: string }) => c.ns)).toEqual(['156.130100']);
    expect(verify(n, ns.json()).present).toBe(true);
    expect((await n.app.inject({ method: 'GET', url: '/v1/ns/999' })).json().code).toBe('NS_NOT_FOUND');
    const cp = (await n.app.inject({ method: 'GET', url: '/v1/checkpoint' })).json();
    expect(cp.header.height).toBe(n.chain.store.head()!.height);
    const b0 = (await n.app.inject({ method: 'GET', url: '/v1/blocks/0' })).json();
    expect(b0.txs[0].body.type).toBe('genesis');
    expect((await n.app.inject({ method: 'GET', url: '/v1/blocks/99999' })).statusCode).toBe(404);
    expect((await n.app.inject({ method: 'GET', url: '/v1/blocks/latest' })).json().header.height).toBe(cp.header.height);
    const lamps = (await n.app.inject({ method: 'GET', url: '/v1/search?type=lamp&limit=7' })).json();
    expect(lamps.items).toHaveLength(7);
    const rest = (await n.app.inject({ method: 'GET', url: `/v1/search?type=lamp&limit=100&cursor=${encodeURIComponent(lamps.next)}` })).json();
    expect(rest.items).toHaveLength(13);
    expect(new Set([...lamps.items, ...rest.items].map((e: { id: string }) => e.id)).size).toBe(20);
    const linked = (await n.app.inject({ method: 'GET', url: '/v1/search?linkedTo=156.130100/LAMP-000001' })).json();
    expect(linked.items.map((e: { local: string }) => e.local)).toEqual(['CAM-1']);
    const attr = (await n.app.inject({ method: 'GET', url: '/v1/search?attr.zone=north&attr.power=60&ns=156' })).json();
    expect(attr.items).toHaveLength(20);
    expect((await n.app.inject({ method: 'GET', url: '/v1/search?bogus=1' })).json().code).toBe('HTTP_BAD_REQUEST');
  });
});

describe('HTTP API: transactions', () => {
  it('accepts a signed transaction, is idempotent, and long-polls to the outcome', async () => {
    const n = setup();
    const tx = n.chain.tx('id.register', { id: '156.130100/BUS-1', record: { type: 'vehicle' } }, [n.city]);
    const r1 = await n.app.inject({ method: 'POST', url: '/v1/tx', payload: tx });
    expect(r1.statusCode).toBe(202);
    const r2 = await n.app.inject({ method: 'POST', url: '/v1/tx', payload: tx });
    expect([200, 202]).toContain(r2.statusCode);
    expect(r2.json().hash).toBe(r1.json().hash);
    const done = await n.app.inject({ method: 'GET', url: `/v1/tx/${r1.json().hash}?wait=5000` });
    expect(done.json()).toMatchObject({ status: 'committed', result: { ok: true } });
    const r3 = await n.app.inject({ method: 'POST', url: '/v1/tx', payload: tx });
    expect(r3.statusCode).toBe(200);
    expect(r3.json().height).toBe(done.json().height);
    expect(n.chain.store.id('156.130100/BUS-1')).toBeDefined();
  });

  it('refuses a stranger\'s write at admission (docs/protocol.md "Admission"): 403 with its code, and nothing reaches a block', async () => {
    const n = setup();
    const before = n.chain.store.head()!;
    const tx = n.chain.tx('id.register', { id: '156.130100/BUS-2', record: { type: 'vehicle' } }, [newSigner()]);
    const r = await n.app.inject({ method: 'POST', url: '/v1/tx', payload: tx });
    expect(r.statusCode).toBe(403);
    expect(r.json()).toMatchObject({ code: 'AUTH_NOT_REGISTRAR', details: { admission: true } });
    n.sequencer.cut();
    expect(n.chain.store.head()!.height).toBe(before.height);
    expect(n.chain.store.head()!.header.stateRoot).toBe(before.header.stateRoot);
    const hash = (await import('../../src/core/ledger/tx.js')).txHash(tx.body);
    expect((await n.app.inject({ method: 'GET', url: `/v1/tx/${hash}` })).json().code).toBe('TX_NOT_FOUND');
    // A validator still records (as invalid) whatever an ordering stream carries.
    expect(n.chain.commit(tx)[0]).toMatchObject({ ok: false, code: 'AUTH_NOT_REGISTRAR' });
  });

  it('refuses a write lacking the controllers threshold at admission, and admits the same write once co-signed', async () => {
    const n = setup();
    const other = newSigner();
    const t1 = n.chain.tx('ns.update', { ns: '156.130100', controllers: { keys: [n.city.id, other.id], threshold: 2 } }, [n.city]);
    expect((await n.app.inject({ method: 'POST', url: '/v1/tx', payload: t1 })).statusCode).toBe(202);
    n.sequencer.cut();
    const lone = n.chain.tx('ns.update', { ns: '156.130100', record: { type: 'city', attributes: { a: 1 } } }, [n.city]);
    const r = await n.app.inject({ method: 'POST', url: '/v1/tx', payload: lone });
    expect(r.statusCode).toBe(403);
    expect(r.json().code).toBe('AUTH_THRESHOLD');
    const both = n.chain.tx('ns.update', { ns: '156.130100', record: { type: 'city', attributes: { a: 1 } } }, [n.city, other]);
    expect((await n.app.inject({ method: 'POST', url: '/v1/tx', payload: both })).statusCode).toBe(202);
  });

  it('rejects bad submissions with 4xx problem documents', async () => {
    const n = setup();
    const tx = n.chain.tx('id.register', { id: '156.130100/BUS-3', record: { type: 'vehicle' } }, [n.city]);
    const forged = structuredClone(tx);
    forged.body.nonce = 'other';
    const cases: Array<[unknown, string | undefined, number, string]> = [
      [forged, 'application/json', 401, 'TX_SIGNATURE_INVALID'],
      [{ ...tx, body: { ...tx.body, chain: 'other-chain' } }, 'application/json', 400, 'TX_CHAIN_MISMATCH'],
      [{ body: {}, sigs: [] }, 'application/json', 400, 'TX_MALFORMED'],
      ['not json', 'application/json', 400, 'HTTP_JSON_INVALID'],
      ['a=b', 'application/x-www-form-urlencoded', 415, 'HTTP_UNSUPPORTED_MEDIA'],
      // A JSON text labelled text/plain is still refused by its media type (docs/api.md), not parsed.
      [tx, 'text/plain', 415, 'HTTP_UNSUPPORTED_MEDIA'],
      ['hello', 'text/plain; charset=utf-8', 415, 'HTTP_UNSUPPORTED_MEDIA'],
    ];
    for (const [payload, ct, status, code] of cases) {
      const res = await n.app.inject({
        method: 'POST',
        url: '/v1/tx',
        payload: typeof payload === 'string' ? payload : JSON.stringify(payload),
        headers: { 'content-type': ct! },
      });
      expect(res.statusCode, code).toBe(status);
      expect(res.json().code, code).toBe(code);
    }
    const huge = await n.app.inject({
      method: 'POST',
      url: '/v1/tx',
      payload: JSON.stringify({ body: { x: 'a'.repeat(2_000_000) }, sigs: [] }),
      headers: { 'content-type': 'application/json' },
    });
    expect(huge.statusCode).toBe(413);
    expect(huge.json().code).toBe('HTTP_BODY_TOO_LARGE');
    expect((await n.app.inject({ method: 'GET', url: `/v1/tx/${'0'.repeat(64)}` })).json().code).toBe('TX_NOT_FOUND');
  });

  it('answers CORS only for the configured origins', async () => {
    const n = newTestNode({ rateLimit: 0, cors: ['https://city.example'] });
    const ok = await n.app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://city.example' } });
    expect(ok.headers['access-control-allow-origin']).toBe('https://city.example');
    const other = await n.app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://elsewhere.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const open = newTestNode({ rateLimit: 0 });
    expect((await open.app.inject({ method: 'GET', url: '/healthz', headers: { origin: 'https://any.example' } })).headers['access-control-allow-origin']).toBe(
      '*',
    );
  });

  it('limits the request rate per client', async () => {
    const n = newTestNode({ rateLimit: 5 });
    const codes: number[] = [];
    for (let i = 0; i < 8; i++) codes.push((await n.app.inject({ method: 'GET', url: '/v1/blocks/0' })).statusCode);
    expect(codes.filter((c) => c === 429).length).toBeGreaterThan(0);
    const limited = await n.app.inject({ method: 'GET', url: '/v1/blocks/0' });
    expect(limited.json().code).toBe('HTTP_RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();
  });
});

describe('HTTP API: DID resolution', () => {
  it('implements the Universal Resolver binding', async () => {
    const n = setup();
    const did = formatDid(parseIdentifier(objectIdText('156.130100', 'CAM-1')));
    const full = await n.app.inject({ method: 'GET', url: `/1.0/identifiers/${did}`, headers: { accept: 'application/did-resolution' } });
    expect(full.statusCode).toBe(200);
    const r = full.json();
    expect(r.didDocument.id).toBe(did);
    expect(r.didDocument.service[0].id).toBe(`${did}#feed`);
    expect(r.didDocumentMetadata).toMatchObject({ versionId: '1' });
    expect(r.didDocumentMetadata.created).toMatch(/^\d{4}-\d\d-\d\dT/);
    const doc = await n.app.inject({ method: 'GET', url: `/1.0/identifiers/${did}`, headers: { accept: 'application/did+json' } });
    expect(doc.json().id).toBe(did);
    expect(doc.headers['content-type']).toContain('application/did+json');
    expect((await n.app.inject({ method: 'GET', url: `/1.0/identifiers/${did}`, headers: { accept: 'text/html' } })).statusCode).toBe(406);
    expect((await n.app.inject({ method: 'GET', url: '/1.0/identifiers/did:urbis:nope' })).statusCode).toBe(400);
    const missing = formatDid(parseIdentifier(objectIdText('156.130100', 'CAM-404')));
    expect((await n.app.inject({ method: 'GET', url: `/1.0/identifiers/${missing}` })).json().didResolutionMetadata.error.type).toBe(
      'https://www.w3.org/ns/did#NOT_FOUND',
    );
    expectOk(n.chain.run('id.deactivate', { id: objectIdText('156.130100', 'CAM-1') }, [n.city]));
    const gone = await n.app.inject({ method: 'GET', url: `/1.0/identifiers/${did}` });
    expect(gone.statusCode).toBe(410);
    expect(gone.json().didDocumentMetadata.deactivated).toBe(true);
  });
});

describe('HTTP API: operations', () => {
  it('serves metrics, health, readiness and the OpenAPI document', async () => {
    const n = setup();
    expect((await n.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(200);
    expect((await n.app.inject({ method: 'GET', url: '/readyz' })).json().ready).toBe(true);
    const m = await n.app.inject({ method: 'GET', url: '/metrics' });
    expect(m.body).toContain('urbis_block_height');
    const api = (await n.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(api.openapi).toBe('3.1.0');
    for (const route of n.app.printRoutes({ commonPrefix: false }).split('\n')) void route;
    for (const p of [
      '/v1/tx',
      '/v1/tx/{hash}',
      '/v1/ids/{id}',
      '/v1/ns/{ns}',
      '/v1/blocks/{height}',
      '/v1/checkpoint',
      '/v1/search',
      '/v1/events',
      '/1.0/identifiers/{didUrl}',
      '/metrics',
    ]) {
      expect(api.paths[p], p).toBeDefined();
    }
    const nf = await n.app.inject({ method: 'GET', url: '/nope' });
    expect(nf.statusCode).toBe(404);
    expect(nf.json().code).toBe('HTTP_NOT_FOUND');
  });
});

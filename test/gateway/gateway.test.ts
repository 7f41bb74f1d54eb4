// The provider gateway (docs/sharing.md) over real sockets: a node (startNode), an upstream data
// service, the gateway proxy following the node, and consumers signing with the SDK (RFC 9421).
// Every refusal reason of the issue: no grant, revoked (refused as soon as the gateway has seen the
// revoking block), expired, forged signature, replayed request, key removed from the grantee's
// controllers; plus scope, digest, authority; receipts anchored and verified.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { startNode, type RunningNode } from '../../src/node/runtime.js';
import { paths, readGenesis } from '../../src/node/data-dir.js';
import { readKeyFile } from '../../src/keys/keyfile.js';
import { UrbisClient, signerFromSeed } from '../../src/client/index.js';
import { signedFetch, signHttpRequest } from '../../src/client/signed-fetch.js';
import { objectIdText, nsIdText } from '../../src/core/ledger/names.js';
import { verifyReceiptProof, type ReceiptProof } from '../../src/core/receipts/index.js';
import { GrantView } from '../../src/gateway/view.js';
import { createGatewayServer } from '../../src/gateway/proxy.js';
import { urbisGatewayPlugin } from '../../src/index.js';
import { ReceiptBatcher } from '../../src/gateway/receipts.js';
import { newSigner, OPEN_POLICY } from '../helpers/chain.js';
import type { Signer } from '../../src/core/ledger/tx.js';

let dir: string;
let node: RunningNode;
let client: UrbisClient;
let upstream: FastifyInstance;
let gateway: FastifyInstance;
let gatewayUrl: string;
let view: GrantView;
let receipts: ReceiptBatcher;
const seen: { grantee?: string; url: string }[] = [];
const cityA = newSigner();
const cityB = newSigner();
const owner = newSigner(); // controller of the bus-positions service
const orgKey1 = newSigner(); // controllers of the traffic centre of city B
const orgKey2 = newSigner();
const otherOrg = newSigner();
const SERVICE = objectIdText('156.130100', 'BUS-GPS');
const TRAFFIC = nsIdText('156.130200.7'); // city B's traffic centre (a namespace)
const OTHER = nsIdText('156.130200.8');
const DAY = 86_400_000;

async function call(path: string, who: { grantee: string; signer: Signer }, init: { method?: string; body?: string } = {}) {
  const res = await signedFetch(`${gatewayUrl}${path}`, init, who);
  const text = await res.text();
  return {
    status: res.status,
    text,
    json: (() => {
      try {
        return JSON.parse(text);
      } catch {
        return null;
      }
    })(),
    headers: res.headers,
  };
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'urbis-gw-'));
  node = await startNode({ dir, port: 0, blockIntervalMs: 20 });
  const root = signerFromSeed((await readKeyFile(paths(dir).rootKey)).seed);
  client = new UrbisClient({ url: node.url, anchor: UrbisClient.anchorFromGenesis(readGenesis(dir)) });
  await client.createNs({ ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'country' } }, [root]);
  await client.createNs({ ns: '156.130100', controllers: { keys: [cityA.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } }, [root]);
  await client.createNs({ ns: '156.130200', controllers: { keys: [cityB.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } }, [root]);
  await client.createNs({ ns: '156.130200.7', controllers: { keys: [orgKey1.id, orgKey2.id], threshold: 1 }, record: { type: 'organisation' } }, [cityB]);
  await client.createNs({ ns: '156.130200.8', controllers: { keys: [otherOrg.id], threshold: 1 }, record: { type: 'organisation' } }, [cityB]);
  await client.registerId(
    {
      id: SERVICE,
      record: { type: 'service', services: [{ id: '#api', type: 'DataService', serviceEndpoint: 'https://bus.city-a.example/api' }] },
      controllers: { keys: [owner.id], threshold: 1 },
    },
    [cityA],
  );
  await client.grantAccess(
    {
      subject: SERVICE,
      grantee: TRAFFIC,
      scope: { access: ['read'], services: ['#api'], paths: ['/buses/'] },
      purpose: 'traffic management',
      expires: Date.now() + DAY,
    },
    [owner],
  );

  upstream = Fastify();
  upstream.all('/*', async (req) => {
    seen.push({ grantee: req.headers['urbis-grantee'] as string | undefined, url: req.url });
    return { positions: [{ bus: 7, lat: 38.04, lon: 114.51 }], path: req.url };
  });
  const upstreamUrl = await upstream.listen({ port: 0, host: '127.0.0.1' });

  view = new GrantView(client, SERVICE, { refreshMs: 50 });
  await view.start();
  receipts = new ReceiptBatcher({ client, service: SERVICE, signer: owner, intervalMs: 60_000 });
  const authorities = new Set<string>();
  gateway = createGatewayServer({ upstream: upstreamUrl, view, authorities, service: '#api', receipts });
  gatewayUrl = await gateway.listen({ port: 0, host: '127.0.0.1' });
  authorities.add(new URL(gatewayUrl).host);
}, 60_000);

afterAll(async () => {
  view?.stop();
  await gateway?.close();
  await upstream?.close();
  await node?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('provider gateway', () => {
  it('serves a granted consumer and tells the upstream who it is', async () => {
    const r = await call('/buses/7?fields=lat,lon', { grantee: TRAFFIC, signer: orgKey1 });
    expect(r.status, r.text).toBe(200);
    expect(r.json.positions[0].bus).toBe(7);
    expect(seen.at(-1)).toEqual({ grantee: TRAFFIC, url: '/buses/7?fields=lat,lon' });
    expect(r.headers.get('urbis-receipt')).toMatch(/^[0-9a-f]{64}$/);
  });

  it('guards a fastify application through app.register(urbisGatewayPlugin), child plugins included', async () => {
    const app = Fastify();
    const authorities = new Set<string>();
    await app.register(urbisGatewayPlugin, { view, authorities, service: '#api', open: (path) => path === '/health' });
    app.get('/health', async () => ({ ok: true }));
    app.get('/buses/:n', async (req) => ({ bus: Number((req.params as { n: string }).n), grantee: req.urbisAccess?.grantee, height: req.urbisAccess?.height }));
    // Routes of an encapsulated child plugin are guarded too (the plugin skips encapsulation).
    await app.register(
      async (child) => {
        child.get('/buses/:n/stops', async (req) => ({ grantee: req.urbisAccess?.grantee }));
      },
      { prefix: '' },
    );
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    authorities.add(new URL(url).host);
    try {
      const ok = await signedFetch(`${url}/buses/3`, {}, { grantee: TRAFFIC, signer: orgKey1 });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toMatchObject({ bus: 3, grantee: TRAFFIC, height: expect.any(Number) });
      const child = await signedFetch(`${url}/buses/3/stops`, {}, { grantee: TRAFFIC, signer: orgKey1 });
      expect(await child.json()).toEqual({ grantee: TRAFFIC });
      const plain = await fetch(`${url}/buses/3/stops`);
      expect(plain.status).toBe(401);
      expect(((await plain.json()) as { code: string }).code).toBe('HTTPSIG_MISSING');
      const stranger = await signedFetch(`${url}/buses/3`, {}, { grantee: OTHER, signer: otherOrg });
      expect(((await stranger.json()) as { code: string }).code).toBe('ACCESS_NO_GRANT');
      expect((await fetch(`${url}/health`)).status).toBe(200);
      // A request signed for the standalone gateway, delivered here under that name, is not for this app.
      const h = signHttpRequest({ method: 'GET', url: `${gatewayUrl}/buses/3` }, { grantee: TRAFFIC, signer: orgKey1 });
      const elsewhere = await app.inject({ method: 'GET', url: '/buses/3', headers: { ...h, host: new URL(gatewayUrl).host } });
      expect(elsewhere.json().code).toBe('ACCESS_WRONG_PROVIDER');
    } finally {
      await app.close();
    }
  });

  it('refuses a consumer without a grant, and an unsigned request, with problem documents', async () => {
    const r = await call('/buses/7', { grantee: OTHER, signer: otherOrg });
    expect(r.status).toBe(403);
    expect(r.headers.get('content-type')).toContain('application/problem+json');
    expect(r.json.code).toBe('ACCESS_NO_GRANT');
    const plain = await fetch(`${gatewayUrl}/buses/7`);
    expect(plain.status).toBe(401);
    expect(plain.headers.get('accept-signature')).toContain('"@method"');
    expect(((await plain.json()) as { code: string }).code).toBe('HTTPSIG_MISSING');
    // Claiming to be the traffic centre with a key that is not one of its controllers.
    expect((await call('/buses/7', { grantee: TRAFFIC, signer: otherOrg })).json.code).toBe('ACCESS_NOT_CONTROLLER');
  });

  it('refuses a forged signature, a replayed request, an old signature and a body that does not match its digest', async () => {
    const url = `${gatewayUrl}/buses/7`;
    const h = signHttpRequest({ method: 'GET', url }, { grantee: TRAFFIC, signer: orgKey1 });
    const sig = h.signature;
    const flipped = sig.slice(0, 10) + (sig[10] === 'A' ? 'B' : 'A') + sig.slice(11);
    const forged = await fetch(url, { headers: { ...h, signature: flipped } });
    expect(forged.status).toBe(401);
    expect(((await forged.json()) as { code: string }).code).toBe('HTTPSIG_INVALID');
    expect((await fetch(url, { headers: h })).status).toBe(200);
    const again = await fetch(url, { headers: h });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { code: string }).code).toBe('HTTPSIG_REPLAYED');
    const old = signHttpRequest({ method: 'GET', url }, { grantee: TRAFFIC, signer: orgKey1 }, { now: Date.now() - 120_000 });
    const r = await fetch(url, { headers: old });
    expect(((await r.json()) as { code: string }).code).toBe('HTTPSIG_EXPIRED');
    const body = new TextEncoder().encode('{"a":1}');
    const d = signHttpRequest({ method: 'GET', url, body }, { grantee: TRAFFIC, signer: orgKey1 });
    const swapped = await fetch(url, { method: 'POST', headers: { ...d, 'content-type': 'application/json' }, body: '{"a":2}' });
    expect(swapped.status).toBe(401); // the method changed too: the signature fails first
    const d2 = signHttpRequest({ method: 'POST', url, body }, { grantee: TRAFFIC, signer: orgKey1 });
    const r2 = await fetch(url, { method: 'POST', headers: { ...d2, 'content-type': 'application/json' }, body: '{"a":2}' });
    expect(r2.status).toBe(400);
    expect(((await r2.json()) as { code: string }).code).toBe('HTTPSIG_DIGEST_MISMATCH');
  });

  it('enforces the scope: method, path prefix (no climbing out), authority', async () => {
    expect((await call('/buses/7', { grantee: TRAFFIC, signer: orgKey1 }, { method: 'POST', body: '{}' })).json.code).toBe('ACCESS_OUT_OF_SCOPE');
    expect((await call('/stops/1', { grantee: TRAFFIC, signer: orgKey1 })).json.code).toBe('ACCESS_OUT_OF_SCOPE');
    const h = signHttpRequest({ method: 'GET', url: 'http://bus.other.example/buses/..%2fadmin' }, { grantee: TRAFFIC, signer: orgKey1 });
    const r = await gateway.inject({ method: 'GET', url: '/buses/..%2fadmin', headers: { ...h, host: 'bus.other.example' } });
    expect(r.json().code).toBe('ACCESS_WRONG_PROVIDER');
    const host = new URL(gatewayUrl).host;
    const h2 = signHttpRequest({ method: 'GET', url: `http://${host}/buses/..%2fadmin` }, { grantee: TRAFFIC, signer: orgKey1 });
    const r2 = await gateway.inject({ method: 'GET', url: '/buses/..%2fadmin', headers: { ...h2, host } });
    expect(r2.json().code).toBe('ACCESS_OUT_OF_SCOPE');
  });

  it('refuses a key removed from the grantee controllers once the gateway has seen that block', async () => {
    expect((await call('/buses/1', { grantee: TRAFFIC, signer: orgKey2 })).status).toBe(200);
    const done = await client.updateNs({ ns: '156.130200.7', controllers: { keys: [orgKey1.id], threshold: 1 } }, [orgKey1]);
    while (view.height < done.height) await view.refresh();
    expect((await call('/buses/1', { grantee: TRAFFIC, signer: orgKey2 })).json.code).toBe('ACCESS_NOT_CONTROLLER');
    expect((await call('/buses/1', { grantee: TRAFFIC, signer: orgKey1 })).status).toBe(200);
  });

  it('anchors receipts on the ledger; each one proves its request was served', async () => {
    const r = await call('/buses/9', { grantee: TRAFFIC, signer: orgKey1 });
    const leaf = r.headers.get('urbis-receipt')!;
    expect((await fetch(`${gatewayUrl}/.well-known/urbis/receipts/${leaf}`)).status).toBe(404);
    await receipts.flush();
    const p = (await (await fetch(`${gatewayUrl}/.well-known/urbis/receipts/${leaf}`)).json()) as ReceiptProof;
    expect(p.receipt).toMatchObject({ grantee: TRAFFIC, method: 'GET', path: '/buses/9', status: 200, service: SERVICE });
    verifyReceiptProof(p);
    const st = await client.status(p.anchorTx!);
    expect(st.status).toBe('committed');
    const block = await client.block((st as { height: number }).height);
    const tx = block.txs[(st as { index: number }).index] as { body: { type: string; payload: { root: string } } };
    expect(tx.body).toMatchObject({ type: 'receipts.anchor', payload: { root: p.root } });
  });

  it('refuses a revoked grant as soon as the gateway has seen the revoking block, and an expired one', async () => {
    expect((await call('/buses/7', { grantee: TRAFFIC, signer: orgKey1 })).status).toBe(200);
    const done = await client.revokeAccess({ subject: SERVICE, grantee: TRAFFIC }, [owner]);
    while (view.height < done.height) await view.refresh();
    const r = await call('/buses/7', { grantee: TRAFFIC, signer: orgKey1 });
    expect(r.status).toBe(403);
    expect(r.json.code).toBe('ACCESS_GRANT_REVOKED');
    // Granted again, for one second.
    const g = await client.grantAccess({ subject: SERVICE, grantee: OTHER, scope: { access: ['read'] }, purpose: 'trial', expires: Date.now() + 1500 }, [
      owner,
    ]);
    while (view.height < g.height) await view.refresh();
    expect((await call('/buses/7', { grantee: OTHER, signer: otherOrg })).status).toBe(200);
    await new Promise((res) => setTimeout(res, 1600));
    expect((await call('/buses/7', { grantee: OTHER, signer: otherOrg })).json.code).toBe('ACCESS_GRANT_EXPIRED');
  });

  it('lists and proves grants through the SDK', async () => {
    const one = await client.grant(SERVICE, TRAFFIC);
    expect(one.present && one.entry.status).toBe('revoked');
    const none = await client.grant(SERVICE, nsIdText('156.130200'));
    expect(none.present).toBe(false);
    const all = await client.grants(SERVICE);
    expect(all.items.map((i) => i.entry?.grantee).sort()).toEqual([TRAFFIC, OTHER].sort());
  });
});

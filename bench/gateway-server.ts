/**
 * The servers of bench/gateway.ts, in one process apart from the load generator: a single-node
 * ledger (startNode) with a service, a grantee and its grant; an upstream data service; a bare
 * reverse proxy to it (the reference: forwarding without any check); the provider gateway to it
 * (signature, nonce, grantee keys and grant, proven and cached per block height); and the same
 * gateway with access receipts anchored every second.
 *
 * Prints one JSON line: the URLs, the grantee and the seed of its key (a throwaway key of a
 * throwaway ledger). Then one line per anchored receipt batch: `{anchored: count}`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify from 'fastify';
import { startNode } from '../src/node/runtime.js';
import { paths, readGenesis } from '../src/node/data-dir.js';
import { readKeyFile } from '../src/keys/keyfile.js';
import { UrbisClient, signerFromSeed } from '../src/client/index.js';
import { generateSeed, toBase64url } from '../src/core/index.js';
import { nsIdText, objectIdText } from '../src/core/ledger/names.js';
import { GrantView } from '../src/gateway/view.js';
import { createGatewayServer } from '../src/gateway/proxy.js';
import { ReceiptBatcher } from '../src/gateway/receipts.js';

const OPEN = { children: { charset: 'alnum' as const, minLength: 1, maxLength: 16 }, ids: { charset: 'alnum' as const, minLength: 1, maxLength: 64 } };
const dir = mkdtempSync(join(tmpdir(), 'urbis-bench-gw-'));
const node = await startNode({ dir, port: 0, blockIntervalMs: 50 });
const root = signerFromSeed((await readKeyFile(paths(dir).rootKey)).seed);
const client = new UrbisClient({ url: node.url, anchor: UrbisClient.anchorFromGenesis(readGenesis(dir)) });
const owner = signerFromSeed(generateSeed());
const orgSeed = generateSeed();
const org = signerFromSeed(orgSeed);
const SERVICE = objectIdText('156.130100', 'BUS-GPS');
const ORG = nsIdText('156.130200.7');
await client.createNs({ ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN, record: { type: 'country' } }, [root]);
await client.createNs({ ns: '156.130100', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN, record: { type: 'city' } }, [root]);
await client.createNs({ ns: '156.130200', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN, record: { type: 'city' } }, [root]);
await client.createNs({ ns: '156.130200.7', controllers: { keys: [org.id], threshold: 1 }, record: { type: 'organisation' } }, [root]);
await client.registerId({ id: SERVICE, record: { type: 'service' }, controllers: { keys: [owner.id], threshold: 1 } }, [root]);
await client.grantAccess({ subject: SERVICE, grantee: ORG, scope: { access: ['read'] }, purpose: 'benchmark', expires: Date.now() + 86_400_000 }, [owner]);

// The upstream: a small JSON document, like a feed of bus positions.
const body = { buses: Array.from({ length: 10 }, (_, i) => ({ id: i, lat: 38.04 + i / 1000, lon: 114.51 })) };
const upstream = Fastify({ logger: false });
upstream.get('/*', async () => body);
const upstreamUrl = await upstream.listen({ port: 0, host: '127.0.0.1' });

// The reference: the same forwarding (fetch to the upstream, body buffered) without any check.
const bare = Fastify({ logger: false });
bare.get('/*', async (req, reply) => {
  const res = await fetch(upstreamUrl + req.url);
  return reply
    .code(res.status)
    .type(res.headers.get('content-type') ?? 'application/octet-stream')
    .send(Buffer.from(await res.arrayBuffer()));
});
const bareUrl = await bare.listen({ port: 0, host: '127.0.0.1' });

async function gateway(withReceipts: boolean): Promise<string> {
  const view = new GrantView(client, SERVICE, { feed: true });
  await view.start();
  const authorities = new Set<string>();
  const receipts = withReceipts
    ? new ReceiptBatcher({
        client,
        service: SERVICE,
        signer: owner,
        intervalMs: 1000,
        onAnchored: (a) => process.stdout.write(`${JSON.stringify({ anchored: a.count })}\n`),
      })
    : undefined;
  receipts?.start();
  const app = createGatewayServer({ upstream: upstreamUrl, view, authorities, ...(receipts ? { receipts } : {}) });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  authorities.add(new URL(url).host);
  return url;
}
const gatewayUrl = await gateway(false);
const receiptsUrl = await gateway(true);

process.stdout.write(
  `${JSON.stringify({ upstream: upstreamUrl, bare: bareUrl, gateway: gatewayUrl, receipts: receiptsUrl, grantee: ORG, seed: toBase64url(orgSeed) })}\n`,
);
process.on('SIGTERM', () => {
  void node.close().finally(() => {
    rmSync(dir, { recursive: true, force: true });
    process.exit(0);
  });
});

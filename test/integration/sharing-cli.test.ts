// Data sharing with real processes and the CLI (docs/sharing.md): a node process, `urbis grant
// issue`, `urbis gateway` (with receipts) in front of an upstream, `urbis fetch` as a granted
// consumer and with a key that is not the grantee's, and `urbis receipts verify` on an anchored
// receipt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { UrbisClient, signerFromSeed, signedFetch } from '../../src/client/index.js';
import { readKeyFile, writeKeyFile } from '../../src/keys/keyfile.js';
import { nsIdText, objectIdText } from '../../src/core/ledger/names.js';
import { generateSeed } from '../../src/core/crypto/index.js';
import { runCli, startNodeProcess, type NodeProcess } from '../helpers/processes.js';
import { until } from '../helpers/network.js';
import { OPEN_POLICY } from '../helpers/chain.js';

const dir = mkdtempSync(join(tmpdir(), 'urbis-share-'));
const data = join(dir, 'node');
const genesis = join(data, 'genesis.json');
let node: NodeProcess;
let gw: NodeProcess;
let upstream: FastifyInstance;
const SERVICE = objectIdText('156.130100', 'BUS-GPS');
const ORG = nsIdText('156.130200.7');
const ownerSeed = generateSeed();
const orgSeed = generateSeed();
const strangerSeed = generateSeed();

beforeAll(async () => {
  node = await startNodeProcess(['node', 'start', '--dir', data, '--port', '0', '--no-demo', '--json', '--block-interval-ms', '20']);
  for (const [f, s] of [
    ['owner.key', ownerSeed],
    ['org.key', orgSeed],
    ['stranger.key', strangerSeed],
  ] as const)
    await writeKeyFile(join(dir, f), s);
  const root = signerFromSeed((await readKeyFile(join(data, 'keys', 'root.key'))).seed);
  const owner = signerFromSeed(ownerSeed);
  const org = signerFromSeed(orgSeed);
  const client = new UrbisClient({ url: node.url, anchor: UrbisClient.anchorFromGenesis((await import(genesis, { with: { type: 'json' } })).default) });
  await client.createNs({ ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'country' } }, [root]);
  await client.createNs({ ns: '156.130100', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } }, [root]);
  await client.createNs({ ns: '156.130200', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } }, [root]);
  await client.createNs({ ns: '156.130200.7', controllers: { keys: [org.id], threshold: 1 }, record: { type: 'organisation' } }, [root]);
  await client.registerId({ id: SERVICE, record: { type: 'service' }, controllers: { keys: [owner.id], threshold: 1 } }, [root]);
  upstream = Fastify();
  upstream.get('/*', async (req) => ({ grantee: req.headers['urbis-grantee'], path: req.url }));
  await upstream.listen({ port: 0, host: '127.0.0.1' });
}, 90_000);

afterAll(async () => {
  gw?.kill('SIGTERM');
  await gw?.exited;
  node?.kill('SIGTERM');
  await node?.exited;
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('data sharing through the CLI', () => {
  it('grants, gates, fetches, refuses and verifies a receipt', async () => {
    const common = ['--node', node.url, '--genesis', genesis];
    const issued = await runCli([
      'grant',
      'issue',
      SERVICE,
      ORG,
      '--read',
      '--purpose',
      'traffic',
      '--expires',
      '+1d',
      '--key',
      join(dir, 'owner.key'),
      ...common,
      '--json',
    ]);
    expect(JSON.parse(issued.stdout)).toMatchObject({ ok: true, subject: SERVICE, grantee: ORG });

    const up = `http://127.0.0.1:${(upstream.server.address() as { port: number }).port}`;
    gw = await startNodeProcess(
      [
        'gateway',
        '--upstream',
        up,
        '--service',
        SERVICE,
        ...common,
        '--port',
        '0',
        '--json',
        '--receipts',
        '--receipts-interval-ms',
        '300',
        '--refresh-ms',
        '100',
      ],
      { URBIS_KEY_FILE: join(dir, 'owner.key') },
    );

    const ok = await runCli(['fetch', `${gw.url}/buses/7?x=1`, '--as', ORG, '--key', join(dir, 'org.key'), '--json']);
    expect(JSON.parse(ok.stdout)).toMatchObject({ status: 200, body: { grantee: ORG, path: '/buses/7?x=1' } });

    const refused = await runCli(['fetch', `${gw.url}/buses/7`, '--as', ORG, '--key', join(dir, 'stranger.key')], { expect: 4 });
    expect(refused.stderr).toContain('ACCESS_NOT_CONTROLLER');

    const res = await signedFetch(`${gw.url}/buses/8`, {}, { grantee: ORG, signer: signerFromSeed(orgSeed) });
    expect(res.status).toBe(200);
    const leaf = res.headers.get('urbis-receipt')!;
    const receiptUrl = `${gw.url}/.well-known/urbis/receipts/${leaf}`;
    await until('the receipt anchored', async () => (await fetch(receiptUrl)).status === 200, 20_000, 200);
    const verified = await runCli(['receipts', 'verify', receiptUrl, ...common, '--json']);
    expect(JSON.parse(verified.stdout)).toMatchObject({ ok: true, receipt: { path: '/buses/8', grantee: ORG, status: 200 } });
  }, 90_000);
});

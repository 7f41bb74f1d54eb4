// Data sharing between two cities on a real JetStream network (docs/sharing.md): node1 is city A's,
// node2 city B's, both publishing the change feed on NATS (--publish-changes); `urbis mqtt-bridge`
// forwards city A's subjects to a Mosquitto broker the test starts. City A's bus-positions service
// is behind a gateway following node1 (change feed on, polling slowed down so that only the feed can
// deliver a revocation in time); city B's traffic centre holds a grant, fetches with an RFC 9421
// signed request, is refused once the grant is revoked on the ledger; receipts are anchored and
// verified from city B's node.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import mqtt, { type MqttClient } from 'mqtt';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { LocalNetwork } from '../../src/network/local.js';
import { freePort } from '../../src/network/nats-cluster.js';
import { UrbisClient, signedFetch } from '../../src/client/index.js';
import { nsIdText, objectIdText } from '../../src/core/ledger/names.js';
import { verifyReceiptProof, type ReceiptProof } from '../../src/core/receipts/index.js';
import { GrantView } from '../../src/gateway/view.js';
import { createGatewayServer } from '../../src/gateway/proxy.js';
import { ReceiptBatcher } from '../../src/gateway/receipts.js';
import type { ChangeMessage } from '../../src/network/changes.js';
import { newSigner, OPEN_POLICY } from '../helpers/chain.js';
import { until } from '../helpers/network.js';
import { BIN } from '../helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'urbis-share-net-'));
let net: LocalNetwork;
let mosquitto: ChildProcess;
let bridge: ChildProcess;
let bridgeOut = '';
let sub: MqttClient;
let nc: NatsConnection;
let upstream: FastifyInstance;
let gateway: FastifyInstance;
let gatewayUrl: string;
let view: GrantView;
let receipts: ReceiptBatcher;
let clientA: UrbisClient; // city A's node
let clientB: UrbisClient; // city B's node
const natsSeen: { subject: string; m: ChangeMessage }[] = [];
const mqttSeen: { topic: string; m: ChangeMessage }[] = [];
const cityA = newSigner();
const cityB = newSigner();
const owner = newSigner(); // controls city A's bus-positions service
const traffic = newSigner(); // controls city B's traffic centre
const SERVICE = objectIdText('156.130100', 'BUS-GPS');
const TRAFFIC = nsIdText('156.130200.7');

function mosquittoBinary(): string {
  for (const p of ['/usr/sbin/mosquitto', '/usr/bin/mosquitto', '/usr/local/sbin/mosquitto']) if (existsSync(p)) return p;
  return 'mosquitto';
}

/** Starts a process and resolves once `ready` matches its output. */
function startProcess(cmd: string, args: string[], ready: RegExp, onOut: (s: string) => void = () => {}): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`${cmd} did not start: ${out}`)), 60_000);
    const data = (d: Buffer) => {
      out += d;
      onOut(d.toString());
      if (ready.test(out)) {
        clearTimeout(timer);
        resolve(child);
      }
    };
    child.stdout!.on('data', data);
    child.stderr!.on('data', data);
    child.once('exit', (c) => {
      clearTimeout(timer);
      reject(new Error(`${cmd} exited ${c}: ${out}`));
    });
  });
}

beforeAll(async () => {
  net = await LocalNetwork.start({ dir: join(dir, 'net'), nodes: 2, blockIntervalMs: 20, nodeArgs: ['--publish-changes'] });
  const anchor = UrbisClient.anchorFromGenesis(net.genesis);
  clientA = new UrbisClient({ url: net.nodes[0]!.url, anchor });
  clientB = new UrbisClient({ url: net.nodes[1]!.url, anchor });

  // A NATS subscriber of city A's namespace, everything below it (docs/sharing.md "Real-time feeds").
  nc = await connect({ servers: net.nats.urls() });
  const natsSub = nc.subscribe(`urbis.${net.chainId}.changes.156.130100.>`);
  void (async () => {
    for await (const m of natsSub) natsSeen.push({ subject: m.subject, m: JSON.parse(m.string()) as ChangeMessage });
  })();

  // Mosquitto on a free loopback port with its own config; never the system broker.
  const port = await freePort();
  mkdirSync(join(dir, 'mqtt'), { recursive: true });
  const conf = join(dir, 'mqtt', 'mosquitto.conf');
  writeFileSync(conf, `listener ${port} 127.0.0.1\nallow_anonymous true\npersistence false\n`);
  mosquitto = await startProcess(mosquittoBinary(), ['-c', conf, '-v'], /\brunning\b/);
  const mqttUrl = `mqtt://127.0.0.1:${port}`;
  sub = await mqtt.connectAsync(mqttUrl, { clientId: `urbis-test-${process.pid}` });
  await sub.subscribeAsync(`urbis/${net.chainId}/changes/#`, { qos: 1 });
  sub.on('message', (topic, payload) => mqttSeen.push({ topic, m: JSON.parse(payload.toString()) as ChangeMessage }));
  bridge = await startProcess(
    process.execPath,
    [BIN, 'mqtt-bridge', '--network', net.networkFile, '--mqtt', mqttUrl, '--ns', '156.130100', '--json'],
    /"subject"/,
    (s) => (bridgeOut += s),
  );

  // The two cities, city B's traffic centre, city A's service and its grant to the traffic centre.
  const root = net.root;
  await clientA.createNs({ ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'country' } }, [root]);
  await clientA.createNs({ ns: '156.130100', controllers: { keys: [cityA.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } }, [root]);
  await clientB.createNs({ ns: '156.130200', controllers: { keys: [cityB.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } }, [root]);
  await clientB.createNs({ ns: '156.130200.7', controllers: { keys: [traffic.id], threshold: 1 }, record: { type: 'organisation' } }, [cityB]);
  await clientA.registerId(
    {
      id: SERVICE,
      record: { type: 'service', services: [{ id: '#api', type: 'DataService', serviceEndpoint: 'https://bus.city-a.example/api' }] },
      controllers: { keys: [owner.id], threshold: 1 },
    },
    [cityA],
  );
  await clientA.grantAccess(
    { subject: SERVICE, grantee: TRAFFIC, scope: { access: ['read'], services: ['#api'] }, purpose: 'traffic management', expires: Date.now() + 86_400_000 },
    [owner],
  );

  upstream = Fastify();
  upstream.get('/*', async (req) => ({ buses: [{ id: 7, lat: 38.04, lon: 114.51 }], grantee: req.headers['urbis-grantee'] }));
  const upstreamUrl = await upstream.listen({ port: 0, host: '127.0.0.1' });
  // The poll is slowed to a minute: a revocation reaches the gateway through the node's change feed.
  view = new GrantView(clientA, SERVICE, { feed: true, refreshMs: 60_000 });
  await view.start();
  receipts = new ReceiptBatcher({ client: clientA, service: SERVICE, signer: owner, intervalMs: 60_000 });
  const authorities = new Set<string>();
  gateway = createGatewayServer({ upstream: upstreamUrl, view, authorities, service: '#api', receipts });
  gatewayUrl = await gateway.listen({ port: 0, host: '127.0.0.1' });
  authorities.add(new URL(gatewayUrl).host);
}, 120_000);

afterAll(async () => {
  view?.stop();
  await gateway?.close();
  await upstream?.close();
  bridge?.kill('SIGTERM');
  await sub?.endAsync().catch(() => undefined);
  await nc?.close().catch(() => undefined);
  mosquitto?.kill('SIGTERM');
  await net?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('two cities sharing data over a JetStream network', () => {
  it('publishes changes per namespace on NATS and, through the bridge, on MQTT; each one leads to its proof', async () => {
    const reg = await until('the service registration on NATS', async () => natsSeen.find((s) => s.m.kind === 'id' && s.m.id === SERVICE));
    expect(reg.subject).toBe(`urbis.${net.chainId}.changes.156.130100.id`);
    expect(reg.m).toMatchObject({ chain: net.chainId, kind: 'id', ns: '156.130100', type: 'service', status: 'active' });
    // The grant goes to its subject's namespace.
    const grant = await until('the grant on NATS', async () => natsSeen.find((s) => s.m.kind === 'grant'));
    expect(grant.subject).toBe(`urbis.${net.chainId}.changes.156.130100.grant`);
    // City B's namespaces are not under 156.130100.>.
    expect(natsSeen.some((s) => s.m.ns?.startsWith('156.130200'))).toBe(false);

    // The message is a pointer, not a proof: the subscriber resolves it, verified against genesis.
    const proven = await clientB.resolve(reg.m.id!);
    expect(proven.present && proven.entry.tx).toBe(reg.m.tx);
    expect(proven.present && proven.entry.height).toBe(reg.m.height);

    // Both nodes publish (each its own copy on NATS, same message id) ...
    await until('the copy of the other node', async () => natsSeen.filter((s) => s.m.kind === 'id' && s.m.id === SERVICE).length >= 2);
    // ... and MQTT gets the same events, one topic level per namespace segment, once each.
    const onMqtt = await until('the registration on MQTT', async () => mqttSeen.find((s) => s.m.kind === 'id' && s.m.id === SERVICE));
    expect(onMqtt.topic).toBe(`urbis/${net.chainId}/changes/156/130100/id`);
    expect(onMqtt.m).toEqual(reg.m);
    await until('the grant on MQTT', async () => mqttSeen.find((s) => s.topic === `urbis/${net.chainId}/changes/156/130100/grant`));
    const ids = mqttSeen.map((s) => `${s.m.height}.${s.m.seq}`);
    expect(new Set(ids).size).toBe(ids.length);
    // --ns 156.130100: city B's changes and the country's stay off the broker.
    expect(mqttSeen.every((s) => s.topic.startsWith(`urbis/${net.chainId}/changes/156/130100/`))).toBe(true);
    expect(bridgeOut).toContain(`urbis.${net.chainId}.changes.156.130100.>`);
  }, 60_000);

  it("city B's traffic centre fetches through city A's gateway until the grant is revoked on the ledger", async () => {
    const who = { grantee: TRAFFIC, signer: traffic };
    const ok = await signedFetch(`${gatewayUrl}/api/buses`, {}, who);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ grantee: TRAFFIC });
    const leaf = ok.headers.get('urbis-receipt')!;

    // City A's owner revokes through city B's node: any node orders it for the whole network.
    const done = await clientB.revokeAccess({ subject: SERVICE, grantee: TRAFFIC }, [owner]);
    // The gateway polls once a minute: only the change feed can bring the revoking block this soon.
    await until('the gateway to see the revoking block', async () => view.height >= done.height, 30_000, 50);
    const refused = await signedFetch(`${gatewayUrl}/api/buses`, {}, who);
    expect(refused.status).toBe(403);
    expect(((await refused.json()) as { code: string }).code).toBe('ACCESS_GRANT_REVOKED');

    // The receipt of the served request: anchored by city A's gateway, verified from city B's node.
    await receipts.flush();
    const p = (await (await fetch(`${gatewayUrl}/.well-known/urbis/receipts/${leaf}`)).json()) as ReceiptProof;
    expect(p.receipt).toMatchObject({ grantee: TRAFFIC, path: '/api/buses', status: 200, service: SERVICE });
    verifyReceiptProof(p);
    const st = await until('the anchor on city B', async () => {
      const s = await clientB.status(p.anchorTx!);
      return s.status === 'committed' ? (s as { height: number; index: number }) : null;
    });
    const block = await clientB.block(st.height);
    const tx = block.txs[st.index] as { body: { type: string; payload: { root: string } } };
    expect(tx.body).toMatchObject({ type: 'receipts.anchor', payload: { root: p.root } });
  }, 60_000);
});

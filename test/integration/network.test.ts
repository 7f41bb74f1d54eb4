/**
 * A multi-city network with real processes (docs/network.md): 3 nats-server forming a JetStream
 * cluster and 4 city nodes, each `urbis node start --network`. Happy path (any node accepts, every
 * node answers with a quorum certificate the SDK check accepts, byte-identical headers everywhere),
 * governance (a 5th validator added by the root authority; later blocks need 4 of 5), a duplicate-member
 * transaction published straight to the stream (recorded invalid everywhere), a read replica
 * following the streams, and a node joining from a certified snapshot.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/platform/node.js';
import { checkCertificate, headerHash, isQuorum, validatorsHash } from '../../src/core/ledger/block.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import { verifyProvenEntry, type TrustAnchor } from '../../src/core/ledger/verify.js';
import { verifyCheckpointNote } from '../../src/core/ledger/checkpoint.js';
import { proofFromJson } from '../../src/core/merkle/index.js';
import { LocalNetwork } from '../../src/network/local.js';
import { connect } from '@nats-io/transport-node';
import { jetstream } from '@nats-io/jetstream';
import { OPEN_POLICY, converged, getJson, logs, submit, submitAndWait, tx, until } from '../helpers/network.js';

const dir = mkdtempSync(join(tmpdir(), 'urbis-net-'));
let net: LocalNetwork;
let anchor: TrustAnchor;

beforeAll(async () => {
  net = await LocalNetwork.start({ dir, nodes: 4, blockIntervalMs: 20, maxBlockTxs: 500 });
  anchor = { chainId: net.chainId, validators: net.genesis.body.payload.validators };
}, 90_000);

afterAll(async () => {
  await net?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

/** Resolves an identifier on a node and checks the answer like the SDK does. */
async function resolveVerified(url: string, id: string) {
  const r = await getJson(`${url}/v1/ids/${encodeURIComponent(id)}`);
  expect(r.status, `${url} ${JSON.stringify(r.body).slice(0, 300)}`).toBe(200);
  const a = r.body;
  const v = verifyProvenEntry({ key: a.key, entry: a.entry, proof: proofFromJson(a.proof), header: a.header, cert: a.cert }, anchor);
  return { answer: a, verified: v };
}

describe('a network of 4 validators on a 3-server JetStream cluster', () => {
  it('orders a transaction submitted to any node; every node answers with a certified header', async () => {
    const root = net.root;
    const [n1, n2, n3, n4] = net.nodes.map((n) => n.url) as [string, string, string, string];
    await submitAndWait(
      n1,
      tx(net.chainId, 'ns.create', { ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'country' } }, [root]),
    );
    await submitAndWait(
      n2,
      tx(net.chainId, 'ns.create', { ns: '156.130100', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } }, [root]),
    );
    const reg = tx(net.chainId, 'id.register', { id: '156.130100/LAMP-1', record: { type: 'lamp', attributes: { h: 8 } } }, [root]);
    const { height } = await submitAndWait(n3, reg);
    // A retried submission is ordered once: same hash, same outcome, on another node too.
    const again = await submit(n4, reg);
    expect([200, 202]).toContain(again.status);
    const id = objectIdText('156.130100', 'LAMP-1');
    for (const url of [n1, n2, n3, n4]) {
      await until(`${url} at height ${height}`, async () => ((await getJson(`${url}/readyz`)).body.height ?? -1) >= height);
      const { answer, verified } = await resolveVerified(url, id);
      expect(verified.present).toBe(true);
      expect(answer.cert.sigs.length).toBeGreaterThanOrEqual(3);
      expect(isQuorum(checkCertificate(answer.cert, anchor.validators).valid.length, 4)).toBe(true);
    }
    // The duplicate was deduplicated by the stream (or rejected as a replay): LAMP-1 is at version 1.
    const { answer } = await resolveVerified(n2, id);
    expect(answer.entry.version).toBe(1);
  });

  it('derives byte-identical blocks on every node', async () => {
    const urls = net.nodes.map((n) => n.url);
    const top = await converged(urls, 3);
    for (let h = 0; h <= top.height; h++) {
      const blocks = await Promise.all(urls.map((u) => fetch(`${u}/v1/blocks/${h}`).then((r) => r.json() as Promise<any>)));
      const headers = blocks.map((b) => JSON.stringify(b.header));
      expect(new Set(headers).size, `block ${h}`).toBe(1);
      expect(new Set(blocks.map((b) => JSON.stringify(b.txs))).size).toBe(1);
      expect(blocks[0].headerHash).toBe(headerHash(blocks[0].header));
    }
  });

  it('every node serves the checkpoint note with a quorum of validator note signatures, gathered beside the header signatures', async () => {
    const urls = net.nodes.map((n) => n.url);
    const top = await converged(urls, 3);
    for (const u of urls) {
      for (const size of [0, top.height]) {
        const r = await fetch(`${u}/v1/checkpoint/note?size=${size}`);
        expect(r.status, `${u} checkpoint ${size}`).toBe(200);
        const cp = verifyCheckpointNote(await r.text(), anchor);
        expect(cp.size).toBe(size);
        expect(cp.validators.length).toBeGreaterThanOrEqual(3);
      }
    }
  });

  it('records a transaction published straight to the stream with a duplicate JSON member as invalid (TX_NOT_CANONICAL) on every node', async () => {
    const urls = net.nodes.map((n) => n.url);
    const id = objectIdText('156.130100', 'DUP-1');
    const t = tx(net.chainId, 'id.register', { id, record: { type: 'lamp' } }, [net.root]);
    // JSON.parse reads the last "id", which is the signed one: executed, this reading would be valid.
    const dup = JSON.stringify(t).replace(`"id":"${id}"`, `"id":"${objectIdText('156.130100', 'DUP-2')}","id":"${id}"`);
    expect(JSON.parse(dup)).toEqual(t);
    const from = (await getJson(`${urls[0]}/readyz`)).body.height as number;
    // A stranger with access to the NATS cluster bypasses the nodes' admission.
    const nc = await connect({ servers: net.nats.servers.filter((x) => x.child).map((x) => x.url), timeout: 5000 });
    try {
      await jetstream(nc).publish(`urbis.${net.chainId}.tx`, new TextEncoder().encode(dup));
    } finally {
      await nc.close();
    }
    const found = await until('the block carrying the duplicate-member transaction', async () => {
      const top = (await getJson(`${urls[0]}/readyz`)).body.height as number;
      for (let h = from + 1; h <= top; h++) {
        const b = (await getJson(`${urls[0]}/v1/blocks/${h}`)).body;
        const i = (b.txs as unknown[]).indexOf(dup);
        if (i >= 0) return { height: h, index: i };
      }
      return null;
    });
    for (const url of urls) {
      await until(`${url} at height ${found.height}`, async () => ((await getJson(`${url}/readyz`)).body.height ?? -1) >= found.height);
      const b = (await getJson(`${url}/v1/blocks/${found.height}`)).body;
      expect(b.txs[found.index]).toBe(dup);
      expect(b.results[found.index]).toMatchObject({ ok: false, code: 'TX_NOT_CANONICAL' });
      expect((await getJson(`${url}/v1/ids/${encodeURIComponent(id)}`)).status).toBe(404);
    }
    // Its signature was not spent: the same transaction, sent canonically through a node, commits.
    await submitAndWait(urls[1]!, t);
  });

  it('a read replica follows the streams and serves verified answers; it refuses writes', async () => {
    const replica = await net.addNode();
    await net.startNode(replica.name);
    const top = await converged([net.nodes[0]!.url, replica.url], 3);
    expect(top.height).toBeGreaterThanOrEqual(3);
    const ready = await getJson(`${replica.url}/readyz`);
    expect(ready.body).toMatchObject({ ready: true, role: 'replica' });
    const { verified } = await resolveVerified(replica.url, objectIdText('156.130100', 'LAMP-1'));
    expect(verified.present).toBe(true);
    const w = await submit(replica.url, tx(net.chainId, 'id.register', { id: '156.130100/LAMP-R', record: { type: 'lamp' } }, [net.root]));
    expect(w.status).toBe(503);
    // New blocks reach the replica too.
    const { height } = await submitAndWait(
      net.nodes[0]!.url,
      tx(net.chainId, 'id.register', { id: '156.130100/LAMP-2', record: { type: 'lamp' } }, [net.root]),
    );
    await converged([net.nodes[0]!.url, replica.url], height);
    await resolveVerified(replica.url, objectIdText('156.130100', 'LAMP-2'));
  });

  it('a new node joins from a certified snapshot, then is made a 5th validator by the root authority', async () => {
    const n1 = net.nodes[0]!.url;
    // Some history first, so the snapshot is not trivial.
    const batch = Array.from({ length: 40 }, (_, i) => tx(net.chainId, 'id.register', { id: `156.130100/CAM-${i}`, record: { type: 'camera' } }, [net.root]));
    for (const t of batch) expect([200, 202]).toContain((await submit(net.nodes[i(4)]!.url, t)).status);
    await submitAndWait(n1, tx(net.chainId, 'id.register', { id: '156.130100/CAM-LAST', record: { type: 'camera' } }, [net.root]));

    const fifth = await net.addNode({ key: true });
    await net.startNode(fifth.name, ['--snapshot-from', n1]);
    expect(fifth.log.join('\n')).toMatch(/imported a certified snapshot at height \d+/);
    const validators = net.nodes.slice(0, 4).map((n) => n.key!);
    await converged([n1, fifth.url]);
    expect((await getJson(`${fifth.url}/readyz`)).body).toMatchObject({ ready: true, role: 'standby' });
    await resolveVerified(fifth.url, objectIdText('156.130100', 'CAM-39'));

    // Governance: the root authority adds the 5th validator; it takes effect at the next height.
    const change = await submitAndWait(n1, tx(net.chainId, 'chain.validators', { validators: [...validators, fifth.key!].sort() }, [net.root]));
    const changeBlock = (await getJson(`${n1}/v1/blocks/${change.height}`)).body;
    expect(changeBlock.header.nextValidators).toBe(validatorsHash([...validators, fifth.key!]));
    await until('the 5th node to see itself as validator', async () => (await getJson(`${fifth.url}/readyz`)).body.role === 'validator');

    const after = await submitAndWait(
      net.nodes[1]!.url,
      tx(net.chainId, 'id.register', { id: '156.130100/CAM-AFTER', record: { type: 'camera' } }, [net.root]),
    );
    expect(after.height).toBeGreaterThan(change.height);
    const all = [...net.nodes.slice(0, 4).map((n) => n.url), fifth.url];
    await converged(all, after.height);
    const newSet = [...validators, fifth.key!];
    const block = (await getJson(`${fifth.url}/v1/blocks/${after.height}`)).body;
    // 4 of 5 are needed from now on: the certificate holds at least 4 valid signatures of the new set.
    const check = checkCertificate(block.cert, newSet);
    expect(check.valid.length, logs(net)).toBeGreaterThanOrEqual(4);
    expect(isQuorum(3, 5)).toBe(false);
    // With one validator down, 4 of 5 remain: blocks are still finalised, with the 5th signing.
    await net.stopNode('node4');
    const more = await submitAndWait(n1, tx(net.chainId, 'id.register', { id: '156.130100/CAM-LATER', record: { type: 'camera' } }, [net.root]));
    const moreBlock = (await getJson(`${n1}/v1/blocks/${more.height}`)).body;
    expect(checkCertificate(moreBlock.cert, newSet).valid).toContain(fifth.key!);
    await net.startNode('node4');
  });
});

let rr = 0;
function i(n: number): number {
  return rr++ % n;
}

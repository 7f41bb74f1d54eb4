/**
 * Heartbeat blocks on a network (docs/network.md "Heartbeat"): an idle network cuts empty blocks
 * from ticks once the head is `heartbeatMs` old by the stream's clock; every node cuts the same
 * ones, and they are certified like any block, so a reader's maximum age holds on an idle chain.
 * Short on purpose: 3 validators, a 1 s heartbeat.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/platform/node.js';
import { checkCertificate, isQuorum } from '../../src/core/ledger/block.js';
import { UrbisClient } from '../../src/client/client.js';
import { LocalNetwork } from '../../src/network/local.js';
import { getJson, until } from '../helpers/network.js';

const dir = mkdtempSync(join(tmpdir(), 'urbis-net-hb-'));
let net: LocalNetwork;

beforeAll(async () => {
  net = await LocalNetwork.start({ dir, nodes: 3, blockIntervalMs: 20, extra: { heartbeatMs: 1000 } });
}, 90_000);

afterAll(async () => {
  await net?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('an idle network', () => {
  it('cuts certified empty blocks every heartbeat, the same on every node', async () => {
    const urls = net.nodes.map((n) => n.url);
    const validators = net.genesis.body.payload.validators;
    // Nobody submits anything: the head still moves.
    await until(
      'three heartbeat blocks on every node',
      async () => {
        const hs = await Promise.all(urls.map((u) => getJson(`${u}/readyz`)));
        return hs.every((r) => (r.body.certifiedHeight ?? -1) >= 3);
      },
      60_000,
    );
    let prevTime = -1;
    for (let h = 1; h <= 3; h++) {
      const blocks = await Promise.all(urls.map((u) => getJson(`${u}/v1/blocks/${h}`).then((r) => r.body)));
      expect(new Set(blocks.map((b) => JSON.stringify(b.header))).size, `block ${h}`).toBe(1);
      const b = blocks[0];
      expect(b.txs).toEqual([]);
      expect(b.header.txCount).toBe(0);
      expect(isQuorum(checkCertificate(b.cert, validators).valid.length, validators.length)).toBe(true);
      // The cutting rule: a heartbeat block's time is at least heartbeatMs after the previous block.
      const prev = (await getJson(`${urls[0]}/v1/blocks/${h - 1}`)).body.header.time;
      expect(b.header.time - prev).toBeGreaterThanOrEqual(1000);
      expect(b.header.time).toBeGreaterThan(prevTime);
      prevTime = b.header.time;
    }
    // A reader with a tight maximum age accepts the idle network's head.
    const client = new UrbisClient({ url: urls[2]!, anchor: UrbisClient.anchorFromGenesis(net.genesis), maxAgeMs: 20_000 });
    const cp = await client.checkpoint();
    expect(cp.header.height).toBeGreaterThanOrEqual(3);
  }, 90_000);
});

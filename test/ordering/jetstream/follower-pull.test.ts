/**
 * Pull expiries under steady traffic: nats-server 2.9 expires pulls lazily, and under load a pull
 * past its expiry neither delivers nor ends (its 408 comes late or, here, is dropped), so the reader
 * waits on it until the watchdog declares it stalled and recreates the consumer: a second or more
 * without delivery on that node (the finality stalls of docs/network.md "Reading"). A reader under
 * steady traffic must not sit on lapsed pulls.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NetworkFollower } from '../../../src/ordering/jetstream/follower.js';
import { StreamPublisher } from '../../../src/ordering/jetstream/publisher.js';
import { streamNames } from '../../../src/ordering/jetstream/settings.js';
import { newChain } from '../../helpers/chain.js';
import { startNatsCluster, type NatsCluster } from '../../helpers/nats.js';
import { sleep, until } from '../../helpers/network.js';

/** Drops every 408 status (pull expired) delivered to a subscription of this connection. */
function dropPullExpiries(nc: NatsConnection): { dropped: number } {
  const seen = { dropped: 0 };
  const subscribe = nc.subscribe.bind(nc);
  nc.subscribe = ((subject, opts) => {
    const cb = opts?.callback;
    if (!cb) return subscribe(subject, opts);
    return subscribe(subject, {
      ...opts,
      callback: (err, msg) => {
        if (!err && msg?.headers?.code === 408) {
          seen.dropped++;
          return;
        }
        cb(err, msg);
      },
    });
  }) as typeof nc.subscribe;
  return seen;
}

describe('NetworkFollower stream readers', () => {
  let dir: string;
  let cluster: NatsCluster;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'urbis-pull-'));
    cluster = await startNatsCluster(dir);
  }, 60_000);
  afterAll(async () => {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps delivering under steady traffic without a reader waiting on a lapsed pull', async () => {
    const c = newChain();
    const names = streamNames(c.chainId);
    const nc = await connect({ servers: cluster.urls(), timeout: 2000 });
    const feeder = await connect({ servers: cluster.urls(), timeout: 2000 });
    dropPullExpiries(nc);
    const jsm = await jetstreamManager(feeder);
    await jsm.streams.add({ name: names.stream, subjects: [names.tx, names.tick, names.config], num_replicas: 1 });
    await jsm.streams.add({ name: names.sigStream, subjects: [names.sig], num_replicas: 1 });
    const meta = new Map<string, string>();
    const logs: string[] = [];
    const publisher = new StreamPublisher(nc);
    const follower = new NetworkFollower({
      nc,
      names,
      ledger: c.ledger,
      meta: { getMeta: (k) => meta.get(k), putMeta: (k, v) => void meta.set(k, v) },
      publisher,
      maxBlockTxs: 100,
      blockIntervalMs: 20,
      log: (l) => logs.push(l),
    });
    const finality: number[] = [];
    follower.onFinality = (ms) => finality.push(ms);
    await follower.start();
    try {
      const js = jetstream(feeder);
      const policy = { children: { charset: 'alnum' as const, minLength: 1, maxLength: 16 }, ids: { charset: 'alnum' as const, minLength: 1, maxLength: 64 } };
      // One transaction every 250 ms for 6.5 s: under steady traffic no reader pull may lapse.
      const n = 26;
      for (let i = 0; i < n; i++) {
        const t = c.tx(
          'ns.create',
          { ns: String(100 + i), controllers: { keys: [c.root.id], threshold: 1 }, policy, limits: {}, record: { type: 'country' } },
          [c.root],
          { now: Date.now() },
        );
        await js.publish(names.tx, new TextEncoder().encode(JSON.stringify(t)));
        await sleep(250);
      }
      await until('every transaction committed', async () => c.ledger.store.children(null, null, 1000).items.length >= n || null, 20_000);
      // No reader waited on a lapsed pull (their 408s are dropped on this connection).
      expect(logs.filter((l) => /reader stalled/.test(l))).toEqual([]);
      expect(follower.readerRecreations).toBe(0);
      // No transaction waited for a recreated consumer.
      expect(Math.max(...finality)).toBeLessThan(1000);
    } finally {
      await follower.stop();
      publisher.close();
      await nc.close();
      await feeder.close();
    }
  }, 60_000);
});

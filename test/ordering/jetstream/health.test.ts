/**
 * Stream health for /readyz: a 3-server cluster that loses two servers keeps answering stream info
 * (first as a leader with silent peers, then with no leader at all), so readiness must judge the
 * cluster part of the answer, not whether an answer came.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { describe, expect, it } from 'vitest';
import { REPLICA_SILENT_MS, streamHealth } from '../../../src/ordering/jetstream/health.js';
import { startNatsCluster } from '../../helpers/nats.js';
import { until } from '../../helpers/network.js';

const ns = (ms: number) => ms * 1e6;
const replica = (name: string, activeMs: number, offline = false) => ({ name, current: true, active: ns(activeMs), offline });
const info = (replicas: number, cluster?: object) => ({ config: { num_replicas: replicas }, cluster }) as unknown as Parameters<typeof streamHealth>[0];

describe('streamHealth', () => {
  it('is healthy with a leader and a majority heard from recently', () => {
    expect(streamHealth(info(3, { leader: 'n1', replicas: [replica('n2', 20), replica('n3', 900)] }))).toBeNull();
    // One silent replica of three still leaves a majority.
    expect(streamHealth(info(3, { leader: 'n1', replicas: [replica('n2', 20), replica('n3', REPLICA_SILENT_MS + 1)] }))).toBeNull();
  });

  it('is healthy for a single server or a single replica', () => {
    expect(streamHealth(info(1))).toBeNull();
    expect(streamHealth(info(1, { leader: 'n1' }))).toBeNull();
  });

  it('names a missing leader', () => {
    expect(streamHealth(info(3, { replicas: [replica('n1', 20), replica('n2', 20)] }))).toMatch(/no leader/);
  });

  it('names the silent and offline replicas when the majority is lost', () => {
    const why = streamHealth(info(3, { leader: 'n3', replicas: [replica('n1', REPLICA_SILENT_MS + 1), replica('n2', 10, true)] }));
    expect(why).toMatch(/1 of 3 replicas live, 2 needed/);
    expect(why).toContain('n1');
    expect(why).toContain('n2');
  });

  it('reports a real R3 stream that lost two of its three servers, and recovers with them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'urbis-health-'));
    const cluster = await startNatsCluster(dir);
    const [a, b, c] = cluster.servers;
    const nc = await connect({ servers: [c!.url], timeout: 2000 });
    try {
      const jsm = await jetstreamManager(nc, { timeout: 2000 });
      await jsm.streams.add({ name: 'HEALTH', subjects: ['health.>'], num_replicas: 3 });
      const check = async () => streamHealth(await jsm.streams.info('HEALTH'));
      await until('a healthy stream', async () => (await check()) === null, 20_000);
      await cluster.kill(a!.name);
      await cluster.kill(b!.name);
      const why = await until('the lost majority', async () => check().catch((e: Error) => `no answer: ${e.message}`), 20_000);
      expect(why).toMatch(/no leader|replicas live|no answer/);
      await cluster.restart(a!.name);
      await cluster.restart(b!.name);
      await until('a healthy stream again', async () => (await check().catch(() => 'no answer')) === null, 30_000);
    } finally {
      await nc.close();
      await cluster.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  }, 90_000);
});

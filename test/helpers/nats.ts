/**
 * Test helper: a 3-server NATS JetStream cluster on free loopback ports (never the server on 4222),
 * and the JetStream queries the network tests need. The cluster itself is src/network/nats-cluster.ts
 * (shared with `urbis network local` and the benchmark).
 */
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { NatsCluster } from '../../src/network/nats-cluster.js';

export { NatsCluster };

/** Starts `size` servers under `dir` and waits until JetStream answers on each. */
export function startNatsCluster(dir: string, size = 3): Promise<NatsCluster> {
  return NatsCluster.start({ dir, size });
}

/** Name of the server leading `stream` (JetStream API stream info, `cluster.leader`). */
export async function streamLeader(cluster: NatsCluster, stream: string, timeoutMs = 20_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  const live = cluster.servers.filter((s) => s.child).map((s) => s.url);
  const nc = await connect({ servers: live, timeout: 2000 });
  try {
    for (;;) {
      try {
        const jsm = await jetstreamManager(nc, { timeout: 2000 });
        const info = await jsm.streams.info(stream);
        if (info.cluster?.leader) return info.cluster.leader;
      } catch {
        /* election in progress */
      }
      if (Date.now() > deadline) throw new Error(`stream ${stream} has no leader`);
      await new Promise((r) => setTimeout(r, 250));
    }
  } finally {
    await nc.close();
  }
}

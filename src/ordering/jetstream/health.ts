/**
 * Whether a JetStream stream can take writes now, judged from its stream info.
 *
 * A stream's info keeps answering after the stream lost its majority: the server that still runs
 * answers from its own view, first as a leader whose peers went silent, and after its Raft term
 * runs out with no leader at all (observed with nats-server 2.9: the answer comes for as long as
 * the server runs). So "the info request answered" says nothing about progress; the cluster part
 * of the answer does: a leader, and enough replicas heard from recently to form a majority.
 */
import type { StreamInfo } from '@nats-io/jetstream';

/** A replica not heard from for this long no longer counts towards the majority (ms). */
export const REPLICA_SILENT_MS = 5000;

/** Null when the stream has a leader and a majority of live replicas; otherwise why not. */
export function streamHealth(info: Pick<StreamInfo, 'config' | 'cluster'>, silentMs = REPLICA_SILENT_MS): string | null {
  const replicas = Math.max(1, info.config.num_replicas ?? 1);
  const cluster = info.cluster;
  // A server outside a cluster answers without cluster information: its stream is its own.
  if (!cluster || replicas === 1) return null;
  if (!cluster.leader) return 'the stream has no leader';
  const silentNs = silentMs * 1e6;
  const peers = cluster.replicas ?? [];
  const live = 1 + peers.filter((p) => !p.offline && p.active < silentNs).length;
  const need = Math.floor(replicas / 2) + 1;
  if (live >= need) return null;
  const silent = peers.filter((p) => p.offline || p.active >= silentNs).map((p) => p.name);
  return `${live} of ${replicas} replicas live, ${need} needed (not heard from ${silent.join(', ')})`;
}

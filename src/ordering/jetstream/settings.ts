/**
 * Settings of the JetStream ordering adapter: NATS connection, stream and subject names, and the
 * network's configuration record (docs/network.md "Streams and subjects", "Configuration record").
 * The network file (src/network/config.ts) parses and checks them; this adapter only uses them.
 */
import { UrbisError } from '../../core/errors.js';

/** NATS connection settings. */
export interface NatsSettings {
  servers: string[];
  user?: string;
  pass?: string;
  token?: string;
  /** NATS credentials file (JWT + NKey seed), absolute path. */
  credsFile?: string;
  /** TLS files, absolute paths. */
  tls?: { ca?: string; cert?: string; key?: string };
}

/** Names derived from the chain id (docs/network.md "Streams and subjects"). */
export interface StreamNames {
  /** Ordering stream: transactions, ticks, the network's config record. */
  stream: string;
  /** Signature stream. */
  sigStream: string;
  tx: string;
  tick: string;
  config: string;
  sig: string;
}

/** What the ordering adapter needs of a network's configuration. */
export interface JetStreamSettings {
  chainId: string;
  /** Hash of the genesis transaction body: what the network's config record pins. */
  genesisHash: string;
  nats: NatsSettings;
  names: StreamNames;
  /** Replicas of both streams (1..5; 3 for a fault-tolerant network). */
  replicas: number;
  /** Duplicate window of the ordering stream, ms (default 2 minutes). */
  duplicateWindowMs: number;
  maxBlockTxs: number;
  /** An empty block is cut after this long without a block, ms (0: never); pinned in the config record. */
  heartbeatMs: number;
}

/** Stream and subject names of a chain. */
export function streamNames(chainId: string, streamName?: string): StreamNames {
  const up = chainId.toUpperCase().replace(/-/g, '_');
  return {
    stream: streamName ?? `URBIS_${up}`,
    sigStream: streamName ? `${streamName}_SIG` : `URBIS_SIG_${up}`,
    tx: `urbis.${chainId}.tx`,
    tick: `urbis.${chainId}.tick`,
    config: `urbis.${chainId}.config`,
    sig: `urbis.${chainId}.sig`,
  };
}

/** The record every node compares with the network's (docs/network.md "Configuration record"). */
export interface ConfigRecord {
  v: 1;
  chainId: string;
  genesisHash: string;
  maxBlockTxs: number;
  /** Heartbeat of the cutting rule; a record stored without it (older networks) means 0, off. */
  heartbeatMs: number;
}

/** The config record of this node's network file. */
export function configRecord(c: Pick<JetStreamSettings, 'chainId' | 'genesisHash' | 'maxBlockTxs' | 'heartbeatMs'>): ConfigRecord {
  return { v: 1, chainId: c.chainId, genesisHash: c.genesisHash, maxBlockTxs: c.maxBlockTxs, heartbeatMs: c.heartbeatMs };
}

/**
 * Compares the network's record with this node's.
 *
 * @throws UrbisError NET_CONFIG_INVALID naming the first field that differs.
 */
export function checkConfigRecord(network: unknown, mine: ConfigRecord): void {
  const raw = (typeof network === 'object' && network !== null ? network : {}) as Record<string, unknown>;
  const o: Record<string, unknown> = { ...raw, heartbeatMs: raw.heartbeatMs ?? 0 };
  for (const k of ['chainId', 'genesisHash', 'maxBlockTxs', 'heartbeatMs'] as const) {
    if (o[k] !== mine[k]) {
      throw new UrbisError(
        'NET_CONFIG_INVALID',
        `this node's network file disagrees with the network on ${k}: the network has ${JSON.stringify(o[k])}, this node ${JSON.stringify(mine[k])}`,
        { field: k, network: o[k] as unknown, node: mine[k] },
      );
    }
  }
}

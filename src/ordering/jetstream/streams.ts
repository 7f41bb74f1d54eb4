/**
 * Connecting to NATS and preparing the two JetStream streams of a network: docs/network.md "Streams
 * and subjects" and "Configuration record".
 *
 * - `URBIS_<CHAIN>`: subjects `urbis.<chain>.tx`, `.tick`, `.config`; file storage, R3, a two-minute
 *   duplicate window, nothing ever discarded: it is the ordered transaction log every node replays.
 * - `URBIS_SIG_<CHAIN>`: subject `urbis.<chain>.sig`; validators' header signatures.
 * Whichever node starts first creates them; the others find them. The first node also stores the
 * network's config record (chain id, genesis hash, maxBlockTxs), with an expected subject sequence of
 * 0 so that exactly one record wins; every node then compares its own file with it and refuses to
 * start on a mismatch, because nodes cutting blocks with different rules would fork.
 */
import { readFileSync } from 'node:fs';
import { connect, credsAuthenticator, nanos, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { DiscardPolicy, jetstreamManager, RetentionPolicy, StorageType, type JetStreamManager } from '@nats-io/jetstream';
import { UrbisError } from '../../core/errors.js';
import { checkConfigRecord, configRecord, type JetStreamSettings, type NatsSettings } from './settings.js';
import type { StreamPublisher } from './publisher.js';

/**
 * Connects to the NATS servers of a network file. Reconnects forever (a node outlives any one NATS
 * server); the first connection waits for a server for up to `timeoutMs`.
 *
 * @throws UrbisError NODE_NOT_READY when no server answers in time; NET_CONFIG_INVALID for unreadable
 *   credentials or TLS files.
 */
export async function connectNats(s: NatsSettings, name: string, timeoutMs = 30_000): Promise<NatsConnection> {
  const opts: NodeConnectionOptions = {
    servers: s.servers,
    name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
    waitOnFirstConnect: true,
    timeout: timeoutMs,
    pingInterval: 5000,
  };
  if (s.user !== undefined) {
    opts.user = s.user;
    if (s.pass !== undefined) opts.pass = s.pass;
  }
  if (s.token !== undefined) opts.token = s.token;
  try {
    if (s.credsFile !== undefined) opts.authenticator = credsAuthenticator(readFileSync(s.credsFile));
    if (s.tls) {
      opts.tls = {
        ...(s.tls.ca ? { caFile: s.tls.ca } : {}),
        ...(s.tls.cert ? { certFile: s.tls.cert } : {}),
        ...(s.tls.key ? { keyFile: s.tls.key } : {}),
      };
    }
  } catch (e) {
    throw new UrbisError('NET_CONFIG_INVALID', `cannot read NATS credentials: ${(e as Error).message}`, { field: 'nats' }, { cause: e });
  }
  try {
    return await connect(opts);
  } catch (e) {
    throw new UrbisError('NODE_NOT_READY', `cannot connect to NATS at ${s.servers.join(', ')}: ${(e as Error).message}`, { retryAfterMs: 5000 }, { cause: e });
  }
}

async function ensureStream(jsm: JetStreamManager, name: string, subjects: string[], c: JetStreamSettings, log: (l: string) => void): Promise<void> {
  try {
    const info = await jsm.streams.info(name);
    const missing = subjects.filter((s) => !info.config.subjects?.includes(s));
    if (missing.length > 0) {
      throw new UrbisError('NET_CONFIG_INVALID', `stream ${name} exists but does not carry ${missing.join(', ')}`, { field: 'stream.name' });
    }
    if (info.config.num_replicas !== c.replicas)
      log(`stream ${name} has ${info.config.num_replicas} replicas, the network file says ${c.replicas}; keeping the stream's`);
    return;
  } catch (e) {
    if (e instanceof UrbisError) throw e;
    // Not found: create it below. Any other failure surfaces from add().
  }
  await jsm.streams.add({
    name,
    subjects,
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    discard: DiscardPolicy.Old,
    num_replicas: c.replicas,
    duplicate_window: nanos(c.duplicateWindowMs),
    // The log is the history new nodes replay: never expire it by age or count.
    max_age: 0,
    max_msgs: -1,
    max_bytes: -1,
  });
  log(`created stream ${name} (R${c.replicas})`);
}

/**
 * Creates the streams if needed and checks the network's config record against this node's file,
 * retrying while JetStream elects leaders (up to `timeoutMs`).
 *
 * @throws UrbisError NET_CONFIG_INVALID on a disagreement; NODE_NOT_READY when JetStream does not
 *   answer in time.
 */
export async function prepareStreams(
  nc: NatsConnection,
  c: JetStreamSettings,
  publisher: StreamPublisher,
  log: (l: string) => void,
  timeoutMs = 60_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const jsm = await jetstreamManager(nc, { timeout: 5000 });
      await ensureStream(jsm, c.names.stream, [c.names.tx, c.names.tick, c.names.config], c, log);
      await ensureStream(jsm, c.names.sigStream, [c.names.sig], c, log);
      const mine = configRecord(c);
      let stored = await jsm.streams.getMessage(c.names.stream, { last_by_subj: c.names.config });
      if (!stored) {
        try {
          await publisher.publish(c.names.config, new TextEncoder().encode(JSON.stringify(mine)), `config-${c.genesisHash}`, {
            bounded: false,
            expectLastSubjectSeq: 0,
          });
          log(`stored the network config record (maxBlockTxs ${c.maxBlockTxs}, heartbeatMs ${c.heartbeatMs})`);
        } catch (e) {
          if (!(e instanceof UrbisError && e.code === 'NET_PUBLISH_REFUSED')) throw e;
          // Another node stored its record first: compare with that one.
        }
        stored = await jsm.streams.getMessage(c.names.stream, { last_by_subj: c.names.config });
      }
      if (!stored) throw new Error('the config record is not readable yet');
      checkConfigRecord(stored.json(), mine);
      return;
    } catch (e) {
      if (e instanceof UrbisError && e.code === 'NET_CONFIG_INVALID') throw e;
      last = e;
      log(`JetStream not ready (${(e as Error).message}); retrying`);
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  throw new UrbisError('NODE_NOT_READY', `JetStream is not available: ${(last as Error)?.message ?? 'timeout'}`, { retryAfterMs: 5000 }, { cause: last });
}

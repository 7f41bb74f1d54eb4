/**
 * A city node of a multi-city network: docs/network.md. The same HTTP service as a single-node
 * network (src/node), with ordering on NATS JetStream and blocks certified by the validators.
 *
 * `startNetworkNode` is what `urbis node start --network <file>` runs:
 * 1. the data directory is initialised from the network file on first start (genesis, config), and
 *    optionally from a certified snapshot fetched from a peer (`snapshotFrom`);
 * 2. the validator key is `<dir>/keys/validator.key` or `URBIS_KEY_FILE`; a node without one is a
 *    read replica (it follows and serves, it neither signs nor accepts transactions);
 * 3. it connects to NATS, creates or checks the streams and the network's config record, then
 *    follows the streams (src/ordering/jetstream/follower.ts) and serves HTTP.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import '../platform/node.js';
import { UrbisError } from '../core/errors.js';
import { txHash } from '../core/ledger/tx.js';
import type { Tx } from '../core/ledger/types.js';
import { assertStoreSound } from '../engine/verify-chain.js';
import { DEFAULT_CONFIG, openDataDir, paths, writeFileAtomic, type OpenDir } from '../node/data-dir.js';
import { buildRuntime } from '../node/runtime.js';
import type { NodeRuntime } from '../node/types.js';
import { Metrics } from '../node/metrics.js';
import { createServer, type ServerOptions } from '../node/server.js';
import { NetworkFollower } from '../ordering/jetstream/follower.js';
import { JetStreamOrderer } from '../ordering/jetstream/orderer.js';
import { defaultVerifyWorkers, VerifyPool } from '../engine/verify-pool.js';
import { StreamPublisher } from '../ordering/jetstream/publisher.js';
import { connectNats, prepareStreams } from '../ordering/jetstream/streams.js';
import type { NetworkConfig } from './config.js';
import { importSnapshot } from './snapshot.js';
import { ChangePublisher } from './changes.js';

export interface NetworkNodeOptions {
  network: NetworkConfig;
  dir: string;
  port?: number;
  host?: string;
  server?: ServerOptions;
  /** Base URL of a peer to take a certified snapshot from when the directory is empty. */
  snapshotFrom?: string;
  /** Passphrase of an encrypted validator key. */
  passphrase?: string;
  /** Validator key file instead of `<dir>/keys/validator.key` (default: $URBIS_KEY_FILE). */
  validatorKeyFile?: string;
  /**
   * Publish each committed block's changes on the NATS subjects `urbis.<chain>.changes.<ns>.<kind>`
   * (./changes.ts, docs/sharing.md "Real-time feeds"). One or two nodes per network are enough.
   */
  publishChanges?: boolean;
  /**
   * Worker threads checking the signatures of submitted transactions on a validator node
   * (`--verify-workers`, `URBIS_VERIFY_WORKERS`); default config.json's `verifyWorkers`, else the
   * machine's cores less one, at least 1.
   */
  verifyWorkers?: number;
  log?: (line: string) => void;
}

export interface RunningNetworkNode {
  url: string;
  runtime: NodeRuntime;
  dir: OpenDir;
  follower: NetworkFollower;
  close(): Promise<void>;
}

/** Writes genesis.json and config.json of a new network node, or checks them against the file. */
function initOrCheckDir(dir: string, c: NetworkConfig): boolean {
  const p = paths(dir);
  if (!existsSync(p.genesis)) {
    mkdirSync(dir, { recursive: true });
    writeFileAtomic(p.genesis, `${JSON.stringify(c.genesis, null, 2)}\n`);
    writeFileAtomic(
      p.config,
      `${JSON.stringify({ chainId: c.chainId, blockIntervalMs: c.blockIntervalMs, maxBlockTxs: c.maxBlockTxs, maxPending: DEFAULT_CONFIG.maxPending }, null, 2)}\n`,
    );
    return true;
  }
  let mine: Tx<'genesis'>;
  try {
    mine = JSON.parse(readFileSync(p.genesis, 'utf8')) as Tx<'genesis'>;
  } catch (e) {
    throw new UrbisError('STORE_CORRUPT', `${p.genesis} cannot be read`, undefined, { cause: e });
  }
  if (txHash(mine.body) !== c.genesisHash) {
    throw new UrbisError('NET_CONFIG_INVALID', `${dir} belongs to another network: its genesis differs from the network file's`, { field: 'genesis' });
  }
  return false;
}

/**
 * Starts a network node.
 *
 * @throws UrbisError NET_CONFIG_INVALID (file, directory and network disagree), NET_SNAPSHOT_INVALID,
 *   NODE_NOT_READY (NATS unreachable), STORE_LOCKED and the errors of opening the store and key.
 */
export async function startNetworkNode(opts: NetworkNodeOptions): Promise<RunningNetworkNode> {
  const c = opts.network;
  const log = opts.log ?? (() => {});
  const fresh = initOrCheckDir(opts.dir, c);
  const dbFile = paths(opts.dir).db;
  const keyFile = opts.validatorKeyFile ?? (process.env.URBIS_KEY_FILE || undefined);
  const dir = await openDataDir(opts.dir, {
    network: true,
    ...(opts.passphrase === undefined ? {} : { passphrase: opts.passphrase }),
    ...(keyFile ? { validatorKeyFile: keyFile } : {}),
    prepare: async () => {
      if (existsSync(dbFile) || !opts.snapshotFrom) return;
      const trusted = c.trustedValidators ?? c.genesis.body.payload.validators;
      const r = await importSnapshot({ url: opts.snapshotFrom, dbFile, chainId: c.chainId, trusted, log });
      log(`imported a certified snapshot at height ${r.height}: ${r.entries} entries in ${r.ms} ms`);
    },
  });
  try {
    // Refuse to serve a store whose tree or replay window does not match its blocks.
    assertStoreSound(dir.store);
  } catch (e) {
    dir.close();
    throw e;
  }
  if (fresh) log(`initialised ${opts.dir} for network ${c.chainId}${dir.validator ? `, validator ${dir.validator.id}` : ' (read replica)'}`);

  const cleanup: Array<() => Promise<void> | void> = [() => dir.close()];
  const undo = async () => {
    // Each step bounded: a NATS server that went away must not keep the process from exiting.
    for (const f of cleanup.reverse()) {
      await Promise.race([Promise.resolve(f()).catch(() => undefined), new Promise((r) => setTimeout(r, 3000))]);
    }
  };
  try {
    const nc = await connectNats(c.nats, `urbis-${c.chainId}-${dir.validator?.id.slice(-8) ?? 'replica'}-${process.pid}`);
    cleanup.push(() => nc.close());
    const publisher = new StreamPublisher(nc, { maxInFlight: c.maxInFlight });
    cleanup.push(() => publisher.close());
    await prepareStreams(nc, c, publisher, log);

    const metrics = new Metrics();
    let runtime: NodeRuntime | null = null;
    const follower = new NetworkFollower({
      nc,
      names: c.names,
      ledger: dir.ledger,
      meta: dir.store,
      publisher,
      maxBlockTxs: c.maxBlockTxs,
      blockIntervalMs: c.blockIntervalMs,
      heartbeatMs: c.heartbeatMs,
      stallMs: c.readyStallMs,
      log,
      onCommit: (res) => {
        metrics.onBlock(res);
        const events = runtime?.events;
        if (!events) return;
        // Reading a block's changes back costs per entry: only when someone listens.
        if (events.size() > 0) events.publish(res.height);
        else events.published = res.height;
      },
      onFault: (f) => metrics.faults.inc({ validator: f.validator, kind: f.kind }),
    });
    follower.onFinality = (ms) => metrics.finality.observe(ms / 1000);
    runtime = buildRuntime({ genesis: dir.genesis, ledger: dir.ledger, sequencer: null, metrics, urlHost: opts.server?.urlHost });
    const rt = runtime;
    if (dir.validator) {
      const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
      // Signature checks of submitted transactions on the other cores (src/engine/verify-pool.ts).
      const pool = new VerifyPool(opts.verifyWorkers ?? dir.config.verifyWorkers ?? defaultVerifyWorkers());
      cleanup.push(() => pool.close());
      const orderer = new JetStreamOrderer({
        pool,
        ledger: dir.ledger,
        follower,
        publisher,
        subject: c.names.tx,
        blockIntervalMs: c.blockIntervalMs,
        maxInFlight: c.maxInFlight,
        maxBacklog: c.maxBacklog,
        maxPayload,
      });
      rt.orderer = orderer;
      cleanup.push(() => orderer.close());
    }
    if (opts.publishChanges) {
      const changes = new ChangePublisher(nc, c.chainId);
      const off = rt.events.subscribe((_height, events) => changes.publish(events));
      cleanup.push(() => void off());
    }
    rt.notReady = () => follower.notReady();
    rt.readiness = () => follower.readiness();
    rt.network = {
      diverged: () => (follower.divergence ? (follower.notReady() ?? 'diverged') : null),
      backlog: () => follower.backlog(),
      certifiedHeight: () => follower.certifiedHeight(),
      status: () => ({
        network: c.chainId,
        certifiedHeight: follower.certifiedHeight(),
        validatorKey: dir.validator?.id ?? null,
        role: dir.validator ? (dir.ledger.chain().validators.includes(dir.validator.id) ? 'validator' : 'standby') : 'replica',
        backlog: follower.backlog(),
        faults: follower.faults.slice(),
        diverged: follower.divergence,
      }),
    };

    await follower.start();
    cleanup.push(() => follower.stop());
    const app = createServer(rt, { ...opts.server, snapshotFile: dbFile });
    const url = await app.listen({ port: opts.port ?? 8080, host: opts.host ?? '127.0.0.1' });
    cleanup.push(() => app.close());
    let closed = false;
    return {
      url,
      runtime: rt,
      dir,
      follower,
      async close() {
        if (closed) return;
        closed = true;
        await undo();
      },
    };
  } catch (e) {
    await undo();
    throw e;
  }
}

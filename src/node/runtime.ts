/**
 * A running city node: data directory + ledger + ordering + change feed + HTTP server.
 *
 * `startNode` is the one factory the CLI (`urbis node start`, `npm start`) and the tests use. It
 * creates keys and genesis on first run (`init`), loads the demo data set once (`demo`), and shuts
 * down cleanly: the HTTP server stops accepting, queued transactions are committed, the store is
 * closed and the directory lock released.
 */
import { existsSync } from 'node:fs';
import '../platform/node.js';
import { UrbisError } from '../core/errors.js';
import type { Tx } from '../core/ledger/types.js';
import type { Ledger } from '../engine/ledger.js';
import { initDataDir, openDataDir, paths, readConfig, type OpenDir } from './data-dir.js';
import type { LocalSequencer } from '../ordering/local/sequencer.js';
import { EventHub } from './events.js';
import { Metrics } from './metrics.js';
import { createServer, type ServerOptions } from './server.js';
import { loadDemo } from './demo.js';
import type { NodeRuntime } from './types.js';
import type { Signer } from '../core/ledger/tx.js';
import { defaultVerifyWorkers, VerifyPool } from '../engine/verify-pool.js';
import { assertStoreSound } from '../engine/verify-chain.js';

// The package's `urbis/node` entry point: the runtime's shape and the ordering port with it.
export type { NodeRuntime, NetworkView } from './types.js';
export type { Orderer, Submission, TxOutcome } from '../ordering/types.js';

/** Parts of a runtime; see {@link buildRuntime}. */
export interface RuntimeParts {
  genesis: Tx<'genesis'>;
  ledger: Ledger;
  /** The local sequencer, or null on a read replica. */
  sequencer: LocalSequencer | null;
  metrics?: Metrics;
  urlHost?: string | undefined;
  /** Public base URL of code URLs (default `https://<urlHost>`). */
  publicUrl?: string | undefined;
  /** Key that makes codes on `/v1/ids/<id>/code.svg` (absent: none). */
  issuer?: Signer | undefined;
  /** Validator key that signs trust bundles (absent: `/v1/trust/bundle` answers 409). */
  validator?: Signer | undefined;
}

/**
 * Assembles a {@link NodeRuntime} from a ledger and its sequencer. Used by {@link startNode} and by
 * tests that serve an in-memory ledger through `inject()`. Wire the sequencer's `onBlock` to
 * `runtime.events.publish` (startNode does).
 */
export function buildRuntime(parts: RuntimeParts): NodeRuntime {
  const chain = parts.ledger.chain();
  const metrics = parts.metrics ?? new Metrics();
  const seq = parts.sequencer;
  const runtime: NodeRuntime = {
    chainId: chain.chainId,
    genesis: parts.genesis,
    anchor: { chainId: chain.chainId, validators: parts.genesis.body.payload.validators },
    ledger: parts.ledger,
    store: parts.ledger.store,
    orderer: seq
      ? {
          // Signature checks on the verification worker pool when the sequencer has one.
          submit: (raw) => seq.submitAsync(raw),
          waiter: (hash) => seq.waiter(hash),
          pending: () => seq.pending(),
          blockIntervalMs: seq.blockIntervalMs,
        }
      : null,
    events: new EventHub(parts.ledger.store),
    metrics,
    notReady: () => (seq?.hasFailed() ? 'block production stopped after a storage failure' : null),
    readiness: () => (seq?.hasFailed() ? [{ code: 'BLOCK_PRODUCTION_STOPPED', detail: 'block production stopped after a storage failure' }] : []),
    urlHost: parts.urlHost ?? 'id.urbis.city',
    publicUrl: (parts.publicUrl ?? `https://${parts.urlHost ?? 'id.urbis.city'}`).replace(/\/+$/, ''),
    ...(parts.issuer ? { issuer: parts.issuer } : {}),
    ...(parts.validator ? { validator: parts.validator } : {}),
  };
  metrics.bind(runtime);
  return runtime;
}

export interface StartOptions {
  dir: string;
  port?: number;
  host?: string;
  /** Create keys and genesis if the directory is empty (default true). */
  init?: boolean;
  /** Load the demo data set on first start (default false here; the CLI defaults to true). */
  demo?: boolean;
  server?: ServerOptions;
  /** Passphrase of encrypted keys. */
  passphrase?: string;
  /** Overrides of config.json block cutting, applied at init. */
  blockIntervalMs?: number;
  maxBlockTxs?: number;
  /** Heartbeat of this run, ms (0: off); default config.json's `heartbeatMs` (docs/protocol.md "Heartbeat blocks"). */
  heartbeatMs?: number;
  log?: (line: string) => void;
  /** Key that makes codes on `/v1/ids/<id>/code.svg|png` (`--issuer-key`); absent: none. */
  issuer?: Signer;
  /** Public base URL of code URLs (`--public-url`; default `https://<urlHost>`). */
  publicUrl?: string;
  /**
   * Signature-checking worker threads of this run (`--verify-workers`, `URBIS_VERIFY_WORKERS`);
   * default config.json's `verifyWorkers`, else the machine's cores less one, at least 1.
   */
  verifyWorkers?: number;
}

export interface RunningNode {
  url: string;
  runtime: NodeRuntime;
  dir: OpenDir;
  /** Worker threads checking transaction signatures in this run. */
  verifyWorkers: number;
  close(): Promise<void>;
}

/**
 * Starts a node on a data directory.
 *
 * @throws UrbisError STORE_LOCKED when another process holds the directory, STORE_NOT_INITIALIZED
 *   when it is empty and `init` is false, and the errors of opening the store and keys.
 */
export async function startNode(opts: StartOptions): Promise<RunningNode> {
  const log = opts.log ?? (() => {});
  const fresh = !existsSync(paths(opts.dir).genesis);
  if (fresh) {
    if (opts.init === false) throw new UrbisError('STORE_NOT_INITIALIZED', `${opts.dir} holds no ledger`);
    const config: Record<string, number> = {};
    if (opts.blockIntervalMs !== undefined) config.blockIntervalMs = opts.blockIntervalMs;
    if (opts.maxBlockTxs !== undefined) config.maxBlockTxs = opts.maxBlockTxs;
    const r = await initDataDir(opts.dir, { config, ...(opts.passphrase === undefined ? {} : { passphrase: opts.passphrase }) });
    log(`initialised ${opts.dir}: chain ${r.chainId}, validator ${r.validator}`);
  }
  let events: EventHub | null = null;
  const metrics = new Metrics();
  // Signature checks of incoming transactions run on the other cores (src/engine/verify-pool.ts).
  const pool = new VerifyPool(opts.verifyWorkers ?? readConfig(opts.dir).verifyWorkers ?? defaultVerifyWorkers());
  let dir: OpenDir;
  try {
    dir = await openDataDir(opts.dir, {
      ...(opts.passphrase === undefined ? {} : { passphrase: opts.passphrase }),
      heartbeat: opts.heartbeatMs ?? true,
      sequencer: {
        pool,
        onBlock: (res) => {
          metrics.onBlock(res);
          events?.publish(res.height);
        },
        onError: (e) => log(`block production stopped: ${(e as Error).message}`),
      },
    });
  } catch (e) {
    await pool.close();
    throw e;
  }
  try {
    // Refuse to serve a store whose tree or replay window does not match its blocks.
    assertStoreSound(dir.store);
  } catch (e) {
    dir.close();
    await pool.close();
    throw e;
  }
  const runtime = buildRuntime({
    genesis: dir.genesis,
    ledger: dir.ledger,
    sequencer: dir.validator ? dir.sequencer : null,
    metrics,
    urlHost: opts.server?.urlHost,
    publicUrl: opts.publicUrl,
    issuer: opts.issuer,
    validator: dir.validator ?? undefined,
  });
  events = runtime.events;
  const app = createServer(runtime, { ...opts.server, snapshotFile: paths(opts.dir).db });
  let url: string;
  try {
    if (opts.demo && dir.store.ns('156') === undefined) {
      const n = await loadDemo(dir);
      log(`loaded the demo data set: ${n} transactions`);
    }
    url = await app.listen({ port: opts.port ?? 8080, host: opts.host ?? '127.0.0.1' });
  } catch (e) {
    // Nothing may keep the process alive after a failed start.
    await app.close().catch(() => {});
    dir.close();
    await pool.close();
    throw e;
  }
  let closed = false;
  return {
    url,
    runtime,
    dir,
    verifyWorkers: pool.size,
    async close() {
      if (closed) return;
      closed = true;
      await app.close();
      dir.close();
      await pool.close();
    },
  };
}

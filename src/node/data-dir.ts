/**
 * A node's data directory: layout, initialisation (keys + genesis) and opening (lock, store,
 * ledger, sequencer). Shared by the CLI and the node service.
 *
 * Layout (docs/ARCHITECTURE.md "Data directory"):
 *
 *   <dir>/config.json        node settings (chain id, block cutting)
 *   <dir>/genesis.json       the genesis transaction: what every reader trusts
 *   <dir>/keys/validator.key the node's validator key (mode 0600)
 *   <dir>/keys/root.key      the root-authority key of a single-node network (mode 0600); move it
 *                            off the node for any real deployment
 *   <dir>/ledger.db          SQLite store (WAL)
 *   <dir>/LOCK               pid of the process that holds the directory
 */
import { existsSync, mkdirSync, readFileSync, openSync, closeSync, unlinkSync, writeSync, fsyncSync, renameSync } from 'node:fs';
import { join } from 'node:path';
import '../platform/node.js';
import { UrbisError } from '../core/errors.js';
import { generateSeed } from '../core/crypto/index.js';
import { publicKeyToMultikey, toBase64url } from '../core/encoding/index.js';
import { signerFromSeed, type Signer } from '../core/ledger/tx.js';
import { PROTOCOL_VERSION, type Tx } from '../core/ledger/types.js';
import { readKeyFile, writeKeyFile } from '../keys/keyfile.js';
import { SqliteStore } from '../storage/sqlite/sqlite-store.js';
import { Ledger } from '../engine/ledger.js';
import { LocalSequencer, type SequencerOptions } from '../ordering/local/sequencer.js';
import { MAX_VERIFY_WORKERS, validVerifyWorkers } from '../engine/verify-pool.js';

/** Node settings kept in config.json. */
export interface NodeConfig {
  chainId: string;
  /** Cut a block at most this long after the first waiting transaction (ms). */
  blockIntervalMs: number;
  /** Cut a block as soon as this many transactions wait. */
  maxBlockTxs: number;
  /** Refuse new transactions (NODE_BUSY) beyond this many waiting. */
  maxPending: number;
  /** A running node cuts an empty block when no block was cut for this long (ms; 0: never). docs/protocol.md "Heartbeat blocks". */
  heartbeatMs: number;
  /**
   * Blocks behind the head whose state stays provable (docs/protocol.md (State map) §10); absent:
   * every height, for ever (the default, and what a validator should keep).
   */
  stateHistoryBlocks?: number;
  /**
   * Worker threads that check the signatures of incoming transactions (src/engine/verify-pool.ts);
   * absent: the machine's cores less one, at least 1. `--verify-workers` and `URBIS_VERIFY_WORKERS`
   * override it for one run.
   */
  verifyWorkers?: number;
}

/** Default heartbeat: an idle chain's head is at most about 30 s old. */
export const DEFAULT_HEARTBEAT_MS = 30_000;

export const DEFAULT_CONFIG: Omit<NodeConfig, 'chainId'> = { blockIntervalMs: 50, maxBlockTxs: 5000, maxPending: 100_000, heartbeatMs: DEFAULT_HEARTBEAT_MS };

export const paths = (dir: string) => ({
  config: join(dir, 'config.json'),
  genesis: join(dir, 'genesis.json'),
  keys: join(dir, 'keys'),
  validatorKey: join(dir, 'keys', 'validator.key'),
  rootKey: join(dir, 'keys', 'root.key'),
  db: join(dir, 'ledger.db'),
  lock: join(dir, 'LOCK'),
});

/** Writes a file atomically: temp file, fsync, rename. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

export interface InitOptions {
  chainId?: string;
  /** Genesis time, ms (default: now). */
  time?: number;
  /** Encrypt the generated keys with this passphrase (scrypt + AES-256-GCM). */
  passphrase?: string;
  config?: Partial<Omit<NodeConfig, 'chainId'>>;
}

export interface InitResult {
  dir: string;
  chainId: string;
  validator: string;
  root: string;
  genesisHash: string;
}

/**
 * Creates a single-node network in `dir`: a validator key, a root-authority key (1-of-1), the
 * genesis transaction and block 0.
 *
 * @throws UrbisError STORE_ALREADY_INITIALIZED if `dir` already holds a chain.
 */
export async function initDataDir(dir: string, opts: InitOptions = {}): Promise<InitResult> {
  const p = paths(dir);
  if (existsSync(p.genesis) || existsSync(p.db)) {
    throw new UrbisError('STORE_ALREADY_INITIALIZED', `${dir} already holds a ledger`);
  }
  mkdirSync(p.keys, { recursive: true, mode: 0o700 });
  const validatorSeed = generateSeed();
  const rootSeed = generateSeed();
  const keyOpts = opts.passphrase === undefined ? {} : { passphrase: opts.passphrase };
  await writeKeyFile(p.validatorKey, validatorSeed, keyOpts);
  await writeKeyFile(p.rootKey, rootSeed, keyOpts);
  const validator = signerFromSeed(validatorSeed);
  const root = signerFromSeed(rootSeed);
  const chainId =
    opts.chainId ??
    `urbis-local-${toBase64url(generateSeed())
      .slice(0, 8)
      .toLowerCase()
      .replace(/[^a-z0-9]/g, '0')}`;
  const time = opts.time ?? Date.now();
  const genesis: Tx<'genesis'> = {
    body: {
      v: PROTOCOL_VERSION,
      chain: chainId,
      type: 'genesis',
      nonce: 'genesis',
      validFrom: time,
      validUntil: time,
      payload: { chainId, time, root: { keys: [root.id], threshold: 1 }, validators: [validator.id] },
    },
    sigs: [],
  };
  const config: NodeConfig = { chainId, ...DEFAULT_CONFIG, ...opts.config };
  // Genesis and config first: a directory killed after this point is completed by openDataDir.
  writeFileAtomic(p.genesis, `${JSON.stringify(genesis, null, 2)}\n`);
  writeFileAtomic(p.config, `${JSON.stringify(config, null, 2)}\n`);
  const store = SqliteStore.open(p.db);
  try {
    const ledger = new Ledger(store, { validator });
    const res = ledger.commitGenesis(genesis);
    return { dir, chainId, validator: validator.id, root: root.id, genesisHash: res.headerHash };
  } finally {
    store.close();
  }
}

/** Reads and checks config.json. */
export function readConfig(dir: string): NodeConfig {
  const p = paths(dir);
  if (!existsSync(p.config)) throw new UrbisError('STORE_NOT_INITIALIZED', `${dir} holds no ledger; run "urbis init --dir ${dir}" first`);
  let c: unknown;
  try {
    c = JSON.parse(readFileSync(p.config, 'utf8'));
  } catch (e) {
    throw new UrbisError('STORE_CORRUPT', `${p.config} is not valid JSON`, undefined, { cause: e });
  }
  const o = c as Record<string, unknown>;
  const num = (k: string, d: number) => {
    const v = o[k] ?? d;
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 1) throw new UrbisError('STORE_CORRUPT', `${p.config}: ${k} must be a positive integer`);
    return v;
  };
  if (typeof o.chainId !== 'string') throw new UrbisError('STORE_CORRUPT', `${p.config}: chainId is missing`);
  return {
    chainId: o.chainId,
    blockIntervalMs: num('blockIntervalMs', DEFAULT_CONFIG.blockIntervalMs),
    maxBlockTxs: num('maxBlockTxs', DEFAULT_CONFIG.maxBlockTxs),
    maxPending: num('maxPending', DEFAULT_CONFIG.maxPending),
    heartbeatMs: heartbeat(o.heartbeatMs, p.config),
    ...(o.stateHistoryBlocks === undefined ? {} : { stateHistoryBlocks: num('stateHistoryBlocks', 0) }),
    ...(o.verifyWorkers === undefined ? {} : { verifyWorkers: verifyWorkers(o.verifyWorkers, p.config) }),
  };
}

/** `verifyWorkers` of config.json: 1 … {@link MAX_VERIFY_WORKERS}. */
function verifyWorkers(v: unknown, file: string): number {
  if (!validVerifyWorkers(v)) throw new UrbisError('STORE_CORRUPT', `${file}: verifyWorkers must be an integer from 1 to ${MAX_VERIFY_WORKERS}`);
  return v;
}

/** `heartbeatMs` of config.json: 0 (off) or 100 ms … 1 h; absent: the default. */
function heartbeat(v: unknown, file: string): number {
  if (v === undefined) return DEFAULT_CONFIG.heartbeatMs;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || (v !== 0 && (v < 100 || v > 3_600_000))) {
    throw new UrbisError('STORE_CORRUPT', `${file}: heartbeatMs must be 0 (off) or an integer from 100 to 3600000`);
  }
  return v;
}

/** Reads the genesis transaction of a data directory. */
export function readGenesis(dir: string): Tx<'genesis'> {
  const p = paths(dir);
  try {
    return JSON.parse(readFileSync(p.genesis, 'utf8')) as Tx<'genesis'>;
  } catch (e) {
    throw new UrbisError('STORE_NOT_INITIALIZED', `${p.genesis} cannot be read`, undefined, { cause: e });
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the directory lock; a lock left by a dead process is taken over. */
export function acquireLock(file: string): () => void {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o644);
      writeSync(fd, String(process.pid));
      closeSync(fd);
      return () => {
        try {
          if (readFileSync(file, 'utf8') === String(process.pid)) unlinkSync(file);
        } catch {
          /* already gone */
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number(readFileSync(file, 'utf8'));
      if (Number.isInteger(pid) && pid > 0 && pid !== process.pid && pidAlive(pid)) {
        throw new UrbisError('STORE_LOCKED', `process ${pid} holds ${file}; stop it, or use --node to go through it`, { pid });
      }
      unlinkSync(file);
    }
  }
  throw new UrbisError('STORE_LOCKED', `cannot take ${file}`);
}

/** An open data directory. */
export interface OpenDir {
  dir: string;
  config: NodeConfig;
  genesis: Tx<'genesis'>;
  store: SqliteStore;
  ledger: Ledger;
  sequencer: LocalSequencer;
  validator: Signer | undefined;
  /** Commits what is queued and releases everything. */
  close(): void;
}

export interface OpenOptions {
  /** Passphrase of an encrypted validator key. */
  passphrase?: string;
  sequencer?: Omit<SequencerOptions, 'blockIntervalMs' | 'maxBlockTxs' | 'maxPending'>;
  /**
   * Cut heartbeat blocks: `true` every `config.heartbeatMs`, a number every that many ms (0: off).
   * For a running node, not a short CLI command.
   */
  heartbeat?: boolean | number;
  /** Open without the validator key (read-only use: show, history, verify, status). */
  readOnly?: boolean;
  /**
   * A node of a multi-city network (src/network/node.ts): a directory without a validator key is a
   * read replica, whose block 0 waits for the validators' certificate instead of being refused.
   */
  network?: boolean;
  /** Validator key file to use instead of `<dir>/keys/validator.key` (network nodes: URBIS_KEY_FILE). */
  validatorKeyFile?: string;
  /** Runs after the lock is taken and before the store is opened (a network node imports a snapshot). */
  prepare?: () => Promise<void>;
}

/**
 * Opens a data directory: lock, SQLite store, ledger, local sequencer.
 *
 * @throws UrbisError STORE_NOT_INITIALIZED, STORE_LOCKED, STORE_CORRUPT, KEYFILE_*.
 */
export async function openDataDir(dir: string, opts: OpenOptions = {}): Promise<OpenDir> {
  const config = readConfig(dir);
  const genesis = readGenesis(dir);
  const p = paths(dir);
  const release = acquireLock(p.lock);
  try {
    let validator: Signer | undefined;
    const keyFile = opts.validatorKeyFile ?? p.validatorKey;
    if (!opts.readOnly && existsSync(keyFile)) {
      const key = await readKeyFile(keyFile, opts.passphrase === undefined ? {} : { passphrase: opts.passphrase });
      validator = signerFromSeed(key.seed);
    }
    if (opts.prepare) await opts.prepare();
    const store = SqliteStore.open(p.db);
    const ledger = new Ledger(store, {
      ...(validator ? { validator } : {}),
      ...(config.stateHistoryBlocks === undefined ? {} : { historyBlocks: config.stateHistoryBlocks }),
    });
    if (!store.head()) {
      // Killed between creating the database and committing genesis: finish the job.
      if (!validator && !opts.network) throw new UrbisError('STORE_NOT_INITIALIZED', `${dir} has no genesis block`);
      ledger.commitGenesis(genesis);
    }
    if (store.chain()?.chainId !== config.chainId) {
      throw new UrbisError('STORE_CORRUPT', `config.json names chain ${config.chainId}, the store holds ${store.chain()?.chainId}`);
    }
    const sequencer = new LocalSequencer(ledger, {
      ...opts.sequencer,
      blockIntervalMs: config.blockIntervalMs,
      maxBlockTxs: config.maxBlockTxs,
      maxPending: config.maxPending,
      ...(opts.heartbeat !== undefined && opts.heartbeat !== false && validator
        ? { heartbeatMs: opts.heartbeat === true ? config.heartbeatMs : opts.heartbeat }
        : {}),
    });
    return {
      dir,
      config,
      genesis,
      store,
      ledger,
      sequencer,
      validator,
      close() {
        try {
          if (validator) sequencer.stop();
        } finally {
          store.close();
          release();
        }
      },
    };
  } catch (e) {
    release();
    throw e;
  }
}

/** Multikey of a public key, re-exported for the CLI. */
export { publicKeyToMultikey };

/**
 * Where a CLI command reads and writes (docs/cli.md "Working through a node"): the local data
 * directory, or a running node reached through the client SDK (`--node <url>` or URBIS_NODE,
 * docs/sdk.md). Commands are written once against {@link Target}; only this file knows the
 * difference.
 *
 * Trust through a node: the node's answers are attacker-controlled. Every read is verified by the SDK
 * against a trust anchor (chain id + validator keys) taken from a genesis the user supplies
 * (`--genesis`, URBIS_GENESIS, `<dir>/genesis.json`). Without one, the anchor comes from the node's
 * own block 0, which proves only that the node agrees with itself (trust on first use); the CLI says
 * so on stderr and in `--json` (`trust: "node-supplied genesis"`). Transactions are always built and
 * signed here; the node only carries them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve as resolvePath } from 'node:path';
import { UrbisError, isUrbisError } from '../core/errors.js';
import type { Identifier } from '../core/ids/index.js';
import { validatorsHash } from '../core/ledger/block.js';
import { formatStateKey, idRef } from '../core/ledger/state.js';
import { txHash, type Signer } from '../core/ledger/tx.js';
import { verifyProvenEntry, type VerifiedAnswer } from '../core/ledger/verify.js';
import {
  DEFAULT_PARAMS,
  type BlockHeader,
  type ChainParams,
  type ControllerSet,
  type IdEntry,
  type NsEntry,
  type Payloads,
  type StateEntry,
  type Tx,
  type TxType,
} from '../core/ledger/types.js';
import { paths, type OpenDir } from '../engine/data-dir.js';
import type { TxOutcome } from '../ordering/types.js';
import type { Page } from '../storage/types.js';
import type { UrbisClient } from '../client/client.js';
import { CliFailure, EXIT, commitTx, rejected, resolveDir, usage, withDir, type CommonOpts } from './util.js';

/** A state entry with what its verification established (`urbis id resolve`). */
export interface Resolved {
  present: boolean;
  entry: StateEntry | null;
  verified: VerifiedAnswer;
  /** Merkle proof, header and certificate as received (local: as the ledger produced them). */
  proof: unknown;
  header: BlockHeader;
  cert: unknown;
}

/** The head of the chain and the authorities in force (`urbis status`). */
export interface ChainStatus {
  chainId: string;
  height: number;
  headHash: string;
  stateRoot: string;
  time: number;
  validators: string[];
  /** Null through a node: the HTTP API serves no proven chain entry. */
  root: ControllerSet | null;
}

/**
 * The ledger a command works on. Reads return what the ledger holds (through a node: verified
 * against the trust anchor, a failed verification being a {@link CliFailure} with exit 5); writes
 * return the outcome once the transaction is in a block.
 */
export interface Target {
  readonly kind: 'local' | 'node';
  /** The data directory, or the node's URL. */
  readonly location: string;
  readonly chainId: string;
  /** Chain parameters (size limits, batch size). */
  readonly params: ChainParams;
  /** Transactions worth keeping in flight at once when importing. */
  readonly batchesInFlight: number;
  /** True when a read costs a database lookup rather than a request: import checks every row first. */
  readonly cheapReads: boolean;
  ns(path: string): Promise<NsEntry | undefined>;
  id(ident: Identifier): Promise<IdEntry | undefined>;
  /** Every version, oldest first; empty when the identifier does not exist. */
  history(ident: Identifier): Promise<IdEntry[]>;
  /** The entry (or its absence) of an identifier or namespace identifier, with proof, verified. */
  resolve(ident: Identifier): Promise<Resolved>;
  /** Child namespaces (top-level ones for null). A listing: through a node, the node's word. */
  children(parent: string | null, cursor: string | null, limit: number): Promise<Page<NsEntry>>;
  status(): Promise<ChainStatus>;
  /**
   * Builds, signs, submits one transaction and waits for its block.
   * @throws CliFailure exit 4 if the ledger committed it as invalid; UrbisError from the pre-checks.
   */
  commit<T extends TxType>(signer: Signer, type: T, payload: Payloads[T]): Promise<TxOutcome>;
  /**
   * Submits signed transactions together and returns, per transaction, its outcome (valid or not)
   * or the error that kept it out of a block. The promises never reject.
   */
  submitMany(txs: Tx[]): Promise<TxOutcome | Error>[];
}

// ---------------------------------------------------------------------------------------------
// Local data directory

class LocalTarget implements Target {
  readonly kind = 'local';
  readonly cheapReads = true;

  constructor(readonly d: OpenDir) {}

  get location(): string {
    return this.d.dir;
  }
  get chainId(): string {
    return this.d.config.chainId;
  }
  get params(): ChainParams {
    return this.d.ledger.params();
  }
  get batchesInFlight(): number {
    return this.d.sequencer.maxBlockTxs;
  }

  async ns(path: string): Promise<NsEntry | undefined> {
    return this.d.store.ns(path);
  }

  async id(ident: Identifier): Promise<IdEntry | undefined> {
    return this.d.store.id(idStoreKey(ident));
  }

  async history(ident: Identifier): Promise<IdEntry[]> {
    return this.d.store.idHistory(idStoreKey(ident));
  }

  async resolve(ident: Identifier): Promise<Resolved> {
    const ns = ident.namespace.join('.');
    const proven = this.d.ledger.prove(formatStateKey(ident.local === null ? { kind: 'ns', ns } : { kind: 'id', ns, local: ident.local }));
    const g = this.d.genesis.body.payload;
    // Checked against the genesis validator keys, not the database's word.
    const verified = asVerification(() => verifyProvenEntry(proven, { chainId: g.chainId, validators: g.validators }));
    return { present: verified.present, entry: proven.entry, verified, proof: proven.proof, header: proven.header, cert: proven.cert };
  }

  async children(parent: string | null, cursor: string | null, limit: number): Promise<Page<NsEntry>> {
    return this.d.store.children(parent, cursor, limit);
  }

  async status(): Promise<ChainStatus> {
    const head = this.d.store.head()!;
    const chain = this.d.ledger.chain();
    return {
      chainId: chain.chainId,
      height: head.height,
      headHash: head.headerHash,
      stateRoot: head.header.stateRoot,
      time: head.header.time,
      validators: chain.validators,
      root: chain.root,
    };
  }

  commit<T extends TxType>(signer: Signer, type: T, payload: Payloads[T]): Promise<TxOutcome> {
    return commitTx(this.d, signer, type, payload);
  }

  submitMany(txs: Tx[]): Promise<TxOutcome | Error>[] {
    const seq = this.d.sequencer;
    const out = txs.map((tx) => {
      try {
        return seq.submit(tx).done.then(
          (o) => o,
          (e: unknown) => toError(e),
        );
      } catch (e) {
        return Promise.resolve(toError(e));
      }
    });
    // Submitting and cutting in one synchronous run keeps the sequencer's timer from cutting a
    // block after the first transaction (it cannot fire in between).
    while (seq.pending() > 0) if (!seq.cut()) break;
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// A running node

/** Codes by which the SDK says an answer does not verify against the anchor. */
const NOT_VERIFIED = new Set<string>([
  'PROOF_INVALID',
  'PROOF_MALFORMED',
  'CERT_INVALID',
  'TX_CHAIN_MISMATCH',
  'BLOCK_INVALID',
  'CLIENT_STALE',
  'CRYPTO_SIGNATURE_INVALID',
]);

/** Namespaces walked at most through a node for `status` totals (one request per parent). */
export const REMOTE_MAX_WALK = 1000;

class NodeTarget implements Target {
  readonly kind = 'node';
  readonly cheapReads = false;
  /** A few batches in flight: enough to fill blocks, little to resubmit if the node goes away. */
  readonly batchesInFlight = 4;
  readonly params: ChainParams;

  constructor(
    readonly client: UrbisClient,
    genesis: unknown,
    /** The latest certified header, verified when connecting. */
    private readonly head: { header: BlockHeader; headerHash: string },
  ) {
    this.params = genesisParams(genesis);
  }

  get location(): string {
    return this.client.http.base;
  }
  get chainId(): string {
    return this.client.anchor.chainId;
  }

  async ns(path: string): Promise<NsEntry | undefined> {
    const r = await verified(this.client.ns(path));
    return r.present ? r.entry : undefined;
  }

  async id(ident: Identifier): Promise<IdEntry | undefined> {
    const r = await verified(this.client.resolve(ident.text));
    return r.present ? (r.entry as IdEntry) : undefined;
  }

  async history(ident: Identifier): Promise<IdEntry[]> {
    return (await verified(this.client.history(ident.text))).versions;
  }

  async resolve(ident: Identifier): Promise<Resolved> {
    const r = await verified(this.client.resolve(ident.text));
    const a = r.answer as { proof?: unknown; header: BlockHeader; cert?: unknown };
    return {
      present: r.present,
      entry: r.entry,
      verified: { present: r.present, height: r.height, stateRoot: r.stateRoot, signers: r.signers, validators: this.client.anchor.validators.length },
      proof: a.proof,
      header: a.header,
      cert: a.cert,
    };
  }

  async children(parent: string | null, cursor: string | null, limit: number): Promise<Page<NsEntry>> {
    const http = this.client.http;
    if (parent === null) {
      // GET /v1/ns answers the first 1000 top-level namespaces in one page, unpaged: page here.
      const a = await http.json('GET', '/v1/ns');
      const items = listing(a).items.filter((e) => cursor === null || e.ns > cursor);
      const page = items.slice(0, limit);
      return { items: page, next: items.length > limit ? page[page.length - 1]!.ns : null };
    }
    const a = await http.json('GET', `/v1/ns/${encodeURIComponent(parent)}`, { query: { cursor: cursor ?? undefined, limit: Math.min(limit, 1000) } });
    return listing(a);
  }

  async status(): Promise<ChainStatus> {
    const h = this.head.header;
    return {
      chainId: h.chain,
      height: h.height,
      headHash: this.head.headerHash,
      stateRoot: h.stateRoot,
      time: h.time,
      validators: this.client.anchor.validators,
      root: null,
    };
  }

  async commit<T extends TxType>(signer: Signer, type: T, payload: Payloads[T]): Promise<TxOutcome> {
    const out = await this.submit(this.client.tx(type, payload, [signer]));
    if (!out.result.ok) throw rejected(out);
    return out;
  }

  submitMany(txs: Tx[]): Promise<TxOutcome | Error>[] {
    return txs.map((tx) =>
      this.submit(tx).then(
        (o) => o,
        (e: unknown) => toError(e),
      ),
    );
  }

  /** Submits and waits; a transaction committed as invalid is an outcome, not an error (as locally). */
  private async submit(tx: Tx): Promise<TxOutcome> {
    const hash = txHash(tx.body);
    try {
      const st = await this.client.submitAndWait(tx);
      return { hash, height: st.height, index: st.index, result: { ok: true } };
    } catch (e) {
      // docs/sdk.md: committed as invalid = the ledger's code with details { hash, height, index };
      // a node's refusal carries details.httpStatus instead.
      const d = isUrbisError(e) ? e.details : undefined;
      if (isUrbisError(e) && d && d.hash === hash && typeof d.height === 'number' && typeof d.index === 'number' && d.httpStatus === undefined) {
        const code = typeof d.code === 'string' ? d.code : e.code;
        return { hash, height: d.height, index: d.index, result: { ok: false, code, message: e.message } };
      }
      throw e;
    }
  }
}

/**
 * Chain parameters of a genesis: they are fixed there (src/core/ledger/apply.ts), and the API
 * serves no chain entry. The genesis may be the node's own word: only positive integers are taken.
 */
function genesisParams(genesis: unknown): ChainParams {
  const p = (genesis as Tx<'genesis'>).body.payload.params;
  const out: ChainParams = { ...DEFAULT_PARAMS };
  if (typeof p !== 'object' || p === null) return out;
  for (const k of Object.keys(DEFAULT_PARAMS) as (keyof ChainParams)[]) {
    const v = (p as Record<string, unknown>)[k];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) out[k] = v;
  }
  return out;
}

/** A node's (unverified) listing of namespaces: `{ children: { items, next } }`. */
function listing(a: unknown): Page<NsEntry> {
  const c = typeof a === 'object' && a !== null ? (a as { children?: unknown }).children : undefined;
  const items = typeof c === 'object' && c !== null ? (c as { items?: unknown }).items : undefined;
  const next = typeof c === 'object' && c !== null ? (c as { next?: unknown }).next : undefined;
  if (!Array.isArray(items) || !(next === null || typeof next === 'string')) throw new UrbisError('CLIENT_HTTP', 'namespace listing is malformed');
  const ok = (e: unknown): e is NsEntry => typeof e === 'object' && e !== null && (e as NsEntry).kind === 'ns' && typeof (e as NsEntry).ns === 'string';
  return { items: items.filter(ok), next };
}

/** Runs an SDK read; an answer that does not verify becomes exit 5 ("verification failed"). */
async function verified<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw notVerified(e);
  }
}

/** An error met while connecting to `url`: unreachable, or not verifying against `trusted`. */
function connectError(e: unknown, url: string, trusted: string): unknown {
  if (isUrbisError(e) && e.code === 'CLIENT_HTTP' && e.details?.network === true) {
    return new UrbisError('CLIENT_HTTP', `cannot reach the node at ${url}: ${e.message}`, { ...e.details }, { cause: e });
  }
  return notVerified(e, `the answers of ${url} do not verify against ${trusted}: `);
}

function notVerified(e: unknown, context = ''): unknown {
  if (!isUrbisError(e) || !NOT_VERIFIED.has(e.code)) return e;
  return new CliFailure(new UrbisError(e.code, `verification failed: ${context}${e.message}`, e.details as Record<string, unknown> | undefined), EXIT.VERIFY);
}

/** Local verification: whatever it throws means the stored answer does not verify. */
function asVerification<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!isUrbisError(e)) throw e;
    throw new CliFailure(new UrbisError(e.code, `verification failed: ${e.message}`, e.details as Record<string, unknown> | undefined), EXIT.VERIFY);
  }
}

function toError(e: unknown): Error {
  return e instanceof Error ? e : new UrbisError('INTERNAL', String(e));
}

function idStoreKey(ident: Identifier): string {
  return idRef(ident.namespace.join('.'), ident.local ?? '');
}

/** The node URL from --node or URBIS_NODE, or undefined for the local data directory. */
export function nodeUrl(o: CommonOpts): string | undefined {
  const raw = o.node ?? (process.env.URBIS_NODE || undefined);
  if (raw === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    usage(`--node expects an http(s) URL, got "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') usage(`--node expects an http(s) URL, got "${raw}"`);
  return u.href.replace(/\/+$/, '');
}

/** Where the trust anchor comes from: a genesis file, or (null) the node itself. */
function genesisFile(o: CommonOpts): { file: string; from: string } | null {
  if (o.genesis !== undefined) return { file: resolvePath(o.genesis), from: '--genesis' };
  if (process.env.URBIS_GENESIS) return { file: resolvePath(process.env.URBIS_GENESIS), from: 'URBIS_GENESIS' };
  const local = paths(resolveDir(o)).genesis;
  return existsSync(local) ? { file: local, from: 'the data directory' } : null;
}

function readGenesisFile(file: string, from: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UrbisError('CLI_USAGE', `cannot read the genesis file ${file} (${from})`, { path: file }, { cause: e });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UrbisError('TX_GENESIS_INVALID', `${file} (${from}) is not JSON`, { path: file }, { cause: e });
  }
}

/**
 * Connects to a node: builds the trust anchor, then checks the node's latest certified header
 * against it, following validator-set changes (`syncAnchor`) when the header says the set moved or
 * its certificate does not verify under the anchor's set.
 *
 * @throws CliFailure exit 5 when the node's answers do not verify against the anchor;
 *   UrbisError TX_GENESIS_INVALID, CLI_USAGE (genesis file), CLIENT_* (node unreachable).
 */
async function openNode(url: string, o: CommonOpts): Promise<{ target: NodeTarget; via: Record<string, unknown> }> {
  // Loaded on demand: local commands do not pay for the SDK.
  const { UrbisClient } = await import('../client/client.js');
  const src = genesisFile(o);
  let genesis: unknown;
  let client: UrbisClient;
  let via: Record<string, unknown>;
  let trusted: string;
  if (src) {
    genesis = readGenesisFile(src.file, src.from);
    client = new UrbisClient({ url, anchor: UrbisClient.anchorFromGenesis(genesis) });
    via = { node: url, trust: 'genesis file', genesisFile: src.file };
    trusted = `the genesis in ${src.file} (${src.from})`;
  } else {
    const { Http } = await import('../client/http.js');
    const http = new Http({
      url,
      fetch: globalThis.fetch.bind(globalThis),
      timeoutMs: 10_000,
      retry: { retries: 3, baseDelayMs: 200, maxDelayMs: 2000 },
      maxBodyBytes: 32 * 1024 * 1024,
    });
    const block0 = await http.json('GET', '/v1/blocks/0').catch((e: unknown) => {
      throw connectError(e, url, 'its own block 0');
    });
    const txs = typeof block0 === 'object' && block0 !== null ? (block0 as { txs?: unknown }).txs : undefined;
    genesis = Array.isArray(txs) ? (txs[0] as unknown) : undefined;
    try {
      client = new UrbisClient({ url, anchor: UrbisClient.anchorFromGenesis(genesis) });
      // Only self-consistency: block 0 certified by the validators it names, its tx root covering them.
      client.verifier.verifyBlock(block0, 0);
    } catch (e) {
      const err = isUrbisError(e) ? e : new UrbisError('INTERNAL', String(e));
      throw new CliFailure(
        new UrbisError(
          err.code,
          `verification failed: block 0 of ${url} is not a consistent genesis block: ${err.message}`,
          err.details as Record<string, unknown> | undefined,
        ),
        EXIT.VERIFY,
      );
    }
    via = { node: url, trust: 'node-supplied genesis' };
    trusted = `the genesis supplied by ${url}`;
    process.stderr.write(
      `warning: no genesis file (--genesis, URBIS_GENESIS, <dir>/genesis.json): trusting the genesis supplied by ${url} itself (trust on first use). ` +
        `Answers are checked against it, which proves the node consistent, not honest; pass --genesis FILE obtained from a source you trust.\n`,
    );
  }
  try {
    let head: { header: BlockHeader; headerHash: string } | null = null;
    try {
      head = await client.checkpoint();
    } catch (e) {
      // Possibly certified by a validator set that replaced the anchor's: follow the changes below.
      if (!isUrbisError(e) || e.code !== 'CERT_INVALID') throw e;
    }
    if (head === null || head.header.nextValidators !== validatorsHash(client.anchor.validators)) {
      await client.syncAnchor();
      head = await client.checkpoint();
    }
    return { target: new NodeTarget(client, genesis, head), via };
  } catch (e) {
    throw connectError(e, url, trusted);
  }
}

/**
 * Runs `fn` on the target the options name: a node (`--node` or URBIS_NODE) or the data directory
 * (opened and closed as by `withDir`, so the local path is unchanged). Through a node, `o.via` is
 * set so that --json documents name the node and the trust source.
 *
 * @throws UrbisError CLI_USAGE for a bad --node URL or --genesis without a node; as `withDir` or
 *   the connection ({@link openNode}).
 */
export async function withTarget<T>(o: CommonOpts, readOnly: boolean, fn: (t: Target) => Promise<T> | T): Promise<T> {
  const url = nodeUrl(o);
  if (url === undefined) {
    if (o.genesis !== undefined) usage('--genesis applies only with --node (or URBIS_NODE)');
    return withDir(o, readOnly, (d) => fn(new LocalTarget(d)));
  }
  const { target, via } = await openNode(url, o);
  o.via = via;
  return fn(target);
}

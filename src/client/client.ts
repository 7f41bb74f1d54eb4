/**
 * The Urbis client SDK: builds and signs transactions, submits them to any node, and reads the
 * ledger with proofs that it verifies itself. Spec: docs/sdk.md (usage, what is verified),
 * docs/api.md (routes), docs/protocol.md "Proofs".
 *
 * Runs in Node and in browsers: no `node:` imports, the global `fetch` (or an injected one), and the
 * pure core for every check. In Node, import the package root (`urbis`), which installs the
 * node:crypto provider (about ten times faster than the @noble fallback); in a browser nothing is
 * needed.
 *
 * Trust: the client trusts its {@link TrustAnchor} (chain id and validator keys from the genesis)
 * and nothing the node says. Reads come back only after the certificate and Merkle proof check out;
 * "not found" is believed only with a verified proof of absence. Writes are reported as the node
 * reports them unless `verifyCommits` is set, in which case the committing block is fetched and
 * checked too.
 */
import { UrbisError, ERROR_CODES, type ErrorCode } from '../core/errors.js';
import {
  canonicalKey,
  formatDid,
  formatUrl,
  makeIdentifier,
  parseIdentifier,
  parseNamespacePath,
  DEFAULT_URL_HOST,
  type Identifier,
} from '../core/ids/index.js';
import { validatorsHash } from '../core/ledger/block.js';
import { checkForkEvidence, forked, forkEvidenceOf, verifyExtends, type ForkEvidence } from '../core/ledger/consistency.js';
import {
  checkWitnessPolicy,
  parseWitnesses,
  parseWitnessPolicy,
  verifyCheckpointNote,
  type VerifiedCheckpoint,
  type Witness,
  type WitnessPolicy,
} from '../core/ledger/checkpoint.js';
import { idKey, nsKey, stateKey } from '../core/ledger/state.js';
import { buildTxBody, signTx, txHash, type Signer } from '../core/ledger/tx.js';
import type { TrustAnchor } from '../core/ledger/verify.js';
import type { GrantEntry, IdEntry, NsEntry, Payloads, Tx, TxResult, TxType } from '../core/ledger/types.js';
import { grantRef } from '../core/ledger/grants.js';
import type { ChangeEvent, SearchAnswer, TxCheckAnswer, TxStatus } from '../core/api/types.js';
import { Http, isObj, problemError, sleep, type FetchLike, type RetryOptions } from './http.js';
import { SseParser, type SseMessage } from './sse.js';
import type { SearchFilter } from '../core/api/search.js';
import {
  EventChecker,
  verifyHistoryAnswer,
  verifyNsAnswer,
  verifySearchAnswer,
  type EventProofInfo,
  type VerifiedHistory,
  type VerifiedListing,
  type VerifiedNsListing,
} from './listings.js';
import { DEFAULT_MAX_AGE_MS, TrustState, trustKey, type AnswerKind, type TrustStore } from './trust-state.js';
import {
  AnswerVerifier,
  checkAnchor,
  sameJson,
  proofInfo,
  type ProofInfo,
  type ProvenJsonAnswer,
  type VerifiedBlock,
  type VerifiedEntry,
  type VerifiedHeader,
} from '../core/ledger/verify.js';

/** Options of {@link UrbisClient}. */
export interface UrbisClientOptions {
  /** Base URL of any node, e.g. `http://localhost:8080`. */
  url: string;
  /** What the client trusts: the network's chain id and validator keys (see {@link UrbisClient.anchorFromGenesis}). */
  anchor: TrustAnchor;
  /** Height the anchor's validator set is known at (0 for a genesis anchor); {@link UrbisClient.syncAnchor} walks from here. */
  anchorHeight?: number;
  /** Transport; default the global `fetch`. */
  fetch?: FetchLike;
  /** Per-request timeout, ms (default 10 000). Long polls add their wait to it. */
  timeoutMs?: number;
  /** Retries of 503 / 429 / network failures (default 5 retries, 200 ms doubling, 10 s cap). */
  retry?: RetryOptions;
  /**
   * Refuse current-state answers whose certified header is older than this, ms (docs/sdk.md
   * "Freshness and rollback"). Default {@link DEFAULT_MAX_AGE_MS} (5 min); 0, null or Infinity: any age.
   */
  maxAgeMs?: number | null;
  /** Clock of the age rule, ms since the epoch (default Date.now). */
  now?: () => number;
  /** Where the trust state (highest certified header verified) is kept; default memory. */
  trustStore?: TrustStore;
  /** A trust state to share with other clients of the same chain (then `maxAgeMs`, `now`, `trustStore` are its own). */
  trust?: TrustState;
  /** Certified headers remembered to skip repeated signature checks (default 1024). */
  certCacheSize?: number;
  /** Largest accepted answer body, bytes (default 32 MiB). */
  maxBodyBytes?: number;
  /** After a write commits, fetch its block and verify the transaction and result in it (default false). */
  verifyCommits?: boolean;
  /** Default time to wait for a commit, ms (default 60 000). */
  waitTimeoutMs?: number;
  /** Host (or origin) of label URLs in answers (default `id.urbis.city`). */
  urlHost?: string;
  /**
   * Before the trusted head moves from A up to B, check that B extends A (`GET /v1/consistency`,
   * docs/sdk.md "Consistency between heads"). Default true.
   */
  checkConsistency?: boolean;
  /**
   * Require witnesses (docs/sdk.md "Witness cosignatures"): a head is trusted only once it is
   * consistent with a checkpoint cosigned by `k` of the `witnesses` (verifier keys).
   */
  witnessPolicy?: WitnessPolicy;
}

/** Options for building a transaction. */
export interface TxOptions {
  /** Validity window, ms (default 10 minutes). */
  ttlMs?: number;
  /** Uniqueness token (default 12 random bytes). */
  nonce?: string;
  /** Override of the clock, ms since epoch. */
  now?: number;
}

/** Options for building, submitting and waiting. */
export interface WriteOptions extends TxOptions {
  /** Time to wait for the commit, ms. */
  timeoutMs?: number;
}

/** A transaction in a block. */
export type CommittedTxStatus = Extract<TxStatus, { status: 'committed' }>;

/** The status of a transaction committed as valid. */
export type CommittedTx = CommittedTxStatus & { result: { ok: true } };

/** Coordinates of a verified answer, and the raw answer for forwarding or offline re-checks. */
export interface ResolutionBase {
  /** Canonical text form, with check character. */
  id: string;
  did: string;
  url: string;
  /** State key (`id:<ns>/<local>` or `ns:<path>`). */
  key: string;
  height: number;
  time: number;
  stateRoot: string;
  headerHash: string;
  proof: ProofInfo;
  /** Distinct validators whose valid signatures certified the header. */
  signers: number;
  /**
   * The answer as verified (`{ key, entry, proof, header, cert }`): the header and certificate are
   * the verified ones (the certificate holds only the signatures that counted), never the bytes the
   * node sent beside them. Forward it for offline re-checks.
   */
  answer: ProvenJsonAnswer;
}

/** A verified resolution: the entry, or the proven fact that there is none. */
export type Resolution<E extends IdEntry | NsEntry | GrantEntry = IdEntry | NsEntry> =
  (ResolutionBase & { present: true; entry: E; status: E['status']; version: number }) | (ResolutionBase & { present: false; entry: null });

/** A verified namespace, with its (unverified) first page of children. */
export type NsResolution = Resolution<NsEntry> & {
  ns: string;
  /** The node's listing of child namespaces: NOT verified; resolve a child to prove it. */
  children?: { items: NsEntry[]; next: string | null };
};

/** History of an identifier, checked to end at the proven current entry. */
export interface IdHistory {
  current: Resolution<IdEntry>;
  /**
   * Oldest first; the last equals `current.entry`. With `proven` true, every earlier version was
   * proven against the certified header of the block that wrote it; otherwise they are consistent
   * with the current entry only.
   */
  versions: IdEntry[];
  proven: boolean;
}

/** A version of an identifier, proven at the block that wrote it. */
export interface IdVersion {
  entry: IdEntry;
  /** The verified answer: proof against the certified header of the height of this version. */
  resolution: Resolution<IdEntry>;
  /** Always true: a version is only returned proven. */
  proven: true;
}

/** Search filters (`GET /v1/search`). */
export interface SearchQuery {
  type?: string;
  ns?: string;
  /** An identifier (any form) the results link to. */
  linkedTo?: string;
  status?: string;
  /** Attribute equality filters, sent as `attr.<k>=<v>`. */
  attrs?: Record<string, string>;
  cursor?: string | null;
  limit?: number;
}

/** Options of {@link UrbisClient.events}. */
export interface EventsOptions {
  /** Resume after this event id (`<height>.<seq>`), as sent in the `Last-Event-ID` header. */
  lastEventId?: string;
  /** Server-side filters, sent as query parameters (docs/api.md), e.g. `{ ns: '156.130100' }`. */
  filter?: Record<string, string>;
  /** Called on a connection failure (the stream reconnects) or an unusable event (skipped). */
  onError?: (e: UrbisError) => void;
  /** Reconnection delay when the server sets none, ms (default 1000), doubled on repeated failures up to 30 s. */
  retryMs?: number;
}

const DEFAULTS = { timeoutMs: 10_000, waitTimeoutMs: 60_000, maxBodyBytes: 32 * 1024 * 1024, maxPollMs: 25_000 };

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

function checkResult(v: unknown): TxResult | null {
  if (!isObj(v)) return null;
  if (v.ok === true) return { ok: true };
  if (v.ok === false && typeof v.code === 'string' && typeof v.message === 'string') {
    return { ok: false, code: v.code.slice(0, 100), message: v.message.slice(0, 2000) };
  }
  return null;
}

/** @throws UrbisError CLIENT_HTTP unless `v` is a TxStatus about `hash`. */
function checkTxStatus(v: unknown, hash: string): TxStatus {
  if (!isObj(v)) throw new UrbisError('CLIENT_HTTP', 'transaction status is not an object');
  if (v.hash !== hash) throw new UrbisError('CLIENT_HTTP', `node answered about transaction ${String(v.hash).slice(0, 80)}, not ${hash}`);
  if (v.status === 'pending') return { hash, status: 'pending' };
  const result = checkResult(v.result);
  if (v.status === 'committed' && isCount(v.height) && isCount(v.index) && result) {
    return { hash, status: 'committed', height: v.height, index: v.index, result };
  }
  throw new UrbisError('CLIENT_HTTP', 'transaction status is malformed', { hash });
}

const isKeyList = (v: unknown): v is string[] => Array.isArray(v) && v.length <= 256 && v.every((k) => typeof k === 'string' && k.length <= 200);

/**
 * A node's answer to `POST /v1/tx/check`, shape-checked: it is the node's word about its head (no
 * proof), so nothing is taken that is not of the documented form.
 */
function checkTxCheck(v: unknown, hash: string): TxCheckAnswer {
  if (!isObj(v) || v.hash !== hash) throw new UrbisError('CLIENT_HTTP', `the node's check is not about transaction ${hash}`, { hash });
  const result = checkResult(v.result);
  const authority = Array.isArray(v.authority) ? v.authority : null;
  const rulesOk =
    authority !== null &&
    authority.length <= 16 &&
    authority.every(
      (a) =>
        isObj(a) &&
        typeof a.what === 'string' &&
        isCount(a.threshold) &&
        isCount(a.missing) &&
        typeof a.met === 'boolean' &&
        isKeyList(a.keys) &&
        isKeyList(a.signers) &&
        isKeyList(a.candidates) &&
        (a.registrars === undefined || isKeyList(a.registrars)),
    );
  if (!result || !isCount(v.height) || !isKeyList(v.signedBy) || !rulesOk || typeof v.admissible !== 'boolean') {
    throw new UrbisError('CLIENT_HTTP', 'the check of the transaction is malformed', { hash });
  }
  return v as unknown as TxCheckAnswer;
}

/** The error a committed-but-invalid transaction stands for: its ledger code when registered. */
function resultError(st: CommittedTxStatus): UrbisError {
  const r = st.result as { ok: false; code: string; message: string };
  const details = { hash: st.hash, height: st.height, index: st.index };
  if (Object.hasOwn(ERROR_CODES, r.code)) return new UrbisError(r.code as ErrorCode, r.message, details);
  return new UrbisError('CLIENT_HTTP', `transaction rejected with unknown code ${r.code}: ${r.message}`, { ...details, code: r.code });
}

/** The query parameters of a search. @throws UrbisError ID_* for a malformed `linkedTo`. */
function searchParams(q: SearchQuery): Record<string, string | number | undefined> {
  const query: Record<string, string | number | undefined> = {
    type: q.type,
    ns: q.ns,
    linkedTo: q.linkedTo === undefined ? undefined : parseIdentifier(q.linkedTo).text,
    status: q.status,
    cursor: q.cursor ?? undefined,
    limit: q.limit,
  };
  for (const [k, v] of Object.entries(q.attrs ?? {})) query[`attr.${k}`] = v;
  return query;
}

function parseChangeEvent(data: string): ChangeEvent | null {
  try {
    return checkChangeEvent(JSON.parse(data));
  } catch {
    return null;
  }
}

function checkChangeEvent(v: unknown): ChangeEvent | null {
  if (!isObj(v)) return null;
  const ok =
    isCount(v.height) &&
    isCount(v.seq) &&
    typeof v.key === 'string' &&
    typeof v.kind === 'string' &&
    isCount(v.version) &&
    typeof v.tx === 'string' &&
    typeof v.time === 'number';
  return ok ? (v as unknown as ChangeEvent) : null;
}

/**
 * Client of an Urbis network. Construct one per network; it is safe to share.
 *
 * @example
 * const client = new UrbisClient({ url: 'http://localhost:8080', anchor: UrbisClient.anchorFromGenesis(genesis) });
 * const r = await client.resolve('156.130100.42/LAMP-000017:F');
 * if (r.present) console.log(r.entry.record, 'proven at block', r.height);
 */
export class UrbisClient {
  readonly http: Http;
  readonly verifier: AnswerVerifier;
  /** What this client knows the chain reached: freshness, rollback and fork rules (docs/sdk.md). */
  readonly trust: TrustState;
  private anchorHeightValue: number;
  private readonly verifyCommits: boolean;
  private readonly waitTimeoutMs: number;
  private readonly timeoutMs: number;
  private readonly urlHost: string;
  private readonly maxBodyBytes: number;
  private readonly checkConsistency: boolean;
  private readonly nowMs: () => number;
  private readonly witnessPolicy: { policy: WitnessPolicy; witnesses: Witness[] } | null;

  /** @throws UrbisError CERT_INVALID if the anchor is malformed, NOTE_INVALID if a witness key is; RangeError for a policy's k. */
  constructor(opts: UrbisClientOptions) {
    const f = opts.fetch ?? (globalThis.fetch?.bind(globalThis) as FetchLike | undefined);
    if (!f) throw new UrbisError('CLIENT_HTTP', 'no fetch available: pass opts.fetch');
    this.timeoutMs = opts.timeoutMs ?? DEFAULTS.timeoutMs;
    this.maxBodyBytes = opts.maxBodyBytes ?? DEFAULTS.maxBodyBytes;
    this.http = new Http({
      url: opts.url,
      fetch: f,
      timeoutMs: this.timeoutMs,
      retry: { retries: 5, baseDelayMs: 200, maxDelayMs: 10_000, ...opts.retry },
      maxBodyBytes: this.maxBodyBytes,
    });
    this.verifier = new AnswerVerifier(opts.anchor, opts.certCacheSize !== undefined ? { certCacheSize: opts.certCacheSize } : {});
    const anchor = this.verifier.anchor;
    if (opts.trust && opts.trust.chainId !== anchor.chainId) throw new UrbisError('TX_CHAIN_MISMATCH', `the trust state is for chain ${opts.trust.chainId}`);
    this.trust =
      opts.trust ??
      new TrustState(anchor.chainId, trustKey(anchor.chainId, validatorsHash(anchor.validators)), {
        maxAgeMs: opts.maxAgeMs === undefined ? DEFAULT_MAX_AGE_MS : opts.maxAgeMs,
        ...(opts.now ? { now: opts.now } : {}),
        ...(opts.trustStore ? { store: opts.trustStore } : {}),
      });
    this.anchorHeightValue = opts.anchorHeight ?? 0;
    this.verifyCommits = opts.verifyCommits ?? false;
    this.waitTimeoutMs = opts.waitTimeoutMs ?? DEFAULTS.waitTimeoutMs;
    this.urlHost = opts.urlHost ?? DEFAULT_URL_HOST;
    this.checkConsistency = opts.checkConsistency ?? true;
    this.nowMs = opts.now ?? Date.now;
    this.witnessPolicy = opts.witnessPolicy ? { policy: opts.witnessPolicy, witnesses: parseWitnessPolicy(opts.witnessPolicy) } : null;
  }

  /**
   * The trust anchor of a network from its genesis transaction (the `genesis.json` every operator
   * publishes): its chain id and initial validator set. Obtain the genesis from a source you trust;
   * everything else is checked against it.
   *
   * @throws UrbisError TX_GENESIS_INVALID if `genesis` is not a genesis transaction.
   */
  static anchorFromGenesis(genesis: unknown): TrustAnchor {
    const body = isObj(genesis) && isObj(genesis.body) ? genesis.body : null;
    const p = body && isObj(body.payload) ? body.payload : null;
    if (!body || body.type !== 'genesis' || !p || typeof p.chainId !== 'string' || body.chain !== p.chainId) {
      throw new UrbisError('TX_GENESIS_INVALID', 'not a genesis transaction (body.type "genesis", payload.chainId equal to body.chain)');
    }
    try {
      return checkAnchor({ chainId: p.chainId, validators: p.validators as string[] });
    } catch (e) {
      throw new UrbisError('TX_GENESIS_INVALID', 'the genesis validator list is malformed', undefined, { cause: e });
    }
  }

  /** The anchor in force (a copy). */
  get anchor(): TrustAnchor {
    return this.verifier.anchor;
  }

  /** Height the anchor's validator set is known at. */
  get anchorHeight(): number {
    return this.anchorHeightValue;
  }

  /** Replaces the trust anchor (forgets cached certified headers). @throws UrbisError CERT_INVALID if malformed. */
  setAnchor(anchor: TrustAnchor, height = 0): void {
    this.verifier.setAnchor(anchor);
    this.anchorHeightValue = height;
  }

  // --- writes ------------------------------------------------------------------------------------

  /**
   * Builds and signs a transaction for this network (chain id from the anchor, validity window
   * around the local clock). Add co-signatures with `cosignTx` before submitting when a threshold
   * needs keys held elsewhere.
   *
   * @throws UrbisError CRYPTO_KEY_INVALID from a signer.
   */
  tx<T extends TxType>(type: T, payload: Payloads[T], signers: Signer[], opts: TxOptions = {}): Tx<T> {
    const body = buildTxBody(type, payload, {
      chain: this.verifier.anchor.chainId,
      now: opts.now ?? Date.now(),
      ...(opts.ttlMs !== undefined ? { ttlMs: opts.ttlMs } : {}),
      ...(opts.nonce !== undefined ? { nonce: opts.nonce } : {}),
    });
    return signTx(body, signers);
  }

  /**
   * Submits a signed transaction. Resubmitting is safe (a transaction is identified by its hash), so
   * overload (503 with Retry-After) and network failures are retried with backoff, bounded.
   *
   * @returns pending, or committed if the node already knows the outcome.
   * @throws UrbisError with the node's code for a refused transaction (TX_SIGNATURE_INVALID,
   *   TX_EXPIRED, …), NODE_BUSY after the retries, CLIENT_TIMEOUT, CLIENT_HTTP.
   */
  async submit(tx: Tx): Promise<TxStatus> {
    const hash = txHash(tx.body);
    const a = await this.http.send('POST', '/v1/tx', { body: tx });
    if (a.status >= 200 && a.status < 300) return checkTxStatus(a.json, hash);
    const err = problemError(a);
    // A retried submission may find its own earlier attempt committed already.
    if (err.code === 'TX_REPLAYED') return this.status(hash);
    throw err;
  }

  /**
   * Admission's dry run (`POST /v1/tx/check`): a transaction signed by some, all or none of its
   * signers, run against the node's head without being admitted. Says who has signed, each
   * authority rule (how many signatures are missing, who else may sign) and the outcome. The node's
   * word, not a proof: a check, not a guarantee of what a block will say.
   *
   * @throws UrbisError with the node's code for a malformed or badly signed transaction; CLIENT_HTTP.
   */
  async checkTx(tx: Tx): Promise<TxCheckAnswer> {
    return checkTxCheck(await this.http.json('POST', '/v1/tx/check', { body: tx }), txHash(tx.body));
  }

  /**
   * The node's status of a transaction; with `waitMs`, the node holds the request until the
   * transaction commits or the wait elapses (long poll).
   *
   * @throws UrbisError TX_NOT_FOUND, CLIENT_TIMEOUT, CLIENT_HTTP.
   */
  async status(hash: string, waitMs?: number): Promise<TxStatus> {
    const json = await this.http.json('GET', `/v1/tx/${encodeURIComponent(hash)}`, {
      ...(waitMs !== undefined ? { query: { wait: Math.max(0, Math.floor(waitMs)) }, timeoutMs: waitMs + this.timeoutMs } : {}),
    });
    return checkTxStatus(json, hash);
  }

  /**
   * Waits until a transaction is in a block (valid or not), long-polling the node.
   *
   * @throws UrbisError CLIENT_TIMEOUT if it is not committed within `timeoutMs`; TX_NOT_FOUND if
   *   the node does not know it (never submitted there, or dropped).
   */
  async wait(hash: string, timeoutMs: number = this.waitTimeoutMs): Promise<CommittedTxStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new UrbisError('CLIENT_TIMEOUT', `transaction ${hash} not committed within ${timeoutMs} ms`, { hash });
      const w = Math.min(remaining, DEFAULTS.maxPollMs);
      const started = Date.now();
      const st = await this.status(hash, w);
      if (st.status === 'committed') return st;
      // A node that answers "pending" at once (no long poll) must not be hammered.
      if (Date.now() - started < Math.min(w, 200)) await sleep(Math.min(200, Math.max(0, deadline - Date.now())));
    }
  }

  /**
   * Submits, waits for the commit and returns it; with `verifyCommits`, the block is fetched and
   * the transaction and its result are verified in it.
   *
   * @throws UrbisError with the ledger's code (AUTH_THRESHOLD, ID_EXISTS, …) when the transaction
   *   was committed as invalid; details carry hash, height and index. And as {@link submit}, {@link wait}.
   */
  async submitAndWait(tx: Tx, opts: { timeoutMs?: number } = {}): Promise<CommittedTx> {
    const hash = txHash(tx.body);
    const first = await this.submit(tx);
    let st = first.status === 'committed' ? first : await this.wait(hash, opts.timeoutMs ?? this.waitTimeoutMs);
    if (this.verifyCommits) st = await this.confirm(st);
    if (!st.result.ok) throw resultError(st);
    return st as CommittedTx;
  }

  /**
   * Verifies a reported commit: fetches the block, verifies it, and checks that the transaction
   * sits at the reported index with the reported result.
   *
   * @returns the status as read from the verified block.
   * @throws UrbisError PROOF_INVALID (not in the block as reported), and as {@link block}.
   */
  async confirm(st: CommittedTxStatus): Promise<CommittedTxStatus> {
    const b = await this.block(st.height);
    const t = b.txs[st.index] as unknown;
    let h: string | null = null;
    try {
      h = isObj(t) && isObj(t.body) ? txHash(t.body as unknown as Tx['body']) : null;
    } catch {
      h = null;
    }
    if (h !== st.hash || !sameJson(b.results[st.index], st.result)) {
      throw new UrbisError('PROOF_INVALID', `transaction ${st.hash} is not at ${st.height}/${st.index} with the reported result`, { hash: st.hash });
    }
    return { hash: st.hash, status: 'committed', height: st.height, index: st.index, result: b.results[st.index]! };
  }

  private write<T extends TxType>(type: T, payload: Payloads[T], signers: Signer[], opts: WriteOptions = {}): Promise<CommittedTx> {
    return this.submitAndWait(this.tx(type, payload, signers, opts), opts.timeoutMs !== undefined ? { timeoutMs: opts.timeoutMs } : {});
  }

  /** Registers one identifier (`id.register`). @throws UrbisError as {@link submitAndWait}. */
  registerId(p: Payloads['id.register'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('id.register', p, signers, opts);
  }
  /** Registers many identifiers of one namespace (`id.registerBatch`). @throws UrbisError as {@link submitAndWait}. */
  registerBatch(p: Payloads['id.registerBatch'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('id.registerBatch', p, signers, opts);
  }
  /** Allocates a range of serial identifiers (`id.allocate`). @throws UrbisError as {@link submitAndWait}. */
  allocate(p: Payloads['id.allocate'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('id.allocate', p, signers, opts);
  }
  /** Replaces an identifier's record (`id.update`). @throws UrbisError as {@link submitAndWait}. */
  updateId(p: Payloads['id.update'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('id.update', p, signers, opts);
  }
  /** Changes an identifier's controllers (`id.transfer`). @throws UrbisError as {@link submitAndWait}. */
  transferId(p: Payloads['id.transfer'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('id.transfer', p, signers, opts);
  }
  /** Deactivates an identifier, finally (`id.deactivate`). @throws UrbisError as {@link submitAndWait}. */
  deactivateId(p: Payloads['id.deactivate'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('id.deactivate', p, signers, opts);
  }
  /** Resets an identifier's controllers by its namespace (`id.recover`). @throws UrbisError as {@link submitAndWait}. */
  recoverId(p: Payloads['id.recover'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('id.recover', p, signers, opts);
  }
  /** Creates a namespace (`ns.create`). @throws UrbisError as {@link submitAndWait}. */
  createNs(p: Payloads['ns.create'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('ns.create', p, signers, opts);
  }
  /** Updates a namespace's policy, record or controllers (`ns.update`). @throws UrbisError as {@link submitAndWait}. */
  updateNs(p: Payloads['ns.update'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('ns.update', p, signers, opts);
  }
  /** Sets a child namespace's limits, as its parent (`ns.limits`). @throws UrbisError as {@link submitAndWait}. */
  setLimits(p: Payloads['ns.limits'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('ns.limits', p, signers, opts);
  }
  /** Suspends a namespace (`ns.suspend`). @throws UrbisError as {@link submitAndWait}. */
  suspendNs(p: Payloads['ns.suspend'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('ns.suspend', p, signers, opts);
  }
  /** Lifts a suspension (`ns.reinstate`). @throws UrbisError as {@link submitAndWait}. */
  reinstateNs(p: Payloads['ns.reinstate'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('ns.reinstate', p, signers, opts);
  }
  /** Replaces a namespace's controllers by its parent (`ns.recover`). @throws UrbisError as {@link submitAndWait}. */
  recoverNs(p: Payloads['ns.recover'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('ns.recover', p, signers, opts);
  }
  /**
   * Replaces the validator set (`chain.validators`, root authority). Readers must then follow the
   * change ({@link syncAnchor}) to verify later blocks. @throws UrbisError as {@link submitAndWait}.
   */
  setValidators(p: Payloads['chain.validators'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('chain.validators', p, signers, opts);
  }
  /** Replaces the root authority (`chain.root`). @throws UrbisError as {@link submitAndWait}. */
  /** Grants an identifier access to a dataset or service (signed by the subject's controllers). */
  grantAccess(p: Payloads['grant.issue'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('grant.issue', p, signers, opts);
  }

  /** Revokes a grant (signed by the subject's controllers). */
  revokeAccess(p: Payloads['grant.revoke'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('grant.revoke', p, signers, opts);
  }

  setRoot(p: Payloads['chain.root'], signers: Signer[], opts?: WriteOptions): Promise<CommittedTx> {
    return this.write('chain.root', p, signers, opts);
  }

  // --- verified reads ----------------------------------------------------------------------------

  /**
   * Resolves an identifier given in any form (text, DID, URL; the check character is required, so
   * a typo fails here, before any request). Namespace identifiers resolve to their namespace entry.
   *
   * @returns the verified entry, or the verified proof that there is none.
   * @throws UrbisError ID_* (malformed identifier), PROOF_INVALID / CERT_INVALID / TX_CHAIN_MISMATCH
   *   (the answer does not verify, including a "not found" without a proof of absence),
   *   CLIENT_STALE (older than `maxAgeMs`), CLIENT_ROLLBACK (lower than a header already verified),
   *   CLIENT_FORK (another header at a verified height), CLIENT_TIMEOUT, CLIENT_HTTP, or the node's
   *   code for other refusals.
   */
  async resolve(id: string): Promise<Resolution> {
    return this.resolveAs(id, 'current');
  }

  private async resolveAs(id: string, kind: AnswerKind): Promise<Resolution> {
    const ident = parseIdentifier(id);
    if (ident.local === null) return this.nsRead(ident);
    return (await this.provenRead<IdEntry>(ident, `/v1/ids/${encodeURIComponent(ident.text)}`, idKey(canonicalKey(ident)), kind)).resolution;
  }

  /**
   * Verifies a proven answer and applies the trust state's rules to its header.
   * @throws UrbisError as {@link AnswerVerifier.verifyProven}, CLIENT_STALE, CLIENT_ROLLBACK, CLIENT_FORK.
   */
  private async verifyFresh<E extends IdEntry | NsEntry | GrantEntry>(
    answer: unknown,
    key: string,
    kind: AnswerKind,
    floor: number,
  ): Promise<VerifiedEntry<E>> {
    const v = this.verifier.verifyProven<E>(answer, key);
    await this.observe({ header: v.verified.header, headerHash: v.proof.headerHash, cert: v.verified.cert }, kind, floor);
    return v;
  }

  /**
   * Applies the trust state's rules to a verified header (docs/sdk.md "Freshness and rollback").
   * Before the trusted head moves up from A to this header B, checks that B extends A
   * ({@link verifyExtends}: CHAIN_FORKED, reported to the node, or CHAIN_INCONSISTENT) and, with a
   * witness policy, that B is consistent with a checkpoint the witnesses cosigned (WITNESS_POLICY).
   */
  private async observe(v: Pick<VerifiedHeader, 'header' | 'headerHash' | 'cert'>, kind: AnswerKind, floor: number = this.trust.floor()): Promise<void> {
    const trusted = this.trust.head;
    if (!trusted || v.header.height > trusted.height) {
      const next = asVerified(v);
      if (trusted && this.checkConsistency) await this.verifyExtends(asVerified(trusted), next);
      if (this.witnessPolicy) await this.requireWitnessed(next);
    }
    this.trust.observe(v, kind, floor);
  }

  /**
   * Resolves a namespace by path (`156.130100`, check character optional).
   *
   * @returns the verified namespace entry (or proven absence) and the node's first page of child
   *   namespaces, which is NOT verified (resolve a child to prove it).
   * @throws UrbisError as {@link resolve}.
   */
  async ns(path: string): Promise<NsResolution> {
    return this.nsRead(makeIdentifier(parseNamespacePath(path), null));
  }

  private async nsRead(ident: Identifier): Promise<NsResolution> {
    const ns = ident.namespace.join('.');
    const { resolution, raw: a } = await this.provenRead<NsEntry>(ident, `/v1/ns/${encodeURIComponent(ns)}`, nsKey(ns));
    const r = resolution as NsResolution;
    r.ns = ns;
    if (isObj(a) && isObj(a.children) && Array.isArray(a.children.items)) {
      const next = typeof a.children.next === 'string' ? a.children.next : null;
      r.children = { items: a.children.items.filter(isObj) as unknown as NsEntry[], next };
    }
    return r;
  }

  /**
   * The grant from a dataset or service identifier (`subject`) to `grantee`, verified like a
   * resolution: the grant entry with its proof, or the proof that there is none.
   *
   * @throws UrbisError as {@link resolve}.
   */
  async grant(subject: string, grantee: string): Promise<Resolution<GrantEntry>> {
    const s = parseIdentifier(subject);
    const g = parseIdentifier(grantee);
    const path = `/v1/ids/${encodeURIComponent(s.text)}/grants?grantee=${encodeURIComponent(g.text)}`;
    return (await this.provenRead<GrantEntry>(s, path, `grant:${grantRef(canonicalKey(s), canonicalKey(g))}`)).resolution;
  }

  /**
   * Every grant of a subject, each verified with its own proof. The listing itself is the node's:
   * each grant in it is proven, but a node could leave one out (ask {@link grant} for a given
   * grantee to get a proof either way).
   *
   * @throws UrbisError PROOF_INVALID if any listed grant does not verify or is about another subject, and as {@link resolve}.
   */
  async grants(subject: string, opts: { cursor?: string; limit?: number } = {}): Promise<{ items: Resolution<GrantEntry>[]; next: string | null }> {
    const s = parseIdentifier(subject);
    const path = `/v1/ids/${encodeURIComponent(s.text)}/grants`;
    const floor = this.trust.floor();
    const a = await this.http.json('GET', path, { query: { cursor: opts.cursor, limit: opts.limit } });
    if (!isObj(a) || !Array.isArray(a.items)) throw new UrbisError('CLIENT_HTTP', `${path}: the answer has no items`);
    const prefix = `grant:${canonicalKey(s)}|`;
    const items: Resolution<GrantEntry>[] = [];
    for (const it of a.items) {
      const key = isObj(it) && typeof it.key === 'string' && it.key.startsWith(prefix) ? it.key : null;
      if (key === null) throw new UrbisError('PROOF_INVALID', `${path}: a listed grant is not about ${s.text}`);
      const v = await this.verifyFresh<GrantEntry>(it, key, 'current', floor);
      if (!v.present) throw new UrbisError('PROOF_INVALID', `${path}: a listed grant is proven absent`);
      items.push(this.resolution<GrantEntry>(s, key, v));
    }
    return { items, next: typeof a.next === 'string' ? a.next : null };
  }

  private async provenRead<E extends IdEntry | NsEntry | GrantEntry>(
    ident: Identifier,
    path: string,
    key: string,
    kind: AnswerKind = 'current',
  ): Promise<{ resolution: Resolution<E>; raw: unknown }> {
    const floor = this.trust.floor();
    const a = await this.http.send('GET', path);
    let answer: unknown;
    if (a.status >= 200 && a.status < 300) {
      if (a.json === undefined) throw new UrbisError('CLIENT_HTTP', `${path}: the node's answer is not JSON`);
      answer = a.json;
    } else if (isObj(a.json) && a.json.proven !== undefined && a.json.proven !== null) {
      // "Not found" (or any refusal) that carries a proof: the proof, not the status, says what is true.
      answer = a.json.proven;
    } else {
      const err = problemError(a);
      if (err.code === 'ID_NOT_FOUND' || err.code === 'NS_NOT_FOUND' || err.code === 'GRANT_NOT_FOUND') {
        throw new UrbisError('PROOF_INVALID', `the node says ${ident.text} does not exist but gives no proof of absence`, { httpStatus: a.status });
      }
      throw err;
    }
    return { resolution: this.resolution<E>(ident, key, await this.verifyFresh<E>(answer, key, kind, floor)), raw: answer };
  }

  /** The resolution of a verified answer. */
  private resolution<E extends IdEntry | NsEntry | GrantEntry>(ident: Identifier, key: string, v: VerifiedEntry<E>): Resolution<E> {
    const base: ResolutionBase = {
      id: ident.text,
      did: formatDid(ident),
      url: formatUrl(ident, this.urlHost),
      key,
      height: v.proof.height,
      time: v.proof.time,
      stateRoot: v.proof.stateRoot,
      headerHash: v.proof.headerHash,
      proof: v.proof,
      signers: v.signers,
      answer: v.verified,
    };
    if (v.entry === null) return { ...base, present: false, entry: null };
    return { ...base, present: true, entry: v.entry, status: v.entry.status as E['status'], version: v.entry.version };
  }

  /**
   * The version history of an identifier, checked against its proven current entry: same key
   * throughout, strictly increasing versions, the last one equal to the proven entry; then (unless
   * `prove` is false) each earlier version is fetched with its proof at the height that wrote it
   * ({@link resolveVersion}) and must equal the history's row.
   *
   * A history read: exempt from the age and rollback rules (docs/sdk.md "Freshness and rollback"),
   * unless `fresh` is set because the caller presents `current` as the identifier's state now.
   *
   * @throws UrbisError PROOF_INVALID if the history does not end at the proven entry or a version
   *   does not verify, STATE_NOT_PROVABLE if the node no longer proves an old height, and as {@link resolve}.
   */
  async history(id: string, opts: { prove?: boolean; fresh?: boolean } = {}): Promise<IdHistory> {
    const ident = parseIdentifier(id);
    if (ident.local === null) throw new UrbisError('ID_LOCAL_INVALID', 'history is kept for identifiers, not namespaces');
    // A history read: exempt from the age and rollback rules (still proven, still fork-checked).
    const [current, json] = await Promise.all([
      this.resolveAs(ident.text, opts.fresh ? 'current' : 'history') as Promise<Resolution<IdEntry>>,
      this.http.json('GET', `/v1/ids/${encodeURIComponent(ident.text)}/history`).catch((e: unknown) => e),
    ]);
    if (!current.present) return { current, versions: [], proven: true };
    if (json instanceof Error) throw json;
    const versions = isObj(json) && Array.isArray(json.versions) ? (json.versions as unknown[]) : null;
    if (!versions || versions.length === 0) throw new UrbisError('PROOF_INVALID', `history of ${ident.text} is missing`);
    let last = 0;
    for (const e of versions) {
      if (!isObj(e) || e.kind !== 'id' || stateKey(e as unknown as IdEntry) !== current.key || !isCount(e.version) || e.version <= last) {
        throw new UrbisError('PROOF_INVALID', `history of ${ident.text} holds a foreign or out-of-order version`);
      }
      last = e.version;
    }
    if (!sameJson(versions[versions.length - 1], current.entry)) {
      throw new UrbisError('PROOF_INVALID', `history of ${ident.text} does not end at the proven current entry`);
    }
    const rows = versions as IdEntry[];
    if (opts.prove === false) return { current, versions: rows, proven: false };
    // A few requests at a time: a long history must not open hundreds of connections at once.
    for (let i = 0; i < rows.length - 1; i += 4) {
      await Promise.all(
        rows.slice(i, Math.min(i + 4, rows.length - 1)).map(async (row) => {
          const v = await this.resolveVersion(ident.text, row.version);
          if (!sameJson(v.entry, row)) throw new UrbisError('PROOF_INVALID', `history of ${ident.text}: version ${row.version} differs from the proven one`);
        }),
      );
    }
    return { current, versions: rows, proven: true };
  }

  /**
   * Version `version` of an identifier (`?version=N`), proven against the certified header of the
   * block that wrote it (docs/protocol.md (State map) §10).
   *
   * @throws UrbisError PROOF_INVALID if the answer is not that version or does not verify;
   *   ID_NOT_FOUND as the node reports it (no such version); STATE_NOT_PROVABLE (pruned); and as {@link resolve}.
   */
  async resolveVersion(id: string, version: number): Promise<IdVersion> {
    if (!isCount(version) || version < 1) throw new UrbisError('HTTP_BAD_REQUEST', 'a version is a positive integer');
    const r = await this.pastRead(id, { version }, { version: String(version) });
    if (!r.present) throw new UrbisError('PROOF_INVALID', `version answer proves ${r.id} absent`);
    return { entry: r.entry, resolution: r, proven: true };
  }

  /**
   * An identifier as it was after block `at` (a height), or at time `at` (a Date: the last block at
   * or before it), proven against that block's certified header: the entry then, or the proof that
   * it did not exist yet (docs/protocol.md (State map) §10).
   *
   * @throws UrbisError PROOF_INVALID if the answer is about another height or does not verify;
   *   STATE_NOT_PROVABLE (the node pruned that height); HTTP_NOT_FOUND (no such block); and as {@link resolve}.
   */
  async resolveAt(id: string, at: number | Date): Promise<Resolution<IdEntry>> {
    if (at instanceof Date) {
      const time = at.getTime();
      if (!Number.isFinite(time)) throw new UrbisError('HTTP_BAD_REQUEST', 'an invalid date');
      return this.pastRead(id, { time }, { at: new Date(time).toISOString() });
    }
    if (!isCount(at)) throw new UrbisError('HTTP_BAD_REQUEST', 'a block height is a non-negative integer');
    return this.pastRead(id, { height: at }, { at: String(at) });
  }

  private async pastRead(id: string, ask: { height?: number; time?: number; version?: number }, query: Record<string, string>): Promise<Resolution<IdEntry>> {
    const ident = parseIdentifier(id);
    if (ident.local === null) throw new UrbisError('ID_LOCAL_INVALID', 'past versions are served for identifiers, not namespaces');
    const key = idKey(canonicalKey(ident));
    const path = `/v1/ids/${encodeURIComponent(ident.text)}`;
    const a = await this.http.send('GET', path, { query });
    let answer: unknown;
    if (a.status >= 200 && a.status < 300) answer = a.json;
    else if (ask.version === undefined && isObj(a.json) && isObj(a.json.proven)) answer = a.json.proven;
    else throw problemError(a);
    const v = this.verifier.verifyPast<IdEntry>(answer, key, ask);
    // A past read (?version=, ?at=): exempt from the age and rollback rules, fork-checked.
    await this.observe({ header: v.verified.header, headerHash: v.proof.headerHash, cert: v.verified.cert }, 'history');
    if (v.needsHead) {
      // No next block was sent: the header must be the head, or a later block may be the answer.
      const cp = await this.checkpoint();
      if (cp.header.height !== v.proof.height)
        throw new UrbisError('PROOF_INVALID', `block ${v.proof.height} is not the last block at or before the time asked`);
    }
    return this.resolution<IdEntry>(ident, key, v);
  }

  /**
   * The latest certified header, verified.
   * @throws UrbisError CERT_INVALID, TX_CHAIN_MISMATCH, PROOF_INVALID, CLIENT_STALE, CLIENT_ROLLBACK, CLIENT_FORK, CLIENT_*.
   */
  async checkpoint(): Promise<VerifiedHeader & { proof: ProofInfo }> {
    const floor = this.trust.floor();
    const h = this.verifier.verifyCheckpoint(await this.http.json('GET', '/v1/checkpoint'));
    await this.observe(h, 'current', floor);
    return { ...h, proof: proofInfo(h) };
  }

  /**
   * Checks that certified header `next` extends the trusted certified header `trusted` (docs/sdk.md
   * "Consistency between heads"): fetches `GET /v1/consistency?from=<trusted>&to=<next>` and
   * verifies the RFC 9162 consistency and inclusion proofs against the two history roots. Without
   * `next`, the node's latest head is fetched with the proof, verified, and returned. When `next`
   * is the older of the two, the roles are exchanged.
   *
   * @returns the verified newer head.
   * @throws UrbisError CHAIN_FORKED (details.evidence: both headers with their certificates; also
   *   reported to the node, best effort), CHAIN_INCONSISTENT (the node could not prove it: the new
   *   head is refused), CERT_INVALID, CLIENT_*.
   */
  async verifyExtends(trusted: VerifiedHeader, next?: VerifiedHeader): Promise<VerifiedHeader> {
    const older = next && next.header.height < trusted.header.height ? next : trusted;
    const newer = next && next.header.height < trusted.header.height ? trusted : next;
    const json = await this.http.json('GET', '/v1/consistency', { query: { from: older.header.height, to: newer?.header.height } });
    const head = newer ?? this.verifier.verifyHeader(isObj(json) ? json.header : undefined, isObj(json) ? json.cert : undefined);
    try {
      verifyExtends(this.verifier, older, head, json);
    } catch (e) {
      const evidence = forkEvidenceOf(e);
      if (evidence) await this.reportEvidence(evidence).catch(() => undefined);
      throw e;
    }
    return head;
  }

  /**
   * The node's checkpoint as a C2SP signed note (`GET /v1/checkpoint/note`, docs/sdk.md "Witness
   * cosignatures"), verified: note syntax, the chain's origin, note signatures of more than two
   * thirds of the anchor's validators, the cosignatures of the policy's witnesses (a known witness's
   * bad cosignature rejects the note), and its root is the `historyRoot` of the certified header of
   * its size, which is fetched (`GET /v1/consistency?from=size&to=size`) and returned.
   *
   * @param opts.size a tree size (block height); default the latest the node signed, or with
   *   `cosigned` the latest a witness cosigned. `witnesses`: verifier keys of witnesses whose
   *   cosignatures to check (default the policy's).
   * @throws UrbisError NOTE_INVALID, CERT_INVALID, TX_CHAIN_MISMATCH, CLIENT_*, the node's code.
   */
  async checkpointNote(
    opts: { size?: number; cosigned?: boolean | { k: number }; witnesses?: readonly string[] } = {},
  ): Promise<{ note: string; checkpoint: VerifiedCheckpoint; header: VerifiedHeader }> {
    const { size, witnesses } = opts;
    const ws = witnesses ? parseWitnesses(witnesses) : (this.witnessPolicy?.witnesses ?? []);
    // The latest checkpoint cosigned by k of these witnesses (any witness when none are given).
    const query =
      opts.cosigned && size === undefined
        ? {
            cosigned: 1,
            ...(ws.length ? { witnesses: ws.map((w) => `${w.name}+${w.keyId}`).join(' ') } : {}),
            ...(typeof opts.cosigned === 'object' ? { k: opts.cosigned.k } : {}),
          }
        : { size };
    const a = await this.http.send('GET', '/v1/checkpoint/note', { query });
    if (a.status < 200 || a.status >= 300) throw problemError(a);
    const note = a.text ?? '';
    const checkpoint = verifyCheckpointNote(note, this.verifier.anchor, ws);
    if (size !== undefined && checkpoint.size !== size)
      throw new UrbisError('NOTE_INVALID', `asked for the checkpoint of size ${size}, got ${checkpoint.size}`);
    const j = await this.http.json('GET', '/v1/consistency', { query: { from: checkpoint.size, to: checkpoint.size } });
    const header = this.verifier.verifyHeader(isObj(j) ? j.header : undefined, isObj(j) ? j.cert : undefined, true);
    if (header.header.height !== checkpoint.size || header.header.historyRoot !== checkpoint.root) {
      throw new UrbisError('NOTE_INVALID', `the checkpoint of size ${checkpoint.size} is not the history root of the certified header ${header.header.height}`);
    }
    return { note, checkpoint, header };
  }

  /**
   * Submits a witness cosignature line of the checkpoint of `size` (`POST /v1/checkpoint/cosignatures`).
   * @returns whether the node kept it as new.
   * @throws UrbisError NOTE_INVALID (refused), CLIENT_*.
   */
  async submitCosignature(size: number, witness: string, cosignature: string): Promise<boolean> {
    const r = await this.http.json('POST', '/v1/checkpoint/cosignatures', { body: { size, witness, cosignature }, retry: false });
    return isObj(r) && r.stored === true;
  }

  /**
   * The witness policy's check of a head B: the latest cosigned checkpoint note, `k` of the policy's witnesses
   * among its cosignatures (recent enough), and B consistent with it: B extends the checkpoint's
   * header, or (a checkpoint above B) the checkpoint's history holds B.
   *
   * @throws UrbisError WITNESS_POLICY, NOTE_INVALID, CHAIN_FORKED, CHAIN_INCONSISTENT, CLIENT_*.
   */
  private async requireWitnessed(b: VerifiedHeader): Promise<void> {
    const { policy, witnesses } = this.witnessPolicy!;
    const { checkpoint, header } = await this.checkpointNote({ cosigned: { k: policy.k } }).catch((e: unknown) => {
      if (e instanceof UrbisError && e.code === 'HTTP_NOT_FOUND') {
        throw new UrbisError('WITNESS_POLICY', `the node holds no checkpoint cosigned by ${policy.k} of the ${witnesses.length} witnesses required`);
      }
      throw e;
    });
    checkWitnessPolicy(checkpoint, policy, witnesses, Math.floor(this.nowMs() / 1000));
    if (header.header.height === b.header.height) {
      if (header.headerHash !== b.headerHash) {
        const err = forked(b, header);
        await this.reportEvidence(forkEvidenceOf(err)!).catch(() => undefined);
        throw err;
      }
      return;
    }
    await this.verifyExtends(header, b);
  }

  /**
   * Reports fork evidence to the node, which checks both certificates and keeps it
   * (`POST /v1/evidence`).
   *
   * @returns whether the node had not held it before.
   * @throws UrbisError PROOF_INVALID (refused by the node), CLIENT_*.
   */
  async reportEvidence(evidence: ForkEvidence): Promise<boolean> {
    const r = await this.http.json('POST', '/v1/evidence', { body: evidence, retry: false });
    return isObj(r) && r.stored === true;
  }

  /**
   * Fork evidence the node holds (`GET /v1/evidence`), each item checked against the anchor; items
   * that do not hold are left out (the node's list is its word, each item proves itself).
   */
  async evidence(): Promise<ForkEvidence[]> {
    const r = await this.http.json('GET', '/v1/evidence');
    const items = isObj(r) && Array.isArray(r.items) ? r.items : [];
    const out: ForkEvidence[] = [];
    for (const it of items) {
      try {
        out.push(checkForkEvidence(it, this.verifier.anchor).evidence);
      } catch {
        // not evidence under this anchor
      }
    }
    return out;
  }

  /**
   * A block, verified: certificate, header hash, height, and transaction root recomputed.
   * @throws UrbisError CERT_INVALID, TX_CHAIN_MISMATCH, PROOF_INVALID, CLIENT_STALE, CLIENT_ROLLBACK, CLIENT_FORK, CLIENT_*.
   */
  async block(height: number | 'latest'): Promise<VerifiedBlock> {
    if (height !== 'latest' && !isCount(height)) throw new UrbisError('HTTP_BAD_REQUEST', 'a block height is a non-negative integer');
    const floor = this.trust.floor();
    const json = await this.http.json('GET', `/v1/blocks/${height}`);
    const b = this.verifier.verifyBlock(json, height === 'latest' ? null : height);
    // The latest block is about now; a block by height is history (fork-checked only).
    await this.observe(b, height === 'latest' ? 'current' : 'history', floor);
    return b;
  }

  /**
   * Searches identifiers. The listing is the node's word, NOT verified: a node can omit or invent
   * items. Resolve an item (`client.resolve(item.id)`) to prove it.
   *
   * @throws UrbisError ID_* (bad `linkedTo`), CLIENT_HTTP (malformed answer), the node's code.
   */
  async search(q: SearchQuery = {}): Promise<SearchAnswer> {
    const json = await this.http.json('GET', '/v1/search', { query: searchParams(q) });
    if (!isObj(json) || !Array.isArray(json.items) || !(json.next === null || typeof json.next === 'string')) {
      throw new UrbisError('CLIENT_HTTP', 'search answer is malformed');
    }
    const items = json.items.filter((e): e is Record<string, unknown> => isObj(e) && e.kind === 'id' && typeof e.id === 'string');
    return { items: items as unknown as IdEntry[], next: json.next };
  }

  /**
   * Searches identifiers with proofs (`?proofs=1`): every item is proven to be the current entry of
   * its identifier at one certified header, and to match the search. NOT proven: that no match is
   * missing (a node can leave items out; `complete` is always false).
   *
   * @throws UrbisError PROOF_INVALID (an item without a valid proof, or not matching), CERT_INVALID,
   *   TX_CHAIN_MISMATCH, CLIENT_STALE, CLIENT_ROLLBACK, CLIENT_FORK, ID_* (bad `linkedTo`), CLIENT_HTTP, the node's code.
   */
  async searchVerified(q: SearchQuery = {}): Promise<VerifiedListing<IdEntry>> {
    const query = searchParams(q);
    const floor = this.trust.floor();
    const json = await this.http.json('GET', '/v1/search', { query: { ...query, proofs: 1 } });
    const filter: SearchFilter = {
      ...(q.type !== undefined ? { type: q.type } : {}),
      ...(q.ns !== undefined ? { ns: parseNamespacePath(q.ns).join('.') } : {}),
      ...(typeof query.linkedTo === 'string' ? { linkedTo: query.linkedTo } : {}),
      ...(q.status !== undefined ? { status: q.status } : {}),
      ...(q.attrs ? { attrs: q.attrs } : {}),
    };
    const r = verifySearchAnswer(this.verifier, json, filter, q.cursor);
    await this.observe(r.header, 'current', floor);
    return r;
  }

  /**
   * The child namespaces of `ns` (null or omitted: the top level), each proven current at one
   * certified header, with the proven parent entry. `complete` is true when the proven parent
   * counts exactly the children listed (first page, no next page); the top level is never proven
   * complete.
   *
   * @throws UrbisError NS_NOT_FOUND (proven absent), PROOF_INVALID, CERT_INVALID, TX_CHAIN_MISMATCH,
   *   CLIENT_STALE, CLIENT_ROLLBACK, CLIENT_FORK, CLIENT_HTTP, the node's code.
   */
  async listNamespaceVerified(ns: string | null = null, opts: { cursor?: string; limit?: number } = {}): Promise<VerifiedNsListing> {
    const path = ns === null ? null : parseNamespacePath(ns).join('.');
    const floor = this.trust.floor();
    const a = await this.http.send('GET', path === null ? '/v1/ns' : `/v1/ns/${encodeURIComponent(path)}`, {
      query: { proofs: 1, ...(path !== null ? { cursor: opts.cursor, limit: opts.limit } : {}) },
    });
    if (a.status >= 200 && a.status < 300) {
      const r = verifyNsAnswer(this.verifier, a.json, path, opts.cursor);
      await this.observe(r.header, 'current', floor);
      return r;
    }
    if (path !== null && isObj(a.json) && a.json.proven !== undefined) {
      const v = await this.verifyFresh<NsEntry>(a.json.proven, nsKey(path), 'current', floor);
      if (!v.present) throw new UrbisError('NS_NOT_FOUND', `namespace ${path} does not exist (proven at block ${v.proof.height})`, { height: v.proof.height });
      throw new UrbisError('PROOF_INVALID', `the node refuses ${path} but proves it exists`);
    }
    const err = problemError(a);
    if (err.code === 'NS_NOT_FOUND') throw new UrbisError('PROOF_INVALID', `the node says ${String(path)} does not exist but gives no proof of absence`);
    throw err;
  }

  /**
   * The history of an identifier with every version proven: each row is what its transaction,
   * proven in its certified block by an RFC 9162 audit path, wrote after the row before it, from
   * version 1 to the proven current entry (so none is missing).
   *
   * @throws UrbisError ID_NOT_FOUND (proven absent), PROOF_INVALID, CERT_INVALID, TX_CHAIN_MISMATCH,
   *   CLIENT_FORK, CLIENT_HTTP, the node's code.
   */
  async historyVerified(id: string): Promise<VerifiedHistory> {
    const ident = parseIdentifier(id);
    if (ident.local === null) throw new UrbisError('ID_LOCAL_INVALID', 'history is kept for identifiers, not namespaces');
    const a = await this.http.send('GET', `/v1/ids/${encodeURIComponent(ident.text)}/history`, { query: { proofs: 1 } });
    if (a.status >= 200 && a.status < 300) {
      const r = verifyHistoryAnswer(this.verifier, a.json, canonicalKey(ident));
      // A history read: exempt from the age and rollback rules, fork-checked.
      await this.observe({ header: r.current.verified.header, headerHash: r.current.proof.headerHash, cert: r.current.verified.cert }, 'history');
      return r;
    }
    const err = problemError(a);
    if (err.code !== 'ID_NOT_FOUND') throw err;
    // "Not registered" is believed only with a proof of absence.
    const r = await this.resolve(ident.text);
    if (r.present) throw new UrbisError('PROOF_INVALID', `the node withholds the history of ${ident.text}, which exists`);
    throw new UrbisError('ID_NOT_FOUND', `${ident.text} is not registered (proven at block ${r.height})`, { height: r.height });
  }

  /**
   * Follows the change feed with proofs (`?proofs=1`): each event is delivered only after the
   * certified header of its block and the transaction it names (RFC 9162 audit path against the
   * header's transaction root) verified, and the event matches what that transaction writes. An
   * event that does not verify is reported to `onError` as PROOF_INVALID (or CERT_INVALID) and not
   * delivered. NOT proven: that no event is missing.
   *
   * @returns a function that closes the feed.
   */
  eventsVerified(opts: EventsOptions, onEvent: (e: ChangeEvent, id: string, proof: EventProofInfo) => void): () => void {
    // Events are about past blocks: their headers are fork-checked, not held to an age, and do not
    // move the trusted head (only a head checked to extend it does, see observe()).
    const checker = new EventChecker((h, c) => {
      const v = this.verifier.verifyHeader(h, c);
      this.trust.observe(v, 'history', this.trust.floor(), false);
      return v;
    });
    return this.feed(
      { ...opts, filter: { ...opts.filter, proofs: '1' } },
      (m, report) => {
        if (m.event === 'proof') {
          checker.proof(JSON.parse(m.data));
          return;
        }
        const ev = parseChangeEvent(m.data);
        if (!ev) return report(new UrbisError('CLIENT_HTTP', `unusable change event ${m.id}`));
        const proof = checker.change(ev);
        onEvent(ev, m.id, proof);
        // A proof event carries whole transactions (up to the chain's largest): lines are bounded by the body limit.
      },
      this.maxBodyBytes,
    );
  }

  /**
   * Follows the change feed (server-sent events). Reconnects after failures with `Last-Event-ID`
   * so no event is skipped; events are the node's word, NOT verified (use {@link eventsVerified}).
   * A 4xx answer other than 429 ends the feed (reported to `onError`).
   *
   * @returns a function that closes the feed.
   */
  events(opts: EventsOptions, onEvent: (e: ChangeEvent, id: string) => void): () => void {
    return this.feed(opts, (m, report) => {
      if (m.event === 'proof') return;
      const ev = parseChangeEvent(m.data);
      if (!ev) return report(new UrbisError('CLIENT_HTTP', `unusable change event ${m.id}`));
      onEvent(ev, m.id);
    });
  }

  /** The SSE loop of the change feed: reconnection, back-off, Last-Event-ID; `onMessage` may throw (reported). */
  private feed(opts: EventsOptions, onMessage: (m: SseMessage, report: (e: unknown) => void) => void, maxLine?: number): () => void {
    const ctl = new AbortController();
    let lastId = opts.lastEventId ?? '';
    const report = (e: unknown) => {
      const u = e instanceof UrbisError ? e : new UrbisError('CLIENT_HTTP', e instanceof Error ? e.message : String(e), undefined, { cause: e });
      try {
        opts.onError?.(u);
      } catch {
        // A failing error handler must not kill the feed.
      }
    };
    const run = async () => {
      let failures = 0;
      while (!ctl.signal.aborted) {
        let retry = opts.retryMs ?? 1000;
        try {
          const res = await this.http.stream('/v1/events', {
            signal: ctl.signal,
            headers: lastId ? { 'last-event-id': lastId } : {},
            ...(opts.filter ? { query: opts.filter } : {}),
          });
          if (!(res.headers.get('content-type') ?? '').startsWith('text/event-stream')) {
            await res.body?.cancel().catch(() => undefined);
            throw new UrbisError('CLIENT_HTTP', 'the events route did not answer with text/event-stream');
          }
          failures = 0;
          const parser = new SseParser(lastId, ...(maxLine !== undefined ? [maxLine] : []));
          const dec = new TextDecoder();
          const reader = res.body?.getReader();
          while (reader && !ctl.signal.aborted) {
            const { done, value } = await reader.read();
            if (done) break;
            for (const m of parser.push(dec.decode(value, { stream: true }))) {
              lastId = m.id;
              try {
                onMessage(m, report);
              } catch (e) {
                report(e instanceof SyntaxError ? new UrbisError('PROOF_INVALID', `unusable ${m.event} event: ${e.message}`) : e);
              }
            }
            if (parser.retryMs !== null) retry = parser.retryMs;
          }
          if (reader && ctl.signal.aborted) await reader.cancel().catch(() => undefined);
        } catch (e) {
          if (ctl.signal.aborted) break;
          failures++;
          report(e);
          const st = e instanceof UrbisError ? e.details?.httpStatus : undefined;
          if (typeof st === 'number' && st >= 400 && st < 500 && st !== 429) break;
        }
        if (ctl.signal.aborted) break;
        await sleep(Math.min(retry * 2 ** Math.min(failures, 5), 30_000), ctl.signal);
      }
    };
    void run();
    return () => ctl.abort();
  }

  /**
   * Follows validator-set changes from the anchor's height to the latest block, so that blocks
   * certified by a new set verify. Walks every block in between (each verified under the set in
   * force, linked by `prev`); where a header commits to a new set (`nextValidators`), takes it from
   * the committed `chain.validators` transaction of that block and checks its hash.
   *
   * @returns the anchor height reached and the number of changes followed.
   * @throws UrbisError PROOF_INVALID (a change that the block does not explain, a broken link), and
   *   as {@link block}.
   */
  async syncAnchor(opts: { toHeight?: number } = {}): Promise<{ height: number; changes: number }> {
    let target = opts.toHeight;
    if (target === undefined) {
      // Unverified: only a goal for the walk; every block on the way is verified.
      const cp = await this.http.json('GET', '/v1/checkpoint');
      const h = isObj(cp) && isObj(cp.header) ? cp.header.height : undefined;
      if (!isCount(h)) throw new UrbisError('CLIENT_HTTP', 'checkpoint answer is malformed');
      target = h;
    }
    let changes = 0;
    let prev: string | null = null;
    for (let h = this.anchorHeightValue + 1; h <= target; h++) {
      const b = await this.block(h);
      if (prev !== null && b.header.prev !== prev) throw new UrbisError('PROOF_INVALID', `block ${h} does not follow block ${h - 1}`, { height: h });
      prev = b.headerHash;
      const anchor = this.verifier.anchor;
      if (b.header.nextValidators !== validatorsHash(anchor.validators)) {
        let next: string[] | null = null;
        b.txs.forEach((raw, i) => {
          // Block transactions are what was committed, unparsed ones included: check the shape.
          const t = raw as unknown;
          const body = isObj(t) && isObj(t.body) ? t.body : null;
          const p = body && body.type === 'chain.validators' && isObj(body.payload) ? body.payload : null;
          if (b.results[i]?.ok && p && Array.isArray(p.validators)) next = p.validators as string[];
        });
        if (next === null || validatorsHash(next) !== b.header.nextValidators) {
          throw new UrbisError('PROOF_INVALID', `block ${h} changes the validator set without a committed chain.validators transaction`, { height: h });
        }
        this.verifier.setAnchor({ chainId: anchor.chainId, validators: next });
        changes++;
      }
      this.anchorHeightValue = h;
    }
    return { height: this.anchorHeightValue, changes };
  }
}

/** A header the trust state holds (or any verified one) as a {@link VerifiedHeader}. */
function asVerified(v: Pick<VerifiedHeader, 'header' | 'headerHash' | 'cert'>): VerifiedHeader {
  return { header: v.header, headerHash: v.headerHash, cert: v.cert, signers: v.cert.sigs.length };
}

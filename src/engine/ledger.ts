/**
 * The ledger engine: turns ordered transactions into committed, certified blocks.
 *
 * It owns the apply loop of one node: state machine → Merkle map update → header → validator
 * signature → one atomic store commit. Ordering (which transactions, in which order, at which time)
 * is not its business: the local sequencer (src/ordering/local) or the network orderer calls
 * {@link Ledger.commitBlock}. Reads with proofs are served from here too.
 */
import { UrbisError, type ErrorCode } from '../core/errors.js';
import { applyBlockTxs, parseContext, type AuthorityCheck } from '../core/ledger/apply.js';
import type { TxCheckAnswer } from '../core/api/types.js';
import { headerHash, historyLeaf, signHeader, txRoot, txTree, validatorsHash, ZERO_HASH } from '../core/ledger/block.js';
import type { TxInclusionJson } from '../core/ledger/verify-listing.js';
import { appendLeaf, consistencyProof, inclusionProof, treeRoot, type SubtreeReader } from '../core/merkle/log.js';
import type { ConsistencyAnswer } from '../core/ledger/consistency.js';
import { parseTxEncoded, type ParsedTx } from '../core/ledger/schema.js';
import { entryHashOf, lookupState, merkleKey, stateKey } from '../core/ledger/state.js';
import { txSigningInput, verifyTxSignatures, verifyTxSignature, type SigVerifier, type Signer } from '../core/ledger/tx.js';
import { checkpointNote, checkpointText, parseWitnesses, signCheckpoint, type NoteSig } from '../core/ledger/checkpoint.js';
import { cosignatureTime, parseNote } from '../core/note/index.js';
import { ed25519Precheck } from '../core/crypto/index.js';
import { fromBase64url, multikeyToPublicKey } from '../core/encoding/index.js';
import type { VerifyPool } from './verify-pool.js';
import { DEFAULT_PARAMS, type BlockHeader, type Certificate, type ChainEntry, type StateEntry, type Tx } from '../core/ledger/types.js';
import { SparseMerkleTree, EMPTY_HASH, proveAt, type SmtProof } from '../core/merkle/index.js';
import { canonicalJson, fromHex, toHex } from '../core/encoding/index.js';
import type { BlockBundle, LedgerStore } from '../storage/types.js';

/** Results of the admission dry run that refuse a transaction at the door: no authority. */
const ADMISSION_REFUSED = new Set<string>(['AUTH_THRESHOLD', 'AUTH_NOT_REGISTRAR']);

/** Options of {@link Ledger}. */
export interface LedgerOptions {
  /** The node's validator key; without it the node cannot produce blocks (read replica). */
  validator?: Signer;
  /** Signature verifier used by apply; defaults to a verifier that remembers verified signatures. */
  verify?: SigVerifier;
  /**
   * State history kept provable, in blocks behind the head: older Merkle records are pruned every
   * {@link PRUNE_EVERY} blocks. Undefined (the default) keeps every height provable for ever.
   */
  historyBlocks?: number;
}

/** Most witnesses whose cosignatures a node keeps for one checkpoint. */
export const MAX_WITNESSES = 64;

/** Blocks between two prunings of the state history (each one pass over the node table). */
export const PRUNE_EVERY = 256;

/** A committed block's outcome. */
export interface CommitResult {
  height: number;
  headerHash: string;
  header: BlockHeader;
  cert: Certificate;
  hashes: (string | null)[];
  results: BlockBundle['block']['results'];
}

/** A block built and possibly signed, waiting for its certificate; see {@link Ledger.prepareBlock}. */
export interface PreparedBlock {
  height: number;
  header: BlockHeader;
  headerHash: string;
  /** Validator set in force at this height (the state before the block). */
  validators: string[];
  /** This node's header signature, if it is a validator in force. */
  ownSig: { key: string; sig: string } | null;
  /** This node's signature of the block's checkpoint note (docs/protocol.md "Checkpoints and witnesses"), with `ownSig`. */
  ownNote: NoteSig | null;
  bundle: BlockBundle;
}

/** A state entry with its Merkle proof against a certified header. */
export interface ProvenEntry<E extends StateEntry = StateEntry> {
  /** State key, e.g. `id:156.130100.42/LAMP-000017`. */
  key: string;
  entry: E | null;
  proof: SmtProof;
  header: BlockHeader;
  cert: Certificate;
}

/**
 * A remembering signature verifier: the same (hash, key, sig) triple checked at submission is not
 * checked again when the block is applied. Bounded so it cannot grow without limit.
 */
export function cachingVerifier(max = 200_000): SigVerifier & { remember(hash: string, key: string, sig: string): void } {
  const ok = new Set<string>();
  const fn = ((hash: string, key: string, sig: string) => {
    const k = `${hash}|${key}|${sig}`;
    if (ok.has(k)) {
      ok.delete(k);
      return true;
    }
    return verifyTxSignature(hash, key, sig);
  }) as SigVerifier & { remember(hash: string, key: string, sig: string): void };
  fn.remember = (hash, key, sig) => {
    if (ok.size >= max) ok.clear();
    ok.add(`${hash}|${key}|${sig}`);
  };
  return fn;
}

export class Ledger {
  readonly store: LedgerStore;
  private readonly tree: SparseMerkleTree;
  private readonly validator: Signer | undefined;
  private readonly historyBlocks: number | undefined;
  readonly verifier: ReturnType<typeof cachingVerifier>;
  /** The header history log as stored (docs/protocol.md "History tree"). */
  readonly historyReader: SubtreeReader;

  constructor(store: LedgerStore, opts: LedgerOptions = {}) {
    this.store = store;
    this.validator = opts.validator;
    if (opts.historyBlocks !== undefined && (!Number.isSafeInteger(opts.historyBlocks) || opts.historyBlocks < 0)) {
      throw new UrbisError('INTERNAL', 'the state history window must be a non-negative number of blocks');
    }
    this.historyBlocks = opts.historyBlocks;
    this.verifier = cachingVerifier();
    this.historyReader = (level, index) => store.historyNode(level, index);
    const head = store.head();
    this.tree = new SparseMerkleTree(store, head ? fromHex(head.header.stateRoot, 32) : EMPTY_HASH);
  }

  /** Chain entry in force (after the latest block). */
  chain(): ChainEntry {
    const c = this.store.chain();
    if (!c) throw new UrbisError('STORE_NOT_INITIALIZED', 'the ledger has no genesis block');
    return c;
  }

  /** Multikey of this node's validator key, if it has one. */
  validatorId(): string | undefined {
    return this.validator?.id;
  }

  height(): number {
    return this.store.head()?.height ?? -1;
  }

  /** Parsed transactions from admission, so the apply loop does not parse them again. */
  private readonly prepared = new WeakMap<object, ParsedTx>();

  /**
   * Checks a submitted transaction without touching state: shape, chain id, window, signatures.
   * Remembers the verified signatures so the apply loop does not verify them twice.
   *
   * @returns the transaction hash.
   * @throws UrbisError the first rule broken.
   */
  precheck(raw: unknown, now: number): ParsedTx {
    const p = this.prepare(raw, now);
    verifyTxSignatures(p.tx, p.hash);
    this.admit(raw, p, now);
    return p;
  }

  /**
   * {@link precheck} with the Ed25519 verifications done by a worker pool, off this thread.
   *
   * @throws UrbisError the first rule broken (TX_SIGNATURE_INVALID naming the bad signature).
   */
  async precheckAsync(raw: unknown, now: number, pool: VerifyPool): Promise<ParsedTx> {
    const p = this.prepare(raw, now);
    const input = txSigningInput(p.hash);
    const items: Array<[Uint8Array, Uint8Array, Uint8Array]> = [];
    for (let i = 0; i < p.tx.sigs.length; i++) {
      const s = p.tx.sigs[i]!;
      let pub: Uint8Array;
      let sig: Uint8Array;
      try {
        pub = multikeyToPublicKey(s.key);
        sig = fromBase64url(s.sig);
      } catch {
        throw new UrbisError('TX_SIGNATURE_INVALID', `signature ${i} by ${s.key} does not verify`, { index: i, key: s.key });
      }
      // The core's strict encoding rules first; the worker runs OpenSSL's check.
      if (!ed25519Precheck(sig, input, pub))
        throw new UrbisError('TX_SIGNATURE_INVALID', `signature ${i} by ${s.key} does not verify`, { index: i, key: s.key });
      items.push([pub, input, sig]);
    }
    const ok = await pool.verify(items);
    const bad = ok.indexOf(false);
    if (bad >= 0) {
      const s = p.tx.sigs[bad]!;
      throw new UrbisError('TX_SIGNATURE_INVALID', `signature ${bad} by ${s.key} does not verify`, { index: bad, key: s.key });
    }
    this.admit(raw, p, now);
    return p;
  }

  /**
   * Authority at admission (docs/protocol.md "Admission"): the transaction is run against the state
   * at the current head, its signatures already checked; if its signers hold no authority over its
   * target there, it is refused now, before it is ordered, and never reaches a block. Any other
   * failure (the identifier exists, a quota, …) is left to the block, where it is recorded, since
   * transactions ordered before it may change the outcome.
   *
   * @throws UrbisError AUTH_THRESHOLD, AUTH_NOT_REGISTRAR.
   */
  private authorize(raw: unknown, p: ParsedTx, now: number): void {
    const head = this.store.head();
    if (!head) return;
    const r = this.dryRun(raw, p, now, head).result;
    if (!r.ok && ADMISSION_REFUSED.has(r.code)) {
      throw new UrbisError(r.code as ErrorCode, `refused at admission (state at block ${head.height}): ${r.message}`, {
        hash: p.hash,
        height: head.height,
        admission: true,
      });
    }
  }

  /**
   * The transaction run against the state at `head` as if in the next block (signatures already
   * verified), nothing written: its result and the authority rules checked on the way.
   */
  private dryRun(raw: unknown, p: ParsedTx, now: number, head: { height: number; header: BlockHeader }) {
    const { validFrom, validUntil } = p.tx.body;
    const time = Math.min(Math.max(now, head.header.time, validFrom), validUntil);
    const authority: AuthorityCheck[] = [];
    const ctx = { height: head.height + 1, time, verify: () => true, prepared: () => p, authority: (c: AuthorityCheck) => authority.push(c) };
    return { result: applyBlockTxs(this.store, [raw], ctx).results[0]!, authority };
  }

  /**
   * Admission's dry run for a transaction that may still lack signatures (`POST /v1/tx/check`,
   * `urbis tx show --node/--dir`): who has signed, each authority rule checked at the head (who
   * else may sign, how many are missing) and the outcome. Nothing is admitted or remembered.
   *
   * @throws UrbisError as admission for a malformed, foreign, expired or badly signed transaction;
   *   NODE_NOT_READY before the genesis block.
   */
  checkTx(raw: unknown, now: number): TxCheckAnswer {
    const p = this.prepare(raw, now);
    const signedBy = [...verifyTxSignatures(p.tx, p.hash)];
    const head = this.store.head();
    if (!head) throw new UrbisError('NODE_NOT_READY', 'no blocks yet', { retryAfterMs: 1000 });
    const { result, authority } = this.dryRun(raw, p, now, head);
    return { hash: p.hash, height: head.height, signedBy, authority, result, admissible: result.ok || !ADMISSION_REFUSED.has(result.code) };
  }

  /** Everything of admission but the signatures. */
  private prepare(raw: unknown, now: number): ParsedTx {
    const chain = this.chain();
    const p = parseTxEncoded(raw, parseContext(chain.params));
    const tx = p.tx;
    if (tx.body.chain !== chain.chainId) {
      throw new UrbisError('TX_CHAIN_MISMATCH', `transaction is for chain "${tx.body.chain}", this is "${chain.chainId}"`);
    }
    if (tx.body.type === 'genesis') throw new UrbisError('TX_GENESIS_INVALID', 'genesis cannot be submitted');
    if (tx.body.validUntil - tx.body.validFrom > chain.params.maxTxWindowMs) {
      throw new UrbisError('TX_WINDOW_TOO_LONG', `validity window exceeds ${chain.params.maxTxWindowMs} ms`);
    }
    if (now > tx.body.validUntil) throw new UrbisError('TX_EXPIRED', `transaction expired at ${tx.body.validUntil}`);
    if (now < tx.body.validFrom - 60_000) throw new UrbisError('TX_EXPIRED', `transaction is not valid before ${tx.body.validFrom}`);
    return p;
  }

  private admit(raw: unknown, p: ParsedTx, now: number): void {
    this.authorize(raw, p, now);
    for (const s of p.tx.sigs) this.verifier.remember(p.hash, s.key, s.sig);
    if (typeof raw === 'object' && raw !== null) this.prepared.set(raw, p);
  }

  /**
   * Creates block 0 from a genesis transaction.
   *
   * @throws UrbisError STORE_ALREADY_INITIALIZED, TX_GENESIS_INVALID.
   */
  commitGenesis(genesis: Tx<'genesis'>): CommitResult {
    if (this.store.head()) throw new UrbisError('STORE_ALREADY_INITIALIZED', 'the store already holds a chain');
    // A read replica of a network has no key: its block 0 waits for the validators' signatures.
    const res = this.validator
      ? this.commitBlock([genesis], genesis.body.payload.time)
      : this.commitPrepared(this.prepareBlock([genesis], genesis.body.payload.time), { height: 0, headerHash: '', sigs: [] });
    if (!res.results[0]!.ok) {
      const r = res.results[0] as { code: string; message: string };
      throw new UrbisError('TX_GENESIS_INVALID', `genesis rejected: ${r.code}: ${r.message}`);
    }
    return res;
  }

  /**
   * Applies `txs` as the next block at time `time` (raised to the previous block's time if lower),
   * signs the header and commits everything in one store transaction.
   */
  commitBlock(txs: unknown[], time: number): CommitResult {
    if (!this.validator) throw new UrbisError('NODE_NOT_READY', 'this node has no validator key and cannot produce blocks');
    const { header, bundle } = this.buildBlock(txs, time);
    const hash = headerHash(header);
    const cert: Certificate = { height: header.height, headerHash: hash, sigs: [signHeader(hash, this.validator)] };
    bundle.noteSigs = [signCheckpoint(header, this.validator)];
    return this.commitBundle(header, hash, bundle, cert);
  }

  /** Commits a built block with its certificate; on failure nothing is kept, the tree included. */
  private commitBundle(header: BlockHeader, hash: string, bundle: BlockBundle, cert: Certificate): CommitResult {
    bundle.cert = cert;
    bundle.headerHash = hash;
    // The header's hash becomes leaf `height` of the history log: O(log n) nodes, read and written.
    bundle.historyWrites = appendLeaf(header.height, historyLeaf(hash), this.historyReader);
    try {
      this.store.commitBlock(bundle);
    } catch (e) {
      this.tree.discard();
      throw e;
    }
    this.tree.commit(fromHex(header.stateRoot, 32));
    if (this.historyBlocks !== undefined && header.height % PRUNE_EVERY === 0) this.store.pruneHistory(header.height - this.historyBlocks);
    return { height: header.height, headerHash: hash, header, cert, hashes: bundle.hashes, results: bundle.block.results };
  }

  /** Runs the state machine and the Merkle update for the next block without committing it. */
  buildBlock(txs: unknown[], time: number): { header: BlockHeader; bundle: BlockBundle } {
    const head = this.store.head();
    const height = head ? head.height + 1 : 0;
    const blockTime = head ? Math.max(time, head.header.time) : time;
    const effects = applyBlockTxs(this.store, txs, {
      height,
      time: blockTime,
      verify: this.verifier,
      prepared: (raw) => (typeof raw === 'object' && raw !== null ? this.prepared.get(raw) : undefined),
    });
    const entries = [...effects.entries.values()];
    // Each final entry serialised once: its canonical text is hashed into the map and stored as its row.
    const bodies = new Map<StateEntry, string>();
    const { root, writes } = this.tree.update(
      entries.map((e) => {
        const text = canonicalJson(e);
        bodies.set(e, text);
        return { key: merkleKey(stateKey(e)), value: entryHashOf(text) };
      }),
    );
    const chain = (effects.entries.get('chain') as ChainEntry | undefined) ?? this.store.chain();
    const header: BlockHeader = {
      v: 2,
      chain: chain?.chainId ?? '',
      height,
      prev: head ? head.headerHash : ZERO_HASH,
      // Root over headers 0..height−1 from the log's frontier (O(log n) stored subtrees).
      historyRoot: toHex(treeRoot(height, this.historyReader)),
      time: blockTime,
      txRoot: txRoot(txs as Tx[], effects.results, effects.encoded),
      stateRoot: toHex(root),
      txCount: txs.length,
      nextValidators: validatorsHash(chain?.validators ?? []),
    };
    const bundle: BlockBundle = {
      block: { header, txs: txs as Tx[], results: effects.results },
      headerHash: '',
      cert: { height, headerHash: '', sigs: [] },
      hashes: effects.hashes,
      entries,
      bodies,
      encoded: effects.encoded,
      versions: effects.versions,
      committedTxs: effects.committedTxs,
      smtWrites: writes,
      historyWrites: [],
    };
    return { header, bundle };
  }

  /**
   * Replays a block produced elsewhere (re-verification, followers): re-executes its transactions,
   * requires the recomputed header to equal the given one field by field, and commits it with the
   * given certificate. Certificate checking is the caller's (it knows the validator set in force).
   *
   * @throws UrbisError BLOCK_INVALID naming the first differing field; nothing is committed then.
   */
  replayBlock(block: { header: BlockHeader; txs: unknown[] }, cert: Certificate): CommitResult {
    const given = block.header;
    const { header, bundle } = this.buildBlock(block.txs, given.time);
    for (const k of Object.keys(header) as (keyof BlockHeader)[]) {
      if (header[k] !== given[k]) {
        this.tree.discard();
        throw new UrbisError('BLOCK_INVALID', `block ${given.height}: ${k} is ${String(given[k])}, re-execution gives ${String(header[k])}`, {
          height: given.height,
          field: k,
          expected: header[k],
          actual: given[k],
        });
      }
    }
    const hash = headerHash(header);
    return this.commitBundle(header, hash, bundle, cert);
  }

  /**
   * Builds the next block of a network on the committed state and signs its header if this node's
   * key is in the validator set in force at that height. Nothing is committed: the network follower
   * commits it with {@link commitPrepared} once a quorum certified the same header, or drops it with
   * {@link discardBlock}. Reads keep seeing the committed state meanwhile.
   */
  prepareBlock(txs: unknown[], time: number): PreparedBlock {
    const validators = this.store.chain()?.validators ?? [];
    const { header, bundle } = this.buildBlock(txs, time);
    const hash = headerHash(header);
    bundle.headerHash = hash;
    const signs = this.validator && validators.includes(this.validator.id) ? this.validator : null;
    const ownSig = signs ? signHeader(hash, signs) : null;
    const ownNote = signs ? signCheckpoint(header, signs) : null;
    return { height: header.height, header, headerHash: hash, validators, ownSig, ownNote, bundle };
  }

  /**
   * Commits a block built by {@link prepareBlock} with its certificate, plus ordering metadata kept in
   * the same store transaction (e.g. the stream position of the block).
   *
   * @throws UrbisError from the store; the pending Merkle update is dropped then.
   */
  commitPrepared(p: PreparedBlock, cert: Certificate, meta?: Record<string, string>, noteSigs?: NoteSig[]): CommitResult {
    if (meta) p.bundle.meta = meta;
    if (noteSigs) p.bundle.noteSigs = noteSigs;
    return this.commitBundle(p.header, p.headerHash, p.bundle, { ...cert, height: p.height, headerHash: p.headerHash });
  }

  /** Drops a block built by {@link buildBlock} that will not be committed. */
  discardBlock(): void {
    this.tree.discard();
  }

  /** A state entry and its inclusion (or non-inclusion) proof against the latest block. */
  prove(key: string): ProvenEntry {
    const head = this.store.head();
    if (!head) throw new UrbisError('STORE_NOT_INITIALIZED', 'the ledger has no blocks');
    const entry = this.lookup(key);
    return {
      key,
      entry,
      proof: this.tree.prove(merkleKey(key)),
      header: head.header,
      cert: this.store.cert(head.height)!,
    };
  }

  /**
   * A state entry as it was after block `height`, with its proof against that block's certified
   * header (docs/protocol.md (State map) §10): the current tree for the head, the versioned records
   * for an earlier height.
   *
   * @throws UrbisError HTTP_NOT_FOUND for a height above the head; STATE_NOT_PROVABLE for a height
   *   below {@link LedgerStore.provableFrom} (details: from, to); STORE_CORRUPT.
   */
  proveAt(key: string, height: number): ProvenEntry {
    const head = this.store.head();
    if (!head) throw new UrbisError('STORE_NOT_INITIALIZED', 'the ledger has no blocks');
    if (height === head.height) return this.prove(key);
    if (!Number.isSafeInteger(height) || height < 0 || height > head.height) {
      throw new UrbisError('HTTP_NOT_FOUND', `no block at height ${height} (head ${head.height})`, { height, head: head.height });
    }
    const from = this.store.provableFrom();
    if (height < from) {
      throw new UrbisError('STATE_NOT_PROVABLE', `this node proves the state of heights ${from} to ${head.height} only, not ${height}`, {
        height,
        from,
        to: head.height,
      });
    }
    const header = this.store.header(height);
    const cert = this.store.cert(height);
    if (!header || !cert) throw new UrbisError('STORE_CORRUPT', `block ${height} is missing`, { height });
    return {
      key,
      entry: this.store.entryAt(key, height) ?? null,
      proof: proveAt(this.store, height, fromHex(header.stateRoot, 32), merkleKey(key)),
      header,
      cert,
    };
  }

  /**
   * Height of the last block whose time is at or before `time` (block times never go backwards).
   * @throws UrbisError HTTP_NOT_FOUND if no block is that old.
   */
  heightAt(time: number): number {
    const head = this.store.head();
    if (!head) throw new UrbisError('STORE_NOT_INITIALIZED', 'the ledger has no blocks');
    const first = Math.max(0, this.store.provableFrom());
    if (!(time >= this.store.header(first)!.time)) {
      if (first === 0) throw new UrbisError('HTTP_NOT_FOUND', `no block at or before ${new Date(time).toISOString()}`);
      throw new UrbisError('STATE_NOT_PROVABLE', `this node proves the state of heights ${first} to ${head.height} only, not that time`, {
        from: first,
        to: head.height,
      });
    }
    let lo = first;
    let hi = head.height;
    while (lo < hi) {
      const mid = (lo + hi + 1) >>> 1;
      if (this.store.header(mid)!.time <= time) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Version `version` of a state entry with its proof at the height that wrote it.
   * @throws UrbisError ID_NOT_FOUND if there is no such version, or it was replaced within the block
   *   that wrote it (it never was part of a committed state); as {@link proveAt}.
   */
  proveVersion(key: string, versions: readonly StateEntry[], version: number): ProvenEntry {
    const v = versions.find((e) => e.version === version);
    if (!v) throw new UrbisError('ID_NOT_FOUND', `${key} has no version ${version}`, { version });
    const p = this.proveAt(key, v.height);
    if (p.entry?.version !== version) {
      throw new UrbisError('ID_NOT_FOUND', `version ${version} of ${key} was replaced within block ${v.height}: no committed state holds it`, {
        version,
        height: v.height,
      });
    }
    return p;
  }

  /** Heights whose state this node can prove (null before genesis). */
  provable(): { from: number; to: number } | null {
    const head = this.store.head();
    return head ? { from: this.store.provableFrom(), to: head.height } : null;
  }

  /**
   * Proofs of many keys against one head: a listing is answered at one height, with one header.
   * The entries are the caller's (read from the store in the same synchronous turn).
   */
  proveAll(keys: string[]): { header: BlockHeader; cert: Certificate; proofs: SmtProof[] } {
    const head = this.store.head();
    if (!head) throw new UrbisError('STORE_NOT_INITIALIZED', 'the ledger has no blocks');
    return { header: head.header, cert: this.store.cert(head.height)!, proofs: keys.map((k) => this.tree.prove(merkleKey(k))) };
  }

  /**
   * Entries `{ tx, result }` of a committed block with their RFC 9162 audit paths against its
   * transaction root (docs/protocol.md "Transaction inclusion"), and its header and certificate.
   *
   * @throws UrbisError STORE_CORRUPT when the block is not stored.
   */
  txInclusions(height: number, indices: number[]): { header: BlockHeader; cert: Certificate; txs: TxInclusionJson[] } {
    const block = this.store.block(height);
    const cert = this.store.cert(height);
    if (!block || !cert) throw new UrbisError('STORE_CORRUPT', `block ${height} is not stored`);
    const tree = txTree(block.txs, block.results);
    const txs = indices.map((index) => ({ index, tx: block.txs[index]!, result: block.results[index]!, path: tree.path(index).map(toHex) }));
    return { header: block.header, cert, txs };
  }

  /**
   * Header `to` (default: the head) with the RFC 9162 proofs that it extends header `from`
   * (docs/protocol.md "Consistency between heads"): the consistency proof between history tree sizes
   * `from` and `to`, and the audit path of leaf `from` in the tree of size `to`. O(log n) reads.
   *
   * @throws UrbisError HTTP_BAD_REQUEST for heights out of order or above the head,
   *   HISTORY_UNAVAILABLE when the node lacks that part of the log (below a snapshot import).
   */
  consistency(from: number, to?: number): ConsistencyAnswer {
    const head = this.store.head();
    if (!head) throw new UrbisError('STORE_NOT_INITIALIZED', 'the ledger has no blocks');
    const b = to ?? head.height;
    if (!Number.isSafeInteger(from) || !Number.isSafeInteger(b) || from < 0 || from > b || b > head.height) {
      throw new UrbisError('HTTP_BAD_REQUEST', `no consistency proof from height ${from} to ${b} (head ${head.height}); need 0 ≤ from ≤ to ≤ head`);
    }
    const fromHeader = this.store.header(from);
    const header = this.store.header(b);
    const fromCert = this.store.cert(from);
    const cert = this.store.cert(b);
    if (!fromHeader || !header || !fromCert || !cert) throw new UrbisError('HISTORY_UNAVAILABLE', `this node holds no block ${fromHeader ? b : from}`);
    const read = this.historyReader;
    return {
      from,
      to: b,
      fromHeader,
      fromCert,
      header,
      cert,
      consistency: from > 0 && from < b ? consistencyProof(from, b, read).map(toHex) : [],
      inclusion: from < b ? inclusionProof(from, b, read).map(toHex) : [],
    };
  }

  /**
   * The checkpoint of history tree size `size` as a signed note (docs/protocol.md "Checkpoints and
   * witnesses"): the text of certified header `size`, the validators' note signatures held, then the
   * witnesses' cosignatures held. Default size: the largest holding validators' signatures (the head,
   * normally), or with `cosigned` the largest holding cosignatures of `k` witnesses (of the ones
   * named, `name+keyId`, if any).
   *
   * @throws UrbisError HTTP_NOT_FOUND when this node holds no signed (or cosigned) checkpoint of that size.
   */
  checkpointNote(
    size?: number,
    cosigned?: { witnesses?: readonly string[]; k?: number },
  ): { size: number; header: BlockHeader; note: string; cosignatures: number } {
    const n = size ?? (cosigned ? this.store.latestCosignedSize(cosigned.witnesses, cosigned.k) : this.store.latestNoteSize());
    const header = n >= 0 ? this.store.header(n) : undefined;
    const sigs = header ? this.store.noteSigs(n) : [];
    if (!header || sigs.length === 0)
      throw new UrbisError(
        'HTTP_NOT_FOUND',
        size === undefined ? 'this node holds no signed checkpoint yet' : `this node holds no signed checkpoint of size ${n}`,
      );
    const cosigs = this.store.cosigs(n);
    return {
      size: n,
      header,
      note: checkpointNote(
        header,
        sigs,
        cosigs.map((c) => c.line),
      ),
      cosignatures: cosigs.length,
    };
  }

  /**
   * Keeps a witness's cosignature of the checkpoint of size `size`, which this node certified: the
   * line must be a cosignature/v1 by the key `witness` (a verifier key) over the note text of this
   * node's certified header `size`, timed at most a minute ahead of `nowSeconds`.
   *
   * @returns whether it was new (or newer than the one held) and the witness.
   * @throws UrbisError NOTE_INVALID (malformed, not that key, does not verify, too many witnesses),
   *   HTTP_NOT_FOUND (no signed checkpoint of that size here).
   */
  addCosignature(size: number, witness: string, line: string, nowSeconds: number): { stored: boolean; witness: string; time: number } {
    const [w] = parseWitnesses([witness]);
    const { header } = this.checkpointNote(size);
    const text = checkpointText(header);
    if (typeof line !== 'string' || line.length > 512) throw new UrbisError('NOTE_INVALID', 'a cosignature is one signature line');
    const parsed = parseNote(`${text}\n${line.endsWith('\n') ? line : `${line}\n`}`);
    const sig = parsed.signatures.length === 1 ? parsed.signatures[0]! : null;
    if (!sig || sig.name !== w!.name || sig.keyId !== w!.keyId)
      throw new UrbisError('NOTE_INVALID', `the line is not one cosignature by ${w!.name}+${w!.keyId}`);
    if (!w!.verify(text, sig.signature))
      throw new UrbisError('NOTE_INVALID', `the cosignature of ${w!.name} does not verify over the checkpoint of size ${size} this node certified`);
    const time = cosignatureTime(sig.signature);
    if (time > nowSeconds + 60) throw new UrbisError('NOTE_INVALID', `the cosignature is timed ${time - nowSeconds} s in the future`);
    const id = `${w!.name}+${w!.keyId}`;
    const held = this.store.cosigs(size);
    if (held.length >= MAX_WITNESSES && !held.some((c) => c.witness === id)) {
      throw new UrbisError('NOTE_INVALID', `this node keeps cosignatures of at most ${MAX_WITNESSES} witnesses per checkpoint`);
    }
    return { stored: this.store.putCosig(size, id, sig.line, time), witness: id, time };
  }

  private lookup(key: string): StateEntry | null {
    return lookupState(this.store, key) ?? null;
  }

  /** Parameters in force, or the defaults before genesis. */
  params() {
    return this.store.chain()?.params ?? DEFAULT_PARAMS;
  }
}

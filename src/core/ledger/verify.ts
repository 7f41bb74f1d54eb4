/**
 * Reader-side verification: docs/protocol.md "Proofs", docs/sdk.md "What is verified". The one
 * verifier of the project: the SDK, the CLI (local and `--node`), the did-resolver plugin and the
 * snapshot import all use it. Pure: runs in Node and in a browser.
 *
 * A reader trusts nothing but its anchor (chain id and validator keys from the genesis). Every input
 * here is attacker-controlled until a check below has passed: the key is the one the caller asked
 * for, the entry is the one the proof commits to, the header is the one the validators signed. What
 * a check returns is exactly what it established: signers are counted once each and only for valid
 * signatures, and the header and certificate handed back are the verified ones, never the bytes of
 * the answer beside them.
 *
 * Certified-header cache: checking a certificate costs one Ed25519 verification per validator
 * signature, while many answers share the header of the latest block. A header whose certificate
 * verified once under the current anchor is remembered (bounded, by header hash); a later answer
 * with the field-for-field same header needs no signature check, and gets the certificate verified
 * then, whatever certificate it carries.
 */
import { UrbisError, isUrbisError } from '../errors.js';
import { canonicalJson, fromHex } from '../encoding/index.js';
import { proofFromJson, proofToJson, verifyProof, type SmtProof } from '../merkle/index.js';
import { checkCertificate, headerHash, isQuorum, txRoot } from './block.js';
import { entryHash, merkleKey, stateKey } from './state.js';
import type { BlockHeader, Certificate, StateEntry, Tx, TxResult } from './types.js';

/** What a reader trusts. */
export interface TrustAnchor {
  chainId: string;
  /** Validator Multikeys in force (from genesis, or from a verified validator-set change). */
  validators: string[];
}

/** An answer to verify, with its proof decoded or as JSON. */
export interface ProvenAnswer {
  key: string;
  entry: StateEntry | null;
  proof: SmtProof | unknown;
  header: BlockHeader;
  cert: Certificate;
}

/** What a successful verification establishes. */
export interface VerifiedAnswer {
  /** True for an inclusion proof, false for a proof that the key is absent. */
  present: boolean;
  height: number;
  stateRoot: string;
  /** Distinct validators whose valid signatures counted. */
  signers: number;
  validators: number;
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function isSmtProof(p: unknown): p is SmtProof {
  return isObj(p) && typeof p.depth === 'number' && Array.isArray(p.siblings) && isObj(p.terminal);
}

/**
 * Verifies one answer: chain, header certificate under the anchor's validators, entry ↔ key, and the
 * Merkle proof of `entry` (or of absence) under the header's state root. No cache.
 *
 * @throws UrbisError CERT_INVALID, PROOF_INVALID, TX_CHAIN_MISMATCH.
 */
export function verifyProvenEntry(a: ProvenAnswer, anchor: TrustAnchor, historic = false): VerifiedAnswer {
  const json = { ...a, proof: isSmtProof(a.proof) ? proofToJson(a.proof) : a.proof };
  const v = new AnswerVerifier(anchor, { certCacheSize: 0 }).verifyProven(json, a.key, historic);
  return { present: v.present, height: v.proof.height, stateRoot: v.proof.stateRoot, signers: v.signers, validators: anchor.validators.length };
}

/** Where a verified answer is anchored. */
export interface ProofInfo {
  chainId: string;
  height: number;
  /** Block time of the certified header, ms since epoch. */
  time: number;
  stateRoot: string;
  headerHash: string;
}

/**
 * A verified header, and exactly what was verified about it: the certificate holds only the
 * signatures that counted (valid, by a validator in force, each validator once, in the order
 * received), so `cert.sigs.length === signers`.
 */
export interface VerifiedHeader {
  header: BlockHeader;
  headerHash: string;
  /** The verified certificate: the valid validator signatures only. */
  cert: Certificate;
  /** Number of distinct validators whose valid signatures counted. */
  signers: number;
}

/** A verified state answer: `entry` is exactly what the certified state root commits to. */
export interface VerifiedEntry<E extends StateEntry = StateEntry> {
  present: boolean;
  entry: E | null;
  key: string;
  proof: ProofInfo;
  signers: number;
  /**
   * The answer as verified, `{ key, entry, proof, header, cert }`: the proof as received (it was
   * checked), the header and certificate as verified (see {@link VerifiedHeader}). Hand this on,
   * never the raw answer.
   */
  verified: ProvenJsonAnswer;
}

/** The JSON shape of a proven answer: what `GET /v1/ids/…` and `/v1/ns/…` carry. */
export interface ProvenJsonAnswer {
  key: string;
  entry: StateEntry | null;
  proof: unknown;
  header: BlockHeader;
  cert: Certificate;
}

/** A verified block: header certified, header hash and transaction root recomputed. */
export interface VerifiedBlock {
  header: BlockHeader;
  headerHash: string;
  /** The verified certificate (valid signatures only). */
  cert: Certificate;
  /** As committed, invalid ones included (their result says why). */
  txs: Tx[];
  results: TxResult[];
}

export interface VerifierOptions {
  /** Certified headers remembered (default 1024; 0 disables the cache). */
  certCacheSize?: number;
  /** Reject answers whose header time is older than this (ms); default: no limit. */
  maxAgeMs?: number;
  /** Clock for `maxAgeMs` (default Date.now). */
  now?: () => number;
}

const HEADER_KEYS = ['v', 'chain', 'height', 'prev', 'historyRoot', 'time', 'txRoot', 'stateRoot', 'txCount', 'nextValidators'] as const;
const HEX64 = /^[0-9a-f]{64}$/;
const MAX_CERT_SIGS = 4096;

function isHex64(v: unknown): v is string {
  return typeof v === 'string' && HEX64.test(v);
}

function isCount(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/**
 * Strict header shape: exactly the protocol's fields with their types. Validators never sign
 * anything else, so anything else is refused before hashing.
 *
 * @throws UrbisError CERT_INVALID naming the first bad field.
 */
export function checkHeaderShape(v: unknown): BlockHeader {
  if (!isObj(v)) throw new UrbisError('CERT_INVALID', 'answer has no block header');
  const keys = Object.keys(v);
  if (keys.length !== HEADER_KEYS.length || !HEADER_KEYS.every((k) => Object.hasOwn(v, k))) {
    throw new UrbisError('CERT_INVALID', 'block header does not have exactly the protocol fields');
  }
  const bad = (f: string) => new UrbisError('CERT_INVALID', `block header field ${f} is malformed`, { field: f });
  if (v.v !== 2) throw bad('v');
  if (typeof v.chain !== 'string' || v.chain.length > 64) throw bad('chain');
  for (const f of ['height', 'time', 'txCount'] as const) if (!isCount(v[f])) throw bad(f);
  for (const f of ['prev', 'historyRoot', 'txRoot', 'stateRoot', 'nextValidators'] as const) if (!isHex64(v[f])) throw bad(f);
  return v as unknown as BlockHeader;
}

/** @throws UrbisError CERT_INVALID if `v` is not shaped as a certificate. */
export function checkCertShape(v: unknown): Certificate {
  if (!isObj(v)) throw new UrbisError('CERT_INVALID', 'answer has no certificate');
  if (!isCount(v.height) || !isHex64(v.headerHash) || !Array.isArray(v.sigs) || v.sigs.length > MAX_CERT_SIGS) {
    throw new UrbisError('CERT_INVALID', 'certificate is malformed');
  }
  for (const s of v.sigs) {
    if (!isObj(s) || typeof s.key !== 'string' || typeof s.sig !== 'string' || s.key.length > 128 || s.sig.length > 128) {
      throw new UrbisError('CERT_INVALID', 'certificate signature is malformed');
    }
  }
  return v as unknown as Certificate;
}

/** A copy of a verified header, so that no caller can alter what the cache remembers. */
function copyVerified(v: VerifiedHeader): VerifiedHeader {
  return { header: { ...v.header }, headerHash: v.headerHash, cert: { ...v.cert, sigs: v.cert.sigs.map((s) => ({ ...s })) }, signers: v.signers };
}

function sameHeader(a: BlockHeader, b: BlockHeader): boolean {
  for (const k of HEADER_KEYS) if (a[k] !== b[k]) return false;
  return true;
}

/** Converts any fault while checking hostile JSON into PROOF_INVALID (e.g. nesting too deep); Urbis proof errors pass. */
export function asProofError(e: unknown, what: string): UrbisError {
  if (isUrbisError(e) && (e.code === 'PROOF_INVALID' || e.code === 'CERT_INVALID' || e.code === 'TX_CHAIN_MISMATCH')) return e;
  const msg = e instanceof Error ? e.message : String(e);
  return new UrbisError('PROOF_INVALID', `${what}: ${msg}`, undefined, { cause: e });
}

/**
 * Verifies answers against a {@link TrustAnchor}. One per client; safe to share between requests.
 */
export class AnswerVerifier {
  private anchorValue: TrustAnchor;
  private readonly cache = new Map<string, VerifiedHeader>();
  private readonly cacheSize: number;
  private readonly maxAgeMs: number | undefined;
  private readonly now: () => number;

  /** @throws UrbisError CERT_INVALID if the anchor has no validators. */
  constructor(anchor: TrustAnchor, opts: VerifierOptions = {}) {
    this.anchorValue = checkAnchor(anchor);
    this.cacheSize = opts.certCacheSize ?? 1024;
    this.maxAgeMs = opts.maxAgeMs;
    this.now = opts.now ?? Date.now;
  }

  get anchor(): TrustAnchor {
    return { chainId: this.anchorValue.chainId, validators: [...this.anchorValue.validators] };
  }

  /** Replaces the anchor (e.g. after a verified validator-set change) and forgets cached headers. */
  setAnchor(anchor: TrustAnchor): void {
    this.anchorValue = checkAnchor(anchor);
    this.cache.clear();
  }

  /** Number of headers currently remembered as certified. */
  get cachedHeaders(): number {
    return this.cache.size;
  }

  /**
   * Checks that `header` belongs to the anchor's chain and is certified by more than two thirds of
   * the anchor's validators (or was so certified before: cache).
   *
   * @throws UrbisError TX_CHAIN_MISMATCH, CERT_INVALID, CLIENT_STALE.
   */
  verifyHeader(headerJson: unknown, certJson: unknown, historic = false): VerifiedHeader {
    // Fast path: a header equal, field for field and with no extra field, to one already verified
    // is that header (same canonical JSON, same hash); its certificate needs no second look.
    const certHash = isObj(certJson) ? certJson.headerHash : undefined;
    const hit = typeof certHash === 'string' ? this.cache.get(certHash) : undefined;
    if (hit && isObj(headerJson) && Object.keys(headerJson).length === HEADER_KEYS.length && sameHeader(hit.header, headerJson as unknown as BlockHeader)) {
      if (!historic) this.checkAge(hit.header);
      // The certificate handed back is the one verified earlier, not the one this answer carries.
      return copyVerified(hit);
    }
    const header = checkHeaderShape(headerJson);
    if (header.chain !== this.anchorValue.chainId) {
      throw new UrbisError('TX_CHAIN_MISMATCH', `answer is from chain "${header.chain}", expected "${this.anchorValue.chainId}"`);
    }
    if (!historic) this.checkAge(header);
    const cert = checkCertShape(certJson);
    // Same rule as verifyCertificate (src/core/ledger/block.ts), keeping the count of signers.
    const hash = headerHash(header);
    if (cert.headerHash !== hash || cert.height !== header.height) {
      throw new UrbisError('CERT_INVALID', `certificate is for another header (height ${cert.height})`, { height: header.height });
    }
    const validators = this.anchorValue.validators;
    const c = checkCertificate(cert, validators);
    if (!isQuorum(c.valid.length, validators.length)) {
      throw new UrbisError(
        'CERT_INVALID',
        `header ${header.height} has ${c.valid.length} valid validator signatures of ${validators.length}; more than two thirds are needed`,
        { height: header.height, valid: c.valid.length, validators: validators.length, invalid: c.invalid, unknown: c.unknown },
      );
    }
    const valid = new Set(c.valid);
    const counted = new Set<string>();
    const sigs = cert.sigs.filter((s) => valid.has(s.key) && !counted.has(s.key) && counted.add(s.key)).map((s) => ({ key: s.key, sig: s.sig }));
    const v: VerifiedHeader = { header: { ...header }, headerHash: hash, cert: { height: cert.height, headerHash: hash, sigs }, signers: sigs.length };
    if (this.cacheSize > 0) {
      if (this.cache.size >= this.cacheSize) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(hash, v);
    }
    return copyVerified(v);
  }

  private checkAge(header: BlockHeader): void {
    if (this.maxAgeMs !== undefined && header.time < this.now() - this.maxAgeMs) {
      throw new UrbisError('CLIENT_STALE', `answer is anchored at block ${header.height}, older than ${this.maxAgeMs} ms`, {
        height: header.height,
        time: header.time,
      });
    }
  }

  /**
   * Verifies a proven answer (`{ key, entry, proof, header, cert }`) for the state key the caller
   * asked about. The answer's own `key` must equal it; the proof is checked for `expectedKey`
   * whatever the answer says, so an answer about another key can never pass.
   *
   * @throws UrbisError PROOF_INVALID, CERT_INVALID, TX_CHAIN_MISMATCH, CLIENT_STALE.
   */
  verifyProven<E extends StateEntry = StateEntry>(json: unknown, expectedKey: string, historic = false): VerifiedEntry<E> {
    if (!isObj(json)) throw new UrbisError('PROOF_INVALID', 'answer carries no proof');
    if (json.key !== expectedKey) {
      throw new UrbisError('PROOF_INVALID', `answer is about ${String(json.key).slice(0, 120)}, not ${expectedKey}`);
    }
    const entry = json.entry;
    if (entry !== null && !isObj(entry)) throw new UrbisError('PROOF_INVALID', 'answer entry is neither an object nor null');
    let proof;
    try {
      proof = proofFromJson(json.proof);
    } catch (e) {
      throw asProofError(e, 'answer proof');
    }
    const h = this.verifyHeader(json.header, json.cert, historic);
    verifyEntryProof(h.header, expectedKey, entry as StateEntry | null, proof);
    return {
      present: entry !== null,
      entry: entry as E | null,
      key: expectedKey,
      proof: proofInfo(h),
      signers: h.signers,
      verified: { key: expectedKey, entry: entry as StateEntry | null, proof: json.proof, header: h.header, cert: h.cert },
    };
  }

  /**
   * Verifies an answer about a past height (`?version=`, `?at=`; docs/protocol.md (State map) §10):
   * a proven answer like {@link verifyProven}, not subject to the age limit, whose header is the one
   * asked for: of height `ask.height`; holding version `ask.version`; or, for `ask.time`, at or
   * before that time, with the certified next header (`next`, linked by `prev`) after it. For a time
   * answered without `next`, `needsHead` is set: the caller must check that the header is the head.
   *
   * @throws UrbisError PROOF_INVALID, CERT_INVALID, TX_CHAIN_MISMATCH.
   */
  verifyPast<E extends StateEntry = StateEntry>(
    json: unknown,
    expectedKey: string,
    ask: { height?: number; time?: number; version?: number },
  ): VerifiedEntry<E> & { needsHead: boolean } {
    const v = this.verifyProven<E>(json, expectedKey, true);
    const h = v.verified.header;
    if (ask.height !== undefined && h.height !== ask.height) {
      throw new UrbisError('PROOF_INVALID', `asked for the state at block ${ask.height}, got block ${h.height}`);
    }
    if (ask.version !== undefined && v.entry?.version !== ask.version) {
      throw new UrbisError(
        'PROOF_INVALID',
        `asked for version ${ask.version} of ${expectedKey}, the proof shows ${v.entry ? `version ${v.entry.version}` : 'no entry'}`,
      );
    }
    let needsHead = false;
    if (ask.time !== undefined) {
      if (h.time > ask.time) throw new UrbisError('PROOF_INVALID', `asked for the state at ${ask.time}, got block ${h.height} of ${h.time}`);
      const next = (json as Record<string, unknown>).next;
      if (next === undefined) needsHead = true;
      else {
        const n = isObj(next) ? this.verifyHeader(next.header, next.cert, true) : null;
        if (!n || n.header.height !== h.height + 1 || n.header.prev !== v.proof.headerHash || n.header.time <= ask.time) {
          throw new UrbisError('PROOF_INVALID', `block ${h.height} is not the last block at or before ${ask.time}`);
        }
      }
    }
    return { ...v, needsHead };
  }

  /**
   * Verifies a block answer: certified header, the answer's header hash, the height asked for (if
   * any), and the transaction root recomputed over `{ tx, result }` entries (RFC 9162 §2.1).
   *
   * @throws UrbisError PROOF_INVALID, CERT_INVALID, TX_CHAIN_MISMATCH, CLIENT_STALE.
   */
  verifyBlock(json: unknown, expectedHeight: number | null): VerifiedBlock {
    if (!isObj(json)) throw new UrbisError('PROOF_INVALID', 'block answer is not an object');
    const h = this.verifyHeader(json.header, json.cert);
    if (json.headerHash !== h.headerHash) throw new UrbisError('PROOF_INVALID', 'block answer states another header hash');
    if (expectedHeight !== null && h.header.height !== expectedHeight) {
      throw new UrbisError('PROOF_INVALID', `asked for block ${expectedHeight}, got block ${h.header.height}`);
    }
    const { txs, results } = json;
    if (!Array.isArray(txs) || !Array.isArray(results) || txs.length !== h.header.txCount || results.length !== txs.length) {
      throw new UrbisError('PROOF_INVALID', `block ${h.header.height} does not carry its ${h.header.txCount} transactions and results`);
    }
    let root: string;
    try {
      root = txRoot(txs as Tx[], results as TxResult[]);
    } catch (e) {
      throw asProofError(e, `transactions of block ${h.header.height}`);
    }
    if (root !== h.header.txRoot) {
      throw new UrbisError('PROOF_INVALID', `transactions of block ${h.header.height} do not match its transaction root`, { height: h.header.height });
    }
    return { header: h.header, headerHash: h.headerHash, cert: h.cert, txs: txs as Tx[], results: results as TxResult[] };
  }

  /**
   * Verifies a checkpoint answer (`{ chainId, header, headerHash, cert }`).
   *
   * @throws UrbisError PROOF_INVALID, CERT_INVALID, TX_CHAIN_MISMATCH, CLIENT_STALE.
   */
  verifyCheckpoint(json: unknown): VerifiedHeader {
    if (!isObj(json)) throw new UrbisError('CERT_INVALID', 'checkpoint answer is not an object');
    if (json.chainId !== this.anchorValue.chainId) {
      throw new UrbisError('TX_CHAIN_MISMATCH', `checkpoint is for chain "${String(json.chainId).slice(0, 64)}", expected "${this.anchorValue.chainId}"`);
    }
    const h = this.verifyHeader(json.header, json.cert);
    if (json.headerHash !== h.headerHash) throw new UrbisError('PROOF_INVALID', 'checkpoint states another header hash');
    return h;
  }
}

/**
 * Checks that `entry` (or, for null, the absence of any entry) is what the state root of a verified
 * header commits to under `key`: the entry's own key, then the Merkle proof.
 *
 * @throws UrbisError PROOF_INVALID.
 */
export function verifyEntryProof(header: BlockHeader, key: string, entry: StateEntry | null, proof: SmtProof): void {
  try {
    let value: Uint8Array | null = null;
    if (entry !== null) {
      if (stateKey(entry) !== key) throw new UrbisError('PROOF_INVALID', `answer entry is not the entry of ${key}`);
      value = entryHash(entry);
    }
    verifyProof(fromHex(header.stateRoot, 32), merkleKey(key), value, proof);
  } catch (e) {
    throw asProofError(e, `proof of ${key}`);
  }
}

export function proofInfo(h: VerifiedHeader): ProofInfo {
  return { chainId: h.header.chain, height: h.header.height, time: h.header.time, stateRoot: h.header.stateRoot, headerHash: h.headerHash };
}

/**
 * Checks an anchor's shape: a chain id and a non-empty list of distinct validator Multikeys.
 * @throws UrbisError CERT_INVALID.
 */
export function checkAnchor(a: TrustAnchor): TrustAnchor {
  if (!isObj(a) || typeof a.chainId !== 'string' || a.chainId.length === 0 || !Array.isArray(a.validators)) {
    throw new UrbisError('CERT_INVALID', 'a trust anchor needs a chainId and a validator list');
  }
  const vs = a.validators as unknown[];
  if (vs.length === 0 || !vs.every((k) => typeof k === 'string') || new Set(vs).size !== vs.length) {
    throw new UrbisError('CERT_INVALID', 'a trust anchor needs distinct validator Multikeys');
  }
  return { chainId: a.chainId, validators: [...(vs as string[])] };
}

/** Canonical-JSON equality of two JSON values (entries, results). */
export function sameJson(a: unknown, b: unknown): boolean {
  try {
    return canonicalJson(a) === canonicalJson(b);
  } catch {
    return false;
  }
}

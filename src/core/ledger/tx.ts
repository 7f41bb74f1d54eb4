/**
 * Transaction hashing and signatures: docs/protocol.md "Transactions" and "Signatures".
 *
 * - The transaction hash is SHA-256 over the RFC 8785 canonical JSON of the body (signatures are
 *   not part of it, so adding a co-signature does not change the transaction's identity).
 * - A signature is Ed25519 over the signing input `"urbis/tx/v1\n" ‖ hash` (32 raw bytes), a domain
 *   separation tag so that no other Urbis message (headers, labels) can be replayed as a transaction.
 *   The body carries the chain id, so a signature made for one network is worthless on another.
 */
import {
  canonicalBytes,
  canonicalJson,
  firstDuplicateKey,
  concatBytes,
  fromBase64url,
  fromHex,
  toBase64url,
  toHex,
  utf8Encode,
  multikeyToPublicKey,
  publicKeyToMultikey,
} from '../encoding/index.js';
import { ed25519PublicKey, ed25519SignerFor, ed25519Verify, randomBytes, sha256 } from '../crypto/index.js';
import { UrbisError } from '../errors.js';
import { PROTOCOL_VERSION, type ControllerSet, type Payloads, type Tx, type TxBody, type TxType } from './types.js';

const TX_DOMAIN = utf8Encode('urbis/tx/v1\n');

/** Hex SHA-256 of the canonical body: the transaction's identity. */
export function txHash(body: TxBody): string {
  return toHex(sha256(canonicalBytes(body)));
}

/**
 * A transaction serialised once: its RFC 8785 canonical text and bytes, reused for the size limit,
 * the transaction hash (the body's bytes are a part of them), the block's transaction-root leaf
 * ({@link txLeafOf} in block.ts) and the stored block.
 */
export interface TxEncoding {
  /** Canonical JSON text of the whole transaction `{ body, sigs }` as given. */
  text: string;
  /** Its UTF-8 bytes; their length is the transaction's size. */
  bytes: Uint8Array;
  /** The transaction hash: hex SHA-256 of the body's canonical bytes, or null without a body. */
  hash: string | null;
}

const BODY_PREFIX = '{"body":'.length;

/**
 * Serialises a transaction object once (see {@link TxEncoding}). The canonical text of an object with
 * exactly the members `body` and `sigs` is `{"body":B,"sigs":S}` (members sorted), so the body's
 * bytes are those from offset 8 up to the `,"sigs":` part: one walk of the value, one UTF-8 encoding.
 *
 * @throws UrbisError ENC_JSON_INVALID when the value has no canonical JSON form.
 */
export function encodeTx(o: Record<string, unknown>): TxEncoding {
  const keys = Object.keys(o);
  if (keys.length !== 2 || !('body' in o) || !('sigs' in o)) {
    const text = canonicalJson(o);
    return { text, bytes: utf8Encode(text), hash: o.body === undefined ? null : txHash(o.body as TxBody) };
  }
  const body = canonicalJson(o.body);
  const sigs = `,"sigs":${canonicalJson(o.sigs)}}`;
  const text = `{"body":${body}${sigs}`;
  const bytes = utf8Encode(text);
  const bodyBytes = bytes.subarray(BODY_PREFIX, bytes.length - utf8Length(sigs));
  return { text, bytes, hash: toHex(sha256(bodyBytes)) };
}

/** UTF-8 length of a string without encoding it. */
function utf8Length(s: string): number {
  let n = s.length;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) continue;
    if (c < 0x800) n += 1;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length && (s.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 2; // a surrogate pair: 2 UTF-16 units, 4 bytes
      i++;
    } else n += 2;
  }
  return n;
}

/** The bytes an Ed25519 signature of a transaction covers. */
export function txSigningInput(hash: string): Uint8Array {
  return concatBytes(TX_DOMAIN, fromHex(hash, 32));
}

/** A key able to sign: 32-byte Ed25519 seed plus its public key. */
export interface Signer {
  publicKey: Uint8Array;
  /** Multikey form of the public key. */
  id: string;
  sign(message: Uint8Array): Uint8Array;
}

/** Builds a {@link Signer} from a 32-byte seed. */
export function signerFromSeed(seed: Uint8Array): Signer {
  const publicKey = ed25519PublicKey(seed);
  return { publicKey, id: publicKeyToMultikey(publicKey), sign: ed25519SignerFor(seed) };
}

/** Options for {@link buildTx}. */
export interface BuildOptions {
  chain: string;
  /** Current time, ms; the validity window starts slightly before it to tolerate clock skew. */
  now: number;
  /** Window length, ms (default 10 minutes). */
  ttlMs?: number;
  nonce?: string;
}

/**
 * Creates a transaction body with a fresh random nonce and a validity window around `now`.
 * Time and randomness come from the caller's environment; the core itself never reads a clock.
 */
export function buildTxBody<T extends TxType>(type: T, payload: Payloads[T], opts: BuildOptions): TxBody<T> {
  const ttl = opts.ttlMs ?? 10 * 60 * 1000;
  return {
    v: PROTOCOL_VERSION,
    chain: opts.chain,
    type,
    nonce: opts.nonce ?? toBase64url(randomBytes(12)),
    validFrom: Math.max(0, opts.now - 60_000),
    validUntil: opts.now + ttl,
    payload,
  };
}

/** Signs a body with every given signer. */
export function signTx<T extends TxType>(body: TxBody<T>, signers: Signer[]): Tx<T> {
  // One serialisation: its bytes give the hash (txHash), its text the body in canonical member
  // order, so that the plain JSON.stringify of the result is its RFC 8785 form: nodes admit
  // transactions only in that form (see checkCanonicalTxText).
  const text = canonicalJson(body);
  const input = txSigningInput(toHex(sha256(utf8Encode(text))));
  return { body: JSON.parse(text) as TxBody<T>, sigs: signers.map((s) => ({ key: s.id, sig: toBase64url(s.sign(input)) })) };
}

/**
 * Checks that a transaction arrived as exactly its RFC 8785 canonical JSON: no duplicate member
 * names (which parsers resolve differently, so that two readers of the same bytes could see two
 * transactions), and no other encoding of the same value (member order, whitespace, escapes,
 * number forms). The signature is over the canonical form of the body; accepting only that form
 * means every reader of the bytes reads what was signed.
 *
 * @param text the transaction as received.
 * @param parsed the value parsed from `text`.
 * @throws UrbisError TX_NOT_CANONICAL naming the duplicate member or the first differing character.
 */
export function checkCanonicalTxText(text: string, parsed: unknown): void {
  const dup = firstDuplicateKey(text);
  if (dup !== null) throw new UrbisError('TX_NOT_CANONICAL', `the transaction has the member ${dup} twice`, { path: dup });
  let canon: string;
  try {
    canon = canonicalJson(parsed);
  } catch (e) {
    throw new UrbisError('TX_NOT_CANONICAL', `the transaction is not representable as canonical JSON: ${(e as Error).message}`, undefined, { cause: e });
  }
  if (canon !== text) {
    let at = 0;
    while (at < canon.length && canon[at] === text[at]) at++;
    throw new UrbisError(
      'TX_NOT_CANONICAL',
      `the transaction is not in RFC 8785 canonical form (first difference at character ${at}); send canonicalJson(tx)`,
      {
        offset: at,
      },
    );
  }
}

/** Adds co-signatures to an already signed transaction (multi-party thresholds). */
export function cosignTx<T extends TxType>(tx: Tx<T>, signers: Signer[]): Tx<T> {
  const input = txSigningInput(txHash(tx.body));
  const have = new Set(tx.sigs.map((s) => s.key));
  const extra = signers.filter((s) => !have.has(s.id)).map((s) => ({ key: s.id, sig: toBase64url(s.sign(input)) }));
  return { body: tx.body, sigs: [...tx.sigs, ...extra] };
}

/** Verifies one signature entry; `verify` may be a caching verifier supplied by the node. */
export type SigVerifier = (hash: string, key: string, sig: string) => boolean;

/** Default verifier: decodes and checks the Ed25519 signature. */
export const verifyTxSignature: SigVerifier = (hash, key, sig) => {
  let pub: Uint8Array;
  let sigBytes: Uint8Array;
  try {
    pub = multikeyToPublicKey(key);
    sigBytes = fromBase64url(sig);
  } catch {
    return false;
  }
  return sigBytes.length === 64 && ed25519Verify(sigBytes, txSigningInput(hash), pub);
};

/**
 * Checks that every signature on the transaction verifies.
 *
 * @returns the set of keys (Multikey) that signed validly.
 * @throws UrbisError TX_SIGNATURE_INVALID naming the first bad signature.
 */
export function verifyTxSignatures(tx: Tx, hash: string, verify: SigVerifier = verifyTxSignature): Set<string> {
  const signed = new Set<string>();
  for (let i = 0; i < tx.sigs.length; i++) {
    const s = tx.sigs[i]!;
    if (!verify(hash, s.key, s.sig)) {
      throw new UrbisError('TX_SIGNATURE_INVALID', `signature ${i} by ${s.key} does not verify`, { index: i, key: s.key });
    }
    signed.add(s.key);
  }
  return signed;
}

/** Number of distinct members of `set` among `signed`. */
export function countSigners(set: ControllerSet | string[], signed: Set<string>): number {
  const keys = Array.isArray(set) ? set : set.keys;
  let n = 0;
  for (const k of keys) if (signed.has(k)) n++;
  return n;
}

/** True when `signed` meets the threshold of `set`. */
export function meetsThreshold(set: ControllerSet, signed: Set<string>): boolean {
  return countSigners(set, signed) >= set.threshold;
}

/**
 * COSE_Sign1 (RFC 9052 §4.2) with EdDSA over Ed25519 (RFC 9053 §2.2, alg -8).
 *
 * Spec: RFC 9052 §4.2 (structure), §4.4 (Sig_structure), §3.1 (header parameters alg = 1, kid = 4);
 * docs/codes.md §3. Pure.
 *
 * The signature covers Sig_structure = ["Signature1", protected (the exact bstr bytes received),
 * external_aad, payload]; the unprotected header is NOT signed, so Urbis labels keep it empty and
 * put alg and kid in the protected header (docs/codes.md §3).
 */
import { fail } from '../errors.js';
import { ed25519SignerFor, ed25519VerifyAsync } from '../crypto/index.js';
import { CborTag, decodeCbor, encodeCbor, type CborMap, type CborValue } from './cbor.js';

/** CBOR tag of a COSE_Sign1 message (RFC 9052 §2, Table 1). */
export const COSE_SIGN1_TAG = 18;
/** COSE algorithm identifier of EdDSA (RFC 9053 §2.2). */
export const COSE_ALG_EDDSA = -8;
/** Header labels (RFC 9052 §3.1). */
export const HEADER_ALG = 1;
export const HEADER_KID = 4;

/** A parsed COSE_Sign1 message. */
export interface CoseSign1 {
  /** The protected header as the exact bytes carried (what the signature covers). */
  protectedBytes: Uint8Array;
  /** The protected header decoded. */
  protected: CborMap;
  unprotected: CborMap;
  payload: Uint8Array;
  signature: Uint8Array;
}

/**
 * Sig_structure for a COSE_Sign1 (RFC 9052 §4.4): the bytes Ed25519 signs.
 */
export function sigStructure1(protectedBytes: Uint8Array, payload: Uint8Array, externalAad: Uint8Array = EMPTY): Uint8Array {
  // Written directly (it is built once per verification): array(4), "Signature1", then three byte
  // strings with their deterministic heads, exactly what encodeCbor produces (tested).
  const parts = [protectedBytes, externalAad, payload];
  let len = SIG1_PREFIX.length;
  for (const b of parts) len += bstrHeadLength(b.length) + b.length;
  const out = new Uint8Array(len);
  out.set(SIG1_PREFIX, 0);
  let o = SIG1_PREFIX.length;
  for (const b of parts) {
    o = writeBstrHead(out, o, b.length);
    out.set(b, o);
    o += b.length;
  }
  return out;
}

const EMPTY = new Uint8Array(0);
/** 0x84 (array of 4) then the text string "Signature1" (0x6a + 10 bytes). */
const SIG1_PREFIX = encodeCbor(['Signature1', EMPTY, EMPTY, EMPTY]).subarray(0, 12);

function bstrHeadLength(n: number): number {
  return n < 24 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 5;
}

function writeBstrHead(out: Uint8Array, o: number, n: number): number {
  if (n < 24) out[o++] = 0x40 | n;
  else if (n < 0x100) {
    out[o++] = 0x58;
    out[o++] = n;
  } else if (n < 0x10000) {
    out[o++] = 0x59;
    out[o++] = n >>> 8;
    out[o++] = n & 0xff;
  } else {
    out[o++] = 0x5a;
    for (let s = 24; s >= 0; s -= 8) out[o++] = (n >>> s) & 0xff;
  }
  return o;
}

/** Something that signs with Ed25519: a 32-byte secret key (seed), or a signing function. */
export type Ed25519Signing = Uint8Array | { sign(message: Uint8Array): Uint8Array };

/**
 * Signs `payload` as a tagged COSE_Sign1 with EdDSA, `kid` in the protected header and an empty
 * unprotected header.
 * @param key the secret key (seed) or a signer (a `Signer` of src/core/ledger/tx.ts) that keeps it
 * @throws UrbisError CRYPTO_KEY_INVALID if a seed is not 32 bytes
 */
export function signCoseSign1(payload: Uint8Array, key: Ed25519Signing, kid: Uint8Array): Uint8Array {
  const protectedBytes = encodeCbor(
    new Map<number, CborValue>([
      [HEADER_ALG, COSE_ALG_EDDSA],
      [HEADER_KID, kid],
    ]),
  );
  const sign = key instanceof Uint8Array ? ed25519SignerFor(key) : (m: Uint8Array) => key.sign(m);
  const signature = sign(sigStructure1(protectedBytes, payload));
  return encodeCbor(new CborTag(COSE_SIGN1_TAG, [protectedBytes, new Map(), payload, signature]));
}

/**
 * Parses a COSE_Sign1 (tagged with 18, or untagged where the context implies it, RFC 9052 §2).
 * Structure only: no signature check.
 *
 * Attacker-controlled input.
 * @throws UrbisError COSE_INVALID (structure) or CBOR_INVALID (encoding)
 */
export function parseCoseSign1(bytes: Uint8Array): CoseSign1 {
  let v = decodeCbor(bytes, { tags: [COSE_SIGN1_TAG], maxDepth: 8 });
  if (v instanceof CborTag) v = v.value;
  if (!Array.isArray(v) || v.length !== 4) fail('COSE_INVALID', 'A COSE_Sign1 is an array of four items (RFC 9052 §4.2).');
  const [p, u, payload, signature] = v;
  if (!(p instanceof Uint8Array)) fail('COSE_INVALID', 'The protected header must be a byte string.');
  if (!(u instanceof Map)) fail('COSE_INVALID', 'The unprotected header must be a map.');
  if (!(payload instanceof Uint8Array)) fail('COSE_INVALID', 'The payload must be a byte string (detached payloads are not used).');
  if (!(signature instanceof Uint8Array)) fail('COSE_INVALID', 'The signature must be a byte string.');
  // RFC 9052 §3: an empty protected header is encoded as a zero-length bstr, not as an empty map.
  let prot: CborValue = new Map();
  if (p.length > 0) {
    prot = decodeCbor(p, { maxDepth: 4 });
    if (!(prot instanceof Map) || prot.size === 0) fail('COSE_INVALID', 'The protected header must be a non-empty map or the empty byte string.');
  }
  // RFC 9052 §3: a label must not appear in both buckets.
  for (const k of u.keys()) if ((prot as CborMap).has(k)) fail('COSE_INVALID', `Header parameter ${String(k)} appears in both headers.`);
  return { protectedBytes: p, protected: prot as CborMap, unprotected: u, payload, signature };
}

/** The kid of a message: protected first, else unprotected (RFC 9052 §3.1). */
export function coseKid(m: CoseSign1): Uint8Array | undefined {
  const k = m.protected.get(HEADER_KID) ?? m.unprotected.get(HEADER_KID);
  return k instanceof Uint8Array ? k : undefined;
}

/**
 * Verifies the EdDSA signature of a parsed COSE_Sign1 with a raw 32-byte Ed25519 public key. The
 * algorithm must be EdDSA in the protected header (RFC 9052 §3.1: alg SHOULD be protected; Urbis
 * requires it so that no algorithm substitution is possible).
 * @returns true iff the signature verifies; never throws on hostile input
 */
export async function verifyCoseSign1(m: CoseSign1, publicKey: Uint8Array, externalAad?: Uint8Array): Promise<boolean> {
  if (m.protected.get(HEADER_ALG) !== COSE_ALG_EDDSA) return false;
  return ed25519VerifyAsync(m.signature, sigStructure1(m.protectedBytes, m.payload, externalAad), publicKey);
}

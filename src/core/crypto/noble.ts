/**
 * The default {@link CryptoProvider}: SHA-256 from @noble/hashes, Ed25519 (RFC 8032 §5.1) from
 * @noble/curves, randomness from WebCrypto `crypto.getRandomValues`. This is what a browser uses.
 *
 * Spec: docs/protocol.md (Encoding) §4. Pure.
 *
 * Verification is written here on noble's point arithmetic instead of calling `ed25519.verify`,
 * because noble checks the cofactored equation [8][S]B = [8]R + [8][k]A while OpenSSL checks the
 * cofactorless one (encode([S]B − [k]A) = R). Both are allowed by RFC 8032 §5.1.7 but they disagree
 * on crafted signatures involving small-order components; Urbis needs one answer, so both providers
 * compute the cofactorless form.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 as nobleSha256, sha512 } from '@noble/hashes/sha2.js';
import { fail } from '../errors.js';
import { bytesEqual, concatBytes } from '../encoding/bytes.js';
import type { CryptoProvider } from './provider.js';
import { isScalarCanonical } from './ed25519-rules.js';

const Point = ed25519.Point;
const L = Point.Fn.ORDER;

function leToBigint(b: Uint8Array): bigint {
  let n = 0n;
  for (let i = b.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(b[i]!);
  return n;
}

function nobleVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  try {
    if (signature.length !== 64 || publicKey.length !== 32) return false;
    if (!isScalarCanonical(signature, 32)) return false; // RFC 8032 §5.1.7 step 1: 0 ≤ S < L
    const r = signature.subarray(0, 32);
    const s = leToBigint(signature.subarray(32, 64));
    const A = Point.fromBytes(publicKey, false); // strict RFC 8032 decoding (y < p)
    const k = leToBigint(sha512(concatBytes(r, publicKey, message))) % L;
    // multiplyUnsafe: variable time is fine, everything here is public; it also accepts 0.
    const check = Point.BASE.multiplyUnsafe(s).subtract(A.multiplyUnsafe(k));
    return bytesEqual(check.toBytes(), r);
  } catch {
    return false;
  }
}

/** Largest request WebCrypto getRandomValues serves in one call. */
const RANDOM_CHUNK = 65536;

function webRandomBytes(n: number): Uint8Array {
  const c = (globalThis as { crypto?: { getRandomValues?: (a: Uint8Array) => Uint8Array } }).crypto;
  if (c?.getRandomValues === undefined) fail('INTERNAL', 'No secure random generator (globalThis.crypto.getRandomValues) is available.');
  const out = new Uint8Array(n);
  for (let o = 0; o < n; o += RANDOM_CHUNK) c.getRandomValues(out.subarray(o, Math.min(n, o + RANDOM_CHUNK)));
  return out;
}

/** The @noble/* provider (default; strict RFC 8032 verification, cofactorless). */
export const nobleCryptoProvider: CryptoProvider = {
  name: 'noble',
  sha256: (data) => nobleSha256(data),
  ed25519Verify: nobleVerify,
  ed25519Sign: (seed, message) => ed25519.sign(message, seed),
  ed25519PublicKey: (seed) => ed25519.getPublicKey(seed),
  randomBytes: webRandomBytes,
};

/**
 * Multikey encoding of Ed25519 public keys (W3C Controlled Identifiers v1.0 §2.2.2 "Multikey"):
 * `z` (multibase base58btc) + base58btc(0xed 0x01 ‖ 32-byte key), where 0xed 0x01 is the unsigned
 * varint of multicodec 0xed `ed25519-pub`. Such keys always start with `z6Mk`.
 *
 * Spec: docs/protocol.md (Encoding) §3. Pure.
 */
import { fail, isUrbisError } from '../errors.js';
import { base58btcDecode, base58btcEncode } from './base58.js';

/** Multicodec `ed25519-pub` (0xed) as an unsigned varint. */
const ED25519_PUB_PREFIX = [0xed, 0x01] as const;

/** Length of an Ed25519 public key in bytes. */
export const ED25519_PUBLIC_KEY_LENGTH = 32;

/**
 * Multikey text of a raw Ed25519 public key.
 * @throws UrbisError CRYPTO_KEY_INVALID if `pub` is not 32 bytes.
 * @example publicKeyToMultikey(pub) // 'z6Mk...'
 */
export function publicKeyToMultikey(pub: Uint8Array): string {
  if (!(pub instanceof Uint8Array) || pub.length !== ED25519_PUBLIC_KEY_LENGTH) {
    fail('CRYPTO_KEY_INVALID', 'An Ed25519 public key must be 32 bytes.');
  }
  const b = new Uint8Array(2 + ED25519_PUBLIC_KEY_LENGTH);
  b[0] = ED25519_PUB_PREFIX[0];
  b[1] = ED25519_PUB_PREFIX[1];
  b.set(pub, 2);
  return 'z' + base58btcEncode(b);
}

/**
 * Raw 32-byte Ed25519 public key from its Multikey text. Only checks the encoding: whether the
 * bytes are a valid curve point is decided by signature verification.
 * @throws UrbisError ENC_MULTIKEY_INVALID if the text is not a string, lacks the `z` prefix, is not
 *   base58btc, is not multicodec `ed25519-pub`, or does not hold exactly 32 key bytes.
 */
export function multikeyToPublicKey(s: string): Uint8Array {
  if (typeof s !== 'string' || s.length === 0 || s[0] !== 'z') {
    fail('ENC_MULTIKEY_INVALID', 'A Multikey must be a string starting with "z" (base58btc).');
  }
  // 34 bytes encode to at most 47 base58 characters; refuse anything much longer before decoding.
  if (s.length > 64) fail('ENC_MULTIKEY_INVALID', 'A Multikey Ed25519 key is at most 48 characters long.');
  let b: Uint8Array;
  try {
    b = base58btcDecode(s.slice(1));
  } catch (e) {
    if (isUrbisError(e)) fail('ENC_MULTIKEY_INVALID', 'A Multikey is not valid base58btc.', { ...e.details });
    throw e;
  }
  if (b.length < 2 || b[0] !== ED25519_PUB_PREFIX[0] || b[1] !== ED25519_PUB_PREFIX[1]) {
    fail('ENC_MULTIKEY_INVALID', 'The Multikey is not an Ed25519 public key (multicodec 0xed01 expected).');
  }
  if (b.length !== 2 + ED25519_PUBLIC_KEY_LENGTH) {
    fail('ENC_MULTIKEY_INVALID', 'An Ed25519 Multikey must hold exactly 32 key bytes.', { length: b.length - 2 });
  }
  return b.slice(2);
}

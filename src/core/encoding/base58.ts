/**
 * base58btc: the Bitcoin base58 alphabet, as used by Multibase prefix `z`
 * (draft-multiformats-multibase §"base58btc", W3C Controlled Identifiers §2.2.2 Multikey).
 *
 * Spec: docs/protocol.md (Encoding) §3. Pure.
 *
 * Leading zero bytes map one-to-one to leading `1` characters and the rest is the big-endian integer
 * in base 58 without leading zero digits, so the encoding is a bijection: decode(encode(b)) = b and
 * every accepted string is the encoding of what it decodes to.
 */
import { fail } from '../errors.js';

const ALPHABET = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
const DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < ALPHABET.length; i++) DECODE[ALPHABET.charCodeAt(i)] = i;

// Longer inputs are never legitimate here (keys are 34 bytes) and the quadratic conversion
// below must not become a denial-of-service lever on attacker-supplied strings.
const MAX_LENGTH = 1024;

/**
 * base58btc encoding of the bytes (no multibase prefix).
 * @throws UrbisError ENC_BASE58_INVALID if the input is longer than 1024 bytes.
 */
export function base58btcEncode(b: Uint8Array): string {
  if (b.length > MAX_LENGTH) fail('ENC_BASE58_INVALID', `base58btc input is longer than ${MAX_LENGTH} bytes.`);
  let zeros = 0;
  while (zeros < b.length && b[zeros] === 0) zeros++;
  // digits in base 58, little-endian
  const digits: number[] = [];
  for (let i = zeros; i < b.length; i++) {
    let carry = b[i]!;
    for (let j = 0; j < digits.length; j++) {
      carry += digits[j]! << 8;
      digits[j] = carry % 58;
      carry = (carry / 58) | 0;
    }
    while (carry > 0) {
      digits.push(carry % 58);
      carry = (carry / 58) | 0;
    }
  }
  let out = '1'.repeat(zeros);
  for (let i = digits.length - 1; i >= 0; i--) out += ALPHABET[digits[i]!]!;
  return out;
}

/**
 * Decode base58btc (no multibase prefix).
 * @throws UrbisError ENC_BASE58_INVALID if `s` is not a string, is longer than 1024 characters, or has
 *   a character outside the alphabet (which excludes `0`, `O`, `I`, `l`).
 */
export function base58btcDecode(s: string): Uint8Array {
  if (typeof s !== 'string') fail('ENC_BASE58_INVALID', 'A base58btc value must be a string.');
  if (s.length > MAX_LENGTH) fail('ENC_BASE58_INVALID', `base58btc input is longer than ${MAX_LENGTH} characters.`);
  let zeros = 0;
  while (zeros < s.length && s.charCodeAt(zeros) === 49 /* '1' */) zeros++;
  // bytes, little-endian
  const bytes: number[] = [];
  for (let i = zeros; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? DECODE[c]! : -1;
    if (v < 0) fail('ENC_BASE58_INVALID', 'A base58btc string has a character outside the alphabet.', { position: i });
    let carry = v;
    for (let j = 0; j < bytes.length; j++) {
      carry += bytes[j]! * 58;
      bytes[j] = carry & 255;
      carry >>= 8;
    }
    while (carry > 0) {
      bytes.push(carry & 255);
      carry >>= 8;
    }
  }
  const out = new Uint8Array(zeros + bytes.length);
  for (let i = 0; i < bytes.length; i++) out[zeros + i] = bytes[bytes.length - 1 - i]!;
  return out;
}

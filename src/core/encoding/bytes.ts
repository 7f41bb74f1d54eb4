/**
 * Byte encodings used on the Urbis wire: UTF-8 (WHATWG Encoding), lowercase hexadecimal
 * (RFC 4648 §8 "base16", lowercase only) and base64url without padding (RFC 4648 §5, with the
 * canonical-encoding rules of RFC 4648 §3.5: no padding, no line breaks, zero trailing bits).
 *
 * Spec: docs/protocol.md (Encoding) §2. Pure: no Node APIs (no Buffer), runs in a browser unchanged.
 *
 * Decoders are strict on purpose: every byte string has exactly one accepted text form, so a signed or
 * hashed document cannot be re-encoded into a second valid form (encoding malleability).
 */
import { fail } from '../errors.js';

const textEncoder = new TextEncoder();
// fatal: invalid UTF-8 is an input fault, not something to paper over with U+FFFD.
const textDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/**
 * UTF-8 bytes of a string. Lone surrogates become U+FFFD (WHATWG rule); callers that must not
 * lose information (canonical JSON) reject lone surrogates before encoding.
 */
export function utf8Encode(s: string): Uint8Array {
  return textEncoder.encode(s);
}

/**
 * Decode UTF-8 bytes. A leading BOM is kept as U+FEFF, not silently removed.
 * @throws UrbisError ENC_UTF8_INVALID if the bytes are not well-formed UTF-8.
 */
export function utf8Decode(b: Uint8Array): string {
  try {
    return textDecoder.decode(b);
  } catch {
    return fail('ENC_UTF8_INVALID', 'The bytes are not well-formed UTF-8.');
  }
}

const HEX_DIGITS = '0123456789abcdef';
const HEX_TABLE: string[] = Array.from({ length: 256 }, (_, i) => HEX_DIGITS[i >> 4]! + HEX_DIGITS[i & 15]!);

/** Lowercase hexadecimal of the bytes (two digits per byte, no prefix). */
export function toHex(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i++) out += HEX_TABLE[b[i]!]!;
  return out;
}

function hexNibble(c: number): number {
  if (c >= 48 && c <= 57) return c - 48; // 0-9
  if (c >= 97 && c <= 102) return c - 87; // a-f
  return -1; // uppercase is refused: one text form per byte string
}

/**
 * Decode lowercase hexadecimal.
 * @param s - even number of characters from `0-9a-f` (uppercase and `0x` are refused).
 * @param expectedLength - if given, the required number of decoded bytes.
 * @throws UrbisError ENC_HEX_INVALID if `s` is not a string, has odd length, a character outside
 *   `0-9a-f`, or decodes to another length than `expectedLength`.
 * @example fromHex('00ff', 2) // Uint8Array [0, 255]
 */
export function fromHex(s: string, expectedLength?: number): Uint8Array {
  if (typeof s !== 'string') fail('ENC_HEX_INVALID', 'A hexadecimal value must be a string.');
  if (s.length % 2 !== 0) fail('ENC_HEX_INVALID', 'A hexadecimal string must have an even length.', { length: s.length });
  const n = s.length / 2;
  if (expectedLength !== undefined && n !== expectedLength) {
    fail('ENC_HEX_INVALID', `Expected ${expectedLength} bytes of hexadecimal, got ${n}.`, { expected: expectedLength, actual: n });
  }
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const hi = hexNibble(s.charCodeAt(2 * i));
    const lo = hexNibble(s.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) {
      fail('ENC_HEX_INVALID', 'A hexadecimal string may contain only 0-9 and a-f (lowercase).', { position: hi < 0 ? 2 * i : 2 * i + 1 });
    }
    out[i] = (hi << 4) | lo;
  }
  return out;
}

const B64U_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const B64U_DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < B64U_ALPHABET.length; i++) B64U_DECODE[B64U_ALPHABET.charCodeAt(i)] = i;

/** base64url (RFC 4648 §5) of the bytes, without `=` padding. */
export function toBase64url(b: Uint8Array): string {
  let out = '';
  const full = b.length - (b.length % 3);
  for (let i = 0; i < full; i += 3) {
    const v = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    out += B64U_ALPHABET[v >> 18]! + B64U_ALPHABET[(v >> 12) & 63]! + B64U_ALPHABET[(v >> 6) & 63]! + B64U_ALPHABET[v & 63]!;
  }
  const rest = b.length - full;
  if (rest === 1) {
    const v = b[full]!;
    out += B64U_ALPHABET[v >> 2]! + B64U_ALPHABET[(v & 3) << 4]!;
  } else if (rest === 2) {
    const v = (b[full]! << 8) | b[full + 1]!;
    out += B64U_ALPHABET[v >> 10]! + B64U_ALPHABET[(v >> 4) & 63]! + B64U_ALPHABET[(v & 15) << 2]!;
  }
  return out;
}

/**
 * Decode unpadded base64url, strictly: only `A-Z a-z 0-9 - _`, no `=`, no whitespace, a length that
 * is not 1 mod 4, and unused trailing bits equal to zero (RFC 4648 §3.5), so that each byte string
 * has exactly one accepted encoding.
 * @throws UrbisError ENC_BASE64_INVALID on any violation.
 * @example fromBase64url('AP8') // Uint8Array [0, 255]
 */
export function fromBase64url(s: string): Uint8Array {
  if (typeof s !== 'string') fail('ENC_BASE64_INVALID', 'A base64url value must be a string.');
  if (s.length % 4 === 1) fail('ENC_BASE64_INVALID', 'A base64url string cannot have a length of 1 mod 4.', { length: s.length });
  const vals = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64U_DECODE[c]! : -1;
    if (v < 0) {
      fail('ENC_BASE64_INVALID', 'A base64url string may contain only A-Z, a-z, 0-9, "-" and "_" (no padding).', { position: i });
    }
    vals[i] = v;
  }
  const out = new Uint8Array(Math.floor((s.length * 3) / 4));
  let o = 0;
  const full = s.length - (s.length % 4);
  for (let i = 0; i < full; i += 4) {
    const v = (vals[i]! << 18) | (vals[i + 1]! << 12) | (vals[i + 2]! << 6) | vals[i + 3]!;
    out[o++] = v >> 16;
    out[o++] = (v >> 8) & 255;
    out[o++] = v & 255;
  }
  const rest = s.length - full;
  if (rest === 2) {
    const a = vals[full]!;
    const b = vals[full + 1]!;
    if ((b & 15) !== 0) fail('ENC_BASE64_INVALID', 'A base64url string has non-zero trailing bits (not canonical).');
    out[o++] = (a << 2) | (b >> 4);
  } else if (rest === 3) {
    const a = vals[full]!;
    const b = vals[full + 1]!;
    const c = vals[full + 2]!;
    if ((c & 3) !== 0) fail('ENC_BASE64_INVALID', 'A base64url string has non-zero trailing bits (not canonical).');
    out[o++] = (a << 2) | (b >> 4);
    out[o++] = ((b & 15) << 4) | (c >> 2);
  }
  return out;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_DECODE = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_DECODE[B64.charCodeAt(i)] = i;

/** Standard base64 (RFC 4648 §4) with `=` padding: signed notes and HTTP structured fields use it. */
export function toBase64(b: Uint8Array): string {
  let out = '';
  for (let i = 0; i < b.length; i += 3) {
    const n = b.length - i;
    const v = (b[i]! << 16) | ((n > 1 ? b[i + 1]! : 0) << 8) | (n > 2 ? b[i + 2]! : 0);
    out += B64[v >> 18]! + B64[(v >> 12) & 63]! + (n > 1 ? B64[(v >> 6) & 63]! : '=') + (n > 2 ? B64[v & 63]! : '=');
  }
  return out;
}

/**
 * Decodes standard padded base64 (RFC 4648 §4) strictly: length a multiple of 4, padding only at
 * the end, zero trailing bits (§3.5), so each byte string has one accepted form.
 * @throws UrbisError ENC_BASE64_INVALID.
 */
export function fromBase64(s: string): Uint8Array {
  const bad = (why: string): never => fail('ENC_BASE64_INVALID', `A base64 string ${why}.`);
  if (typeof s !== 'string') bad('must be a string');
  if (s.length % 4 !== 0) bad('must be padded to a multiple of 4 characters');
  const pad = s.endsWith('==') ? 2 : s.endsWith('=') ? 1 : 0;
  const body = s.length - pad;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let acc = 0;
  let o = 0;
  for (let i = 0; i < body; i++) {
    const c = s.charCodeAt(i);
    const v = c < 128 ? B64_DECODE[c]! : -1;
    if (v < 0) bad('contains a character outside base64');
    acc = (acc << 6) | v;
    if (i % 4 === 3) {
      out[o++] = (acc >> 16) & 255;
      out[o++] = (acc >> 8) & 255;
      out[o++] = acc & 255;
      acc = 0;
    }
  }
  if (pad === 2) {
    if (acc & 15) bad('has non-zero trailing bits');
    out[o++] = (acc >> 4) & 255;
  } else if (pad === 1) {
    if (acc & 3) bad('has non-zero trailing bits');
    out[o++] = (acc >> 10) & 255;
    out[o++] = (acc >> 2) & 255;
  }
  return out;
}

/** One new array holding the parts one after the other. */
export function concatBytes(...parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

/**
 * Byte-wise equality. Not constant-time: use it on public data (hashes, public keys, signatures),
 * never to compare secrets.
 */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

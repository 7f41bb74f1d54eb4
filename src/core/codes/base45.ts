/**
 * Base45 (RFC 9285): bytes as characters of the QR alphanumeric set, so that a QR code stores them in
 * alphanumeric mode (5.5 bits per character) instead of byte mode.
 *
 * Spec: RFC 9285 §4 (encoding), §6 (decoding rules); docs/codes.md §4. Pure.
 */
import { fail } from '../errors.js';

/** RFC 9285 §4.2, Table 1. */
export const BASE45_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';

const DECODE = new Int8Array(128).fill(-1);
for (let i = 0; i < BASE45_ALPHABET.length; i++) DECODE[BASE45_ALPHABET.charCodeAt(i)] = i;

/**
 * RFC 9285 §4: each pair of bytes (a·256 + b) becomes three characters c + 45·d + 2025·e, written
 * c d e; a trailing single byte becomes two characters.
 * @example base45Encode(new TextEncoder().encode('AB')) // 'BB8'
 */
export function base45Encode(bytes: Uint8Array): string {
  let out = '';
  for (let i = 0; i + 1 < bytes.length; i += 2) {
    let n = bytes[i]! * 256 + bytes[i + 1]!;
    const c = n % 45;
    n = (n - c) / 45;
    const d = n % 45;
    const e = (n - d) / 45;
    out += BASE45_ALPHABET[c]! + BASE45_ALPHABET[d]! + BASE45_ALPHABET[e]!;
  }
  if (bytes.length % 2 === 1) {
    const n = bytes[bytes.length - 1]!;
    out += BASE45_ALPHABET[n % 45]! + BASE45_ALPHABET[Math.floor(n / 45)]!;
  }
  return out;
}

/**
 * RFC 9285 §6: rejects characters outside Table 1, a length of 1 mod 3, a triple above 65535 and a
 * trailing pair above 255. Each byte string has exactly one encoding, so decoding is unambiguous.
 * @throws UrbisError BASE45_INVALID with `details.position`
 */
export function base45Decode(s: string): Uint8Array {
  if (typeof s !== 'string') fail('BASE45_INVALID', 'Base45 input must be a string.');
  if (s.length % 3 === 1) fail('BASE45_INVALID', `a base45 string cannot have length ${s.length} (1 mod 3)`, { position: s.length - 1 });
  const out = new Uint8Array(Math.floor(s.length / 3) * 2 + (s.length % 3 === 2 ? 1 : 0));
  const val = (i: number): number => {
    const c = s.charCodeAt(i);
    const v = c < 128 ? DECODE[c]! : -1;
    if (v < 0) fail('BASE45_INVALID', `character ${JSON.stringify(s[i])} at position ${i} is not in the base45 alphabet`, { position: i });
    return v;
  };
  let o = 0;
  let i = 0;
  for (; i + 2 < s.length; i += 3) {
    const n = val(i) + val(i + 1) * 45 + val(i + 2) * 2025;
    if (n > 0xffff) fail('BASE45_INVALID', `base45 group at position ${i} is above 65535`, { position: i });
    out[o++] = n >> 8;
    out[o++] = n & 0xff;
  }
  if (i < s.length) {
    const n = val(i) + val(i + 1) * 45;
    if (n > 0xff) fail('BASE45_INVALID', `final base45 pair at position ${i} is above 255`, { position: i });
    out[o++] = n;
  }
  return out;
}

/**
 * The compact revocation set of a trust bundle: a Golomb-coded set (GCS; Golomb 1966, Rice coding as
 * in BIP 158 §"Golomb-Coded Sets") of the revoked items, with no false negatives. A revoked item is
 * always found, so the set never yields a false VALID; an item that is not revoked is reported as
 * possibly revoked with probability about 2^-P (REVOKED with evidence `probabilistic: true`: confirm
 * online).
 *
 * Spec: docs/codes.md §8.2. Pure.
 *
 * Items are `id:<ns>/<local>` (a deactivated identifier) and `label:<ns>/<local>#<serial>` (a revoked
 * label serial). Each maps to h = (first 6 bytes of SHA-256("urbis/revocation/v1\n" ‖ chain ‖ "\n" ‖
 * item) as a 48-bit integer) mod (M · 2^P), M the number of items; the sorted distinct values are delta-coded, each delta as
 * quotient (delta >> P) in unary (q one-bits then a zero-bit) and remainder in P bits, MSB first.
 */
import { fail } from '../errors.js';
import { sha256 } from '../crypto/index.js';
import { concatBytes, utf8Encode } from '../encoding/index.js';

const DOMAIN = utf8Encode('urbis/revocation/v1\n');
/** Default false-positive exponent: one in 2^24 (about 1 in 16.8 million). */
export const DEFAULT_GCS_P = 24;
/** Most items a set may declare (bounds the decoder's allocation). */
export const MAX_GCS_ITEMS = 16_777_216;

/** A revocation set as it travels. */
export interface RevocationSet {
  /** Rice parameter: false positives ~ 2^-p. */
  p: number;
  /** Number of items hashed: values lie in 0 .. m·2^p − 1. */
  m: number;
  /** Number of coded (distinct) values, n ≤ m. */
  n: number;
  /** The coded deltas. */
  data: Uint8Array;
}

/** Item naming a deactivated identifier (state key without check character). */
export const revokedIdItem = (key: string): string => `id:${key}`;
/** Item naming a revoked label serial of an identifier. */
export const revokedLabelItem = (key: string, serial: number): string => `label:${key}#${serial}`;

function hashItem(chain: string, item: string, range: number): number {
  const h = sha256(concatBytes(DOMAIN, utf8Encode(`${chain}\n${item}`)));
  let v = 0;
  for (let i = 0; i < 6; i++) v = v * 256 + h[i]!;
  return v % range;
}

function rangeOf(n: number, p: number): number {
  return Math.max(1, n) * 2 ** p;
}

/**
 * Builds the set.
 * @throws UrbisError INTERNAL if p is outside 8..32 or there are too many items
 */
export function buildRevocationSet(chain: string, items: Iterable<string>, p = DEFAULT_GCS_P): RevocationSet {
  const list = [...new Set(items)];
  if (!Number.isInteger(p) || p < 8 || p > 32) fail('INTERNAL', 'GCS parameter p must be in 8..32');
  if (list.length > MAX_GCS_ITEMS) fail('INTERNAL', `a revocation set holds at most ${MAX_GCS_ITEMS} items`);
  if (rangeOf(list.length, p) > 2 ** 48) fail('INTERNAL', 'too many items for this p: m·2^p must stay within 48 bits');
  const range = rangeOf(list.length, p);
  const values = [...new Set(list.map((it) => hashItem(chain, it, range)))].sort((a, b) => a - b);
  let out = new Uint8Array(Math.ceil((values.length * (p + 2)) / 8) + 8);
  let bitLen = 0;
  const push = (bit: number): void => {
    if (bitLen >> 3 >= out.length) {
      const next = new Uint8Array(out.length * 2);
      next.set(out);
      out = next;
    }
    if (bit) out[bitLen >> 3]! |= 0x80 >> (bitLen & 7);
    bitLen++;
  };
  let prev = 0;
  for (const v of values) {
    const d = v - prev;
    prev = v;
    const q = Math.floor(d / 2 ** p);
    const r = d - q * 2 ** p;
    for (let i = 0; i < q; i++) push(1);
    push(0);
    for (let i = p - 1; i >= 0; i--) push(Math.floor(r / 2 ** i) % 2);
  }
  return { p, m: list.length, n: values.length, data: out.slice(0, Math.ceil(bitLen / 8)) };
}

/** A decoded set, queried by binary search. */
export interface RevocationIndex {
  /** True if the item is in the set or collides with one (probability ~2^-p). */
  has(item: string): boolean;
  readonly n: number;
  readonly p: number;
}

/**
 * Decodes a set for lookups. Attacker-controlled sizes are checked against the data before any
 * allocation proportional to them.
 * @throws UrbisError BUNDLE_INVALID if the coding is malformed
 */
export function openRevocationSet(chain: string, set: RevocationSet): RevocationIndex {
  const { p, m, n, data } = set;
  if (!Number.isInteger(p) || p < 8 || p > 32) fail('BUNDLE_INVALID', 'revocation set parameter p must be in 8..32');
  // Each value takes at least p + 1 bits: a count beyond that is a lie.
  if (!Number.isInteger(n) || n < 0 || n > MAX_GCS_ITEMS || n * (p + 1) > data.length * 8) fail('BUNDLE_INVALID', 'revocation set count does not fit its data');
  const values = new Float64Array(n);
  const totalBits = data.length * 8;
  let pos = 0;
  const bit = (): number => {
    if (pos >= totalBits) fail('BUNDLE_INVALID', 'revocation set data ends early');
    const b = (data[pos >> 3]! >> (7 - (pos & 7))) & 1;
    pos++;
    return b;
  };
  if (!Number.isInteger(m) || m < n || m > MAX_GCS_ITEMS || rangeOf(m, p) > 2 ** 48) fail('BUNDLE_INVALID', 'revocation set item count is out of range');
  const range = rangeOf(m, p);
  let prev = 0;
  for (let i = 0; i < n; i++) {
    let q = 0;
    while (bit() === 1) q++;
    let r = 0;
    for (let j = 0; j < p; j++) r = r * 2 + bit();
    const v = prev + q * 2 ** p + r;
    if ((i > 0 && v === prev) || v >= range) fail('BUNDLE_INVALID', 'revocation set values are not distinct and in range');
    values[i] = v;
    prev = v;
  }
  if (totalBits - pos >= 8) fail('BUNDLE_INVALID', 'revocation set has trailing data');
  return {
    n,
    p,
    has(item: string): boolean {
      const v = hashItem(chain, item, range);
      let lo = 0;
      let hi = n - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        const x = values[mid]!;
        if (x === v) return true;
        if (x < v) lo = mid + 1;
        else hi = mid - 1;
      }
      return false;
    },
  };
}

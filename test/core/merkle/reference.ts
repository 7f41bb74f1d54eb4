// An independent reference for the compact sparse Merkle tree, written from the definition in
// docs/protocol.md (State map) §3 (not from src/core/merkle): hashes with node:crypto directly and
// builds the root recursively from the whole key set. Slow, for small trees in tests only.
import { createHash } from 'node:crypto';

export const ZERO = new Uint8Array(32);

export function sha(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

export const refLeaf = (k: Uint8Array, v: Uint8Array): Uint8Array => sha(Uint8Array.of(0), k, v);
export const refNode = (l: Uint8Array, r: Uint8Array): Uint8Array => sha(Uint8Array.of(1), l, r);

const bit = (k: Uint8Array, i: number): number => (k[Math.floor(i / 8)]! >> (7 - (i % 8))) & 1;

export function hex(b: Uint8Array): string {
  return Buffer.from(b).toString('hex');
}

export function unhex(s: string): Uint8Array {
  return new Uint8Array(Buffer.from(s, 'hex'));
}

/** Root of the compact tree holding `entries` (key hex → value). */
export function refRoot(entries: Map<string, Uint8Array>): Uint8Array {
  const list = [...entries].map(([k, v]) => ({ k: unhex(k), v }));
  const go = (items: typeof list, depth: number): Uint8Array => {
    if (items.length === 0) return ZERO;
    if (items.length === 1) return refLeaf(items[0]!.k, items[0]!.v);
    return refNode(
      go(
        items.filter((e) => bit(e.k, depth) === 0),
        depth + 1,
      ),
      go(
        items.filter((e) => bit(e.k, depth) === 1),
        depth + 1,
      ),
    );
  };
  return go(list, 0);
}

/** A 32-byte key from a bit string prefix (e.g. '0101'), the rest filled with `fill`. */
export function keyFromBits(bits: string, fill = 0): Uint8Array {
  const k = new Uint8Array(32).fill(fill);
  for (let i = 0; i < bits.length; i++) {
    const byte = Math.floor(i / 8);
    const mask = 0x80 >> (i % 8);
    k[byte] = bits[i] === '1' ? k[byte]! | mask : k[byte]! & ~mask;
  }
  return k;
}

/** A 32-byte value filled with one byte. */
export const val = (b: number): Uint8Array => new Uint8Array(32).fill(b);

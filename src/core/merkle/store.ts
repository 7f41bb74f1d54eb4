/**
 * Node storage of the state map: the port the tree reads through, the encodings of node positions
 * and node records, and an in-memory adapter for tests and benchmarks.
 *
 * Spec: docs/protocol.md (State map) §4 "Storage". Pure.
 *
 * The store is keyed by position, not by hash: it holds the current tree only, one record per
 * position, and a block overwrites the positions it changes. Without deletions a position, once
 * occupied, stays occupied for ever (an empty spot becomes a leaf, a leaf becomes an interior node
 * when a second key arrives below it), so overwriting in place never leaves a stale record where the
 * current tree can reach it.
 */
import { fail } from '../errors.js';
import { HASH_LENGTH, SMT_MAX_DEPTH } from './hash.js';

/** Length of a node record: a type byte and two 32-byte fields. */
export const NODE_RECORD_LENGTH = 1 + 2 * HASH_LENGTH;
/** Type byte of a leaf record: 0x00 ‖ key ‖ valueHash (the preimage of its leaf hash). */
export const RECORD_LEAF = 0x00;
/** Type byte of an interior record: 0x01 ‖ leftHash ‖ rightHash (the preimage of its node hash). */
export const RECORD_NODE = 0x01;

/**
 * Read side of a node store. Synchronous on purpose: better-sqlite3 is synchronous and the update
 * of one block reads tens of thousands of nodes.
 *
 * Contract: `get` returns the record last written at `path` (see {@link encodeNodePath}), or
 * undefined if none was ever written, and does not keep `path`. The tree never mutates what `get`
 * returns; it may keep it (cached) until it commits a new record for the same path. So an adapter
 * may hand out a view that a later write of that same path overwrites in place, but must never reuse
 * the bytes for another path.
 */
export interface SmtNodeStore {
  get(path: Uint8Array): Uint8Array | undefined;
}

/**
 * One node write produced by {@link SparseMerkleTree.update}: put `node` (65 bytes) at `path`,
 * replacing any record there. The caller persists a batch's writes atomically with its block.
 */
export interface SmtWrite {
  path: Uint8Array;
  node: Uint8Array;
}

/**
 * Position of the node at `depth` on the path of `key`: one byte `depth` (0..255), then the first
 * `ceil(depth / 8)` bytes of the key with the bits beyond `depth` cleared.
 * @throws UrbisError MERKLE_INPUT_INVALID if depth is outside 0..255.
 * @example encodeNodePath(3, key) // Uint8Array [3, key[0] & 0b1110_0000]
 */
export function encodeNodePath(depth: number, key: Uint8Array): Uint8Array {
  if (!Number.isInteger(depth) || depth < 0 || depth > SMT_MAX_DEPTH) {
    fail('MERKLE_INPUT_INVALID', `A node depth must be an integer in 0..${SMT_MAX_DEPTH}.`, { depth });
  }
  const n = (depth + 7) >> 3;
  const out = new Uint8Array(1 + n);
  out[0] = depth;
  for (let i = 0; i < n; i++) out[1 + i] = key[i]!;
  const rest = depth & 7;
  if (rest !== 0) out[n] = out[n]! & (0xff << (8 - rest));
  return out;
}

/** Map key of a byte string: one char per byte (Latin-1), compact in V8 and order-preserving. */
export function latin1Key(b: Uint8Array): string {
  return String.fromCharCode.apply(null, b as unknown as number[]);
}

/** Entries per storage chunk of {@link MemorySmtNodeStore}. */
const CHUNK_BITS = 12;
const CHUNK = 1 << CHUNK_BITS;
/** Longest position: the depth byte and 32 key bytes. */
const MAX_PATH = 1 + HASH_LENGTH;
/** A stored position: its length, then its bytes. */
const KEY_SLOT = 1 + MAX_PATH;

/** FNV-1a (32 bits) of `len` bytes of `b` from `off`. */
function fnv1a(b: Uint8Array, off: number, len: number): number {
  let h = 0x811c9dc5;
  for (let i = off, end = off + len; i < end; i++) h = Math.imul(h ^ b[i]!, 0x01000193);
  return h >>> 0;
}

/**
 * In-memory node store for tests and benchmarks: an open-addressing hash table over typed arrays.
 *
 * A JavaScript object per node (a Map entry, a string key, a 65-byte Uint8Array with its own
 * ArrayBuffer) costs about 500 bytes and makes every major garbage collection walk millions of
 * objects. Here a node costs 34 + 65 bytes of chunked slabs plus a 4-byte table slot (load ≤ 0.7),
 * about 110 bytes measured, and no objects at all: a million keys (2.4 million nodes) take about 270 MB.
 *
 * `get` returns a view of the stored record, valid until an {@link apply} writes that position
 * again; this fits the tree, which keeps records only under that rule (see {@link SmtNodeStore}).
 */
export class MemorySmtNodeStore implements SmtNodeStore {
  private readonly keyChunks: Uint8Array[] = [];
  private readonly recChunks: Uint8Array[] = [];
  private count = 0;
  private table = new Int32Array(1 << 12).fill(-1);

  /** Number of positions holding a record. */
  get size(): number {
    return this.count;
  }

  get(path: Uint8Array): Uint8Array | undefined {
    const i = this.table[this.slotOf(path)]!;
    if (i < 0) return undefined;
    const off = (i & (CHUNK - 1)) * NODE_RECORD_LENGTH;
    return this.recChunks[i >>> CHUNK_BITS]!.subarray(off, off + NODE_RECORD_LENGTH);
  }

  /**
   * Writes a batch (what {@link SparseMerkleTree.update} returned), in order.
   * @throws UrbisError MERKLE_INPUT_INVALID if a path is empty or longer than 33 bytes, or a record
   *   is not 65 bytes.
   */
  apply(writes: readonly SmtWrite[]): void {
    for (const w of writes) {
      const { path, node } = w;
      if (!(path instanceof Uint8Array) || path.length < 1 || path.length > MAX_PATH) {
        fail('MERKLE_INPUT_INVALID', `A node path must be 1 to ${MAX_PATH} bytes.`);
      }
      if (!(node instanceof Uint8Array) || node.length !== NODE_RECORD_LENGTH) {
        fail('MERKLE_INPUT_INVALID', `A node record must be ${NODE_RECORD_LENGTH} bytes.`);
      }
      let slot = this.slotOf(path);
      let i = this.table[slot]!;
      if (i < 0) {
        if ((this.count + 1) * 10 > this.table.length * 7) {
          this.grow();
          slot = this.slotOf(path);
        }
        i = this.count++;
        if ((i & (CHUNK - 1)) === 0) {
          this.keyChunks.push(new Uint8Array(CHUNK * KEY_SLOT));
          this.recChunks.push(new Uint8Array(CHUNK * NODE_RECORD_LENGTH));
        }
        const kc = this.keyChunks[i >>> CHUNK_BITS]!;
        const ko = (i & (CHUNK - 1)) * KEY_SLOT;
        kc[ko] = path.length;
        kc.set(path, ko + 1);
        this.table[slot] = i;
      }
      this.recChunks[i >>> CHUNK_BITS]!.set(node, (i & (CHUNK - 1)) * NODE_RECORD_LENGTH);
    }
  }

  /** Table slot holding `path`, or the empty slot where it would go (linear probing). */
  private slotOf(path: Uint8Array): number {
    const t = this.table;
    const mask = t.length - 1;
    const len = path.length;
    for (let s = fnv1a(path, 0, len) & mask; ; s = (s + 1) & mask) {
      const i = t[s]!;
      if (i < 0) return s;
      const kc = this.keyChunks[i >>> CHUNK_BITS]!;
      const ko = (i & (CHUNK - 1)) * KEY_SLOT;
      if (kc[ko] !== len) continue;
      let same = true;
      for (let j = 0; j < len; j++) {
        if (kc[ko + 1 + j] !== path[j]) {
          same = false;
          break;
        }
      }
      if (same) return s;
    }
  }

  private grow(): void {
    const t = new Int32Array(this.table.length * 2).fill(-1);
    const mask = t.length - 1;
    for (let i = 0; i < this.count; i++) {
      const kc = this.keyChunks[i >>> CHUNK_BITS]!;
      const ko = (i & (CHUNK - 1)) * KEY_SLOT;
      let s = fnv1a(kc, ko + 1, kc[ko]!) & mask;
      while (t[s]! >= 0) s = (s + 1) & mask;
      t[s] = i;
    }
    this.table = t;
  }
}

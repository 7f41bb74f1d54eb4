/**
 * Node storage of the state map: the port the tree reads through, the encodings of node positions
 * and node records, and an in-memory adapter for tests and benchmarks.
 *
 * Spec: docs/spec-parts/merkle.md §4 "Storage". Pure.
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
 * undefined if none was ever written. The tree never mutates what `get` returns and may keep it; an
 * adapter must therefore not reuse the returned bytes for anything else.
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

const SLAB_RECORDS = 1024;

/**
 * In-memory node store for tests and benchmarks.
 *
 * Records are copied into 65-byte slots of shared slabs (a position keeps its slot when
 * overwritten) because one ArrayBuffer per node costs about four times the record itself: about
 * 130 bytes per node here against about 500. `get` hands out a fresh copy so that a later
 * {@link apply} cannot change bytes a reader still holds.
 */
export class MemorySmtNodeStore implements SmtNodeStore {
  private readonly slots = new Map<string, number>();
  private readonly slabs: Uint8Array[] = [];
  private used = 0;

  /** Number of positions holding a record. */
  get size(): number {
    return this.slots.size;
  }

  get(path: Uint8Array): Uint8Array | undefined {
    const i = this.slots.get(latin1Key(path));
    if (i === undefined) return undefined;
    const off = (i % SLAB_RECORDS) * NODE_RECORD_LENGTH;
    return this.slabs[Math.floor(i / SLAB_RECORDS)]!.slice(off, off + NODE_RECORD_LENGTH);
  }

  /**
   * Writes a batch (what {@link SparseMerkleTree.update} returned), in order.
   * @throws UrbisError MERKLE_INPUT_INVALID if a record is not 65 bytes.
   */
  apply(writes: readonly SmtWrite[]): void {
    for (const w of writes) {
      if (!(w.node instanceof Uint8Array) || w.node.length !== NODE_RECORD_LENGTH) {
        fail('MERKLE_INPUT_INVALID', `A node record must be ${NODE_RECORD_LENGTH} bytes.`);
      }
      const k = latin1Key(w.path);
      let i = this.slots.get(k);
      if (i === undefined) {
        i = this.used++;
        if (i % SLAB_RECORDS === 0) this.slabs.push(new Uint8Array(SLAB_RECORDS * NODE_RECORD_LENGTH));
        this.slots.set(k, i);
      }
      this.slabs[Math.floor(i / SLAB_RECORDS)]!.set(w.node, (i % SLAB_RECORDS) * NODE_RECORD_LENGTH);
    }
  }
}

/**
 * Node storage of the state map: the port the tree reads through, the encodings of node positions
 * and node records, and an in-memory adapter for tests and benchmarks.
 *
 * Spec: docs/protocol.md (State map) §4 "Storage". Pure.
 *
 * The store is keyed by position and version (the height of the block that wrote the record), and
 * append-only: a block adds a record for each position it changes, under its own height, and never
 * overwrites an earlier one. The tree at height h is, for each position, the latest record with a
 * version ≤ h. Without deletions a position, once occupied, stays occupied for ever (an empty spot
 * becomes a leaf, a leaf becomes an interior node when a second key arrives below it), so every
 * position the tree at h reaches holds a record written at or before h: every committed root stays
 * provable until pruning drops the records it needs (docs/protocol.md (State map) §4, §10).
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
 * A node store that keeps every version: `getAt(path, version)` returns the latest record written
 * at `path` by a block of height ≤ `version`, or undefined (never written by then, or pruned). Same
 * ownership rule as `get` for the bytes returned.
 */
export interface VersionedSmtNodeStore extends SmtNodeStore {
  getAt(path: Uint8Array, version: number): Uint8Array | undefined;
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
 * In-memory versioned node store for tests, `urbis verify` and benchmarks: an open-addressing hash
 * table over typed arrays, from a position to its latest record; each record links to the record
 * the same position held before it (its older version).
 *
 * A JavaScript object per node (a Map entry, a string key, a 65-byte Uint8Array with its own
 * ArrayBuffer) costs about 500 bytes and makes every major garbage collection walk millions of
 * objects. Here a record costs 34 + 65 + 8 bytes of chunked slabs plus a 4-byte table slot per
 * position (load ≤ 0.7), and no objects at all.
 *
 * `get` returns a view of the stored record, valid until an {@link apply} writes that position
 * again at the same version; this fits the tree, which keeps records only under that rule (see
 * {@link SmtNodeStore}).
 */
export class MemorySmtNodeStore implements VersionedSmtNodeStore {
  private readonly keyChunks: Uint8Array[] = [];
  private readonly recChunks: Uint8Array[] = [];
  /** Per record: its version, and the index of the record it superseded (-1 for none). */
  private readonly verChunks: Int32Array[] = [];
  private readonly prevChunks: Int32Array[] = [];
  private count = 0;
  private dropped = 0;
  private positions = 0;
  private lastVersion = 0;
  private table = new Int32Array(1 << 12).fill(-1);

  /** Number of records held (every version of every position, less what pruning dropped). */
  get size(): number {
    return this.count - this.dropped;
  }

  /** Number of positions holding a record. */
  get positionCount(): number {
    return this.positions;
  }

  get(path: Uint8Array): Uint8Array | undefined {
    const i = this.table[this.slotOf(path)]!;
    return i < 0 ? undefined : this.record(i);
  }

  getAt(path: Uint8Array, version: number): Uint8Array | undefined {
    let i = this.table[this.slotOf(path)]!;
    while (i >= 0 && this.verChunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)]! > version) i = this.prevChunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)]!;
    return i < 0 ? undefined : this.record(i);
  }

  /**
   * Writes a batch (what {@link SparseMerkleTree.update} returned), in order, as version `version`
   * (default: the version of the previous batch). A position written again at the same version is
   * overwritten in place; at a higher version it gets a new record and keeps the old one.
   * @throws UrbisError MERKLE_INPUT_INVALID if a path is empty or longer than 33 bytes, a record is
   *   not 65 bytes, or the version is lower than one already written (the store is append-only).
   */
  apply(writes: readonly SmtWrite[], version = this.lastVersion): void {
    if (!Number.isInteger(version) || version < this.lastVersion || version > 0x7fffffff) {
      fail('MERKLE_INPUT_INVALID', `A node version must be an integer from ${this.lastVersion} (the last one written) to 2^31 - 1.`, { version });
    }
    this.lastVersion = version;
    for (const w of writes) {
      const { path, node } = w;
      if (!(path instanceof Uint8Array) || path.length < 1 || path.length > MAX_PATH) {
        fail('MERKLE_INPUT_INVALID', `A node path must be 1 to ${MAX_PATH} bytes.`);
      }
      if (!(node instanceof Uint8Array) || node.length !== NODE_RECORD_LENGTH) {
        fail('MERKLE_INPUT_INVALID', `A node record must be ${NODE_RECORD_LENGTH} bytes.`);
      }
      let slot = this.slotOf(path);
      const cur = this.table[slot]!;
      let i = cur;
      if (cur < 0 || this.verChunks[cur >>> CHUNK_BITS]![cur & (CHUNK - 1)]! !== version) {
        if (cur < 0) {
          if ((this.positions + 1) * 10 > this.table.length * 7) {
            this.grow();
            slot = this.slotOf(path);
          }
          this.positions++;
        }
        i = this.count++;
        if ((i & (CHUNK - 1)) === 0) {
          this.keyChunks.push(new Uint8Array(CHUNK * KEY_SLOT));
          this.recChunks.push(new Uint8Array(CHUNK * NODE_RECORD_LENGTH));
          this.verChunks.push(new Int32Array(CHUNK));
          this.prevChunks.push(new Int32Array(CHUNK));
        }
        const kc = this.keyChunks[i >>> CHUNK_BITS]!;
        const ko = (i & (CHUNK - 1)) * KEY_SLOT;
        kc[ko] = path.length;
        kc.set(path, ko + 1);
        this.verChunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)] = version;
        this.prevChunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)] = cur;
        this.table[slot] = i;
      }
      this.recChunks[i >>> CHUNK_BITS]!.set(node, (i & (CHUNK - 1)) * NODE_RECORD_LENGTH);
    }
  }

  /**
   * Drops the records no tree at a height ≥ `floor` can reach: for each position, every record
   * older than its latest one with a version ≤ `floor`. Returns how many were dropped. (The slabs
   * are not compacted: this store is for tests and verification.)
   */
  prune(floor: number): number {
    let n = 0;
    for (const head of this.table) {
      if (head < 0) continue;
      let i = head;
      while (i >= 0 && this.verAt(i) > floor) i = this.prevAt(i);
      if (i < 0) continue;
      for (let j = this.prevAt(i); j >= 0; j = this.prevAt(j)) n++;
      this.prevChunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)] = -1;
    }
    this.dropped += n;
    return n;
  }

  /** Every record held, each position's newest first, as (path, version, record) copies. */
  *records(): Iterable<{ path: Uint8Array; version: number; node: Uint8Array }> {
    for (const head of this.table) {
      for (let i = head; i >= 0; i = this.prevAt(i)) {
        const kc = this.keyChunks[i >>> CHUNK_BITS]!;
        const ko = (i & (CHUNK - 1)) * KEY_SLOT;
        yield { path: kc.slice(ko + 1, ko + 1 + kc[ko]!), version: this.verAt(i), node: this.record(i).slice() };
      }
    }
  }

  private verAt(i: number): number {
    return this.verChunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)]!;
  }

  private prevAt(i: number): number {
    return this.prevChunks[i >>> CHUNK_BITS]![i & (CHUNK - 1)]!;
  }

  private record(i: number): Uint8Array {
    const off = (i & (CHUNK - 1)) * NODE_RECORD_LENGTH;
    return this.recChunks[i >>> CHUNK_BITS]!.subarray(off, off + NODE_RECORD_LENGTH);
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
    for (const i of this.table) {
      if (i < 0) continue;
      const kc = this.keyChunks[i >>> CHUNK_BITS]!;
      const ko = (i & (CHUNK - 1)) * KEY_SLOT;
      let s = fnv1a(kc, ko + 1, kc[ko]!) & mask;
      while (t[s]! >= 0) s = (s + 1) & mask;
      t[s] = i;
    }
    this.table = t;
  }
}

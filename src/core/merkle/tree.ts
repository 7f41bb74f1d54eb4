/**
 * The state map: a compact sparse Merkle tree over SHA-256 with batch updates and proofs.
 *
 * Spec: docs/protocol.md (State map) §3 "Tree shape", §4 "Storage", §5 "Batch update", §6 "Proofs".
 * Pure: nodes come from an {@link SmtNodeStore}; the tree never writes to it.
 *
 * Shape: a subtree with no key hashes to EMPTY, with one key to that key's leaf hash, with two or
 * more to nodeHash(left, right). A leaf therefore sits at the first depth where its key is alone,
 * and n random keys give a depth of about log2(n) instead of 256.
 *
 * Keys are only inserted or updated, never deleted: the ledger never removes a state key. That is
 * what keeps positions stable (see store.ts) and the update free of subtree collapsing.
 *
 * Lifecycle: `update` computes the next root and the node writes from the committed root without
 * touching the store; the caller persists the writes with its block, then calls `commit(root)`, or
 * `discard()` if the block is abandoned. Reads (`get`, `prove`) always see the committed tree.
 */
import { sha256 } from '../crypto/index.js';
import { fail } from '../errors.js';
import { EMPTY_HASH, HASH_LENGTH, SMT_MAX_DEPTH, compareKeys, equalAt, isEmptyAt, keyBit, prefixEqual } from './hash.js';
import {
  NODE_RECORD_LENGTH,
  RECORD_LEAF,
  RECORD_NODE,
  encodeNodePath,
  latin1Key,
  type SmtNodeStore,
  type SmtWrite,
  type VersionedSmtNodeStore,
} from './store.js';
import type { SmtProof } from './proof.js';

/** Tuning of a {@link SparseMerkleTree}. Defaults suit a SQLite store (a read costs ~4 µs). */
export interface SmtOptions {
  /**
   * Number of top levels (0..24) whose nodes are kept in a fixed array indexed by position, never
   * evicted: every update and every proof passes through them. Level d takes 2^d slots of 65 bytes
   * (plus a view object per filled slot) once the tree reaches it. Default 16: 4.3 MB for the
   * levels, about as much again for the views, for a tree of more than ~50,000 keys.
   */
  cacheLevels?: number;
  /**
   * Nodes below those levels kept after being read or written, oldest dropped first. 0 disables,
   * which suits {@link MemorySmtNodeStore} (the cache would only duplicate it). Default 32,768.
   */
  cacheCapacity?: number;
  /**
   * Re-hash every record read from the store and compare it with the hash its parent names, so a
   * corrupt or out-of-sync store fails loudly (STORE_CORRUPT) instead of producing a wrong root.
   * Costs one SHA-256 per store read. Default false.
   */
  checkReads?: boolean;
}

/** One change of a batch: set `key` (32 bytes) to `value` (a 32-byte value hash). */
export interface SmtChange {
  key: Uint8Array;
  value: Uint8Array;
}

/** Result of {@link SparseMerkleTree.update}. */
export interface SmtUpdate {
  root: Uint8Array;
  writes: SmtWrite[];
}

const MAX_CACHE_LEVELS = 24;
/** Records per allocation slab of {@link SparseMerkleTree.update} (64 KiB). */
const SLAB_RECORDS = 1008;

/** Index within its level of the position at `depth` (< 25) on the path of the bytes at `off`. */
function topSlot(depth: number, b: Uint8Array, off: number): number {
  if (depth === 0) return 0;
  const bits = (b[off]! << 16) | ((b[off + 1] ?? 0) << 8) | (b[off + 2] ?? 0);
  return bits >>> (24 - depth);
}

function check32(v: unknown, what: string, details?: Record<string, unknown>): asserts v is Uint8Array {
  if (!(v instanceof Uint8Array) || v.length !== HASH_LENGTH) {
    fail('MERKLE_INPUT_INVALID', `${what} must be a 32-byte Uint8Array.`, details);
  }
}

/**
 * A compact sparse Merkle tree over a node store.
 *
 * @example
 * const store = new MemorySmtNodeStore();
 * const tree = new SparseMerkleTree(store, EMPTY_HASH, { cacheCapacity: 0 });
 * const { root, writes } = tree.update([{ key, value }]);
 * store.apply(writes); // in the same transaction as the block, for a real store
 * tree.commit(root);
 * verifyProof(root, key, value, tree.prove(key));
 */
export class SparseMerkleTree {
  private readonly store: SmtNodeStore;
  private committed: Uint8Array;
  private pending: SmtUpdate | null = null;

  private readonly levels: number;
  // Top levels: one slab of records per level, allocated when the tree first reaches that level (a
  // small tree stays small), indexed by the position's bits; a view per filled slot is made once, so
  // a cache hit allocates nothing. commit() rewrites slots in place.
  private readonly topRecords: (Uint8Array | undefined)[];
  private readonly topViews: ((Uint8Array | undefined)[] | undefined)[];
  private readonly deepCap: number;
  // Two generations: new entries go to `young`; when it is full it becomes `old` and the previous
  // `old` is dropped whole. O(1) eviction, unlike deleting the oldest Map entry one at a time (V8
  // leaves holes that the next "oldest" lookup must skip).
  private young = new Map<string, Uint8Array>();
  private old = new Map<string, Uint8Array>();
  private readonly checkReads: boolean;

  // State of the update in progress (set for the duration of one update() call).
  private keys: Uint8Array[] = [];
  private vals: Uint8Array[] = [];
  private writes: SmtWrite[] = [];
  private slab = new Uint8Array(0);
  private slabUsed = SLAB_RECORDS;

  /**
   * @param store where nodes are read from.
   * @param root the committed root the store holds ({@link EMPTY_HASH} for a new tree).
   * @throws UrbisError MERKLE_INPUT_INVALID if root is not 32 bytes or an option is out of range.
   */
  constructor(store: SmtNodeStore, root: Uint8Array, options: SmtOptions = {}) {
    check32(root, 'The root');
    const levels = options.cacheLevels ?? 16;
    const cap = options.cacheCapacity ?? 32_768;
    if (!Number.isInteger(levels) || levels < 0 || levels > MAX_CACHE_LEVELS) {
      fail('MERKLE_INPUT_INVALID', `cacheLevels must be an integer in 0..${MAX_CACHE_LEVELS}.`);
    }
    if (!Number.isInteger(cap) || cap < 0) fail('MERKLE_INPUT_INVALID', 'cacheCapacity must be a non-negative integer.');
    this.store = store;
    this.committed = root.slice();
    this.levels = levels;
    this.topRecords = new Array<Uint8Array | undefined>(levels).fill(undefined);
    this.topViews = new Array<(Uint8Array | undefined)[] | undefined>(levels).fill(undefined);
    this.deepCap = cap;
    this.checkReads = options.checkReads ?? false;
  }

  /** The committed root (a copy). */
  root(): Uint8Array {
    return this.committed.slice();
  }

  /**
   * Computes the tree after a batch of changes (one block), on top of the committed root, without
   * writing anything. Keys may repeat: the last change of a key wins. The result stays pending until
   * {@link commit} or {@link discard}; a second `update` replaces it (both start from the committed
   * root, so commit a block before building the next one).
   *
   * @returns the new root and the node writes to persist with the block. The arrays are the tree's
   *   own: persist them, do not modify them.
   * @throws UrbisError MERKLE_INPUT_INVALID if a key or value is not 32 bytes, or two keys share
   *   their first 255 bits; STORE_CORRUPT if the store does not hold the committed tree.
   */
  update(changes: readonly SmtChange[]): SmtUpdate {
    if (!Array.isArray(changes)) fail('MERKLE_INPUT_INVALID', 'The changes must be an array.');
    const n = changes.length;
    const order = new Array<number>(n);
    for (let i = 0; i < n; i++) {
      const c = changes[i];
      check32(c?.key, 'A key', { index: i });
      check32(c.value, 'A value hash', { index: i });
      order[i] = i;
    }
    // Sorted keys make every subtree's changes one contiguous run, split at each level by one
    // binary search. Array#sort is stable, so among equal keys the last in input order is last.
    order.sort((a, b) => compareKeys(changes[a]!.key, changes[b]!.key) || a - b);
    const keys: Uint8Array[] = [];
    const vals: Uint8Array[] = [];
    for (const i of order) {
      const c = changes[i]!;
      const m = keys.length;
      if (m > 0 && compareKeys(keys[m - 1]!, c.key) === 0) vals[m - 1] = c.value;
      else {
        keys.push(c.key);
        vals.push(c.value);
      }
    }
    this.pending = null;
    this.keys = keys;
    this.vals = vals;
    this.writes = [];
    try {
      const root = this.walk(0, this.committed, 0, 0, keys.length) ?? this.committed.slice();
      const result: SmtUpdate = { root, writes: this.writes };
      this.pending = { root: result.root.slice(), writes: result.writes };
      return result;
    } finally {
      this.keys = [];
      this.vals = [];
      this.writes = [];
    }
  }

  /**
   * Makes the pending update the committed tree, once the caller has persisted its writes.
   * Committing the already committed root without a pending update is a no-op.
   * @throws UrbisError INTERNAL if `root` is not the root of the pending update.
   */
  commit(root: Uint8Array): void {
    check32(root, 'The root');
    const p = this.pending;
    if (p !== null && equalAt(p.root, 0, root, 0)) {
      for (const w of p.writes) this.cachePut(w.path, w.node);
      this.committed = p.root;
      this.pending = null;
      return;
    }
    if (p === null && equalAt(this.committed, 0, root, 0)) return;
    fail('INTERNAL', 'commit(root) must follow the update() that produced this root; use reset() after changing the store otherwise.');
  }

  /** Drops the pending update (its block was abandoned or rolled back). The cache never saw it. */
  discard(): void {
    this.pending = null;
  }

  /**
   * Forgets every cached node and the pending update and takes `root` as the committed root: for a
   * store changed behind the tree's back (a rollback after commit, another writer).
   * @throws UrbisError MERKLE_INPUT_INVALID if root is not 32 bytes.
   */
  reset(root: Uint8Array): void {
    check32(root, 'The root');
    this.committed = root.slice();
    this.pending = null;
    this.topRecords.fill(undefined);
    this.topViews.fill(undefined);
    this.young = new Map();
    this.old = new Map();
  }

  /**
   * The value hash of `key` in the committed tree, or null if absent.
   * @throws UrbisError MERKLE_INPUT_INVALID if key is not 32 bytes; STORE_CORRUPT.
   */
  get(key: Uint8Array): Uint8Array | null {
    check32(key, 'A key');
    let rec: Uint8Array = this.committed;
    let off = 0;
    for (let d = 0; ; d++) {
      if (isEmptyAt(rec, off)) return null;
      rec = this.read(d, key, rec, off);
      if (rec[0] === RECORD_LEAF) return equalAt(rec, 1, key, 0) ? rec.slice(1 + HASH_LENGTH) : null;
      off = keyBit(key, d) === 0 ? 1 : 1 + HASH_LENGTH;
    }
  }

  /**
   * Inclusion proof of `key` if present, else non-inclusion proof, against the committed root.
   * @throws UrbisError MERKLE_INPUT_INVALID if key is not 32 bytes; STORE_CORRUPT.
   */
  prove(key: Uint8Array): SmtProof {
    check32(key, 'A key');
    return walkProof(this.committed, key, (d, parent, off) => this.read(d, key, parent, off));
  }

  /**
   * New hash of the subtree at `depth` on the path of keys[lo..hi), whose committed hash is the 32
   * bytes at `off` in `cur`; null when the changes leave it as it is, which lets the parent skip
   * rewriting itself.
   */
  private walk(depth: number, cur: Uint8Array, off: number, lo: number, hi: number): Uint8Array | null {
    if (lo === hi) return null;
    if (isEmptyAt(cur, off)) return this.build(depth, lo, hi, null);
    const key0 = this.keys[lo]!;
    const rec = this.read(depth, key0, cur, off);
    if (rec[0] === RECORD_NODE) {
      const mid = this.split(depth, lo, hi);
      const l = this.walk(depth + 1, rec, 1, lo, mid);
      const r = this.walk(depth + 1, rec, 1 + HASH_LENGTH, mid, hi);
      if (l === null && r === null) return null;
      return this.writeNode(depth, key0, l ?? rec.subarray(1, 1 + HASH_LENGTH), r ?? rec.subarray(1 + HASH_LENGTH));
    }
    // A leaf: either its key is among the changes (it is replaced) or it moves down beside them.
    const leafAt = this.find(rec, lo, hi);
    if (leafAt >= 0 && hi - lo === 1) {
      if (equalAt(this.vals[lo]!, 0, rec, 1 + HASH_LENGTH)) return null;
      return this.writeLeaf(depth, this.keys[lo]!, this.vals[lo]!);
    }
    return this.build(depth, lo, hi, leafAt >= 0 ? null : rec);
  }

  /**
   * Hash of a subtree that is empty in the committed tree (or whose only leaf is being replaced or
   * pushed down), holding keys[lo..hi) plus, if `carry` is set, the existing leaf record `carry`.
   */
  private build(depth: number, lo: number, hi: number, carry: Uint8Array | null): Uint8Array {
    const count = hi - lo + (carry === null ? 0 : 1);
    if (count === 0) return EMPTY_HASH;
    if (count === 1) {
      // The carried record may be a view of the cache, which commit() overwrites: write a copy.
      if (carry === null) return this.writeLeaf(depth, this.keys[lo]!, this.vals[lo]!);
      const copy = this.newRecord();
      copy.set(carry);
      return this.writeRecord(depth, copy.subarray(1, 1 + HASH_LENGTH), copy);
    }
    if (depth >= SMT_MAX_DEPTH) {
      fail('MERKLE_INPUT_INVALID', 'Two keys share their first 255 bits; the tree cannot hold both.');
    }
    const mid = this.split(depth, lo, hi);
    let lc: Uint8Array | null = null;
    let rc: Uint8Array | null = null;
    // A leaf record holds its key at offset 1: bit `depth` of the key is bit depth + 8 of the record.
    if (carry !== null) {
      if (keyBit(carry, depth + 8) === 0) lc = carry;
      else rc = carry;
    }
    const l = this.build(depth + 1, lo, mid, lc);
    const r = this.build(depth + 1, mid, hi, rc);
    return this.writeNode(depth, lo < hi ? this.keys[lo]! : carry!.subarray(1, 1 + HASH_LENGTH), l, r);
  }

  /** First index in [lo, hi) whose key has bit `depth` set (they all share the bits above it). */
  private split(depth: number, lo: number, hi: number): number {
    const keys = this.keys;
    let a = lo;
    let b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (keyBit(keys[m]!, depth) === 0) a = m + 1;
      else b = m;
    }
    return a;
  }

  /** Index in keys[lo..hi) of the key of leaf record `rec`, or -1. */
  private find(rec: Uint8Array, lo: number, hi: number): number {
    const keys = this.keys;
    let a = lo;
    let b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      const k = keys[m]!;
      let c = 0;
      for (let i = 0; i < HASH_LENGTH && c === 0; i++) c = k[i]! - rec[1 + i]!;
      if (c === 0) return m;
      if (c < 0) a = m + 1;
      else b = m;
    }
    return -1;
  }

  /**
   * A fresh 65-byte record. Records are cut from shared slabs: a 65-byte Uint8Array of its own has
   * its own ArrayBuffer (V8 keeps only arrays of up to 64 bytes on its heap), which costs about as
   * much to allocate and collect as the SHA-256 that follows.
   */
  private newRecord(): Uint8Array {
    if (this.slabUsed === SLAB_RECORDS) {
      this.slab = new Uint8Array(SLAB_RECORDS * NODE_RECORD_LENGTH);
      this.slabUsed = 0;
    }
    const off = this.slabUsed++ * NODE_RECORD_LENGTH;
    return this.slab.subarray(off, off + NODE_RECORD_LENGTH);
  }

  private writeLeaf(depth: number, key: Uint8Array, val: Uint8Array): Uint8Array {
    const rec = this.newRecord();
    rec[0] = RECORD_LEAF;
    rec.set(key, 1);
    rec.set(val, 1 + HASH_LENGTH);
    return this.writeRecord(depth, key, rec);
  }

  private writeNode(depth: number, key: Uint8Array, l: Uint8Array, r: Uint8Array): Uint8Array {
    const rec = this.newRecord();
    rec[0] = RECORD_NODE;
    rec.set(l, 1);
    rec.set(r, 1 + HASH_LENGTH);
    return this.writeRecord(depth, key, rec);
  }

  /** Queues `rec` at the position `depth` on the path of `key`; returns its hash. */
  private writeRecord(depth: number, key: Uint8Array, rec: Uint8Array): Uint8Array {
    this.writes.push({ path: encodeNodePath(depth, key), node: rec });
    // A record is exactly the preimage of its hash (0x00 ‖ key ‖ value or 0x01 ‖ left ‖ right).
    return sha256(rec);
  }

  /**
   * The committed record at `depth` on the path of `key`, whose hash is the 32 bytes at `off` in
   * `parent` (non-empty). Cache first, then the store.
   */
  private read(depth: number, key: Uint8Array, parent: Uint8Array, off: number): Uint8Array {
    const inTop = depth < this.levels;
    let slot = 0;
    if (inTop) {
      slot = topSlot(depth, key, 0);
      const hit = this.topViews[depth]?.[slot];
      if (hit !== undefined) return hit;
    }
    const path = encodeNodePath(depth, key);
    let ck: string | undefined;
    if (!inTop && this.deepCap > 0) {
      ck = latin1Key(path);
      const hit = this.deepGet(ck);
      if (hit !== undefined) return hit;
    }
    const rec = checkRecord(this.store.get(path), depth, key, this.checkReads ? parent : null, off);
    if (inTop) this.topPut(depth, slot, rec);
    else if (ck !== undefined) this.deepPut(ck, rec);
    return rec;
  }

  private cachePut(path: Uint8Array, rec: Uint8Array): void {
    const depth = path[0]!;
    if (depth < this.levels) {
      this.topPut(depth, topSlot(depth, path, 1), rec);
    } else if (this.deepCap > 0) {
      const k = latin1Key(path);
      this.old.delete(k);
      this.deepPut(k, rec);
    }
  }

  private topPut(depth: number, slot: number, rec: Uint8Array): void {
    let records = this.topRecords[depth];
    let views = this.topViews[depth];
    if (records === undefined || views === undefined) {
      records = new Uint8Array((1 << depth) * NODE_RECORD_LENGTH);
      views = new Array<Uint8Array | undefined>(1 << depth).fill(undefined);
      this.topRecords[depth] = records;
      this.topViews[depth] = views;
    }
    const off = slot * NODE_RECORD_LENGTH;
    records.set(rec, off);
    if (views[slot] === undefined) views[slot] = records.subarray(off, off + NODE_RECORD_LENGTH);
  }

  private deepGet(k: string): Uint8Array | undefined {
    const y = this.young.get(k);
    if (y !== undefined) return y;
    const o = this.old.get(k);
    if (o !== undefined) this.deepPut(k, o);
    return o;
  }

  private deepPut(k: string, rec: Uint8Array): void {
    this.young.set(k, rec);
    if (this.young.size * 2 >= this.deepCap) {
      this.old = this.young;
      this.young = new Map();
    }
  }
}

/**
 * Checks a record read from a store for the position at `depth` on the path of `key`; with `parent`
 * set, also that it hashes to the 32 bytes at `off` in `parent`.
 * @throws UrbisError STORE_CORRUPT.
 */
function checkRecord(rec: Uint8Array | undefined, depth: number, key: Uint8Array, parent: Uint8Array | null, off: number): Uint8Array {
  if (rec === undefined) {
    fail('STORE_CORRUPT', 'A Merkle node the committed root refers to is missing from the store.', { depth });
  }
  if (!(rec instanceof Uint8Array) || rec.length !== NODE_RECORD_LENGTH || (rec[0] !== RECORD_LEAF && rec[0] !== RECORD_NODE)) {
    fail('STORE_CORRUPT', 'A Merkle node record in the store is malformed.', { depth });
  }
  if (rec[0] === RECORD_LEAF && !prefixEqual(rec.subarray(1), key, depth)) {
    fail('STORE_CORRUPT', 'A Merkle leaf in the store is not on the path of its position.', { depth });
  }
  if (rec[0] === RECORD_NODE && depth >= SMT_MAX_DEPTH) {
    fail('STORE_CORRUPT', 'A Merkle interior node in the store is deeper than allowed.', { depth });
  }
  if (parent !== null && !equalAt(sha256(rec), 0, parent, off)) {
    fail('STORE_CORRUPT', 'A Merkle node in the store does not hash to what its parent names.', { depth });
  }
  return rec;
}

/** The proof of `key` under `root`, reading the record at each depth through `read`. */
function walkProof(root: Uint8Array, key: Uint8Array, read: (depth: number, parent: Uint8Array, off: number) => Uint8Array): SmtProof {
  const siblings: (Uint8Array | null)[] = [];
  let rec: Uint8Array = root;
  let off = 0;
  for (let d = 0; ; d++) {
    if (isEmptyAt(rec, off)) return { depth: d, siblings, terminal: { kind: 'empty' } };
    rec = read(d, rec, off);
    if (rec[0] === RECORD_LEAF) {
      return {
        depth: d,
        siblings,
        terminal: { kind: 'leaf', key: rec.slice(1, 1 + HASH_LENGTH), valueHash: rec.slice(1 + HASH_LENGTH) },
      };
    }
    const right = keyBit(key, d) === 1;
    const sib = right ? 1 : 1 + HASH_LENGTH;
    siblings.push(isEmptyAt(rec, sib) ? null : rec.slice(sib, sib + HASH_LENGTH));
    off = right ? 1 + HASH_LENGTH : 1;
  }
}

/**
 * Proof of `key` in the tree of an earlier height: `root` is the state root of the block at height
 * `version`, read from a versioned store (each position's latest record at or below `version`).
 * Every record read is re-hashed against what its parent names, so a store whose history was
 * changed fails here (STORE_CORRUPT) instead of handing out a proof that does not verify.
 *
 * @throws UrbisError MERKLE_INPUT_INVALID if root or key is not 32 bytes; STORE_CORRUPT if a record
 *   the root needs is missing (pruned, or from before the store kept history) or does not match.
 */
export function proveAt(store: VersionedSmtNodeStore, version: number, root: Uint8Array, key: Uint8Array): SmtProof {
  check32(root, 'The root');
  check32(key, 'A key');
  return walkProof(root, key, (d, parent, off) => checkRecord(store.getAt(encodeNodePath(d, key), version), d, key, parent, off));
}

/**
 * Recomputes the root of the tree at height `version` from the records a versioned store holds,
 * visiting every record that root reaches, each re-hashed against its parent: true when the store
 * reproduces `root`. Costs one read and one SHA-256 per node of that tree (`urbis verify`).
 *
 * @throws UrbisError MERKLE_INPUT_INVALID if root is not 32 bytes.
 */
export function storeReproducesRoot(store: VersionedSmtNodeStore, version: number, root: Uint8Array): boolean {
  check32(root, 'The root');
  if (isEmptyAt(root, 0)) return true;
  // Depth-first; `key` is any key on the path of the position (bits below `depth` are zero).
  const visit = (depth: number, key: Uint8Array, parent: Uint8Array, off: number): boolean => {
    const rec = store.getAt(encodeNodePath(depth, key), version);
    if (rec === undefined || rec.length !== NODE_RECORD_LENGTH || !equalAt(sha256(rec), 0, parent, off)) return false;
    if (rec[0] === RECORD_LEAF) return prefixEqual(rec.subarray(1), key, depth);
    if (rec[0] !== RECORD_NODE || depth >= SMT_MAX_DEPTH) return false;
    const node = rec.slice();
    const right = key.slice();
    right[depth >> 3] = right[depth >> 3]! | (0x80 >> (depth & 7));
    return (isEmptyAt(node, 1) || visit(depth + 1, key, node, 1)) && (isEmptyAt(node, 1 + HASH_LENGTH) || visit(depth + 1, right, node, 1 + HASH_LENGTH));
  };
  return visit(0, new Uint8Array(HASH_LENGTH), root, 0);
}

/**
 * RFC 9162 §2.1 Merkle trees over a list ("log trees"): the transaction root of a block, batches of
 * access receipts, the header history log (docs/protocol.md "History tree"), and their proofs. One
 * hashing code for every list tree of the project. Pure.
 *
 * - Leaf hash: SHA-256(0x00 ‖ data); interior node: SHA-256(0x01 ‖ left ‖ right) (§2.1.1).
 * - Merkle Tree Hash of n leaves: split at the largest power of two smaller than n; the empty tree
 *   hashes to SHA-256("").
 * - Inclusion proof (audit path, §2.1.3.1): the sibling hashes from the leaf up, and its
 *   verification (§2.1.3.2).
 * - Consistency proofs (§2.1.4.1) and their verification (§2.1.4.2).
 * - An append-only log that keeps its *perfect* subtrees (hash of leaves `[i·2^level,
 *   (i+1)·2^level)`, 2 n nodes for n leaves) answers any proof with O(log n) reads through a
 *   {@link SubtreeReader}; {@link appendLeaf} returns exactly the nodes a new leaf completes.
 */
import { UrbisError } from '../errors.js';
import { bytesEqual, concatBytes } from '../encoding/index.js';
import { sha256 } from '../crypto/index.js';

/** RFC 9162 §2.1.1 leaf hash: SHA-256(0x00 ‖ data). */
export function mthLeaf(data: Uint8Array): Uint8Array {
  return sha256(concatBytes(new Uint8Array([0]), data));
}

/** RFC 9162 §2.1.1 interior node: SHA-256(0x01 ‖ left ‖ right). */
export function mthNode(l: Uint8Array, r: Uint8Array): Uint8Array {
  return sha256(concatBytes(new Uint8Array([1]), l, r));
}

/** The levels of the tree over `leaves`, leaves first, root last (odd nodes promoted unchanged). */
function levelsOf(leaves: Uint8Array[]): Uint8Array[][] {
  // Bottom-up evaluation gives the same result as the recursive definition: an odd node at the end
  // of a level is promoted unchanged, which is exactly the "largest power of two" split.
  const levels: Uint8Array[][] = [leaves];
  while (levels[levels.length - 1]!.length > 1) {
    const level = levels[levels.length - 1]!;
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(mthNode(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    levels.push(next);
  }
  return levels;
}

/** RFC 9162 §2.1.1 Merkle Tree Hash over already-hashed leaves. Empty tree = SHA-256(""). */
export function merkleTreeHash(leafHashes: Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return sha256(new Uint8Array(0));
  const levels = levelsOf(leafHashes);
  return levels[levels.length - 1]![0]!;
}

/** A tree built once: its root and the audit path of any leaf. */
export interface LogTree {
  root: Uint8Array;
  /** Audit path of leaf `i` (RFC 9162 §2.1.3.1), leaf level first. */
  path(i: number): Uint8Array[];
}

/**
 * Root and audit paths of a list of leaf hashes, in O(n) hashes: a node's sibling at each level of
 * the bottom-up tree is its audit path element.
 */
export function logTree(leaves: Uint8Array[]): LogTree {
  if (leaves.length === 0) return { root: merkleTreeHash([]), path: () => [] };
  const levels = levelsOf(leaves);
  return {
    root: levels[levels.length - 1]![0]!,
    path(i: number): Uint8Array[] {
      const out: Uint8Array[] = [];
      let idx = i;
      for (let l = 0; l < levels.length - 1; l++) {
        const sib = idx ^ 1;
        if (sib < levels[l]!.length) out.push(levels[l]![sib]!);
        idx >>= 1;
      }
      return out;
    },
  };
}

/**
 * Verifies an inclusion proof (RFC 9162 §2.1.3.2): the audit path leads from leaf `index` of a tree
 * of `size` leaves to `root`, and is exactly as long as it must be.
 *
 * @throws UrbisError PROOF_INVALID (`what` names the leaf in the message).
 */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, path: Uint8Array[], root: Uint8Array, what = 'the leaf'): void {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new UrbisError('PROOF_INVALID', `leaf index ${index} is outside a tree of ${size}`);
  }
  if (leaf.length !== 32 || root.length !== 32 || path.some((p) => p.length !== 32)) {
    throw new UrbisError('PROOF_INVALID', 'leaf, root and audit path hashes must be 32 bytes');
  }
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) throw new UrbisError('PROOF_INVALID', 'the audit path is longer than the tree is deep');
    if (fn % 2 === 1 || fn === sn) {
      r = mthNode(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = mthNode(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0 || !bytesEqual(r, root)) throw new UrbisError('PROOF_INVALID', `${what} is not in the tree with this root`);
}

/** Root of the empty tree: SHA-256 of the empty string. */
export function emptyRoot(): Uint8Array {
  return sha256(new Uint8Array(0));
}

/** Hash of the perfect subtree over leaves `[index·2^level, (index+1)·2^level)`; undefined if not held. */
export type SubtreeReader = (level: number, index: number) => Uint8Array | undefined;

/** A perfect subtree node, as stored by a log. */
export interface SubtreeNode {
  level: number;
  index: number;
  hash: Uint8Array;
}

/** Largest power of two strictly smaller than n (n ≥ 2). */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function unavailable(level: number, index: number): never {
  throw new UrbisError('HISTORY_UNAVAILABLE', `the history log does not hold subtree (${level}, ${index})`, { level, index });
}

/**
 * MTH of leaves `[start, end)` from perfect subtrees, where `start` is a multiple of the largest
 * power of two ≤ `end − start` (true of every range RFC 9162's PATH and SUBPROOF visit).
 *
 * @throws UrbisError HISTORY_UNAVAILABLE if a needed subtree is not held.
 */
export function rangeHash(start: number, end: number, read: SubtreeReader): Uint8Array {
  const n = end - start;
  if (n <= 0) return emptyRoot();
  if ((n & (n - 1)) === 0) {
    const level = Math.log2(n);
    return read(level, start / n) ?? unavailable(level, start / n);
  }
  const k = splitPoint(n);
  return mthNode(rangeHash(start, start + k, read), rangeHash(start + k, end, read));
}

/** Root of a tree of `size` leaves. @throws UrbisError HISTORY_UNAVAILABLE. */
export function treeRoot(size: number, read: SubtreeReader): Uint8Array {
  return rangeHash(0, size, read);
}

/**
 * The frontier of a tree of `size` leaves: the perfect subtrees that cover it, largest (leftmost)
 * first, one per set bit of `size`. With it, the root and the next appends need nothing else.
 */
export function frontierPositions(size: number): { level: number; index: number }[] {
  const out: { level: number; index: number }[] = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const w = 2 ** level;
    if (size - start >= w) {
      out.push({ level, index: start / w });
      start += w;
    }
  }
  return out;
}

/** Root of a tree from its frontier hashes (largest first), as {@link frontierPositions} orders them. */
export function rootFromFrontier(frontier: Uint8Array[]): Uint8Array {
  if (frontier.length === 0) return emptyRoot();
  let r = frontier[frontier.length - 1]!;
  for (let i = frontier.length - 2; i >= 0; i--) r = mthNode(frontier[i]!, r);
  return r;
}

/**
 * Appends leaf hash `leaf` at position `size` (the tree had `size` leaves) and returns every perfect
 * subtree it completes: the leaf itself at level 0, then each parent whose left sibling is held.
 * O(log n) reads and hashes.
 *
 * @throws UrbisError HISTORY_UNAVAILABLE if a left sibling on the frontier is not held.
 */
export function appendLeaf(size: number, leaf: Uint8Array, read: SubtreeReader): SubtreeNode[] {
  const out: SubtreeNode[] = [{ level: 0, index: size, hash: leaf }];
  let index = size;
  let level = 0;
  let cur = leaf;
  while (index % 2 === 1) {
    const left = read(level, index - 1) ?? unavailable(level, index - 1);
    cur = mthNode(left, cur);
    level++;
    index = (index - 1) / 2;
    out.push({ level, index, hash: cur });
  }
  return out;
}

/**
 * RFC 9162 §2.1.3.1 audit path of leaf `index` in the tree of `size` leaves, leaf level first.
 *
 * @throws UrbisError HISTORY_UNAVAILABLE, PROOF_INVALID for an index outside the tree.
 */
export function inclusionProof(index: number, size: number, read: SubtreeReader): Uint8Array[] {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new UrbisError('PROOF_INVALID', `leaf index ${index} is outside a tree of ${size}`);
  }
  const path = (m: number, start: number, n: number): Uint8Array[] => {
    if (n === 1) return [];
    const k = splitPoint(n);
    if (m < k) return [...path(m, start, k), rangeHash(start + k, start + n, read)];
    return [...path(m - k, start + k, n - k), rangeHash(start, start + k, read)];
  };
  return path(index, 0, size);
}

/**
 * RFC 9162 §2.1.4.1 consistency proof between the trees of `size1` and `size2` leaves
 * (0 < size1 ≤ size2; empty for equal sizes).
 *
 * @throws UrbisError HISTORY_UNAVAILABLE, PROOF_INVALID for sizes out of order.
 */
export function consistencyProof(size1: number, size2: number, read: SubtreeReader): Uint8Array[] {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 1 || size1 > size2) {
    throw new UrbisError('PROOF_INVALID', `no consistency proof from a tree of ${size1} to one of ${size2}`);
  }
  // SUBPROOF(m, D[start:start+n], b)
  const sub = (m: number, start: number, n: number, b: boolean): Uint8Array[] => {
    if (m === n) return b ? [] : [rangeHash(start, start + n, read)];
    const k = splitPoint(n);
    if (m <= k) return [...sub(m, start, k, b), rangeHash(start + k, start + n, read)];
    return [...sub(m - k, start + k, n - k, false), rangeHash(start, start + k, read)];
  };
  return size1 === size2 ? [] : sub(size1, 0, size2, true);
}

function proofError(message: string, details?: Record<string, unknown>): UrbisError {
  return new UrbisError('PROOF_INVALID', message, details);
}

function check32(what: string, ...bs: Uint8Array[]): void {
  for (const b of bs) if (!(b instanceof Uint8Array) || b.length !== 32) throw proofError(`${what} must be 32-byte hashes`);
}

/**
 * RFC 9162 §2.1.4.2: verifies that the tree of `size1` leaves with `root1` is a prefix of the tree of
 * `size2` leaves with `root2`. Sizes must satisfy 0 < size1 ≤ size2; equal sizes need an empty proof
 * and equal roots.
 *
 * @throws UrbisError PROOF_INVALID.
 */
export function verifyConsistency(size1: number, size2: number, proof: Uint8Array[], root1: Uint8Array, root2: Uint8Array): void {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2) || size1 < 1 || size2 < size1) {
    throw proofError(`no consistency proof from a tree of ${size1} to one of ${size2}`, { size1, size2 });
  }
  if (size1 === size2) {
    if (proof.length !== 0) throw proofError('a consistency proof between equal sizes must be empty');
    if (!bytesEqual(root1, root2)) throw proofError('the two roots of the same size differ');
    return;
  }
  if (proof.length === 0) throw proofError('the consistency proof is empty');
  check32('roots and proof', root1, root2, ...proof);
  // Step 1: if size1 is an exact power of two, prepend root1.
  const path = (size1 & (size1 - 1)) === 0 ? [root1, ...proof] : [...proof];
  // Step 2: fn, sn; right-shift both while fn is odd... (LSB(fn) set).
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) throw proofError('the consistency proof is too long');
    if (fn % 2 === 1 || fn === sn) {
      fr = mthNode(c, fr);
      sr = mthNode(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = mthNode(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  if (sn !== 0) throw proofError('the consistency proof is too short');
  if (!bytesEqual(fr, root1)) throw proofError('the consistency proof does not reproduce the first root');
  if (!bytesEqual(sr, root2)) throw proofError('the consistency proof does not reproduce the second root');
}

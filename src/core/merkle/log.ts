/**
 * RFC 9162 §2.1 Merkle trees over a list ("log trees"): the transaction root of a block, batches of
 * access receipts, and their audit paths. One hashing code for every list tree of the project. Pure.
 *
 * - Leaf hash: SHA-256(0x00 ‖ data); interior node: SHA-256(0x01 ‖ left ‖ right) (§2.1.1).
 * - Merkle Tree Hash of n leaves: split at the largest power of two smaller than n; the empty tree
 *   hashes to SHA-256("").
 * - Inclusion proof (audit path, §2.1.3.1): the sibling hashes from the leaf up, and its
 *   verification (§2.1.3.2).
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

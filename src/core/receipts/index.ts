/**
 * Access receipts (docs/sharing.md "Receipts"): what a gateway records of each request it served,
 * batched into an RFC 9162 Merkle tree whose root is anchored on the ledger by a `receipts.anchor`
 * transaction. The receipts themselves stay off the ledger; whoever holds one (the consumer, the
 * data owner, an auditor) proves it was in an anchored batch with its inclusion proof. Pure.
 *
 * Merkle tree: RFC 9162 §2.1.1 (MTH with 0x00 leaf and 0x01 node prefixes), leaf = canonical JSON
 * (RFC 8785) of the receipt; audit paths §2.1.3.1, verification §2.1.3.2.
 */
import { UrbisError } from '../errors.js';
import { canonicalBytes, fromHex, toHex, bytesEqual } from '../encoding/index.js';
import { merkleTreeHash, mthLeaf, mthNode } from '../ledger/block.js';

/** One served request. No body, no query: the digest of the response stands for what was served. */
export interface Receipt {
  v: 1;
  /** Canonical text of the service (the grant subject). */
  service: string;
  /** Canonical text of the grantee. */
  grantee: string;
  /** Multikey of the key that signed the request. */
  key: string;
  /** Hash of the transaction that set the grant version in force. */
  grant: string;
  /** Height the grant was proven at. */
  height: number;
  /** Hex SHA-256 of the request's Signature field (unique per request; the consumer can recompute it). */
  request: string;
  method: string;
  path: string;
  status: number;
  /** Time the request was admitted, ms since epoch. */
  time: number;
  /** Hex SHA-256 of the response body as sent. */
  response: string;
}

/** A receipt with its place in an anchored batch. */
export interface ReceiptProof {
  receipt: Receipt;
  /** Position of the receipt in the batch and size of the batch. */
  index: number;
  size: number;
  /** Audit path, leaf level first, hex (RFC 9162 §2.1.3.1). */
  path: string[];
  /** Hex batch root, as anchored. */
  root: string;
  /** Hash of the `receipts.anchor` transaction, once anchored. */
  anchorTx?: string;
}

/** RFC 6962 leaf hash of a receipt. */
export function receiptLeaf(r: Receipt): Uint8Array {
  return mthLeaf(canonicalBytes(r));
}

/**
 * Root and audit paths of a batch, in O(n) hashes: the bottom-up tree with odd nodes promoted is
 * the RFC 9162 tree, and a node's sibling at each level is its audit path element.
 */
export function buildBatch(leaves: Uint8Array[]): { root: Uint8Array; path(i: number): Uint8Array[] } {
  if (leaves.length === 0) return { root: merkleTreeHash([]), path: () => [] };
  const levels: Uint8Array[][] = [leaves];
  while (levels[levels.length - 1]!.length > 1) {
    const level = levels[levels.length - 1]!;
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(mthNode(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    levels.push(next);
  }
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
 * Verifies an inclusion proof (RFC 9162 §2.1.3.2).
 * @throws UrbisError PROOF_INVALID when the path does not lead from the leaf to the root.
 */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, path: Uint8Array[], root: Uint8Array): void {
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
  if (sn !== 0 || !bytesEqual(r, root)) throw new UrbisError('PROOF_INVALID', 'the receipt is not in the batch with this root');
}

/**
 * Checks a receipt proof against its own root (the anchor is checked against the ledger by the
 * caller: `urbis receipts verify`).
 * @throws UrbisError PROOF_INVALID, ENC_HEX_INVALID.
 */
export function verifyReceiptProof(p: ReceiptProof): void {
  verifyInclusion(
    receiptLeaf(p.receipt),
    p.index,
    p.size,
    p.path.map((h) => fromHex(h, 32)),
    fromHex(p.root, 32),
  );
}

/** Hex root of a batch of receipts. */
export function receiptsRoot(rs: Receipt[]): string {
  return toHex(buildBatch(rs.map(receiptLeaf)).root);
}

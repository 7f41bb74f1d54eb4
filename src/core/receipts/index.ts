/**
 * Access receipts (docs/sharing.md "Receipts"): what a gateway records of each request it served,
 * batched into an RFC 9162 Merkle tree whose root is anchored on the ledger by a `receipts.anchor`
 * transaction. The receipts themselves stay off the ledger; whoever holds one (the consumer, the
 * data owner, an auditor) proves it was in an anchored batch with its inclusion proof. Pure.
 *
 * Merkle tree: RFC 9162 §2.1.1 (MTH with 0x00 leaf and 0x01 node prefixes), leaf = canonical JSON
 * (RFC 8785) of the receipt; audit paths §2.1.3.1, verification §2.1.3.2.
 */
import { canonicalBytes, fromHex, toHex } from '../encoding/index.js';
import { logTree, mthLeaf, verifyInclusion } from '../merkle/log.js';

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

/** Root and audit paths of a batch (RFC 9162 §2.1.3.1). */
export const buildBatch = logTree;
export { verifyInclusion };

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
    'the receipt',
  );
}

/** Hex root of a batch of receipts. */
export function receiptsRoot(rs: Receipt[]): string {
  return toHex(buildBatch(rs.map(receiptLeaf)).root);
}

/**
 * Block headers, transaction roots and finality certificates: docs/protocol.md "Blocks".
 *
 * - Header hash: SHA-256 of the header's canonical JSON (RFC 8785).
 * - Transaction root: RFC 6962 / RFC 9162 §2.1 Merkle Tree Hash over the block's entries, each leaf
 *   being the canonical JSON of `{ tx, result }`, so the header commits to the outcome of every
 *   transaction, not only to its bytes.
 * - Certificate: validators sign `"urbis/header/v1\n" ‖ headerHash`. A header is final when more than
 *   two thirds of the validators in force at its height signed it (3·signers > 2·n).
 */
import { canonicalBytes, concatBytes, fromBase64url, fromHex, multikeyToPublicKey, toBase64url, toHex, utf8Encode } from '../encoding/index.js';
import { ed25519Verify, sha256 } from '../crypto/index.js';
import { UrbisError } from '../errors.js';
import type { Signer } from './tx.js';
import type { BlockHeader, Certificate, Tx, TxResult } from './types.js';

const HEADER_DOMAIN = utf8Encode('urbis/header/v1\n');
export const ZERO_HASH = '0'.repeat(64);

/** Hex SHA-256 of the canonical header. */
export function headerHash(h: BlockHeader): string {
  return toHex(sha256(canonicalBytes(h)));
}

/** Hash of a validator list (sorted Multikeys), committed in headers as `nextValidators`. */
export function validatorsHash(validators: string[]): string {
  return toHex(sha256(canonicalBytes([...validators].sort())));
}

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ data). */
export function mthLeaf(data: Uint8Array): Uint8Array {
  return sha256(concatBytes(new Uint8Array([0]), data));
}

/** RFC 6962 interior node: SHA-256(0x01 ‖ left ‖ right). */
export function mthNode(l: Uint8Array, r: Uint8Array): Uint8Array {
  return sha256(concatBytes(new Uint8Array([1]), l, r));
}

/**
 * RFC 9162 §2.1.1 Merkle Tree Hash over already-hashed leaves: split at the largest power of two
 * smaller than n. Empty tree = SHA-256("").
 */
export function merkleTreeHash(leafHashes: Uint8Array[]): Uint8Array {
  if (leafHashes.length === 0) return sha256(new Uint8Array(0));
  // Bottom-up evaluation gives the same result as the recursive definition: an odd node at the end
  // of a level is promoted unchanged, which is exactly the "largest power of two" split.
  let level = leafHashes;
  while (level.length > 1) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(mthNode(level[i]!, level[i + 1]!));
    if (level.length % 2 === 1) next.push(level[level.length - 1]!);
    level = next;
  }
  return level[0]!;
}

/** Transaction root of a block: MTH over canonical `{ tx, result }` entries. */
export function txRoot(txs: Tx[], results: TxResult[]): string {
  return toHex(merkleTreeHash(txs.map((tx, i) => mthLeaf(canonicalBytes({ tx, result: results[i] })))));
}

/** Bytes a validator signs for a header. */
export function headerSigningInput(hash: string): Uint8Array {
  return concatBytes(HEADER_DOMAIN, fromHex(hash, 32));
}

/** Signs a header hash as a validator. */
export function signHeader(hash: string, signer: Signer): { key: string; sig: string } {
  return { key: signer.id, sig: toBase64url(signer.sign(headerSigningInput(hash))) };
}

/** True when `count` signatures out of `n` validators form a quorum (> 2/3). */
export function isQuorum(count: number, n: number): boolean {
  return n > 0 && 3 * count > 2 * n;
}

/** Result of checking a certificate: the validators whose signatures counted. */
export interface CertCheck {
  valid: string[];
  invalid: string[];
  unknown: string[];
}

/** Sorts a certificate's signatures into valid, invalid and from non-validators. Never throws. */
export function checkCertificate(cert: Certificate, validators: string[]): CertCheck {
  const set = new Set(validators);
  const seen = new Set<string>();
  const out: CertCheck = { valid: [], invalid: [], unknown: [] };
  const input = (() => {
    try {
      return headerSigningInput(cert.headerHash);
    } catch {
      return null;
    }
  })();
  for (const s of cert.sigs) {
    if (typeof s?.key !== 'string' || seen.has(s.key)) continue;
    seen.add(s.key);
    if (!set.has(s.key)) {
      out.unknown.push(s.key);
      continue;
    }
    let ok = false;
    if (input) {
      try {
        const sig = fromBase64url(s.sig);
        ok = sig.length === 64 && ed25519Verify(sig, input, multikeyToPublicKey(s.key));
      } catch {
        ok = false;
      }
    }
    (ok ? out.valid : out.invalid).push(s.key);
  }
  return out;
}

/**
 * Verifies that `cert` certifies `header` under `validators` (the set in force at that height).
 *
 * @throws UrbisError CERT_INVALID with the counts as evidence.
 */
export function verifyCertificate(header: BlockHeader, cert: Certificate, validators: string[]): void {
  const hash = headerHash(header);
  if (cert.headerHash !== hash || cert.height !== header.height) {
    throw new UrbisError('CERT_INVALID', `certificate is for another header (height ${cert.height})`, { height: header.height });
  }
  const c = checkCertificate(cert, validators);
  if (!isQuorum(c.valid.length, validators.length)) {
    throw new UrbisError(
      'CERT_INVALID',
      `header ${header.height} has ${c.valid.length} valid validator signatures of ${validators.length}; more than two thirds are needed`,
      { height: header.height, valid: c.valid.length, validators: validators.length, invalid: c.invalid },
    );
  }
}

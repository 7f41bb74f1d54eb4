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
import { canonicalBytes, canonicalJson, concatBytes, fromBase64url, fromHex, multikeyToPublicKey, toBase64url, toHex, utf8Encode } from '../encoding/index.js';
import { ed25519Verify, sha256 } from '../crypto/index.js';
import { logTree, merkleTreeHash, mthLeaf, type LogTree } from '../merkle/log.js';
import { UrbisError } from '../errors.js';
import type { Signer, TxEncoding } from './tx.js';
// The list-tree hashing lives in core/merkle/log.ts; re-exported for the callers of this module.
export { merkleTreeHash, mthLeaf, mthNode } from '../merkle/log.js';
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

/** Leaf hash of one block entry: RFC 9162 leaf over the canonical JSON of `{ tx, result }`. */
export function txLeaf(tx: Tx, result: TxResult): Uint8Array {
  return mthLeaf(canonicalBytes({ tx, result }));
}

const LEAF_TAIL = utf8Encode('}');

/**
 * {@link txLeaf} from the transaction's canonical bytes (its {@link TxEncoding}): the canonical JSON
 * of `{ tx, result }` is `{"result":R,"tx":T}` (members sorted), so only the small result is
 * serialised here.
 */
export function txLeafOf(txBytes: Uint8Array, result: TxResult): Uint8Array {
  return mthLeaf(concatBytes(utf8Encode(`{"result":${canonicalJson(result)},"tx":`), txBytes, LEAF_TAIL));
}

/** The leaves of a block's transaction tree, from the encodings where given (aligned with `txs`). */
function txLeaves(txs: Tx[], results: TxResult[], encoded?: readonly (TxEncoding | null)[]): Uint8Array[] {
  return txs.map((tx, i) => {
    const e = encoded?.[i];
    return e ? txLeafOf(e.bytes, results[i]!) : txLeaf(tx, results[i]!);
  });
}

/** Leaf hash of a header in the history log: SHA-256(0x00 ‖ 32-byte header hash). */
export function historyLeaf(headerHashHex: string): Uint8Array {
  return mthLeaf(fromHex(headerHashHex, 32));
}

/**
 * Transaction root of a block: MTH over canonical `{ tx, result }` entries. `encoded[i]`, when
 * given, is the canonical encoding of `txs[i]` (the same leaf, without serialising it again).
 */
export function txRoot(txs: Tx[], results: TxResult[], encoded?: readonly (TxEncoding | null)[]): string {
  return toHex(merkleTreeHash(txLeaves(txs, results, encoded)));
}

/**
 * The transaction tree of a block, for audit paths (RFC 9162 §2.1.3.1) of its entries against the
 * transaction root; the tree size is the header's `txCount`.
 */
export function txTree(txs: Tx[], results: TxResult[]): LogTree {
  return logTree(txs.map((tx, i) => txLeaf(tx, results[i]!)));
}

/**
 * How far ahead of its own clock a validator accepts a header's time (docs/protocol.md "Header
 * time"): it does not sign a header whose time is later than its clock plus this bound, so a faulty
 * orderer or clock cannot make old answers look fresh for longer than the bound.
 */
export const MAX_HEADER_CLOCK_SKEW_MS = 60_000;

/**
 * The header-time rule a validator applies before signing: not before the previous block's time,
 * not later than its own clock plus {@link MAX_HEADER_CLOCK_SKEW_MS}. (A header older than the
 * clock is signed: a node catching up executes old blocks, and freshness is the reader's rule.)
 *
 * @returns null when the time is acceptable, else why not.
 */
export function headerTimeFault(header: Pick<BlockHeader, 'time' | 'height'>, prevTime: number | null, now: number): string | null {
  if (prevTime !== null && header.time < prevTime) return `block ${header.height} time ${header.time} is before the previous block's ${prevTime}`;
  if (header.time > now + MAX_HEADER_CLOCK_SKEW_MS) {
    return `block ${header.height} time ${header.time} is ${header.time - now} ms ahead of this validator's clock (at most ${MAX_HEADER_CLOCK_SKEW_MS} accepted)`;
  }
  return null;
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

/**
 * Hashing of the Urbis state map, a compact sparse Merkle tree over SHA-256.
 *
 * Spec: docs/protocol.md (State map) §2 "Hashing". Domain separation follows RFC 6962 §2.1 / RFC 9162
 * §2.1.1: a 0x00 prefix for leaves and 0x01 for interior nodes, so a leaf can never be passed off as
 * an interior node (second-preimage attack on the tree shape). Pure.
 */
import { sha256 } from '../crypto/index.js';
import { fail } from '../errors.js';

/** Length in bytes of keys, value hashes and node hashes. */
export const HASH_LENGTH = 32;

/**
 * Deepest level a leaf can sit at. Positions and proofs carry the depth in one byte, so two keys
 * that share their first 255 bits (and would need a leaf at depth 256) cannot be stored; with
 * SHA-256 keys finding such a pair costs about 2^127 work, far beyond anyone.
 */
export const SMT_MAX_DEPTH = 255;

/** Hash of an empty subtree and root of the empty tree: 32 zero bytes. Do not mutate. */
export const EMPTY_HASH: Uint8Array = new Uint8Array(HASH_LENGTH);

/** Domain-separation prefix of a leaf (RFC 6962 §2.1). */
export const LEAF_PREFIX = 0x00;
/** Domain-separation prefix of an interior node (RFC 6962 §2.1). */
export const NODE_PREFIX = 0x01;

// One reusable buffer: sha256 copies nothing out of its input and keeps no reference, and the core
// is single-threaded, so hashing a node allocates only the digest.
const scratch = new Uint8Array(1 + 2 * HASH_LENGTH);

function check32(b: Uint8Array, what: string): void {
  if (!(b instanceof Uint8Array) || b.length !== HASH_LENGTH) {
    fail('MERKLE_INPUT_INVALID', `${what} must be a 32-byte Uint8Array.`);
  }
}

/**
 * Hash of a leaf: SHA-256(0x00 ‖ key ‖ valueHash).
 * @throws UrbisError MERKLE_INPUT_INVALID if an argument is not 32 bytes.
 */
export function leafHash(key: Uint8Array, valueHash: Uint8Array): Uint8Array {
  check32(key, 'A key');
  check32(valueHash, 'A value hash');
  scratch[0] = LEAF_PREFIX;
  scratch.set(key, 1);
  scratch.set(valueHash, 1 + HASH_LENGTH);
  return sha256(scratch);
}

/**
 * Hash of an interior node: SHA-256(0x01 ‖ left ‖ right).
 * @throws UrbisError MERKLE_INPUT_INVALID if an argument is not 32 bytes.
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  check32(left, 'A left child hash');
  check32(right, 'A right child hash');
  scratch[0] = NODE_PREFIX;
  scratch.set(left, 1);
  scratch.set(right, 1 + HASH_LENGTH);
  return sha256(scratch);
}

/**
 * RFC 6962 §2.1 leaf hash of arbitrary data: SHA-256(0x00 ‖ data). {@link leafHash} is this function
 * applied to `key ‖ valueHash`; exported so the test vectors of RFC 6962 can check the primitive.
 */
export function rfc6962LeafHash(data: Uint8Array): Uint8Array {
  const b = new Uint8Array(1 + data.length);
  b[0] = LEAF_PREFIX;
  b.set(data, 1);
  return sha256(b);
}

/** True iff the 32 bytes at `off` in `b` are all zero (the empty-subtree hash). */
export function isEmptyAt(b: Uint8Array, off: number): boolean {
  for (let i = off, end = off + HASH_LENGTH; i < end; i++) if (b[i] !== 0) return false;
  return true;
}

/** Bit `i` of a key, most significant bit of byte 0 first; 0 = left. */
export function keyBit(key: Uint8Array, i: number): number {
  return (key[i >> 3]! >> (7 - (i & 7))) & 1;
}

/** True iff `a` and `b` agree on their first `bits` bits. */
export function prefixEqual(a: Uint8Array, b: Uint8Array, bits: number): boolean {
  const full = bits >> 3;
  for (let i = 0; i < full; i++) if (a[i] !== b[i]) return false;
  const rest = bits & 7;
  if (rest === 0) return true;
  const mask = (0xff << (8 - rest)) & 0xff;
  return (a[full]! & mask) === (b[full]! & mask);
}

/** Unsigned byte-wise comparison of two equal-length keys. */
export function compareKeys(a: Uint8Array, b: Uint8Array): number {
  for (let i = 0; i < HASH_LENGTH; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** Equality of 32 bytes of `a` at `aOff` with 32 bytes of `b` at `bOff`. */
export function equalAt(a: Uint8Array, aOff: number, b: Uint8Array, bOff: number): boolean {
  for (let i = 0; i < HASH_LENGTH; i++) if (a[aOff + i] !== b[bOff + i]) return false;
  return true;
}

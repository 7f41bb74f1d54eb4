/**
 * Inclusion and non-inclusion proofs of the state map: verification and encodings.
 *
 * Spec: docs/protocol.md (State map) §6 "Proofs", §7 "Proof encoding", §8 "Verification". Pure.
 *
 * Everything here takes attacker-controlled input: proofs arrive from any node (or a QR code) and
 * are checked by readers who trust only a certified root. Nothing is assumed about types or sizes.
 */
import { UrbisError, fail } from '../errors.js';
import { fromBase64url, toBase64url } from '../encoding/index.js';
import { EMPTY_HASH, HASH_LENGTH, SMT_MAX_DEPTH, equalAt, isEmptyAt, keyBit, leafHash, nodeHash, prefixEqual } from './hash.js';

/** Where a proof's path ends: an empty subtree, or a leaf (the key's own, or another one). */
export type SmtProofTerminal = { kind: 'empty' } | { kind: 'leaf'; key: Uint8Array; valueHash: Uint8Array };

/**
 * A path from the root down to the subtree where `key` is, or would be.
 *
 * `siblings[i]` is the hash of the sibling at depth i + 1 (index 0 = the child of the root that is
 * not on the path), null for an empty subtree. `depth` = siblings.length = the depth of the terminal.
 */
export interface SmtProof {
  depth: number;
  siblings: (Uint8Array | null)[];
  terminal: SmtProofTerminal;
}

/** Version byte of the binary proof encoding. */
export const PROOF_VERSION = 1;
/** Longest binary proof: header, full bitmap, 255 siblings, a leaf terminal. */
export const PROOF_MAX_BYTES = 2 + 32 + SMT_MAX_DEPTH * HASH_LENGTH + 1 + 2 * HASH_LENGTH;
const PROOF_MAX_BASE64 = Math.ceil((PROOF_MAX_BYTES * 4) / 3);

const TERMINAL_EMPTY = 0;
const TERMINAL_LEAF = 1;

function is32(v: unknown): v is Uint8Array {
  return v instanceof Uint8Array && v.length === HASH_LENGTH;
}

/**
 * Shape check of an in-memory proof: depth, sibling count and sizes, terminal. Sibling hashes are
 * never the all-zero EMPTY hash (that is written null), so each proof has one form. Returns a copy
 * of the fields, each read once, so that getters on a hostile object cannot answer differently
 * between the check and the use.
 */
function checkShape(p: unknown, code: 'PROOF_INVALID' | 'PROOF_MALFORMED'): SmtProof {
  if (typeof p !== 'object' || p === null) fail(code, 'A proof must be an object.');
  const { depth, siblings, terminal } = p as Partial<SmtProof>;
  if (typeof depth !== 'number' || !Number.isInteger(depth) || depth < 0 || depth > SMT_MAX_DEPTH) {
    fail(code, `A proof depth must be an integer in 0..${SMT_MAX_DEPTH}.`);
  }
  if (!Array.isArray(siblings) || siblings.length !== depth) fail(code, 'A proof must have exactly `depth` siblings.');
  const sibs: (Uint8Array | null)[] = new Array<Uint8Array | null>(depth);
  for (let i = 0; i < depth; i++) {
    const s: unknown = siblings[i];
    if (s === null) {
      sibs[i] = null;
      continue;
    }
    if (!is32(s)) fail(code, 'A proof sibling must be null or 32 bytes.', { index: i });
    if (isEmptyAt(s, 0)) fail(code, 'An empty proof sibling must be written null, not as zero bytes.', { index: i });
    sibs[i] = s;
  }
  if (typeof terminal !== 'object' || terminal === null) fail(code, 'A proof terminal must be an object.');
  const kind: unknown = terminal.kind;
  if (kind === 'empty') return { depth, siblings: sibs, terminal: { kind: 'empty' } };
  if (kind !== 'leaf') fail(code, 'A proof terminal kind must be "empty" or "leaf".');
  const { key, valueHash } = terminal as { key: unknown; valueHash: unknown };
  if (!is32(key) || !is32(valueHash)) fail(code, 'A proof terminal leaf needs a 32-byte key and value hash.');
  return { depth, siblings: sibs, terminal: { kind: 'leaf', key, valueHash } };
}

/**
 * Checks that `proof` shows `key` ↦ `expected` (or, with `expected` null, that `key` is absent) in
 * the tree whose root is `root`. Recomputes the root bottom-up from the terminal.
 *
 * Rules beyond the hashes: siblings.length = depth ≤ 255; the node just above the terminal has a
 * non-empty sibling (a compact tree never stores a lone leaf or an empty subtree under an interior
 * node with an empty sibling); a terminal leaf shares the first `depth` bits with `key`; inclusion
 * needs the terminal leaf to be `key` with `expected`; non-inclusion needs an empty terminal or a
 * leaf of another key.
 *
 * @throws UrbisError PROOF_INVALID if anything does not hold, including wrongly typed arguments.
 * @example verifyProof(root, key, valueHash, proof) // returns nothing, or throws
 */
export function verifyProof(root: Uint8Array, key: Uint8Array, expected: Uint8Array | null, proof: SmtProof): void {
  if (!is32(root)) fail('PROOF_INVALID', 'The root must be 32 bytes.');
  if (!is32(key)) fail('PROOF_INVALID', 'The key must be 32 bytes.');
  if (expected !== null && !is32(expected)) fail('PROOF_INVALID', 'The expected value hash must be null or 32 bytes.');
  const { depth, siblings, terminal } = checkShape(proof, 'PROOF_INVALID');
  if (depth > 0 && siblings[depth - 1] === null) {
    fail('PROOF_INVALID', 'The last sibling of a proof cannot be empty in a compact tree.');
  }
  let h: Uint8Array;
  if (terminal.kind === 'leaf') {
    if (!prefixEqual(terminal.key, key, depth)) fail('PROOF_INVALID', 'The terminal leaf is not on the path of the key.');
    const same = equalAt(terminal.key, 0, key, 0);
    if (expected === null) {
      if (same) fail('PROOF_INVALID', 'The proof shows the key present, not absent.');
    } else {
      if (!same) fail('PROOF_INVALID', 'The proof shows the key absent.');
      if (!equalAt(terminal.valueHash, 0, expected, 0)) fail('PROOF_INVALID', 'The proof shows another value for the key.');
    }
    h = leafHash(terminal.key, terminal.valueHash);
  } else {
    if (expected !== null) fail('PROOF_INVALID', 'The proof shows the key absent.');
    h = EMPTY_HASH;
  }
  for (let i = depth - 1; i >= 0; i--) {
    const s = siblings[i] ?? EMPTY_HASH;
    h = keyBit(key, i) === 0 ? nodeHash(h, s) : nodeHash(s, h);
  }
  if (!equalAt(h, 0, root, 0)) fail('PROOF_INVALID', 'The proof does not lead to the root.');
}

/**
 * Binary form: version (1) ‖ depth ‖ bitmap of non-empty siblings (ceil(depth/8) bytes, bit i
 * MSB-first = siblings[i], unused bits zero) ‖ the non-empty siblings in order ‖ terminal kind
 * (0 empty, 1 leaf) ‖ for a leaf: key ‖ valueHash.
 * @throws UrbisError PROOF_MALFORMED if the proof is not well-formed.
 */
export function encodeProof(p: SmtProof): Uint8Array {
  const { depth, siblings, terminal } = checkShape(p, 'PROOF_MALFORMED');
  const bm = (depth + 7) >> 3;
  let present = 0;
  for (const s of siblings) if (s !== null) present++;
  const leaf = terminal.kind === 'leaf';
  const out = new Uint8Array(2 + bm + present * HASH_LENGTH + 1 + (leaf ? 2 * HASH_LENGTH : 0));
  out[0] = PROOF_VERSION;
  out[1] = depth;
  let o = 2 + bm;
  for (let i = 0; i < depth; i++) {
    const s = siblings[i];
    if (s === null || s === undefined) continue;
    out[2 + (i >> 3)] = out[2 + (i >> 3)]! | (0x80 >> (i & 7));
    out.set(s, o);
    o += HASH_LENGTH;
  }
  if (terminal.kind === 'leaf') {
    out[o++] = TERMINAL_LEAF;
    out.set(terminal.key, o);
    out.set(terminal.valueHash, o + HASH_LENGTH);
  } else out[o] = TERMINAL_EMPTY;
  return out;
}

/**
 * Parses the binary form of {@link encodeProof}, strictly: every proof has exactly one accepted
 * encoding (no trailing bytes, no set unused bitmap bits, no zero-byte sibling).
 * @throws UrbisError PROOF_MALFORMED on any deviation.
 */
export function decodeProof(b: Uint8Array): SmtProof {
  if (!(b instanceof Uint8Array)) fail('PROOF_MALFORMED', 'A binary proof must be a Uint8Array.');
  if (b.length < 3 || b.length > PROOF_MAX_BYTES) fail('PROOF_MALFORMED', 'A binary proof has an impossible length.', { length: b.length });
  if (b[0] !== PROOF_VERSION) fail('PROOF_MALFORMED', `Unknown proof version ${b[0]}.`);
  const depth = b[1]!;
  const bm = (depth + 7) >> 3;
  if (b.length < 2 + bm + 1) fail('PROOF_MALFORMED', 'A binary proof is truncated in its bitmap.');
  if ((depth & 7) !== 0 && (b[1 + bm]! & (0xff >> (depth & 7))) !== 0) {
    fail('PROOF_MALFORMED', 'A binary proof sets bitmap bits beyond its depth.');
  }
  const siblings: (Uint8Array | null)[] = new Array<Uint8Array | null>(depth);
  let o = 2 + bm;
  for (let i = 0; i < depth; i++) {
    if (((b[2 + (i >> 3)]! >> (7 - (i & 7))) & 1) === 0) {
      siblings[i] = null;
      continue;
    }
    if (o + HASH_LENGTH > b.length) fail('PROOF_MALFORMED', 'A binary proof is truncated in its siblings.');
    if (isEmptyAt(b, o)) fail('PROOF_MALFORMED', 'A binary proof lists an empty sibling as present.', { index: i });
    siblings[i] = b.slice(o, o + HASH_LENGTH);
    o += HASH_LENGTH;
  }
  if (o >= b.length) fail('PROOF_MALFORMED', 'A binary proof has no terminal.');
  const kind = b[o++];
  if (kind === TERMINAL_EMPTY) {
    if (o !== b.length) fail('PROOF_MALFORMED', 'A binary proof has trailing bytes.');
    return { depth, siblings, terminal: { kind: 'empty' } };
  }
  if (kind !== TERMINAL_LEAF) fail('PROOF_MALFORMED', `Unknown proof terminal kind ${kind}.`);
  if (o + 2 * HASH_LENGTH !== b.length) {
    fail('PROOF_MALFORMED', o + 2 * HASH_LENGTH > b.length ? 'A binary proof is truncated in its leaf.' : 'A binary proof has trailing bytes.');
  }
  return {
    depth,
    siblings,
    terminal: { kind: 'leaf', key: b.slice(o, o + HASH_LENGTH), valueHash: b.slice(o + HASH_LENGTH, o + 2 * HASH_LENGTH) },
  };
}

/**
 * JSON form of a proof: one string, the unpadded base64url of {@link encodeProof}.
 * @throws UrbisError PROOF_MALFORMED if the proof is not well-formed.
 */
export function proofToJson(p: SmtProof): string {
  return toBase64url(encodeProof(p));
}

/**
 * Parses the JSON form of {@link proofToJson} (strict base64url, then {@link decodeProof}).
 * @throws UrbisError PROOF_MALFORMED if `v` is not such a string.
 */
export function proofFromJson(v: unknown): SmtProof {
  if (typeof v !== 'string') fail('PROOF_MALFORMED', 'A JSON proof must be a base64url string.');
  // Bounded before decoding so a huge string costs nothing.
  if (v.length > PROOF_MAX_BASE64) fail('PROOF_MALFORMED', 'A JSON proof is too long.', { length: v.length });
  let bytes: Uint8Array;
  try {
    bytes = fromBase64url(v);
  } catch (e) {
    throw new UrbisError('PROOF_MALFORMED', 'A JSON proof is not canonical base64url.', undefined, { cause: e });
  }
  return decodeProof(bytes);
}

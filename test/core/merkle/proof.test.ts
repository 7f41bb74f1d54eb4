// Proofs: every present key's inclusion proof and random absent keys' non-inclusion proofs verify;
// any single-bit change to a proof, value, key or root is rejected; a proof for one key never
// verifies for another; the binary and JSON encodings round-trip and reject malformed input.
import '../../../src/platform/node.js';
import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  EMPTY_HASH,
  MemorySmtNodeStore,
  PROOF_MAX_BYTES,
  SparseMerkleTree,
  decodeProof,
  encodeProof,
  proofFromJson,
  proofToJson,
  verifyProof,
  type SmtProof,
} from '../../../src/core/merkle/index.js';
import { isUrbisError, type ErrorCode } from '../../../src/core/errors.js';
import { hex, keyFromBits, refLeaf, refNode, sha, val } from './reference.js';

function code(f: () => unknown): ErrorCode | 'ok' | 'not-urbis' {
  try {
    f();
    return 'ok';
  } catch (e) {
    return isUrbisError(e) ? e.code : 'not-urbis';
  }
}

function flip(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice();
  c[bit >> 3] = c[bit >> 3]! ^ (0x80 >> (bit & 7));
  return c;
}

/** Verify of the binary form: malformed counts as rejected too. */
function verifyBytes(root: Uint8Array, key: Uint8Array, expected: Uint8Array | null, bytes: Uint8Array): ErrorCode | 'ok' | 'not-urbis' {
  return code(() => verifyProof(root, key, expected, decodeProof(bytes)));
}

const N = 300;
const keys = Array.from({ length: N }, (_, i) => sha(Uint8Array.of(i >> 8, i & 255)));
const vals = keys.map((k) => sha(k, Uint8Array.of(1)));
let tree: SparseMerkleTree;
let root: Uint8Array;

beforeAll(() => {
  const store = new MemorySmtNodeStore();
  tree = new SparseMerkleTree(store, EMPTY_HASH, { cacheCapacity: 0, checkReads: true });
  const u = tree.update(keys.map((key, i) => ({ key, value: vals[i]! })));
  store.apply(u.writes);
  tree.commit(u.root);
  root = u.root;
});

describe('proofs from a tree', () => {
  it('every key has an inclusion proof that verifies, through both encodings', () => {
    for (let i = 0; i < N; i++) {
      const p = tree.prove(keys[i]!);
      expect(p.terminal.kind).toBe('leaf');
      verifyProof(root, keys[i]!, vals[i]!, p);
      verifyProof(root, keys[i]!, vals[i]!, decodeProof(encodeProof(p)));
      verifyProof(root, keys[i]!, vals[i]!, proofFromJson(proofToJson(p)));
      expect(code(() => verifyProof(root, keys[i]!, null, p))).toBe('PROOF_INVALID');
      expect(code(() => verifyProof(root, keys[i]!, vals[(i + 1) % N]!, p))).toBe('PROOF_INVALID');
    }
  });

  it('random absent keys have non-inclusion proofs that verify (empty and leaf terminals)', () => {
    const kinds = new Set<string>();
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (k) => {
        const p = tree.prove(k);
        kinds.add(p.terminal.kind);
        verifyProof(root, k, null, p);
        verifyProof(root, k, null, decodeProof(encodeProof(p)));
        expect(code(() => verifyProof(root, k, val(1), p))).toBe('PROOF_INVALID');
      }),
      { numRuns: 300 },
    );
    expect([...kinds].sort()).toEqual(['empty', 'leaf']);
  });

  it('a proof for key A never verifies for key B', () => {
    for (let i = 0; i < 40; i++) {
      const a = i;
      const b = (i * 7 + 3) % N;
      if (a === b) continue;
      const p = tree.prove(keys[a]!);
      expect(code(() => verifyProof(root, keys[b]!, vals[a]!, p))).toBe('PROOF_INVALID');
      expect(code(() => verifyProof(root, keys[b]!, vals[b]!, p))).toBe('PROOF_INVALID');
      expect(code(() => verifyProof(root, keys[b]!, null, p))).toBe('PROOF_INVALID');
    }
  });

  it('any single-bit change to the encoded proof, the key, the value or the root is rejected', () => {
    for (const i of [0, 123]) {
      const k = keys[i]!;
      const v = vals[i]!;
      const bytes = encodeProof(tree.prove(k));
      expect(verifyBytes(root, k, v, bytes)).toBe('ok');
      for (let bit = 0; bit < bytes.length * 8; bit++) {
        expect(['PROOF_INVALID', 'PROOF_MALFORMED']).toContain(verifyBytes(root, k, v, flip(bytes, bit)));
      }
      for (let bit = 0; bit < 256; bit++) {
        expect(verifyBytes(flip(root, bit), k, v, bytes)).toBe('PROOF_INVALID');
        expect(verifyBytes(root, flip(k, bit), v, bytes)).toBe('PROOF_INVALID');
        expect(verifyBytes(root, k, flip(v, bit), bytes)).toBe('PROOF_INVALID');
      }
    }
    // The same for non-inclusion proofs.
    for (const k of [sha(Uint8Array.of(9, 9, 9))]) {
      const bytes = encodeProof(tree.prove(k));
      expect(verifyBytes(root, k, null, bytes)).toBe('ok');
      for (let bit = 0; bit < bytes.length * 8; bit++) {
        expect(['PROOF_INVALID', 'PROOF_MALFORMED']).toContain(verifyBytes(root, k, null, flip(bytes, bit)));
      }
      for (let bit = 0; bit < 256; bit++) expect(verifyBytes(flip(root, bit), k, null, bytes)).toBe('PROOF_INVALID');
    }
  });
});

describe('verifyProof on hand-built proofs', () => {
  const a = keyFromBits('00', 0x0f);
  const b = keyFromBits('01', 0xf0);
  const c = keyFromBits('1', 0x33);
  const la = refLeaf(a, val(1));
  const lb = refLeaf(b, val(2));
  const lc = refLeaf(c, val(3));
  const r = refNode(refNode(la, lb), lc);

  it('accepts the proofs the definition gives', () => {
    verifyProof(r, a, val(1), { depth: 2, siblings: [lc, lb], terminal: { kind: 'leaf', key: a, valueHash: val(1) } });
    verifyProof(r, c, val(3), { depth: 1, siblings: [refNode(la, lb)], terminal: { kind: 'leaf', key: c, valueHash: val(3) } });
    // 1… is c's subtree: an absent key there is answered with c's leaf.
    const d = keyFromBits('1', 0x34);
    verifyProof(r, d, null, { depth: 1, siblings: [refNode(la, lb)], terminal: { kind: 'leaf', key: c, valueHash: val(3) } });
    verifyProof(EMPTY_HASH, a, null, { depth: 0, siblings: [], terminal: { kind: 'empty' } });
    verifyProof(la, a, val(1), { depth: 0, siblings: [], terminal: { kind: 'leaf', key: a, valueHash: val(1) } });
    verifyProof(la, b, null, { depth: 0, siblings: [], terminal: { kind: 'leaf', key: a, valueHash: val(1) } });
  });

  it('rejects structural faults', () => {
    const good: SmtProof = { depth: 2, siblings: [lc, lb], terminal: { kind: 'leaf', key: a, valueHash: val(1) } };
    const bad: unknown[] = [
      null,
      'proof',
      { ...good, depth: 3 },
      { ...good, depth: 1.5 },
      { ...good, depth: -1 },
      { ...good, depth: 256, siblings: new Array(256).fill(lc) },
      { ...good, siblings: [lc] },
      { ...good, siblings: [lc, lb, lb] },
      { ...good, siblings: [lc, new Uint8Array(31)] },
      { ...good, siblings: [lc, Array.from(lb)] },
      { ...good, siblings: [lc, new Uint8Array(32)] }, // EMPTY written as bytes instead of null
      { ...good, terminal: { kind: 'leaf', key: a, valueHash: new Uint8Array(3) } },
      { ...good, terminal: { kind: 'node' } },
      { ...good, terminal: null },
    ];
    for (const p of bad) expect(code(() => verifyProof(r, a, val(1), p as SmtProof))).toBe('PROOF_INVALID');
    expect(code(() => verifyProof(r.subarray(1), a, val(1), good))).toBe('PROOF_INVALID');
    expect(code(() => verifyProof(r, a.subarray(1), val(1), good))).toBe('PROOF_INVALID');
    expect(code(() => verifyProof(r, a, new Uint8Array(5), good))).toBe('PROOF_INVALID');
  });

  it('rejects a terminal leaf off the key path, and a lone leaf under an empty sibling', () => {
    // A leaf whose key does not share the proof's prefix with the queried key.
    const x = keyFromBits('01', 0x77);
    const t = refNode(refNode(la, lb), lc);
    expect(code(() => verifyProof(t, x, null, { depth: 2, siblings: [lc, lb], terminal: { kind: 'leaf', key: a, valueHash: val(1) } }))).toBe('PROOF_INVALID');
    // A root that is not a compact tree, with c's leaf (bit 0 = 1) on the left: only the prefix
    // check stops it from "proving" that a left-side key is absent.
    const wrongSide = refNode(lc, lb);
    expect(code(() => verifyProof(wrongSide, a, null, { depth: 1, siblings: [lb], terminal: { kind: 'leaf', key: c, valueHash: val(3) } }))).toBe(
      'PROOF_INVALID',
    );
    // Non-canonical shape: nodeHash(leaf, EMPTY) is never a node of a compact tree.
    const nc = refNode(la, EMPTY_HASH);
    expect(code(() => verifyProof(nc, a, val(1), { depth: 1, siblings: [null], terminal: { kind: 'leaf', key: a, valueHash: val(1) } }))).toBe('PROOF_INVALID');
    expect(code(() => verifyProof(refNode(EMPTY_HASH, EMPTY_HASH), a, null, { depth: 1, siblings: [null], terminal: { kind: 'empty' } }))).toBe(
      'PROOF_INVALID',
    );
  });
});

describe('proof encodings', () => {
  it('binary layout: version, depth, bitmap, present siblings, terminal', () => {
    const s1 = val(0xaa);
    const s3 = val(0xbb);
    const p: SmtProof = { depth: 9, siblings: [s1, null, s3, null, null, null, null, null, s1], terminal: { kind: 'empty' } };
    const b = encodeProof(p);
    expect(hex(b.subarray(0, 4))).toBe('0109a080');
    expect(b.length).toBe(2 + 2 + 3 * 32 + 1);
    expect(b[b.length - 1]).toBe(0);
    expect(decodeProof(b)).toEqual(p);
    const leaf: SmtProof = { depth: 0, siblings: [], terminal: { kind: 'leaf', key: val(1), valueHash: val(2) } };
    expect(hex(encodeProof(leaf))).toBe('010001' + hex(val(1)) + hex(val(2)));
    expect(hex(encodeProof({ depth: 0, siblings: [], terminal: { kind: 'empty' } }))).toBe('010000');
  });

  it('round-trips arbitrary well-formed proofs; encode(decode(b)) = b', () => {
    const sib = fc.option(
      fc.uint8Array({ minLength: 32, maxLength: 32 }).filter((s) => s.some((x) => x !== 0)),
      { nil: null },
    );
    const terminal = fc.oneof(
      fc.constant({ kind: 'empty' as const }),
      fc.record({
        kind: fc.constant('leaf' as const),
        key: fc.uint8Array({ minLength: 32, maxLength: 32 }),
        valueHash: fc.uint8Array({ minLength: 32, maxLength: 32 }),
      }),
    );
    fc.assert(
      fc.property(fc.array(sib, { maxLength: 255 }), terminal, (siblings, t) => {
        const p: SmtProof = { depth: siblings.length, siblings, terminal: t };
        const b = encodeProof(p);
        expect(b.length).toBeLessThanOrEqual(PROOF_MAX_BYTES);
        expect(decodeProof(b)).toEqual(p);
        expect(hex(encodeProof(decodeProof(b)))).toBe(hex(b));
        expect(proofFromJson(proofToJson(p))).toEqual(p);
      }),
      { numRuns: 200 },
    );
  });

  it('decoding rejects truncated, oversized and non-canonical input with PROOF_MALFORMED', () => {
    const p = tree.prove(keys[5]!);
    const b = encodeProof(p);
    for (let n = 0; n < b.length; n++) expect(code(() => decodeProof(b.subarray(0, n)))).toBe('PROOF_MALFORMED');
    expect(code(() => decodeProof(Uint8Array.from([...b, 0])))).toBe('PROOF_MALFORMED');
    expect(code(() => decodeProof(new Uint8Array(PROOF_MAX_BYTES + 1)))).toBe('PROOF_MALFORMED');
    const e = encodeProof({ depth: 0, siblings: [], terminal: { kind: 'empty' } });
    expect(code(() => decodeProof(Uint8Array.from([...e, 0])))).toBe('PROOF_MALFORMED');
    // Wrong version, unknown terminal kind, unused bitmap bit set, a zero sibling marked present.
    expect(code(() => decodeProof(Uint8Array.of(2, 0, 0)))).toBe('PROOF_MALFORMED');
    expect(code(() => decodeProof(Uint8Array.of(1, 0, 2)))).toBe('PROOF_MALFORMED');
    expect(code(() => decodeProof(Uint8Array.of(1, 1, 0x40, 0)))).toBe('PROOF_MALFORMED');
    expect(code(() => decodeProof(Uint8Array.from([1, 1, 0x80, ...new Uint8Array(32), 0])))).toBe('PROOF_MALFORMED');
    expect(code(() => decodeProof(Uint8Array.from([1, 1, 0x80, ...val(1), 0])))).toBe('ok');
    expect(code(() => decodeProof([1, 0, 0] as unknown as Uint8Array))).toBe('PROOF_MALFORMED');
  });

  it('JSON form: strict base64url of the binary form', () => {
    const p = tree.prove(keys[9]!);
    const s = proofToJson(p);
    expect(s).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(s, 'base64url').equals(Buffer.from(encodeProof(p)))).toBe(true);
    for (const bad of [42, null, { proof: s }, s + '=', s.slice(0, -1) + '!', 'A', 'A'.repeat(20_000), s.slice(0, 10)]) {
      expect(code(() => proofFromJson(bad))).toBe('PROOF_MALFORMED');
    }
  });

  it('encodeProof refuses a malformed proof', () => {
    expect(code(() => encodeProof({ depth: 2, siblings: [null], terminal: { kind: 'empty' } }))).toBe('PROOF_MALFORMED');
  });
});

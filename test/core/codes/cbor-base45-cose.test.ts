// Deterministic CBOR (RFC 8949 §4.2.1), base45 (RFC 9285 §4.3, §4.4, §6 vectors in
// test/vectors/base45-rfc9285.json) and COSE_Sign1 with EdDSA (RFC 9052 §4.2, §4.4; cose-wg/Examples
// vectors in test/vectors/cose-sign1-eddsa.json).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { base45Decode, base45Encode } from '../../../src/core/codes/base45.js';
import { CborTag, decodeCbor, encodeCbor, type CborValue } from '../../../src/core/codes/cbor.js';
import { parseCoseSign1, sigStructure1, signCoseSign1, verifyCoseSign1 } from '../../../src/core/codes/cose.js';
import { fromHex, toHex, utf8Encode } from '../../../src/core/encoding/bytes.js';
import { ed25519PublicKey } from '../../../src/core/crypto/index.js';
import { isUrbisError } from '../../../src/core/errors.js';
import '../../../src/platform/node.js';

const B45 = JSON.parse(readFileSync(new URL('../../vectors/base45-rfc9285.json', import.meta.url), 'utf8')) as {
  vectors: Array<{ from: string; bytesHex: string; encoded: string }>;
  invalid: Array<{ from: string; encoded: string }>;
};
const COSE = JSON.parse(readFileSync(new URL('../../vectors/cose-sign1-eddsa.json', import.meta.url), 'utf8')) as {
  sign1: { key: { x: string; d: string }; payload: string; protected: string; toBeSigned: string; signature: string; coseSign1: string };
  negative: Array<{ desc: string; coseSign1: string }>;
};

const hex = (h: string) => fromHex(h);

describe('base45 (RFC 9285)', () => {
  for (const v of B45.vectors) {
    it(`${v.from}`, () => {
      expect(base45Encode(hex(v.bytesHex))).toBe(v.encoded);
      expect(toHex(base45Decode(v.encoded))).toBe(v.bytesHex);
    });
  }
  for (const v of B45.invalid) {
    it(`rejects: ${v.from}`, () => {
      expect(() => base45Decode(v.encoded)).toThrow(expect.objectContaining({ code: 'BASE45_INVALID' }));
    });
  }
  it('round-trips any bytes, and every string decodes or fails with BASE45_INVALID (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => toHex(base45Decode(base45Encode(b))) === toHex(b)));
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (s) => {
        try {
          const b = base45Decode(s);
          return base45Encode(b) === s; // §6: one encoding per byte string
        } catch (e) {
          return isUrbisError(e, 'BASE45_INVALID');
        }
      }),
    );
  });
});

describe('deterministic CBOR (RFC 8949 §4.2.1)', () => {
  it('encodes arguments in their shortest form and sorts map keys bytewise', () => {
    expect(toHex(encodeCbor(0))).toBe('00');
    expect(toHex(encodeCbor(23))).toBe('17');
    expect(toHex(encodeCbor(24))).toBe('1818');
    expect(toHex(encodeCbor(256))).toBe('190100');
    expect(toHex(encodeCbor(65536))).toBe('1a00010000');
    expect(toHex(encodeCbor(2 ** 32))).toBe('1b0000000100000000');
    expect(toHex(encodeCbor(-8))).toBe('27');
    expect(toHex(encodeCbor('a'))).toBe('6161');
    // §4.2.1: 10 (0x0a) < 100 (0x1864) < -1 (0x20) < "z" (0x617a) < "aa" (0x626161)
    const m = new Map<number | string, CborValue>([
      ['aa', 1],
      ['z', 2],
      [-1, 3],
      [100, 4],
      [10, 5],
    ]);
    expect(toHex(encodeCbor(m))).toBe('a50a05186404200361' + '7a02' + '62616101');
  });
  it('refuses every non-deterministic form', () => {
    const bad = [
      '1817', // 23 in two bytes
      '190017', // 23 in three bytes
      '1a000000ff',
      '5f4100ff', // indefinite byte string
      '9fff', // indefinite array
      'a2616201616101', // keys out of order ("b" before "a")
      'a2616101616102', // duplicate key
      'f93c00', // half float
      'fb3ff0000000000000', // double
      'f7', // undefined
      'c11a00000000', // tag 1 not allowed
      '0000', // trailing byte
      '62ff00', // invalid UTF-8
      '5a7fffffff', // length beyond the data
      '9a7fffffff',
      '1b0020000000000000', // beyond 2^53
    ];
    for (const b of bad) expect(() => decodeCbor(hex(b)), b).toThrow(expect.objectContaining({ code: 'CBOR_INVALID' }));
  });
  it('bounds nesting', () => {
    expect(() => decodeCbor(new Uint8Array(100).fill(0x81))).toThrow(expect.objectContaining({ code: 'CBOR_INVALID' }));
  });
  it('decode(encode(v)) = v, and any decoded bytes re-encode identically (property)', () => {
    const leaf = fc.oneof(fc.maxSafeInteger(), fc.string(), fc.uint8Array({ maxLength: 20 }), fc.boolean(), fc.constant(null));
    const val = fc.letrec<{ v: CborValue }>((tie) => ({
      v: fc.oneof(
        { maxDepth: 3 },
        leaf,
        fc.array(tie('v'), { maxLength: 4 }),
        fc.array(fc.tuple(fc.oneof(fc.string({ maxLength: 4 }), fc.integer()), tie('v')), { maxLength: 4 }).map((es) => new Map(es)),
      ),
    })).v;
    fc.assert(fc.property(val, (v) => toHex(encodeCbor(decodeCbor(encodeCbor(v)))) === toHex(encodeCbor(v))));
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        try {
          return toHex(encodeCbor(decodeCbor(b, { tags: [18] }))) === toHex(b);
        } catch (e) {
          return isUrbisError(e, 'CBOR_INVALID');
        }
      }),
      { numRuns: 5000 },
    );
  });
  it('keeps tags', () => {
    const t = decodeCbor(hex('d28100'), { tags: [18] });
    expect(t).toBeInstanceOf(CborTag);
    expect((t as CborTag).tag).toBe(18);
  });
});

describe('COSE_Sign1 with EdDSA (RFC 9052 §4.2–4.4, RFC 9053 §2.2)', () => {
  const v = COSE.sign1;
  const pub = hex(v.key.x);
  it('Sig_structure of the cose-wg example equals its ToBeSigned (RFC 9052 §4.4)', () => {
    expect(toHex(sigStructure1(hex(v.protected), hex(v.payload)))).toBe(v.toBeSigned);
  });
  it('verifies the cose-wg EdDSA COSE_Sign1 example (kid unprotected, content type protected)', async () => {
    const m = parseCoseSign1(hex(v.coseSign1));
    expect(toHex(m.payload)).toBe(v.payload);
    expect(await verifyCoseSign1(m, pub)).toBe(true);
    expect(toHex(ed25519PublicKey(hex(v.key.d)))).toBe(v.key.x);
  });
  for (const n of COSE.negative) {
    it(`rejects: ${n.desc}`, async () => {
      expect(await verifyCoseSign1(parseCoseSign1(hex(n.coseSign1)), pub)).toBe(false);
    });
  }
  it('signs deterministically and verifies its own messages; alg must be protected EdDSA', async () => {
    const kid = hex('0102030405060708');
    const a = signCoseSign1(utf8Encode('x'), hex(v.key.d), kid);
    expect(toHex(a)).toBe(toHex(signCoseSign1(utf8Encode('x'), hex(v.key.d), kid)));
    expect(toHex(a).startsWith('d2844da201270448' + '0102030405060708' + 'a0')).toBe(true);
    const m = parseCoseSign1(a);
    expect(await verifyCoseSign1(m, pub)).toBe(true);
    expect(await verifyCoseSign1({ ...m, protected: new Map([[1, -7]]) }, pub)).toBe(false);
  });
  it('rejects malformed structures with COSE_INVALID', () => {
    for (const b of ['80', 'd28340a040', 'd2844040a04040', 'd28441a0a04040', 'd28443a10127a1012740' + '40']) {
      expect(() => parseCoseSign1(hex(b)), b).toThrow(expect.objectContaining({ code: expect.stringMatching(/COSE_INVALID|CBOR_INVALID/) }));
    }
  });
});

describe('Sig_structure fast path', () => {
  it('equals the generic deterministic encoding for every length class (RFC 9052 §4.4)', () => {
    for (const n of [0, 1, 23, 24, 255, 256, 65535, 65536]) {
      const p = new Uint8Array(n).fill(3);
      const prot = new Uint8Array(Math.min(n, 300)).fill(1);
      const aad = new Uint8Array(n % 7);
      expect(toHex(sigStructure1(prot, p, aad))).toBe(toHex(encodeCbor(['Signature1', prot, aad, p])));
    }
  });
});

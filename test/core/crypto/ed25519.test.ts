// Ed25519 (RFC 8032 §5.1) and SHA-256 for both providers: RFC 8032 §7.1 vectors
// (test/vectors/ed25519-rfc8032.json), the derived negatives, the Urbis key rules, crafted
// mixed-order signatures on which the cofactored and cofactorless equations disagree, and a random
// cross test between the noble and node:crypto providers.
import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { ed25519 as nobleEd } from '@noble/curves/ed25519.js';
import { sha512 } from '@noble/hashes/sha2.js';
import {
  ed25519PublicKey,
  ed25519Sign,
  ed25519Verify,
  generateSeed,
  getCryptoProvider,
  nobleCryptoProvider,
  randomBytes,
  setCryptoProvider,
  sha256,
  type CryptoProvider,
} from '../../../src/core/crypto/index.js';
import { isPointEncodingCanonical, isScalarCanonical, isSmallOrderEncoding } from '../../../src/core/crypto/ed25519-rules.js';
import { nodeCryptoProvider } from '../../../src/platform/node.js';
import { concatBytes, fromHex, toHex, utf8Encode } from '../../../src/core/encoding/bytes.js';
import { isUrbisError } from '../../../src/core/errors.js';

interface Vec {
  name: string;
  secretKey: string;
  publicKey: string;
  message: string;
  signature: string;
}
interface Neg {
  name: string;
  publicKey: string;
  message: string;
  signature: string;
  valid: false;
}
const V = JSON.parse(readFileSync(new URL('../../vectors/ed25519-rfc8032.json', import.meta.url), 'utf8')) as { vectors: Vec[]; negative: Neg[] };

const hex = (s: string) => (s.length % 2 === 0 ? fromHex(s) : fromHex(s.slice(0, -1)));
const providers: CryptoProvider[] = [nobleCryptoProvider, nodeCryptoProvider];
const initial = getCryptoProvider();
afterAll(() => setCryptoProvider(initial));

const Point = nobleEd.Point;
const L = Point.Fn.ORDER;
const le = (b: Uint8Array) => b.reduceRight((n, x) => (n << 8n) | BigInt(x), 0n);
const toLe32 = (n: bigint) => Uint8Array.from({ length: 32 }, (_, i) => Number((n >> BigInt(8 * i)) & 255n));

for (const p of providers) {
  describe(`provider ${p.name}`, () => {
    it('sha256 (FIPS 180-4 examples)', () => {
      setCryptoProvider(p);
      expect(toHex(sha256(new Uint8Array(0)))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
      expect(toHex(sha256(utf8Encode('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
      expect(sha256(utf8Encode('abc'))).toBeInstanceOf(Uint8Array);
      expect(Object.getPrototypeOf(sha256(utf8Encode('abc')))).toBe(Uint8Array.prototype);
    });

    for (const v of V.vectors) {
      it(`RFC 8032 ${v.name}: derive, sign byte-identically, verify`, () => {
        setCryptoProvider(p);
        const seed = fromHex(v.secretKey, 32);
        const msg = fromHex(v.message);
        expect(toHex(ed25519PublicKey(seed))).toBe(v.publicKey);
        expect(toHex(ed25519Sign(seed, msg))).toBe(v.signature);
        expect(ed25519Verify(fromHex(v.signature), msg, fromHex(v.publicKey))).toBe(true);
        expect(p.ed25519Verify(fromHex(v.signature), msg, fromHex(v.publicKey))).toBe(true);
      });
    }

    for (const n of V.negative) {
      it(`rejects ${n.name}`, () => {
        setCryptoProvider(p);
        expect(ed25519Verify(hex(n.signature), hex(n.message), hex(n.publicKey))).toBe(false);
        // the raw provider too, where sizes allow calling it
        if (n.signature.length === 128) expect(p.ed25519Verify(hex(n.signature), hex(n.message), hex(n.publicKey))).toBe(false);
      });
    }

    it('rejects a signature under every small-order key and non-canonical key encodings', () => {
      setCryptoProvider(p);
      const v = V.vectors[0]!;
      const sig = fromHex(v.signature);
      for (const k of smallOrder) expect(ed25519Verify(sig, new Uint8Array(0), k)).toBe(false);
      for (const k of nonCanonical) expect(ed25519Verify(sig, new Uint8Array(0), k)).toBe(false);
    });

    it('never throws on malformed input', () => {
      setCryptoProvider(p);
      const v = V.vectors[1]!;
      const junk: unknown[] = [undefined, null, 'ab', 12, {}, [], new Uint8Array(0), new Uint8Array(65), new Uint16Array(32)];
      for (const j of junk) {
        expect(ed25519Verify(j as Uint8Array, fromHex(v.message), fromHex(v.publicKey))).toBe(false);
        expect(ed25519Verify(fromHex(v.signature), j as Uint8Array, fromHex(v.publicKey))).toBe(false);
        expect(ed25519Verify(fromHex(v.signature), fromHex(v.message), j as Uint8Array)).toBe(false);
      }
      // a 32-byte string that is not a curve point
      const notOnCurve = fromHex('0200000000000000000000000000000000000000000000000000000000000000');
      expect(ed25519Verify(fromHex(v.signature), fromHex(v.message), notOnCurve)).toBe(false);
      expect(p.ed25519Verify(fromHex(v.signature), fromHex(v.message), notOnCurve)).toBe(false);
    });

    it('refuses bad seeds with CRYPTO_KEY_INVALID', () => {
      setCryptoProvider(p);
      for (const s of [new Uint8Array(31), new Uint8Array(33), new Uint8Array(64), 'x' as unknown as Uint8Array]) {
        expect(() => ed25519Sign(s, new Uint8Array(1))).toThrow(expect.objectContaining({ code: 'CRYPTO_KEY_INVALID' }));
        expect(() => ed25519PublicKey(s)).toThrow(expect.objectContaining({ code: 'CRYPTO_KEY_INVALID' }));
      }
    });

    it('randomBytes and generateSeed', () => {
      setCryptoProvider(p);
      expect(randomBytes(0).length).toBe(0);
      const big = randomBytes(70_000); // more than one getRandomValues call
      expect(big.length).toBe(70_000);
      expect(big.subarray(65_536).some((x) => x !== 0)).toBe(true);
      const a = generateSeed();
      expect(a.length).toBe(32);
      expect(toHex(a)).not.toBe(toHex(generateSeed()));
      let err: unknown;
      try {
        randomBytes(-1);
      } catch (e) {
        err = e;
      }
      expect(isUrbisError(err, 'INTERNAL')).toBe(true);
    });
  });
}

const smallOrder = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => fromHex(h));

// y ≥ p (y + p for y = 0, 1 and 18), and x = 0 with the sign bit set (y = 1, y = p − 1)
const nonCanonical = [
  'edffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'eeffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
  'ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
  '0100000000000000000000000000000000000000000000000000000000000080',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff',
].map((h) => fromHex(h));

describe('Urbis Ed25519 rules', () => {
  it('the small-order list is exactly the 8-torsion subgroup', () => {
    const seen = new Set<string>();
    for (const k of smallOrder) {
      const pt = Point.fromBytes(k, false);
      expect(pt.isSmallOrder()).toBe(true);
      expect(isSmallOrderEncoding(k)).toBe(true);
      seen.add(toHex(pt.toBytes()));
    }
    expect(seen.size).toBe(8);
    expect(isSmallOrderEncoding(fromHex(V.vectors[0]!.publicKey))).toBe(false);
  });

  it('non-canonical encodings are detected', () => {
    for (const k of nonCanonical) expect(isPointEncodingCanonical(k)).toBe(false);
    for (const v of V.vectors) expect(isPointEncodingCanonical(fromHex(v.publicKey))).toBe(true);
    for (const k of smallOrder) expect(isPointEncodingCanonical(k)).toBe(true);
    // largest canonical y: p − 1 with the sign bit clear
    expect(isPointEncodingCanonical(fromHex('ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f'))).toBe(true);
  });

  it('S < L', () => {
    expect(isScalarCanonical(toLe32(L))).toBe(false);
    expect(isScalarCanonical(toLe32(L - 1n))).toBe(true);
    expect(isScalarCanonical(toLe32(L + 1n))).toBe(false);
    expect(isScalarCanonical(toLe32(0n))).toBe(true);
    expect(isScalarCanonical(toLe32(2n ** 256n - 1n))).toBe(false);
  });
});

describe('mixed-order keys: both providers use the cofactorless equation', () => {
  // A' = aB + T with T of order 8. For S = r + k·a, [S]B − [k]A' = R − [k]T, which equals R iff 8 | k.
  // Cofactored verification (stock noble) accepts every such signature; OpenSSL only those with 8 | k.
  const T = Point.fromBytes(smallOrder[3]!, false); // an order-8 point
  const a = le(sha512(utf8Encode('urbis mixed-order test scalar'))) % L;
  const Ap = Point.BASE.multiply(a).add(T);
  const pub = Ap.toBytes();
  const cases: { msg: Uint8Array; sig: Uint8Array; kMod8: bigint }[] = [];
  const count = (divisible: boolean) => cases.filter((c) => (c.kMod8 === 0n) === divisible).length;
  // about one message in eight has 8 | k: collect 4 of each kind
  for (let i = 0; (count(true) < 4 || count(false) < 4) && i < 500; i++) {
    const msg = utf8Encode(`message ${i}`);
    const r = (le(sha512(concatBytes(utf8Encode('nonce'), msg))) % (L - 1n)) + 1n;
    const R = Point.BASE.multiply(r).toBytes();
    const k = le(sha512(concatBytes(R, pub, msg))) % L;
    const S = (r + k * a) % L;
    const kMod8 = k % 8n;
    if (count(kMod8 === 0n) < 4) cases.push({ msg, sig: concatBytes(R, toLe32(S)), kMod8 });
  }

  it('found both kinds', () => {
    expect(count(true)).toBe(4);
    expect(count(false)).toBe(4);
    expect(Ap.isSmallOrder()).toBe(false);
    expect(Ap.isTorsionFree()).toBe(false);
  });

  it('noble and node agree, and accept iff 8 | k', () => {
    for (const c of cases) {
      const want = c.kMod8 === 0n;
      for (const p of providers) {
        setCryptoProvider(p);
        expect(ed25519Verify(c.sig, c.msg, pub), `${p.name} k mod 8 = ${c.kMod8}`).toBe(want);
      }
      // stock noble (cofactored) would accept them all: the reason the noble provider is custom
      expect(nobleEd.verify(c.sig, c.msg, pub, { zip215: false })).toBe(true);
    }
  });
});

describe('cross test noble ⇄ node', () => {
  it('200 random (seed, message) pairs: same keys, same signatures, mutual verification, bit flips rejected by both', () => {
    let seedState = 0x2545f491;
    const rnd = (n: number) => {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        seedState ^= seedState << 13;
        seedState ^= seedState >>> 17;
        seedState ^= seedState << 5;
        out[i] = seedState & 255;
      }
      return out;
    };
    for (let i = 0; i < 200; i++) {
      const seed = rnd(32);
      const msg = rnd(rnd(1)[0]! + (i % 3) * 100);
      const signer = providers[i % 2]!;
      const other = providers[(i + 1) % 2]!;
      const pub = signer.ed25519PublicKey(seed);
      expect(toHex(other.ed25519PublicKey(seed))).toBe(toHex(pub));
      const sig = signer.ed25519Sign(seed, msg);
      expect(toHex(other.ed25519Sign(seed, msg))).toBe(toHex(sig));
      setCryptoProvider(other);
      expect(ed25519Verify(sig, msg, pub)).toBe(true);
      // one random bit of signature, message or key
      const which = rnd(1)[0]! % 3;
      const target = which === 0 ? sig.slice() : which === 1 ? msg.slice() : pub.slice();
      if (target.length === 0) continue;
      const bit = (rnd(2)[0]! | (rnd(2)[1]! << 8)) % (target.length * 8);
      target[bit >> 3]! ^= 1 << (bit & 7);
      const args: [Uint8Array, Uint8Array, Uint8Array] = which === 0 ? [target, msg, pub] : which === 1 ? [sig, target, pub] : [sig, msg, target];
      for (const p of providers) {
        setCryptoProvider(p);
        expect(ed25519Verify(...args), `${p.name} flip ${which}/${bit}`).toBe(false);
      }
    }
  });
});

// Byte encodings (docs/protocol.md (Encoding) §2, §3): hex, base64url (RFC 4648 §5 vectors),
// base58btc and Multikey (W3C Controlled Identifiers example key), with strictness and round trips.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { bytesEqual, concatBytes, fromBase64url, fromHex, toBase64url, toHex, utf8Decode, utf8Encode } from '../../../src/core/encoding/bytes.js';
import { base58btcDecode, base58btcEncode } from '../../../src/core/encoding/base58.js';
import { multikeyToPublicKey, publicKeyToMultikey } from '../../../src/core/encoding/multikey.js';
import { isUrbisError, type ErrorCode } from '../../../src/core/errors.js';

function expectErr(code: ErrorCode, f: () => unknown): void {
  let err: unknown;
  try {
    f();
  } catch (e) {
    err = e;
  }
  expect(isUrbisError(err) ? err.code : err).toBe(code);
}

const ascii = (s: string) => new TextEncoder().encode(s);

describe('hex', () => {
  it('round trips lowercase', () => {
    expect(toHex(Uint8Array.from([0, 1, 0xab, 0xff]))).toBe('0001abff');
    expect(fromHex('0001abff')).toEqual(Uint8Array.from([0, 1, 0xab, 0xff]));
    expect(fromHex('')).toEqual(new Uint8Array(0));
    expect(fromHex('00ff', 2)).toEqual(Uint8Array.from([0, 255]));
  });
  it('is strict', () => {
    for (const s of ['0', 'ABCD', '0x00', 'zz', ' 00', '00 ', 'é0']) expectErr('ENC_HEX_INVALID', () => fromHex(s));
    expectErr('ENC_HEX_INVALID', () => fromHex('00', 2));
    expectErr('ENC_HEX_INVALID', () => fromHex(12 as unknown as string));
  });
  it('property: round trip', () => {
    fc.assert(
      fc.property(fc.uint8Array(), (b) => {
        expect(fromHex(toHex(b), b.length)).toEqual(b);
      }),
    );
  });
});

describe('base64url', () => {
  // RFC 4648 §10 vectors (base64url and base64 coincide on these, minus padding)
  const rfc: [string, string][] = [
    ['', ''],
    ['f', 'Zg'],
    ['fo', 'Zm8'],
    ['foo', 'Zm9v'],
    ['foob', 'Zm9vYg'],
    ['fooba', 'Zm9vYmE'],
    ['foobar', 'Zm9vYmFy'],
  ];
  for (const [plain, enc] of rfc) {
    it(`RFC 4648 "${plain}"`, () => {
      expect(toBase64url(ascii(plain))).toBe(enc);
      expect(fromBase64url(enc)).toEqual(ascii(plain));
    });
  }
  it('uses - and _', () => {
    expect(toBase64url(Uint8Array.from([0xfb, 0xff]))).toBe('-_8');
    expect(fromBase64url('-_8')).toEqual(Uint8Array.from([0xfb, 0xff]));
  });
  it('is strict', () => {
    for (const s of ['Zg==', 'Zg=', 'Z', 'Zm9vY', '+/8', 'Zm 9v', 'Zm9v\n', 'Zh', 'Zm9', 'Zm8é']) {
      expectErr('ENC_BASE64_INVALID', () => fromBase64url(s));
    }
  });
  it('property: round trip and agreement with Buffer', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (b) => {
        const s = toBase64url(b);
        expect(s).toBe(Buffer.from(b).toString('base64url'));
        expect(fromBase64url(s)).toEqual(b);
      }),
    );
  });
  it('property: every accepted string is canonical', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'), maxLength: 20 }), (s) => {
        let b: Uint8Array;
        try {
          b = fromBase64url(s);
        } catch {
          return;
        }
        expect(toBase64url(b)).toBe(s);
      }),
    );
  });
});

describe('utf8, concat, equal', () => {
  it('utf8 round trip, fatal decoding', () => {
    expect(utf8Decode(utf8Encode('a€😀'))).toBe('a€😀');
    expectErr('ENC_UTF8_INVALID', () => utf8Decode(Uint8Array.from([0xc3])));
    expectErr('ENC_UTF8_INVALID', () => utf8Decode(Uint8Array.from([0xed, 0xa0, 0x80]))); // encoded surrogate
    expect(utf8Decode(Uint8Array.from([0xef, 0xbb, 0xbf, 0x61]))).toBe('\uFEFFa'); // BOM kept
  });
  it('concatBytes and bytesEqual', () => {
    expect(concatBytes(Uint8Array.of(1), new Uint8Array(0), Uint8Array.of(2, 3))).toEqual(Uint8Array.of(1, 2, 3));
    expect(concatBytes()).toEqual(new Uint8Array(0));
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 2))).toBe(true);
    expect(bytesEqual(Uint8Array.of(1, 2), Uint8Array.of(1, 3))).toBe(false);
    expect(bytesEqual(Uint8Array.of(1), Uint8Array.of(1, 0))).toBe(false);
  });
});

describe('base58btc', () => {
  it('known values', () => {
    // draft-msporny-base58 §5 examples
    expect(base58btcEncode(ascii('Hello World!'))).toBe('2NEpo7TZRRrLZSi2U');
    expect(base58btcEncode(ascii('The quick brown fox jumps over the lazy dog.'))).toBe('USm3fpXnKG5EUBx2ndxBDMPVciP5hGey2Jh4NDv6gmeo1LkMeiKrLJUUBk6Z');
    expect(base58btcEncode(Uint8Array.of(0, 0, 0x28, 0x7f, 0xb4, 0xcd))).toBe('11233QC4');
    expect(base58btcDecode('11233QC4')).toEqual(Uint8Array.of(0, 0, 0x28, 0x7f, 0xb4, 0xcd));
    expect(base58btcEncode(new Uint8Array(0))).toBe('');
    expect(base58btcDecode('')).toEqual(new Uint8Array(0));
  });
  it('refuses characters outside the alphabet', () => {
    for (const s of ['0', 'O', 'I', 'l', '+', ' 1', 'é']) expectErr('ENC_BASE58_INVALID', () => base58btcDecode(s));
  });
  it('property: bijective', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (b) => {
        expect(base58btcDecode(base58btcEncode(b))).toEqual(b);
      }),
    );
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz'), maxLength: 30 }), (s) => {
        expect(base58btcEncode(base58btcDecode(s))).toBe(s);
      }),
    );
  });
});

describe('Multikey', () => {
  // A Multikey used in W3C examples (Data Integrity EdDSA); its bytes were decoded by an independent
  // Python base58 routine.
  const example = 'z6MkmM42vxfqZQsv4ehtTjFFxQ4sQKS2w6WR7emozFAn5cxu';
  const exampleHex = '666abe089035ed4a45795989fa720a0ee0c48549e84523485c56f1c81b4287a6';

  it('known values (cross-checked with an independent Python encoder)', () => {
    expect(toHex(multikeyToPublicKey(example))).toBe(exampleHex);
    // RFC 8032 TEST 1 public key
    expect(publicKeyToMultikey(fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a'))).toBe(
      'z6MktwupdmLXVVqTzCw4i46r4uGyosGXRnR3XjN4Zq7oMMsw',
    );
  });

  it('round trips and starts with z6Mk', () => {
    const pub = multikeyToPublicKey(example);
    expect(pub.length).toBe(32);
    expect(publicKeyToMultikey(pub)).toBe(example);
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (b) => {
        const m = publicKeyToMultikey(b);
        expect(m.startsWith('z6Mk')).toBe(true);
        expect(multikeyToPublicKey(m)).toEqual(b);
      }),
    );
  });
  it('refuses malformed keys', () => {
    const pub = new Uint8Array(32).fill(7);
    const b58 = (bytes: number[]) => 'z' + base58btcEncode(Uint8Array.from(bytes));
    const bad = [
      '',
      example.slice(1), // no multibase prefix
      'u' + example.slice(1), // another multibase
      example + '1', // 33-byte key
      example.slice(0, -1),
      example.replace('M', '0'), // non-alphabet
      b58([0xe7, 0x01, ...pub]), // secp256k1-pub
      b58([0xec, 0x01, ...pub]), // x25519-pub
      b58([0xed, 0x01, ...pub, 0]),
      b58([0xed, 0x01, ...pub.slice(1)]),
      b58([0xed]),
      'z' + 'z'.repeat(100),
    ];
    for (const s of bad) expectErr('ENC_MULTIKEY_INVALID', () => multikeyToPublicKey(s));
    expectErr('ENC_MULTIKEY_INVALID', () => multikeyToPublicKey(undefined as unknown as string));
    expectErr('CRYPTO_KEY_INVALID', () => publicKeyToMultikey(new Uint8Array(31)));
  });
});

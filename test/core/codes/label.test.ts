// The Urbis label (docs/codes.md): claims in deterministic CBOR, COSE_Sign1 EdDSA, UC1: + base45,
// the URL form, the verdicts of docs/codes.md §7, and the tamper properties of the issue: no single
// changed byte ever verifies VALID (exhaustively for one payload), any input gets a verdict or a
// typed error.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import QRCode from 'qrcode';
import '../../../src/platform/node.js';
import { codeUrl, CODE_PREFIX, makeCode, parseCode, recordDigest, verifyCode, type CodeFacts, type LabelClaims } from '../../../src/core/codes/index.js';
import { base45Decode, base45Encode } from '../../../src/core/codes/base45.js';
import { ed25519PublicKey } from '../../../src/core/crypto/index.js';
import { publicKeyToMultikey, toHex } from '../../../src/core/encoding/index.js';
import { isUrbisError } from '../../../src/core/errors.js';
import { objectIdText } from '../../../src/core/ledger/names.js';
import { deflateSync } from 'node:zlib';

const seed = new Uint8Array(32).fill(7);
const pub = ed25519PublicKey(seed);
const issuer = publicKeyToMultikey(pub);
const otherSeed = new Uint8Array(32).fill(9);
const otherPub = ed25519PublicKey(otherSeed);

// Computed, not written out: the check character is derived by the identifier codec.
const ID = objectIdText('156.130100.42', 'LAMP-000017');
const record = { type: 'lamp', attributes: { kind: 'sodium', height: 8, owner: 'city' } };
const T0 = 1_780_000_000; // seconds
const NOW = T0 * 1000 + 60_000;

function claims(over: Partial<LabelClaims> = {}): LabelClaims {
  return { id: ID, serial: 1, issuedAt: T0, chain: 'urbis-demo', digest: recordDigest(record, ['kind']), fields: ['kind'], ...over };
}

function facts(over: Partial<CodeFacts> = {}): CodeFacts {
  return {
    source: 'ledger',
    chainId: 'urbis-demo',
    asOf: NOW - 1000,
    issuers: { ns: '156.130100.42', active: [issuer], retired: [] },
    identifier: { status: 'active', record, version: 3 },
    ...over,
  };
}
const opts = { now: NOW, maxAgeMs: 3600_000 };

describe('label encoding (docs/codes.md §2–§6)', () => {
  it('round-trips claims through every form', () => {
    const c = claims({ expiresAt: T0 + 86400 });
    const made = makeCode(c, seed, pub);
    expect(made.text.startsWith(CODE_PREFIX)).toBe(true);
    expect(/^[0-9A-Z $%*+\-./:]+$/.test(made.text)).toBe(true); // QR alphanumeric set
    for (const form of [made.text, made.bytes, codeUrl('https://id.example.org/', ID, made.bytes)]) {
      const p = parseCode(form);
      expect(p.claims).toEqual(c);
      expect(toHex(p.bytes)).toBe(toHex(made.bytes));
    }
  });

  it('fits QR version ≤ 10 at error correction M for a typical identifier; compression would not help', () => {
    const made = makeCode(claims({ serial: 4_000_000_000, expiresAt: T0 + 5 * 365 * 86400, fields: ['kind', 'owner'] }), seed, pub);
    const qr = QRCode.create(made.text, { errorCorrectionLevel: 'M' });
    expect(qr.version).toBeLessThanOrEqual(10);
    // zlib (as in the EU DCC) makes this payload larger: 96 of its bytes are signature and digest.
    expect(deflateSync(made.bytes, { level: 9 }).length).toBeGreaterThanOrEqual(made.bytes.length);
  });

  it('refuses non-canonical or damaged claims with typed errors', () => {
    expect(() => makeCode(claims({ id: ID.toLowerCase() }), seed, pub)).toThrow(expect.objectContaining({ code: 'CODE_MALFORMED' }));
    expect(() => makeCode(claims({ serial: -1 }), seed, pub)).toThrow(expect.objectContaining({ code: 'CODE_MALFORMED' }));
    expect(() => makeCode(claims({ expiresAt: T0 }), seed, pub)).toThrow(expect.objectContaining({ code: 'CODE_MALFORMED' }));
    expect(() => makeCode(claims({ fields: ['b', 'a'] }), seed, pub)).toThrow(expect.objectContaining({ code: 'CODE_MALFORMED' }));
    expect(() => parseCode('HC1:6BFOXN')).toThrow(expect.objectContaining({ code: 'CODE_NOT_URBIS' }));
    expect(() => parseCode('https://example.org/x')).toThrow(expect.objectContaining({ code: 'CODE_NOT_URBIS' }));
  });

  it('the record digest covers the type and the named attributes only', () => {
    const d = recordDigest(record, ['kind']);
    expect(toHex(recordDigest({ ...record, attributes: { ...record.attributes, owner: 'x' } }, ['kind']))).toBe(toHex(d));
    expect(toHex(recordDigest({ ...record, attributes: { ...record.attributes, kind: 'led' } }, ['kind']))).not.toBe(toHex(d));
    expect(toHex(recordDigest({ ...record, type: 'camera' }, ['kind']))).not.toBe(toHex(d));
    // An attribute named but absent, then added, changes the digest.
    expect(toHex(recordDigest(record, ['kind', 'colour']))).not.toBe(
      toHex(recordDigest({ ...record, attributes: { ...record.attributes, colour: 'red' } }, ['kind', 'colour'])),
    );
  });
});

describe('verdicts (docs/codes.md §7)', () => {
  const made = makeCode(claims(), seed, pub);
  const v = (input: string | Uint8Array, f: CodeFacts = facts(), o = opts) => verifyCode(input, () => f, o);

  it('VALID with evidence', async () => {
    const r = await v(made.text);
    expect(r.verdict).toBe('VALID');
    expect(r.evidence).toMatchObject({ issuer, fieldsChecked: true, claims: { id: ID, serial: 1 } });
  });
  it('FORGED: a key without authority, an unknown chain, an unknown identifier', async () => {
    const forged = makeCode(claims(), otherSeed, otherPub);
    expect((await v(forged.text)).reason).toBe('issuer-unknown');
    expect((await v(forged.text)).verdict).toBe('FORGED');
    expect((await v(made.text, facts({ chainId: 'other' }))).reason).toBe('chain-unknown');
    expect((await v(made.text, facts({ issuers: undefined }))).verdict).toBe('FORGED');
    expect((await v(made.text, facts({ identifier: null }))).reason).toBe('identifier-unknown');
  });
  it('REVOKED: identifier deactivated, label serial revoked, issuer key withdrawn — a fresh serial stays VALID', async () => {
    expect((await v(made.text, facts({ identifier: { status: 'deactivated', record, version: 4 } }))).reason).toBe('identifier-deactivated');
    const rev = facts({ identifier: { status: 'active', record, version: 4, revokedLabels: [1] } });
    expect((await v(made.text, rev)).reason).toBe('label-revoked');
    expect((await v(makeCode(claims({ serial: 2 }), seed, pub).text, rev)).verdict).toBe('VALID');
    expect((await v(made.text, facts({ issuers: { ns: '156.130100.42', active: [], retired: [issuer] } }))).reason).toBe('issuer-withdrawn');
    // REVOKED is final: old data that already shows it still answers REVOKED, not STALE.
    expect((await v(made.text, { ...rev, asOf: 0 })).verdict).toBe('REVOKED');
  });
  it('EXPIRED, STALE and ALTERED', async () => {
    const exp = makeCode(claims({ expiresAt: T0 + 30 }), seed, pub);
    expect((await v(exp.text)).verdict).toBe('EXPIRED');
    expect((await v(made.text, facts({ asOf: NOW - 7200_000 }))).verdict).toBe('STALE');
    const changed = facts({ identifier: { status: 'active', record: { ...record, attributes: { ...record.attributes, kind: 'led' } }, version: 4 } });
    expect((await v(made.text, changed)).verdict).toBe('ALTERED');
    // An unrelated attribute changes nothing.
    const unrelated = facts({ identifier: { status: 'active', record: { ...record, attributes: { ...record.attributes, owner: 'x' } }, version: 4 } });
    expect((await v(made.text, unrelated)).verdict).toBe('VALID');
  });
  it('offline facts: revocation set lookups, STALE when issued after the bundle by an unknown key', async () => {
    const off: CodeFacts = {
      source: 'bundle',
      chainId: 'urbis-demo',
      asOf: NOW - 1000,
      issuers: { ns: '156.130100.42', active: [issuer], retired: [] },
      revoked: (it) => it === 'label:156.130100.42/LAMP-000017#1',
    };
    expect((await v(made.text, off)).verdict).toBe('REVOKED');
    expect((await v(makeCode(claims({ serial: 3 }), seed, pub).text, off)).evidence.fieldsChecked).toBe(false);
    const late = makeCode(claims({ issuedAt: T0 + 3600 }), otherSeed, otherPub);
    expect((await v(late.text, off, { now: NOW + 3600_000, maxAgeMs: 86400_000 })).verdict).toBe('STALE');
  });

  it('no single changed byte of the COSE message verifies VALID (exhaustive: every position, every value)', async () => {
    const b = made.bytes;
    const f = facts();
    const counts: Record<string, number> = {};
    for (let i = 0; i < b.length; i++) {
      for (let x = 1; x < 256; x++) {
        const t = b.slice();
        t[i] = t[i]! ^ x;
        let verdict: string;
        try {
          verdict = (await verifyCode(t, () => f, opts)).verdict;
        } catch (e) {
          expect(isUrbisError(e)).toBe(true);
          verdict = 'error';
        }
        expect(verdict, `byte ${i} ^ ${x}`).not.toBe('VALID');
        counts[verdict] = (counts[verdict] ?? 0) + 1;
      }
    }
    expect(counts.VALID).toBeUndefined();
    expect(Object.values(counts).reduce((a, n) => a + n, 0)).toBe(b.length * 255);
  }, 120_000);

  it('no single changed character of the text form verifies VALID (exhaustive over the base45 alphabet)', async () => {
    const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ $%*+-./:';
    const f = facts();
    for (let i = CODE_PREFIX.length; i < made.text.length; i++) {
      for (const ch of alphabet) {
        if (ch === made.text[i]) continue;
        const t = made.text.slice(0, i) + ch + made.text.slice(i + 1);
        let verdict = 'error';
        try {
          verdict = (await verifyCode(t, () => f, opts)).verdict;
        } catch (e) {
          expect(isUrbisError(e)).toBe(true);
        }
        expect(verdict, `char ${i} -> ${ch}`).not.toBe('VALID');
      }
    }
  }, 120_000);

  it('any byte string or string gets a verdict or a typed error, never a crash (fuzz)', async () => {
    const f = facts();
    const check = async (input: string | Uint8Array): Promise<boolean> => {
      try {
        const r = await verifyCode(input, () => f, opts);
        return r.verdict !== 'VALID' && typeof r.reason === 'string';
      } catch (e) {
        return isUrbisError(e);
      }
    };
    await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), check), { numRuns: 3000 });
    await fc.assert(
      fc.asyncProperty(
        fc.string({ maxLength: 300 }).map((s) => CODE_PREFIX + s),
        check,
      ),
      { numRuns: 2000 },
    );
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 300 }), (b) => check(CODE_PREFIX + base45Encode(b))),
      { numRuns: 2000 },
    );
    // Truncations and extensions of a real code.
    for (let n = 0; n < made.bytes.length; n++) expect(await check(made.bytes.slice(0, n))).toBe(true);
    expect(await check(new Uint8Array([...made.bytes, 0]))).toBe(true);
    expect(await check('x'.repeat(10_000))).toBe(true);
    expect(base45Decode(made.text.slice(CODE_PREFIX.length)).length).toBe(made.bytes.length);
  }, 120_000);
});

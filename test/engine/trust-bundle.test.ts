// Trust bundles (docs/codes.md §8): export from a ledger, verify offline against the genesis anchor,
// verdicts from the bundle alone; REVOKED only after a bundle refresh; STALE past the maximum age;
// a tampered or foreign bundle is refused. The revocation set has no false negatives.
import { describe, expect, it } from 'vitest';
import { expectOk, newChain, newSigner, OPEN_POLICY, withCity } from '../helpers/chain.js';
import { exportTrustBundle } from '../../src/engine/trust-bundle.js';
import {
  buildRevocationSet,
  makeCode,
  openRevocationSet,
  openTrustBundle,
  parseCode,
  recordDigest,
  revokedIdItem,
  verifyParsedCode,
} from '../../src/core/codes/index.js';
import { generateSeed } from '../../src/core/crypto/index.js';
import { signerFromSeed } from '../../src/core/ledger/tx.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import { isUrbisError } from '../../src/core/errors.js';

function setup() {
  const c = newChain();
  const city = withCity(c);
  const seed = generateSeed();
  const issuer = signerFromSeed(seed);
  expectOk(c.run('ns.update', { ns: '156.130100', policy: { ...OPEN_POLICY, issuers: [issuer.id] } }, [city]));
  const id = objectIdText('156.130100', 'LAMP-1');
  const record = { type: 'lamp', attributes: { kind: 'led' } };
  expectOk(c.run('id.register', { id, record }, [city]));
  const code = (serial: number) =>
    makeCode(
      { id, serial, issuedAt: Math.floor(c.time / 1000), chain: c.chainId, digest: recordDigest(record, ['kind']), fields: ['kind'] },
      seed,
      issuer.publicKey,
    );
  const anchor = { chainId: c.chainId, validators: [c.validator.id] };
  return { c, city, issuer, id, code, anchor };
}

describe('trust bundle', () => {
  it('verifies codes offline; REVOKED after id.deactivate only once the bundle is refreshed; STALE past maxAge', async () => {
    const { c, city, id, code, anchor } = setup();
    const opts = (now: number) => ({ now, maxAgeMs: 24 * 3600_000 });
    const label = code(1);
    let bundle = await openTrustBundle(exportTrustBundle(c.store, c.validator, c.time).bytes, anchor);
    expect(bundle.anchor).toBe('given');
    const p = parseCode(label.text);
    expect((await verifyParsedCode(p, bundle.factsFor(p), opts(c.time))).verdict).toBe('VALID');

    expectOk(c.run('id.deactivate', { id }, [city]));
    // The old bundle cannot know: still VALID offline (the accepted risk within maxAge).
    expect((await verifyParsedCode(p, bundle.factsFor(p), opts(c.time))).verdict).toBe('VALID');
    bundle = await openTrustBundle(exportTrustBundle(c.store, c.validator, c.time).bytes, anchor);
    const r = await verifyParsedCode(p, bundle.factsFor(p), opts(c.time));
    expect(r.verdict).toBe('REVOKED');
    expect(r.reason).toBe('identifier-deactivated');

    // STALE: a bundle older than the maximum age.
    const fresh = code(2);
    const q = parseCode(fresh.text);
    const late = c.time + 25 * 3600_000;
    expect((await verifyParsedCode(q, bundle.factsFor(q), opts(late))).verdict).toBe('REVOKED'); // revoked stays revoked
    const { c: c2, code: code2, anchor: anchor2 } = setup();
    const b2 = await openTrustBundle(exportTrustBundle(c2.store, c2.validator, c2.time).bytes, anchor2);
    const q2 = parseCode(code2(5).text);
    expect((await verifyParsedCode(q2, b2.factsFor(q2), opts(c2.time + 25 * 3600_000))).verdict).toBe('STALE');
  });

  it('revoked label serial is REVOKED offline while a fresh label of the same identifier is VALID', async () => {
    const { c, issuer, id, code, anchor } = setup();
    expectOk(c.run('label.revoke', { id, serial: 1 }, [issuer]));
    const b = await openTrustBundle(exportTrustBundle(c.store, c.validator, c.time).bytes, anchor);
    for (const [serial, want] of [
      [1, 'REVOKED'],
      [2, 'VALID'],
    ] as const) {
      const p = parseCode(code(serial).text);
      expect((await verifyParsedCode(p, b.factsFor(p), { now: c.time, maxAgeMs: 3600_000 })).verdict).toBe(want);
    }
  });

  it('refuses a tampered bundle, a bundle for another chain, one signed by a non-validator', async () => {
    const { c, anchor } = setup();
    const bytes = exportTrustBundle(c.store, c.validator, c.time).bytes;
    let refused = 0;
    for (let i = 0; i < bytes.length; i += Math.max(1, Math.floor(bytes.length / 200))) {
      const t = bytes.slice();
      t[i] = t[i]! ^ 0x01;
      try {
        await openTrustBundle(t, anchor);
      } catch (e) {
        expect(isUrbisError(e)).toBe(true);
        refused++;
        continue;
      }
      throw new Error(`byte ${i} flipped and the bundle still opened`);
    }
    expect(refused).toBeGreaterThan(100);
    await expect(openTrustBundle(bytes, { chainId: 'other', validators: anchor.validators })).rejects.toMatchObject({ code: 'BUNDLE_INVALID' });
    await expect(openTrustBundle(bytes, { chainId: anchor.chainId, validators: [newSigner().id] })).rejects.toMatchObject({ code: 'BUNDLE_INVALID' });
    expect(() => exportTrustBundle(c.store, signerFromSeed(generateSeed()), c.time)).toThrow(expect.objectContaining({ code: 'CERT_INVALID' }));
    await expect(openTrustBundle(new Uint8Array([1, 2, 3]))).rejects.toMatchObject({ code: 'BUNDLE_INVALID' });
  });
});

describe('revocation set (Golomb-coded, no false negatives)', () => {
  it('finds every member; false positives stay near 2^-p; 10^4 revoked of 10^6 fits in ~33 KB', () => {
    const items = Array.from({ length: 10_000 }, (_, i) => revokedIdItem(`156.130100/LAMP-${i}`));
    const set = buildRevocationSet('c', items);
    expect(set.data.length).toBeLessThan(34_000);
    const idx = openRevocationSet('c', set);
    for (const it of items) expect(idx.has(it)).toBe(true);
    let fp = 0;
    for (let i = 10_000; i < 60_000; i++) if (idx.has(revokedIdItem(`156.130100/LAMP-${i}`))) fp++;
    expect(fp).toBeLessThanOrEqual(2);
    expect(openRevocationSet('c', buildRevocationSet('c', [])).has('id:x')).toBe(false);
  });
  it('refuses malformed sets with typed errors', () => {
    const set = buildRevocationSet('c', ['a', 'b', 'c']);
    expect(() => openRevocationSet('c', { ...set, n: 1000 })).toThrow(expect.objectContaining({ code: 'BUNDLE_INVALID' }));
    expect(() => openRevocationSet('c', { ...set, p: 99 })).toThrow(expect.objectContaining({ code: 'BUNDLE_INVALID' }));
    expect(() => openRevocationSet('c', { ...set, data: new Uint8Array(0) })).toThrow(expect.objectContaining({ code: 'BUNDLE_INVALID' }));
  });
});

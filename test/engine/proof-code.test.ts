// Proof-carrying codes (docs/codes.md §9): a label with the Merkle proofs of its identifier's and
// namespace's entries and the certified header, verified with nothing but the genesis anchor.
import { describe, expect, it } from 'vitest';
import QRCode from 'qrcode';
import { expectOk, newChain, newSigner, OPEN_POLICY, withCity } from '../helpers/chain.js';
import { decodeProofCode, makeCode, makeProofCode, recordDigest, verifyProofCode, type CodeProofs } from '../../src/core/codes/index.js';
import { generateSeed } from '../../src/core/crypto/index.js';
import { signerFromSeed } from '../../src/core/ledger/tx.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import { idKey, nsKey } from '../../src/core/ledger/state.js';
import type { IdEntry, NsEntry } from '../../src/core/ledger/types.js';
import { isUrbisError } from '../../src/core/errors.js';

function setup(extraIds = 0) {
  const c = newChain();
  const city = withCity(c);
  const seed = generateSeed();
  const issuer = signerFromSeed(seed);
  expectOk(c.run('ns.update', { ns: '156.130100', policy: { ...OPEN_POLICY, issuers: [issuer.id] } }, [city]));
  const id = objectIdText('156.130100', 'LAMP-000001');
  const record = { type: 'lamp', attributes: { kind: 'led' } };
  expectOk(c.run('id.register', { id, record }, [city]));
  for (let i = 0; i < extraIds; i += 1000) {
    const items = Array.from({ length: Math.min(1000, extraIds - i) }, (_, k) => ({ local: `X-${i + k}`, record: { type: 'device' } }));
    expectOk(c.run('id.registerBatch', { ns: '156.130100', items }, [city]));
  }
  const label = makeCode(
    { id, serial: 1, issuedAt: Math.floor(c.time / 1000), chain: c.chainId, digest: recordDigest(record, ['kind']), fields: ['kind'] },
    seed,
    issuer.publicKey,
  );
  const pi = c.ledger.prove(idKey('156.130100/LAMP-000001'));
  const pn = c.ledger.prove(nsKey('156.130100'));
  const proofs: CodeProofs = { header: pi.header, cert: pi.cert, entry: pi.entry as IdEntry, entryProof: pi.proof, ns: pn.entry as NsEntry, nsProof: pn.proof };
  const anchor = { chainId: c.chainId, validators: [c.validator.id] };
  return { c, city, issuer, id, label, proofs, anchor };
}
const now = () => Date.now();

describe('proof-carrying codes', () => {
  it('verifies VALID with the genesis anchor alone; reports size and QR version', async () => {
    const s = setup(5000);
    const pc = makeProofCode(s.label.bytes, s.proofs);
    const v = await verifyProofCode(pc.text, s.anchor, { now: now() });
    expect(v).toMatchObject({ verdict: 'VALID', evidence: { source: 'proof', fieldsChecked: true } });
    expect((await verifyProofCode(pc.bytes, s.anchor, { now: now() })).verdict).toBe('VALID');
    // Informative: the size at ~5,000 entries (docs/codes.md §9 gives the figures; bench/codes.ts measures).
    const qr = (text: string, ec: 'L' | 'M') => {
      try {
        return QRCode.create(text, { errorCorrectionLevel: ec }).version;
      } catch {
        return 'too large';
      }
    };
    console.log(`proof-carrying code: ${pc.bytes.length} bytes, ${pc.text.length} characters, QR version ${qr(pc.text, 'M')} at M, ${qr(pc.text, 'L')} at L`);
    expect(pc.bytes.length).toBeLessThan(4096);
  });

  it('is FORGED when a proof, an entry or the header is altered, for another identifier, or under another anchor', async () => {
    const s = setup();
    const tamperedEntry = makeProofCode(s.label.bytes, { ...s.proofs, entry: { ...(s.proofs.entry as IdEntry), status: 'active', version: 99 } });
    expect((await verifyProofCode(tamperedEntry.text, s.anchor, { now: now() })).verdict).toBe('FORGED');
    const hidden = makeProofCode(s.label.bytes, { ...s.proofs, ns: { ...(s.proofs.ns as NsEntry), policy: { ...OPEN_POLICY, issuers: [newSigner().id] } } });
    expect((await verifyProofCode(hidden.text, s.anchor, { now: now() })).verdict).toBe('FORGED');
    expect((await verifyProofCode(makeProofCode(s.label.bytes, s.proofs).text, { ...s.anchor, validators: [newSigner().id] }, { now: now() })).verdict).toBe(
      'FORGED',
    );
    // Proofs of the namespace passed off as the identifier's.
    const swapped = makeProofCode(s.label.bytes, { ...s.proofs, entry: s.proofs.ns!, entryProof: s.proofs.nsProof! });
    expect((await verifyProofCode(swapped.text, s.anchor, { now: now() })).verdict).toBe('FORGED');
  });

  it('shows the state at issue time: REVOKED when issued for a deactivated identifier; no single changed byte verifies VALID', async () => {
    const s = setup();
    const pc = makeProofCode(s.label.bytes, s.proofs);
    const b = pc.bytes;
    for (let i = 0; i < b.length; i++) {
      const t = b.slice();
      t[i] = t[i]! ^ 0x5a;
      let verdict = 'error';
      try {
        verdict = (await verifyProofCode(t, s.anchor, { now: now() })).verdict;
      } catch (e) {
        expect(isUrbisError(e)).toBe(true);
      }
      expect(verdict, `byte ${i}`).not.toBe('VALID');
    }
    expectOk(s.c.run('id.deactivate', { id: s.id }, [s.city]));
    const pi = s.c.ledger.prove(idKey('156.130100/LAMP-000001'));
    const pn = s.c.ledger.prove(nsKey('156.130100'));
    const later = makeProofCode(s.label.bytes, {
      header: pi.header,
      cert: pi.cert,
      entry: pi.entry as IdEntry,
      entryProof: pi.proof,
      ns: pn.entry as NsEntry,
      nsProof: pn.proof,
    });
    expect((await verifyProofCode(later.text, s.anchor, { now: now() })).verdict).toBe('REVOKED');
    expect(decodeProofCode(later.text).proofs.header.height).toBe(pi.header.height);
  }, 120_000);
});

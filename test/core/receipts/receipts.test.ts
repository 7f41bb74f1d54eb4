// Access receipts: RFC 9162 §2.1.3 audit paths built for a batch and verified, against the RFC 6962
// vectors of test/vectors/merkle-rfc6962.json; receipts.anchor authority on the ledger.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { buildBatch, receiptLeaf, receiptsRoot, verifyInclusion, verifyReceiptProof, type Receipt } from '../../../src/core/receipts/index.js';
import { fromHex, toHex } from '../../../src/core/encoding/bytes.js';
import { mthLeaf } from '../../../src/core/ledger/block.js';
import { isUrbisError } from '../../../src/core/errors.js';
import { codeOf, expectOk, newChain, newSigner, withCity } from '../../helpers/chain.js';

const V = JSON.parse(readFileSync(new URL('../../vectors/merkle-rfc6962.json', import.meta.url), 'utf8'));
const leaves: Uint8Array[] = V.leafInputs.map((h: string) => mthLeaf(fromHex(h)));

function fails(f: () => void): string {
  try {
    f();
    return 'OK';
  } catch (e) {
    return isUrbisError(e) ? e.code : String(e);
  }
}

describe('RFC 9162 inclusion proofs', () => {
  it('§2.1.3.1: the batch builder gives the published roots and audit paths', () => {
    for (let n = 1; n <= leaves.length; n++) expect(toHex(buildBatch(leaves.slice(0, n)).root)).toBe(V.rootsBySize[n]);
    for (const p of V.computed.inclusionProofs) {
      const b = buildBatch(leaves.slice(0, p.treeSize));
      expect(b.path(p.leafIdx).map(toHex), `${p.leafIdx}/${p.treeSize}`).toEqual(p.proof);
    }
  });

  it('§2.1.3.2: the published probes verify or fail as the source says', () => {
    for (const p of V.inclusionProbes.probes) {
      const r = fails(() =>
        verifyInclusion(
          fromHex(p.leafHash),
          p.leafIdx,
          p.treeSize,
          p.proof.map((h: string) => fromHex(h)),
          fromHex(p.root),
        ),
      );
      expect(r === 'OK', `${p.file}: ${p.desc}`).toBe(!p.wantErr);
    }
  });

  it('a receipt proves its place; a changed field does not', () => {
    const rs: Receipt[] = Array.from({ length: 7 }, (_, i) => ({
      v: 1,
      service: 'S',
      grantee: 'G',
      key: 'k',
      grant: 'a'.repeat(64),
      height: 3,
      request: i.toString(16).padStart(64, '0'),
      method: 'GET',
      path: `/x/${i}`,
      status: 200,
      time: 1000 + i,
      response: 'b'.repeat(64),
    }));
    const b = buildBatch(rs.map(receiptLeaf));
    const root = receiptsRoot(rs);
    expect(toHex(b.root)).toBe(root);
    for (let i = 0; i < rs.length; i++) {
      const proof = { receipt: rs[i]!, index: i, size: rs.length, path: b.path(i).map(toHex), root };
      expect(fails(() => verifyReceiptProof(proof))).toBe('OK');
      expect(fails(() => verifyReceiptProof({ ...proof, receipt: { ...rs[i]!, status: 500 } }))).toBe('PROOF_INVALID');
      expect(fails(() => verifyReceiptProof({ ...proof, index: (i + 1) % rs.length }))).toBe('PROOF_INVALID');
    }
  });
});

describe('receipts.anchor', () => {
  it('only the controllers of the service anchor its receipts', () => {
    const c = newChain();
    const city = withCity(c);
    const owner = newSigner();
    expectOk(c.run('id.register', { id: '156.130100/FEED', record: { type: 'service' }, controllers: { keys: [owner.id], threshold: 1 } }, [city]));
    const service = c.store.id('156.130100/FEED')!.id;
    const p = { service, root: 'c'.repeat(64), count: 3, from: 1, until: 2 };
    expectOk(c.run('receipts.anchor', p, [owner]));
    expect(codeOf(c.run('receipts.anchor', p, [newSigner()]))).toBe('AUTH_THRESHOLD');
    expect(codeOf(c.run('receipts.anchor', { ...p, root: 'XYZ' }, [owner]))).toBe('TX_MALFORMED');
    expect(codeOf(c.run('receipts.anchor', { ...p, until: 0 }, [owner]))).toBe('TX_MALFORMED');
  });
});

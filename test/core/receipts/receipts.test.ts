// Access receipts: RFC 9162 §2.1.3 audit paths of a batch (the list trees are tested against the
// RFC 6962 vectors in test/core/merkle/log.test.ts); receipts.anchor authority on the ledger.
import { describe, expect, it } from 'vitest';
import { buildBatch, receiptLeaf, receiptsRoot, verifyReceiptProof, type Receipt } from '../../../src/core/receipts/index.js';
import { toHex } from '../../../src/core/encoding/bytes.js';
import { codeOf, expectOk, newChain, newSigner, thrownCode, withCity } from '../../helpers/chain.js';

describe('receipt proofs (RFC 9162 §2.1.3, the trees of src/core/merkle/log.ts)', () => {
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
      expect(thrownCode(() => verifyReceiptProof(proof))).toBe('OK');
      expect(thrownCode(() => verifyReceiptProof({ ...proof, receipt: { ...rs[i]!, status: 500 } }))).toBe('PROOF_INVALID');
      expect(thrownCode(() => verifyReceiptProof({ ...proof, index: (i + 1) % rs.length }))).toBe('PROOF_INVALID');
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

// Block headers, transaction roots and finality certificates (src/core/ledger/block.ts,
// docs/protocol.md "Blocks"). The list-tree hashing itself is tested against the RFC 6962 vectors in
// test/core/merkle/log.test.ts; here: the header hash, the transaction root as RFC 9162 §2.1 MTH over
// the block's { tx, result } leaves, the header-time rule, and certificates (> 2/3, each signer once).
import { describe, expect, it } from 'vitest';
import {
  checkCertificate,
  headerHash,
  headerSigningInput,
  headerTimeFault,
  isQuorum,
  MAX_HEADER_CLOCK_SKEW_MS,
  signHeader,
  txLeaf,
  txLeafOf,
  txRoot,
  validatorsHash,
  verifyCertificate,
  ZERO_HASH,
} from '../../../src/core/ledger/block.js';
import { merkleTreeHash, mthLeaf, mthNode } from '../../../src/core/merkle/index.js';
import { encodeTx } from '../../../src/core/ledger/tx.js';
import { canonicalJson, concatBytes, fromHex, toHex, utf8Encode } from '../../../src/core/encoding/index.js';
import { sha256 } from '../../../src/core/crypto/index.js';
import { isUrbisError } from '../../../src/core/errors.js';
import type { BlockHeader, Certificate, Tx, TxResult } from '../../../src/core/ledger/types.js';
import { newSigner, T0, thrownCode } from '../../helpers/chain.js';

const vs = [newSigner(), newSigner(), newSigner(), newSigner()];
const validators = vs.map((s) => s.id);
const header: BlockHeader = {
  v: 2,
  chain: 'test-chain',
  height: 7,
  prev: 'ab'.repeat(32),
  historyRoot: 'ef'.repeat(32),
  time: T0,
  txRoot: ZERO_HASH,
  stateRoot: 'cd'.repeat(32),
  txCount: 0,
  nextValidators: validatorsHash(validators),
};
const hash = headerHash(header);
const certBy = (signers: typeof vs, h = header): Certificate => ({
  height: h.height,
  headerHash: headerHash(h),
  sigs: signers.map((s) => signHeader(headerHash(h), s)),
});

describe('header hash and validator hash', () => {
  it('the header hash is SHA-256 of its RFC 8785 JSON; any field changes it', () => {
    expect(hash).toBe(toHex(sha256(utf8Encode(canonicalJson(header)))));
    for (const k of ['height', 'time', 'txCount'] as const) expect(headerHash({ ...header, [k]: header[k] + 1 })).not.toBe(hash);
    expect(headerHash({ ...header, stateRoot: 'ce' + header.stateRoot.slice(2) })).not.toBe(hash);
  });
  it('the validator hash does not depend on the order of the list, and does on its members', () => {
    expect(validatorsHash([...validators].reverse())).toBe(validatorsHash(validators));
    expect(validatorsHash(validators.slice(1))).not.toBe(validatorsHash(validators));
  });
});

describe('transaction root (RFC 9162 §2.1 over { tx, result } entries)', () => {
  const txs = [0, 1, 2].map((n) => ({ body: { n }, sigs: [] }) as unknown as Tx);
  const ok: TxResult = { ok: true };
  const no: TxResult = { ok: false, code: 'AUTH_THRESHOLD', message: 'no' };
  it('is the MTH of the leaves: empty, one and three entries computed by hand', () => {
    expect(txRoot([], [])).toBe(toHex(sha256(new Uint8Array())));
    const l = txs.map((t) => txLeaf(t, ok));
    expect(toHex(l[0]!)).toBe(toHex(sha256(concatBytes(new Uint8Array([0]), utf8Encode('{"result":{"ok":true},"tx":{"body":{"n":0},"sigs":[]}}')))));
    expect(txRoot(txs.slice(0, 1), [ok])).toBe(toHex(l[0]!));
    expect(txRoot(txs, [ok, ok, ok])).toBe(toHex(mthNode(mthNode(l[0]!, l[1]!), l[2]!)));
    expect(txRoot(txs, [ok, ok, ok])).toBe(toHex(merkleTreeHash(l)));
  });
  it('commits to each outcome and to the order', () => {
    expect(txRoot(txs, [ok, no, ok])).not.toBe(txRoot(txs, [ok, ok, ok]));
    expect(txRoot([txs[1]!, txs[0]!, txs[2]!], [ok, ok, ok])).not.toBe(txRoot(txs, [ok, ok, ok]));
    expect(txLeaf(txs[0]!, ok)).toEqual(mthLeaf(utf8Encode(canonicalJson({ result: ok, tx: txs[0] }))));
  });
  it("from the transactions' encodings: the same leaves and root; entries without one are serialised", () => {
    const wide = [...txs, { body: { s: 'Straße 𝄞' }, sigs: [{ key: 'k', sig: 'é' }] } as unknown as Tx];
    const encs = wide.map((t) => encodeTx(t as unknown as Record<string, unknown>));
    for (const [i, t] of wide.entries()) for (const r of [ok, no]) expect(toHex(txLeafOf(encs[i]!.bytes, r))).toBe(toHex(txLeaf(t, r)));
    const results = [ok, no, ok, no];
    expect(txRoot(wide, results, encs)).toBe(txRoot(wide, results));
    expect(txRoot(wide, results, [null, encs[1]!, null, encs[3]!])).toBe(txRoot(wide, results));
  });
});

describe('header time rule', () => {
  it('refuses a time before the previous block or beyond the clock plus the skew bound', () => {
    expect(headerTimeFault(header, T0, T0)).toBeNull();
    expect(headerTimeFault(header, null, T0 - MAX_HEADER_CLOCK_SKEW_MS)).toBeNull();
    expect(headerTimeFault(header, T0 + 1, T0)).toMatch(/before the previous block/);
    expect(headerTimeFault(header, null, T0 - MAX_HEADER_CLOCK_SKEW_MS - 1)).toMatch(/ahead of this validator's clock/);
    // Old headers are signed (a node catching up); freshness is the reader's rule.
    expect(headerTimeFault(header, T0 - 1, T0 + 10 * 86_400_000)).toBeNull();
  });
});

describe('certificates', () => {
  it('quorum is more than two thirds', () => {
    expect([isQuorum(3, 4), isQuorum(2, 4), isQuorum(2, 3), isQuorum(3, 3), isQuorum(1, 1), isQuorum(0, 0), isQuorum(5, 7), isQuorum(4, 7)]).toEqual([
      true,
      false,
      false,
      true,
      true,
      false,
      true,
      false,
    ]);
  });

  it('validators sign "urbis/header/v1\\n" ‖ hash', () => {
    expect(headerSigningInput(hash)).toEqual(concatBytes(utf8Encode('urbis/header/v1\n'), fromHex(hash)));
    expect(signHeader(hash, vs[0]!).key).toBe(vs[0]!.id);
  });

  it('sorts signatures into valid, invalid and unknown, each key once', () => {
    const outsider = newSigner();
    const cert = certBy([vs[0]!, vs[1]!, vs[2]!]);
    const s = cert.sigs[2]!.sig;
    cert.sigs[2] = { key: vs[2]!.id, sig: (s[0] === 'A' ? 'B' : 'A') + s.slice(1) };
    cert.sigs.push(cert.sigs[0]!, cert.sigs[0]!, signHeader(hash, outsider), { key: vs[3]!.id, sig: 'short' });
    expect(checkCertificate(cert, validators)).toEqual({ valid: [vs[0]!.id, vs[1]!.id], invalid: [vs[2]!.id, vs[3]!.id], unknown: [outsider.id] });
    // A certificate whose header hash is not 32 bytes of hex: nothing is valid, and nothing throws.
    expect(checkCertificate({ ...cert, headerHash: 'xyz' }, validators).valid).toEqual([]);
  });

  it('verifyCertificate: 3 of 4 holds; 2 valid of 4 (duplicates and a bad third do not count), another header or height are CERT_INVALID', () => {
    expect(thrownCode(() => verifyCertificate(header, certBy(vs.slice(0, 3)), validators))).toBe('OK');
    const two = certBy(vs.slice(0, 2));
    two.sigs.push(two.sigs[0]!, two.sigs[1]!);
    try {
      verifyCertificate(header, two, validators);
      throw new Error('accepted');
    } catch (e) {
      expect(isUrbisError(e, 'CERT_INVALID') && e.details).toMatchObject({ height: 7, valid: 2, validators: 4 });
    }
    const other = { ...header, time: T0 + 1 };
    expect(thrownCode(() => verifyCertificate(other, certBy(vs.slice(0, 3)), validators))).toBe('CERT_INVALID');
    expect(thrownCode(() => verifyCertificate(header, { ...certBy(vs.slice(0, 3)), height: 8 }, validators))).toBe('CERT_INVALID');
    // Signatures of another validator set do not count.
    expect(thrownCode(() => verifyCertificate(header, certBy(vs.slice(0, 3)), [newSigner().id, newSigner().id]))).toBe('CERT_INVALID');
  });
});

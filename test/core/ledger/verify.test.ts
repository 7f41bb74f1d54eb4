/**
 * The one reader verifier (docs/protocol.md "Proofs"): what it returns is exactly what it checked.
 * Signers are distinct validators with valid signatures (a certificate is valid with > 2/3 of them,
 * docs/protocol.md "Finality"), and the certificate handed back holds only those signatures.
 */
import { describe, expect, it } from 'vitest';
import '../../../src/platform/node.js';
import { headerHash, signHeader } from '../../../src/core/ledger/block.js';
import { AnswerVerifier, verifyProvenEntry, type TrustAnchor } from '../../../src/core/ledger/verify.js';
import { proofToJson } from '../../../src/core/merkle/index.js';
import type { Certificate } from '../../../src/core/ledger/types.js';
import { Ledger } from '../../../src/engine/ledger.js';
import { MemoryStore } from '../../../src/storage/memory/memory-store.js';
import { T0, newSigner } from '../../helpers/chain.js';

function fourValidators() {
  const vs = [newSigner(), newSigner(), newSigner(), newSigner()];
  const ledger = new Ledger(new MemoryStore(), { validator: vs[0]! });
  const chainId = 'verify-test';
  ledger.commitGenesis({
    body: {
      v: 1,
      chain: chainId,
      type: 'genesis',
      nonce: 'g',
      validFrom: T0,
      validUntil: T0,
      payload: { chainId, time: T0, root: { keys: [newSigner().id], threshold: 1 }, validators: vs.map((v) => v.id) },
    },
    sigs: [],
  });
  const p = ledger.prove('ns:156');
  const hash = headerHash(p.header);
  const good = vs.map((v) => signHeader(hash, v));
  const anchor: TrustAnchor = { chainId, validators: vs.map((v) => v.id) };
  return { vs, p, hash, good, anchor };
}

/** A signature that does not verify (one character changed, still valid base64url). */
function broken(sig: string): string {
  return (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
}

describe('reader verifier', () => {
  it('counts only valid signatures: 3 valid and 1 invalid is 3 signers, not 4', () => {
    const { p, hash, good, anchor } = fourValidators();
    const cert: Certificate = { height: p.header.height, headerHash: hash, sigs: [good[0]!, good[1]!, good[2]!, { ...good[3]!, sig: broken(good[3]!.sig) }] };
    expect(verifyProvenEntry({ ...p, cert }, anchor).signers).toBe(3);
    const v = new AnswerVerifier(anchor).verifyProven({ ...p, proof: proofToJson(p.proof), cert }, p.key);
    expect(v.signers).toBe(3);
    expect(v.verified.cert.sigs.map((s) => s.key)).toEqual([good[0]!.key, good[1]!.key, good[2]!.key]);
  });

  it('counts a validator once however often it signs', () => {
    const { p, hash, good, anchor } = fourValidators();
    const cert: Certificate = { height: p.header.height, headerHash: hash, sigs: [good[0]!, good[0]!, good[1]!, good[2]!, good[1]!] };
    expect(verifyProvenEntry({ ...p, cert }, anchor).signers).toBe(3);
  });

  it('refuses 2 of 4 even when padded with duplicates and strangers', () => {
    const { p, hash, good, anchor } = fourValidators();
    const stranger = signHeader(hash, newSigner());
    const cert: Certificate = {
      height: p.header.height,
      headerHash: hash,
      sigs: [good[0]!, good[0]!, good[1]!, stranger, { ...good[2]!, sig: broken(good[2]!.sig) }],
    };
    expect(() => verifyProvenEntry({ ...p, cert }, anchor)).toThrow(/2 valid validator signatures of 4/);
  });

  it('hands back the verified certificate, not the bytes next to a cached header', () => {
    const { p, hash, good, anchor } = fourValidators();
    const verifier = new AnswerVerifier(anchor);
    const json = { ...p, proof: proofToJson(p.proof), cert: { height: p.header.height, headerHash: hash, sigs: good } };
    const first = verifier.verifyProven(json, p.key);
    expect(first.verified.cert.sigs).toHaveLength(4);
    // Same header, garbage certificate: the cache recognises the header; the caller must not get the garbage.
    const garbage = { height: p.header.height, headerHash: hash, sigs: [{ key: 'z', sig: 'not a signature' }] };
    const second = verifier.verifyProven({ ...json, cert: garbage }, p.key);
    expect(second.verified.cert).toEqual(first.verified.cert);
    expect(second.signers).toBe(4);
    // And what the caller holds cannot change the cache.
    second.verified.cert.sigs.length = 0;
    expect(verifier.verifyProven(json, p.key).verified.cert.sigs).toHaveLength(4);
  });
});

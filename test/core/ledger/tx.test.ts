// Transaction hashing and signatures (src/core/ledger/tx.ts, docs/protocol.md "Transactions",
// "Signatures"): the hash is over the RFC 8785 body only, signatures over the domain-separated hash,
// co-signing keeps the identity, and only the exact canonical text of a transaction is admitted.
import { describe, expect, it } from 'vitest';
import {
  buildTxBody,
  checkCanonicalTxText,
  cosignTx,
  encodeTx,
  countSigners,
  meetsThreshold,
  signTx,
  txHash,
  txSigningInput,
  verifyTxSignature,
  verifyTxSignatures,
} from '../../../src/core/ledger/tx.js';
import { signHeader, headerSigningInput } from '../../../src/core/ledger/block.js';
import { canonicalJson, concatBytes, fromBase64url, toHex, utf8Encode } from '../../../src/core/encoding/index.js';
import { ed25519Verify, sha256 } from '../../../src/core/crypto/index.js';
import { multikeyToPublicKey } from '../../../src/core/encoding/multikey.js';
import { newSigner, T0, thrownCode } from '../../helpers/chain.js';
import { isUrbisError } from '../../../src/core/errors.js';

const [a, b, c] = [newSigner(), newSigner(), newSigner()];
const body = buildTxBody('id.deactivate', { id: '156.130100/LAMP-1:Y', reason: 'gone' }, { chain: 'test-chain', now: T0, nonce: 'n-1' });

describe('hash and signing input', () => {
  it('the hash is SHA-256 of the RFC 8785 body; member order does not change it', () => {
    expect(txHash(body)).toBe(toHex(sha256(utf8Encode(canonicalJson(body)))));
    const reordered = JSON.parse(
      JSON.stringify({
        payload: body.payload,
        v: body.v,
        validUntil: body.validUntil,
        validFrom: body.validFrom,
        nonce: body.nonce,
        type: body.type,
        chain: body.chain,
      }),
    );
    expect(txHash(reordered)).toBe(txHash(body));
    expect(txHash({ ...body, nonce: 'n-2' })).not.toBe(txHash(body));
  });

  it('the window opens a minute before now and lasts ten minutes by default; a nonce is random when not given', () => {
    expect([body.validFrom, body.validUntil, body.v]).toEqual([T0 - 60_000, T0 + 600_000, 1]);
    const x = buildTxBody('id.deactivate', { id: '156.130100/LAMP-1:Y' }, { chain: 'c', now: 10, ttlMs: 5 });
    expect([x.validFrom, x.validUntil]).toEqual([0, 15]);
    expect(x.nonce).toMatch(/^[A-Za-z0-9_-]{16}$/);
    expect(buildTxBody('id.deactivate', { id: 'x' }, { chain: 'c', now: 10 }).nonce).not.toBe(x.nonce);
  });

  it('signatures cover "urbis/tx/v1\\n" ‖ hash: a header signature over the same 32 bytes does not verify as a transaction signature', () => {
    const hash = txHash(body);
    expect(txSigningInput(hash)).toEqual(concatBytes(utf8Encode('urbis/tx/v1\n'), sha256(utf8Encode(canonicalJson(body)))));
    const tx = signTx(body, [a]);
    expect(ed25519Verify(fromBase64url(tx.sigs[0]!.sig), txSigningInput(hash), multikeyToPublicKey(a.id))).toBe(true);
    // Domain separation: the same key signing the same hash as a header.
    const asHeader = signHeader(hash, a);
    expect(ed25519Verify(fromBase64url(asHeader.sig), headerSigningInput(hash), a.publicKey)).toBe(true);
    expect(verifyTxSignature(hash, a.id, asHeader.sig)).toBe(false);
    expect(thrownCode(() => txSigningInput('abcd'))).not.toBe('OK');
  });
});

describe('signing, co-signing and verification', () => {
  it('signTx returns the body in canonical member order, so JSON.stringify of it is canonical', () => {
    const tx = signTx(body, [a, b]);
    expect(JSON.stringify(tx.body)).toBe(canonicalJson(body));
    expect(tx.sigs.map((s) => s.key)).toEqual([a.id, b.id]);
    expect(() => checkCanonicalTxText(JSON.stringify(tx), JSON.parse(JSON.stringify(tx)))).not.toThrow();
  });

  it('cosignTx adds only new signers and keeps the hash', () => {
    const one = signTx(body, [a]);
    const two = cosignTx(one, [a, b]);
    expect(two.sigs.map((s) => s.key)).toEqual([a.id, b.id]);
    expect(two.sigs[0]).toEqual(one.sigs[0]);
    expect(txHash(two.body)).toBe(txHash(one.body));
    expect([...verifyTxSignatures(two, txHash(two.body))].sort()).toEqual([a.id, b.id].sort());
  });

  it('verifyTxSignatures names the first bad signature (TX_SIGNATURE_INVALID); the verifier refuses malformed keys and signatures', () => {
    const tx = cosignTx(signTx(body, [a]), [b]);
    const hash = txHash(tx.body);
    const s = tx.sigs[1]!.sig;
    const bad = { ...tx, sigs: [tx.sigs[0]!, { key: b.id, sig: (s[0] === 'A' ? 'B' : 'A') + s.slice(1) }] };
    try {
      verifyTxSignatures(bad, hash);
      throw new Error('accepted');
    } catch (e) {
      expect(isUrbisError(e, 'TX_SIGNATURE_INVALID') && e.details).toEqual({ index: 1, key: b.id });
    }
    // A signature by a for another transaction, and a's signature presented as c's.
    expect(verifyTxSignature(txHash({ ...body, nonce: 'other' }), a.id, tx.sigs[0]!.sig)).toBe(false);
    expect(verifyTxSignature(hash, c.id, tx.sigs[0]!.sig)).toBe(false);
    expect(verifyTxSignature(hash, 'z6Mknot-a-key', tx.sigs[0]!.sig)).toBe(false);
    expect(verifyTxSignature(hash, a.id, tx.sigs[0]!.sig.slice(0, 43))).toBe(false);
    expect(verifyTxSignature(hash, a.id, '!!')).toBe(false);
    // A caching verifier supplied by the node is used instead of the default.
    const seen: string[] = [];
    verifyTxSignatures(tx, hash, (_h, key) => (seen.push(key), true));
    expect(seen).toEqual([a.id, b.id]);
  });

  it('thresholds count distinct members of the set among the valid signers', () => {
    const signed = new Set([a.id, c.id]);
    expect(countSigners({ keys: [a.id, b.id], threshold: 2 }, signed)).toBe(1);
    expect(countSigners([a.id, b.id, c.id], signed)).toBe(2);
    expect(meetsThreshold({ keys: [a.id, b.id, c.id], threshold: 2 }, signed)).toBe(true);
    expect(meetsThreshold({ keys: [a.id, b.id], threshold: 2 }, signed)).toBe(false);
  });
});

describe('checkCanonicalTxText (only the exact RFC 8785 text is admitted)', () => {
  const tx = signTx(body, [a]);
  const text = canonicalJson(tx);
  const check = (t: string) => {
    try {
      checkCanonicalTxText(t, JSON.parse(t));
      return 'OK';
    } catch (e) {
      return isUrbisError(e) ? `${e.code} ${e.message}` : String(e);
    }
  };

  it('accepts the canonical text', () => expect(check(text)).toBe('OK'));

  it('refuses a duplicate member (the last value would win in JSON.parse) and names it', () => {
    const dup = text.replace('"reason":"gone"', '"reason":"gone","reason":"stolen"');
    expect(JSON.parse(dup).body.payload.reason).toBe('stolen');
    expect(check(dup)).toMatch(/^TX_NOT_CANONICAL .*reason twice/);
  });

  it.each([
    ['whitespace', (t: string) => t.replace('{"body"', '{ "body"')],
    ['another member order', (_t: string) => `{"sigs":${JSON.stringify(tx.sigs)},"body":${canonicalJson(tx.body)}}`],
    ['an escaped character', (t: string) => t.replace('"gone"', '"\\u0067one"')],
    ['another number form', (t: string) => t.replace(`"validFrom":${body.validFrom}`, `"validFrom":${body.validFrom}.0`)],
  ])('refuses %s with the offset of the first difference', (_what, change) => {
    const changed = change(text);
    expect(changed).not.toBe(text);
    expect(check(changed)).toMatch(/^TX_NOT_CANONICAL .*first difference at character \d+/);
  });
});

describe('encodeTx (each transaction serialised once)', () => {
  const signed = signTx(body, [a, b]);
  // Non-ASCII text in the body (multi-byte UTF-8) and in a signature-like field, so byte offsets differ from character offsets.
  const wide = { body: { ...body, payload: { id: '156.130100/LAMP-1:Y', reason: 'Straße – 街灯 𝄞' } }, sigs: [{ key: 'z6Mké', sig: 'ü𝄞' }] };
  it.each([
    ['a signed transaction', signed],
    ['multi-byte characters in body and sigs', wide],
    ['members given out of order', { sigs: signed.sigs, body: signed.body }],
  ])('%s: text, bytes and hash are those computed separately', (_, tx) => {
    const enc = encodeTx(tx as unknown as Record<string, unknown>);
    expect(enc.text).toBe(canonicalJson(tx));
    expect(toHex(enc.bytes)).toBe(toHex(utf8Encode(canonicalJson(tx))));
    expect(enc.hash).toBe(txHash(tx.body as typeof body));
  });
  it('an object with other members than body and sigs: its canonical text, the hash of its body if it has one', () => {
    const extra = { body, sigs: [], more: 1 };
    expect(encodeTx(extra).text).toBe(canonicalJson(extra));
    expect(encodeTx(extra).hash).toBe(txHash(body));
    expect(encodeTx({ sigs: [] }).hash).toBeNull();
    expect(encodeTx({ sigs: [] }).text).toBe('{"sigs":[]}');
  });
  it('refuses what has no canonical JSON form', () => {
    expect(thrownCode(() => encodeTx({ body: { x: Number.NaN }, sigs: [] }))).toBe('ENC_JSON_INVALID');
  });
});

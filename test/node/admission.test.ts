/**
 * Admission (docs/protocol.md "Admission", docs/api.md "POST /v1/tx"): a transaction is admitted only
 * as its exact RFC 8785 canonical JSON (RFC 8785 §3.2; duplicate member names are refused, RFC 7493
 * §2.3, since RFC 8259 §4 lets parsers disagree on them), and within a per-signer allowance charged
 * only for admitted transactions.
 */
import { describe, expect, it } from 'vitest';
import { canonicalJson } from '../../src/core/encoding/index.js';
import { txHash } from '../../src/core/ledger/tx.js';
import { withCity } from '../helpers/chain.js';
import { newTestNode } from '../helpers/node.js';

const post = (n: ReturnType<typeof newTestNode>, payload: string) =>
  n.app.inject({ method: 'POST', url: '/v1/tx', payload, headers: { 'content-type': 'application/json' } });

describe('admission: one encoding of what was signed', () => {
  function setup() {
    const n = newTestNode({ rateLimit: 0 });
    const city = withCity(n.chain);
    const tx = n.chain.tx('id.register', { id: '156.130100/LAMP-7', record: { type: 'lamp', attributes: { watts: 40 } } }, [city]);
    return { n, city, tx, canon: canonicalJson(tx) };
  }

  it('refuses duplicate member names, whichever value a parser would keep', async () => {
    const { n, tx, canon } = setup();
    // The signed type first, a second "type" after it: JSON.parse keeps the last one.
    const dup = canon.replace('"type":"id.register"', '"type":"id.register","type":"id.deactivate"');
    expect(dup).not.toBe(canon);
    const r = await post(n, dup);
    expect(r.statusCode).toBe(400);
    expect(r.json()).toMatchObject({ code: 'TX_NOT_CANONICAL', details: { path: '$.body.type' } });
    // Also when both values are the same.
    const same = canon.replace('"nonce":', `"nonce":${JSON.stringify(tx.body.nonce)},"nonce":`);
    expect((await post(n, same)).json().code).toBe('TX_NOT_CANONICAL');
  });

  it('refuses other encodings of the same value: whitespace, member order, escapes', async () => {
    const { n, tx, canon } = setup();
    const variants = [
      JSON.stringify(tx, null, 1),
      `${canon}\n`,
      JSON.stringify({ sigs: tx.sigs, body: tx.body }),
      canon.replace('"lamp"', '"\\u006camp"'),
      canon.replace('"watts":40', '"watts":40.0'),
    ];
    for (const v of variants) {
      const r = await post(n, v);
      expect(r.statusCode, v.slice(0, 60)).toBe(400);
      expect(r.json().code).toBe('TX_NOT_CANONICAL');
    }
    n.sequencer.cut();
    expect(n.chain.store.tx(txHash(tx.body))).toBeUndefined();
  });

  it('admits the canonical form', async () => {
    const { n, canon } = setup();
    expect((await post(n, canon)).statusCode).toBe(202);
  });
});

describe('admission: per-signer limits', () => {
  it('refuses a signer over its allowance with 429 and Retry-After, and charges only admitted transactions', async () => {
    let now = 1_000_000;
    const n = newTestNode({ rateLimit: 0, signerLimits: { rate: 1, burst: 2, now: () => now } });
    const city = withCity(n.chain);
    const tx = (i: number) => n.chain.tx('id.register', { id: `156.130100/L-${i}`, record: { type: 'lamp' } }, [city]);
    // Garbage signed in the city's name does not spend the city's allowance.
    for (let i = 0; i < 5; i++) {
      const forged = tx(100 + i);
      forged.sigs[0]!.sig = (forged.sigs[0]!.sig[0] === 'A' ? 'B' : 'A') + forged.sigs[0]!.sig.slice(1);
      expect((await post(n, canonicalJson(forged))).json().code).toBe('TX_SIGNATURE_INVALID');
    }
    expect((await post(n, canonicalJson(tx(1)))).statusCode).toBe(202);
    expect((await post(n, canonicalJson(tx(2)))).statusCode).toBe(202);
    const r = await post(n, canonicalJson(tx(3)));
    expect(r.statusCode).toBe(429);
    expect(r.json()).toMatchObject({ code: 'TX_SIGNER_LIMITED', details: { key: city.id } });
    expect(Number(r.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    now += 1000;
    expect((await post(n, canonicalJson(tx(3)))).statusCode).toBe(202);
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import '../../src/platform/node.js';
import { fromHex } from '../../src/core/encoding/index.js';
import { VerifyPool } from '../../src/engine/verify-pool.js';
import { LocalSequencer } from '../../src/ordering/local/sequencer.js';
import { isUrbisError } from '../../src/core/errors.js';
import { newChain, newSigner, withCity } from '../helpers/chain.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/ed25519-rfc8032.json', import.meta.url), 'utf8')) as {
  vectors: Array<{ publicKey: string; message: string; signature: string }>;
};

const pool = new VerifyPool(1, 4);
afterAll(() => pool.close());

describe('VerifyPool', () => {
  it('agrees with RFC 8032 and rejects corrupted signatures, across batch boundaries', async () => {
    const items: Array<[Uint8Array, Uint8Array, Uint8Array]> = [];
    const want: boolean[] = [];
    for (const v of vectors.vectors) {
      const pub = fromHex(v.publicKey);
      const msg = fromHex(v.message);
      const sig = fromHex(v.signature);
      items.push([pub, msg, sig]);
      want.push(true);
      const bad = sig.slice();
      bad[5]! ^= 1;
      items.push([pub, msg, bad]);
      want.push(false);
    }
    expect(await pool.verify(items)).toEqual(want);
    // Many small concurrent requests come back to the right callers.
    const res = await Promise.all(items.map((it) => pool.verify([it])));
    expect(res.map((r) => r[0])).toEqual(want);
  });

  it('drives asynchronous admission: good transactions commit, forged ones are refused with their code', async () => {
    const c = newChain();
    const city = withCity(c);
    const seq = new LocalSequencer(c.ledger, { blockIntervalMs: 5, now: () => c.time, pool });
    const good = c.tx('id.register', { id: '156.130100/P-1', record: { type: 'lamp' } }, [city]);
    const forged = c.tx('id.register', { id: '156.130100/P-2', record: { type: 'lamp' } }, [newSigner()]);
    forged.sigs[0]!.sig = good.sigs[0]!.sig;
    const s = await seq.submitAsync(good);
    expect((await s.done).result.ok).toBe(true);
    const err = await seq.submitAsync(forged).catch((e: unknown) => e);
    expect(isUrbisError(err, 'TX_SIGNATURE_INVALID')).toBe(true);
    expect(c.store.id('156.130100/P-2')).toBeUndefined();
    seq.stop();
  });
});

import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import '../../src/platform/node.js';
import { fromHex } from '../../src/core/encoding/index.js';
import { VerifyPool } from '../../src/engine/verify-pool.js';
import { ed25519PublicKey, ed25519Sign } from '../../src/core/crypto/index.js';
import { LocalSequencer } from '../../src/ordering/local/sequencer.js';
import { isUrbisError } from '../../src/core/errors.js';
import { newChain, newSigner, withCity } from '../helpers/chain.js';

const vectors = JSON.parse(readFileSync(new URL('../vectors/ed25519-rfc8032.json', import.meta.url), 'utf8')) as {
  vectors: Array<{ publicKey: string; message: string; signature: string }>;
};

const pool = new VerifyPool(1, 4);
afterAll(() => pool.close());

/** Signatures by a few keys over distinct messages; `bad` lists the positions made to fail. */
function signed(n: number, bad: Set<number>): { items: Array<[Uint8Array, Uint8Array, Uint8Array]>; want: boolean[] } {
  const keys = [1, 2, 3].map((k) => {
    const seed = new Uint8Array(32).fill(k);
    return { seed, pub: ed25519PublicKey(seed) };
  });
  const items: Array<[Uint8Array, Uint8Array, Uint8Array]> = [];
  const want: boolean[] = [];
  for (let i = 0; i < n; i++) {
    const k = keys[i % keys.length]!;
    const msg = new TextEncoder().encode(`message ${i}`);
    const sig = ed25519Sign(k.seed, msg);
    // A bad one is good in every byte but one: signed by another key, or a flipped bit in the message.
    if (bad.has(i)) items.push(i % 2 ? [keys[(i + 1) % keys.length]!.pub, msg, sig] : [k.pub, new TextEncoder().encode(`message ${i}!`), sig]);
    else items.push([k.pub, msg, sig]);
    want.push(!bad.has(i));
  }
  return { items, want };
}

describe('VerifyPool', () => {
  it('gives the same verdicts, in order, with 1 and 2 workers; the bad signatures among good ones are found', async () => {
    const bad = new Set([0, 17, 63, 64, 255, 299]);
    const { items, want } = signed(300, bad);
    const one = new VerifyPool(1, 64);
    const two = new VerifyPool(2, 64);
    try {
      expect(one.size).toBe(1);
      expect(two.size).toBe(2);
      const a = await one.verify(items);
      const b = await two.verify(items);
      expect(a).toEqual(want);
      expect(b).toEqual(a);
      expect(b.flatMap((ok, i) => (ok ? [] : [i]))).toEqual([...bad]);
      // Requests of mixed sizes in flight at once, spread over both workers, each answered in its order.
      const sizes = [1, 63, 64, 65, 7, 97, 3];
      const parts: Array<typeof items> = [];
      let o = 0;
      for (const n of sizes) parts.push(items.slice(o, (o += n)));
      const res = await Promise.all(parts.map((p) => two.verify(p)));
      expect(res.flat()).toEqual(want);
    } finally {
      await one.close();
      await two.close();
    }
  });

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

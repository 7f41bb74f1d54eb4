/**
 * Network admission with the verification worker pool (src/ordering/jetstream/orderer.ts): the
 * signatures of a submitted transaction are checked on the pool's workers, a forged one is refused
 * with its code before anything is published, and without a pool admission stays synchronous.
 */
import { afterAll, describe, expect, it } from 'vitest';
import '../../../src/platform/node.js';
import { JetStreamOrderer } from '../../../src/ordering/jetstream/orderer.js';
import type { NetworkFollower } from '../../../src/ordering/jetstream/follower.js';
import type { StreamPublisher } from '../../../src/ordering/jetstream/publisher.js';
import { VerifyPool } from '../../../src/engine/verify-pool.js';
import { isUrbisError } from '../../../src/core/errors.js';
import { newChain, newSigner, withCity } from '../../helpers/chain.js';

const pool = new VerifyPool(1, 16);
afterAll(() => pool.close());

/** An orderer over a test chain, with a follower and publisher that only record what they are asked. */
function orderer(withPool: boolean) {
  const c = newChain();
  const city = withCity(c);
  const published: string[] = [];
  const follower = {
    divergence: null,
    notReady: () => null,
    backlog: () => 0,
    waitFor: () => new Promise(() => {}),
    existingWaiter: () => null,
    dropWaiters: () => {},
  } as unknown as NetworkFollower;
  const publisher = {
    full: () => false,
    publish: async (_subject: string, data: Uint8Array) => {
      published.push(new TextDecoder().decode(data));
    },
  } as unknown as StreamPublisher;
  const o = new JetStreamOrderer({
    ledger: c.ledger,
    follower,
    publisher,
    subject: 'txs',
    blockIntervalMs: 20,
    maxInFlight: 1000,
    maxBacklog: 1000,
    maxPayload: 1 << 20,
    now: () => c.time,
    ...(withPool ? { pool } : {}),
  });
  return { c, city, o, published };
}

describe('network admission on the verification pool', () => {
  it('checks signatures on the workers; a forged one is refused with its code and never published', async () => {
    const { c, city, o, published } = orderer(true);
    const calls: number[] = [];
    const verify = pool.verify.bind(pool);
    pool.verify = (items) => {
      calls.push(items.length);
      return verify(items);
    };
    try {
      const good = c.tx('id.register', { id: '156.130100/P-1', record: { type: 'lamp' } }, [city]);
      const forged = c.tx('id.register', { id: '156.130100/P-2', record: { type: 'lamp' } }, [newSigner()]);
      forged.sigs[0]!.sig = good.sigs[0]!.sig;
      const pending = o.submit(good);
      expect(pending).toBeInstanceOf(Promise);
      const s = await pending;
      await s.accepted;
      expect(calls).toEqual([1]);
      expect(s.hash).toMatch(/^[0-9a-f]{64}$/);
      expect(published.join('')).toContain('156.130100/P-1');
      const err = await Promise.resolve(o.submit(forged)).catch((e: unknown) => e);
      expect(isUrbisError(err, 'TX_SIGNATURE_INVALID')).toBe(true);
      expect(calls).toEqual([1, 1]);
      expect(published.join('')).not.toContain('156.130100/P-2');
    } finally {
      pool.verify = verify;
      o.close();
    }
  });

  it('without a pool, admission is synchronous and refuses the same forgery', () => {
    const { c, city, o } = orderer(false);
    const good = c.tx('id.register', { id: '156.130100/R-1', record: { type: 'lamp' } }, [city]);
    const forged = c.tx('id.register', { id: '156.130100/R-2', record: { type: 'lamp' } }, [newSigner()]);
    forged.sigs[0]!.sig = good.sigs[0]!.sig;
    const s = o.submit(good);
    expect(s).not.toBeInstanceOf(Promise);
    let err: unknown;
    try {
      o.submit(forged);
    } catch (e) {
      err = e;
    }
    expect(isUrbisError(err, 'TX_SIGNATURE_INVALID')).toBe(true);
    o.close();
  });
});

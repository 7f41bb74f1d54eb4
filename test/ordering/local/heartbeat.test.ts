// Heartbeat blocks of the single-node sequencer (docs/protocol.md "Heartbeat blocks"): an idle chain
// cuts an empty, signed block once its head is heartbeatMs old, so that a reader's maximum age can
// be on by default. The clock is the test's.
import { afterEach, describe, expect, it } from 'vitest';
import { headerHash, verifyCertificate } from '../../../src/core/ledger/block.js';
import { LocalSequencer } from '../../../src/ordering/local/sequencer.js';
import { OPEN_POLICY, newChain, withCity } from '../../helpers/chain.js';

const seqs: LocalSequencer[] = [];
afterEach(() => {
  for (const s of seqs.splice(0)) s.stop();
});

function setup(heartbeatMs: number) {
  const c = newChain();
  withCity(c);
  const seq = new LocalSequencer(c.ledger, { blockIntervalMs: 5, heartbeatMs, now: () => c.time });
  seqs.push(seq);
  return { c, seq };
}

describe('local sequencer heartbeat', () => {
  it('cuts an empty certified block once the head is heartbeatMs old, not before', () => {
    const { c, seq } = setup(30_000);
    const head = c.store.head()!;
    c.time = head.header.time + 29_999;
    expect(seq.heartbeat()).toBeNull();
    expect(c.store.head()!.height).toBe(head.height);
    c.time = head.header.time + 30_000;
    const r = seq.heartbeat()!;
    expect(r.height).toBe(head.height + 1);
    const b = c.store.block(r.height)!;
    expect(b.txs).toEqual([]);
    expect(b.header).toMatchObject({ txCount: 0, prev: head.headerHash, time: c.time, stateRoot: head.header.stateRoot });
    // Certified like any block: the validator signed exactly this header.
    verifyCertificate(b.header, c.store.cert(r.height)!, [c.validator.id]);
    expect(c.store.cert(r.height)!.headerHash).toBe(headerHash(b.header));
    // The next heartbeat counts from the new head.
    c.time += 10_000;
    expect(seq.heartbeat()).toBeNull();
  });

  it('cuts nothing while transactions wait (they get their block) and nothing when off', () => {
    const { c, seq } = setup(1000);
    c.time += 5000;
    seq.submit(c.tx('ns.create', { ns: '840', controllers: { keys: [c.root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'country' } }, [c.root]));
    expect(seq.heartbeat()).toBeNull();
    const off = new LocalSequencer(c.ledger, { heartbeatMs: 0, now: () => c.time + 1e9 });
    seqs.push(off);
    expect(off.heartbeat()).toBeNull();
  });

  it('fires by itself on a real timer when the chain is idle', async () => {
    const c = newChain();
    const seq = new LocalSequencer(c.ledger, { heartbeatMs: 100 });
    seqs.push(seq);
    const start = c.store.head()!.height;
    for (let i = 0; i < 200 && c.store.head()!.height < start + 2; i++) await new Promise((r) => setTimeout(r, 50));
    expect(c.store.head()!.height).toBeGreaterThanOrEqual(start + 2);
    const h = c.store.head()!;
    expect(h.header.txCount).toBe(0);
    expect(h.header.time).toBeGreaterThan(c.store.block(h.height - 1)!.header.time);
  });
});

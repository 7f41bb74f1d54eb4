/**
 * The block-cutting rule (docs/network.md "Block cutting") on synthetic message lists: a pure
 * function, so every node that reads the same stream cuts the same blocks.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BlockCutter, cutBlocks, tickHeight, type StreamMsg } from '../../../src/ordering/jetstream/cutter.js';

let seq = 0;
const txm = (n: number, time = 1000 + n): StreamMsg => ({ seq: ++seq, kind: 'tx', time, data: JSON.stringify({ n }) });
const tick = (height: number, time = 5000): StreamMsg => ({ seq: ++seq, kind: 'tick', time, data: JSON.stringify({ height }) });
const start = { height: 1, prevTime: 0, maxBlockTxs: 3 };

describe('cutBlocks', () => {
  it('cuts a full block at maxBlockTxs, closed by its last transaction', () => {
    seq = 0;
    const { blocks, pending } = cutBlocks([txm(1), txm(2), txm(3), txm(4)], start);
    expect(blocks).toHaveLength(1);
    expect(blocks[0]).toMatchObject({ height: 1, txs: [{ n: 1 }, { n: 2 }, { n: 3 }], firstSeq: 1, lastSeq: 3, time: 1003, cause: 'full' });
    expect(pending).toBe(1);
  });

  it('cuts on a tick for the next height when the block is not empty, closed by the tick', () => {
    seq = 0;
    const { blocks } = cutBlocks([txm(1), tick(1, 2000), txm(2), tick(3), tick(2, 3000)], start);
    expect(blocks.map((b) => [b.height, b.txs.length, b.lastSeq, b.time, b.cause])).toEqual([
      [1, 1, 2, 2000, 'tick'],
      [2, 1, 5, 3000, 'tick'],
    ]);
  });

  it('ignores ticks for an empty block, for another height, or malformed', () => {
    seq = 0;
    const msgs: StreamMsg[] = [
      tick(1),
      txm(1),
      tick(2),
      { seq: ++seq, kind: 'tick', time: 1, data: '{"height":"1"}' },
      { seq: ++seq, kind: 'tick', time: 1, data: 'not json' },
      { seq: ++seq, kind: 'other', time: 1, data: '{"height":1}' },
    ];
    expect(cutBlocks(msgs, start)).toEqual({ blocks: [], pending: 1 });
  });

  it('heartbeat: a tick for an empty block cuts one once heartbeatMs passed since the last block (stream time)', () => {
    seq = 0;
    const hb = { ...start, prevTime: 10_000, heartbeatMs: 30_000 };
    const { blocks, pending } = cutBlocks(
      [tick(1, 39_999), tick(2, 40_000), tick(1, 40_000), tick(2, 69_999), txm(1, 70_000), tick(2, 70_001), tick(3, 100_001)],
      hb,
    );
    expect(blocks.map((b) => [b.height, b.txs.length, b.firstSeq, b.lastSeq, b.time, b.cause])).toEqual([
      [1, 0, 3, 3, 40_000, 'heartbeat'],
      [2, 1, 5, 6, 70_001, 'tick'],
      [3, 0, 7, 7, 100_001, 'heartbeat'],
    ]);
    expect(pending).toBe(0);
    // Off (0 or absent, as in a config record without the field): never an empty block.
    expect(cutBlocks([tick(1, 1e12)], { ...hb, heartbeatMs: 0 }).blocks).toEqual([]);
    expect(() => new BlockCutter({ ...hb, heartbeatMs: -1 })).toThrow(RangeError);
  });

  it('skips transaction payloads that are not JSON, and redelivered messages', () => {
    seq = 0;
    const bad: StreamMsg = { seq: ++seq, kind: 'tx', time: 1, data: new Uint8Array([0xff, 0xfe]) };
    const a = txm(1);
    const r = cutBlocks([bad, a, { ...a }, { seq: ++seq, kind: 'tx', time: 1, data: '{' }, tick(1)], start);
    expect(r.blocks).toHaveLength(1);
    expect(r.blocks[0]!.txs).toEqual([{ n: 1 }]);
  });

  it('never lets block time go backwards', () => {
    seq = 0;
    const { blocks } = cutBlocks([txm(1, 9000), tick(1, 9000), txm(2, 100), tick(2, 100)], { ...start, prevTime: 500 });
    expect(blocks.map((b) => b.time)).toEqual([9000, 9000]);
    expect(cutBlocks([txm(3, 100), tick(1, 100)], { ...start, prevTime: 500 }).blocks[0]!.time).toBe(500);
  });

  it('continues after a block exactly where a restarted cutter resumes (lastSeq + 1)', () => {
    seq = 0;
    const msgs = [txm(1), txm(2), tick(1), txm(3), txm(4), txm(5), txm(6), tick(3), txm(7), tick(4)];
    const whole = cutBlocks(msgs, start).blocks;
    const first = whole[0]!;
    const resumed = cutBlocks(
      msgs.filter((m) => m.seq > first.lastSeq),
      { height: first.height + 1, prevTime: first.time, maxBlockTxs: 3 },
    ).blocks;
    expect(resumed).toEqual(whole.slice(1));
  });

  it('is deterministic and loses no transaction (property)', () => {
    const msg = fc.oneof(
      fc.record({ kind: fc.constant('tx' as const), time: fc.integer({ min: 0, max: 10_000 }), n: fc.nat() }),
      fc.record({ kind: fc.constant('tick' as const), time: fc.integer({ min: 0, max: 10_000 }), n: fc.integer({ min: 0, max: 12 }) }),
    );
    fc.assert(
      fc.property(fc.array(msg, { maxLength: 200 }), fc.integer({ min: 1, max: 7 }), (list, max) => {
        const msgs: StreamMsg[] = list.map((m, i) => ({
          seq: i + 1,
          kind: m.kind,
          time: m.time,
          data: JSON.stringify(m.kind === 'tx' ? { n: m.n } : { height: m.n }),
        }));
        const a = cutBlocks(msgs, { height: 1, prevTime: 0, maxBlockTxs: max });
        const b = cutBlocks(msgs, { height: 1, prevTime: 0, maxBlockTxs: max });
        expect(a).toEqual(b);
        const txCount = list.filter((m) => m.kind === 'tx').length;
        expect(a.blocks.reduce((s, x) => s + x.txs.length, 0) + a.pending).toBe(txCount);
        a.blocks.forEach((x, i) => {
          expect(x.height).toBe(i + 1);
          expect(x.txs.length).toBeGreaterThan(0);
          expect(x.txs.length).toBeLessThanOrEqual(max);
          if (i > 0) expect(x.time).toBeGreaterThanOrEqual(a.blocks[i - 1]!.time);
        });
      }),
    );
  });

  it('the incremental cutter reports its state', () => {
    const c = new BlockCutter({ height: 5, prevTime: 0, maxBlockTxs: 2 });
    expect(c.nextHeight()).toBe(5);
    c.push({ seq: 1, kind: 'tx', time: 1, data: '{}' });
    expect(c.pending()).toBe(1);
    expect(c.push({ seq: 2, kind: 'tx', time: 2, data: '{}' })?.height).toBe(5);
    expect(c.nextHeight()).toBe(6);
    expect(() => new BlockCutter({ height: 1, prevTime: 0, maxBlockTxs: 0 })).toThrow(RangeError);
    expect(tickHeight('{"height":3}')).toBe(3);
    expect(tickHeight('{"height":-1}')).toBeNull();
  });
});

describe('batches', () => {
  it('takes the transactions of a batch message in order, and cuts on whole messages', () => {
    const batch = (seqNo: number, ns: number[], time = 10): StreamMsg => ({
      seq: seqNo,
      kind: 'tx',
      time,
      data: JSON.stringify({ txs: ns.map((n) => ({ n })) }),
    });
    const single = (seqNo: number, n: number): StreamMsg => ({ seq: seqNo, kind: 'tx', time: 10, data: JSON.stringify({ n }) });
    const { blocks, pending } = cutBlocks([batch(1, [1, 2]), single(2, 3), batch(3, [4, 5, 6]), batch(4, []), batch(5, [7])], {
      height: 1,
      prevTime: 0,
      maxBlockTxs: 3,
    });
    expect(blocks.map((b) => b.txs)).toEqual([
      [{ n: 1 }, { n: 2 }, { n: 3 }],
      [{ n: 4 }, { n: 5 }, { n: 6 }],
    ]);
    expect(blocks.map((b) => b.lastSeq)).toEqual([2, 3]);
    expect(pending).toBe(1);
    // A transaction that happens to have a "txs" field next to its body is one transaction, not a batch.
    const odd: StreamMsg = { seq: 9, kind: 'tx', time: 1, data: JSON.stringify({ body: { a: 1 }, txs: [1, 2] }) };
    expect(cutBlocks([odd], { height: 1, prevTime: 0, maxBlockTxs: 1 }).blocks[0]!.txs).toEqual([{ body: { a: 1 }, txs: [1, 2] }]);
    // A batch may carry a block past maxBlockTxs: blocks hold whole messages.
    expect(cutBlocks([batch(1, [1, 2, 3, 4, 5])], { height: 1, prevTime: 0, maxBlockTxs: 3 }).blocks[0]!.txs).toHaveLength(5);
  });
});

describe('messages that are not canonical JSON (docs/network.md "Block cutting")', () => {
  const msg = (seqNo: number, data: string): StreamMsg => ({ seq: seqNo, kind: 'tx', time: 10, data });
  const cutOne = (data: string) => cutBlocks([msg(1, data)], { height: 1, prevTime: 0, maxBlockTxs: 1 }).blocks[0]!.txs;

  it('carries a message with a duplicate member as its text, never as one parser reading of it', () => {
    const dup = '{"body":{"id":"A","id":"B"},"sigs":[]}';
    expect(JSON.parse(dup)).toEqual({ body: { id: 'B' }, sigs: [] });
    expect(cutOne(dup)).toEqual([dup]);
  });

  it.each([
    ['whitespace', '{"body": {"n":1},"sigs":[]}'],
    ['member order', '{"sigs":[],"body":{"n":1}}'],
    ['an escape', '{"body":{"s":"\\u0061"},"sigs":[]}'],
    ['a number form', '{"body":{"n":1.0},"sigs":[]}'],
    ['a number beyond binary64', '{"body":{"n":1e400},"sigs":[]}'],
  ])('carries a message with another encoding (%s) as its text', (_what, data) => {
    expect(cutOne(data)).toEqual([data]);
  });

  it('carries a non-canonical batch as one entry, its text; a canonical batch as its transactions', () => {
    const bad = '{"txs":[{"n":1}, {"n":2}]}';
    const good = '{"txs":[{"n":1},{"n":2}]}';
    const { blocks } = cutBlocks([msg(1, bad), msg(2, good)], { height: 1, prevTime: 0, maxBlockTxs: 3 });
    expect(blocks[0]!.txs).toEqual([bad, { n: 1 }, { n: 2 }]);
  });
});

// The state map tree: hand-built small trees against roots computed independently
// (./reference.ts), batch updates against the reference model (fast-check), the commit / discard /
// reset lifecycle, the caches, and the store contract (update never writes; nothing stale stays).
import '../../../src/platform/node.js';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  EMPTY_HASH,
  MemorySmtNodeStore,
  SparseMerkleTree,
  encodeNodePath,
  verifyProof,
  type SmtNodeStore,
  type SmtOptions,
} from '../../../src/core/merkle/index.js';
import { isUrbisError, type ErrorCode } from '../../../src/core/errors.js';
import { ZERO, hex, keyFromBits, refLeaf, refNode, refRoot, sha, val } from './reference.js';

function expectCode(f: () => unknown, code: ErrorCode): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `expected ${code}`).toBeDefined();
  expect(isUrbisError(thrown, code) ? code : thrown).toBe(code);
}

function fresh(opts: SmtOptions = { cacheCapacity: 0, checkReads: true }): { store: MemorySmtNodeStore; tree: SparseMerkleTree } {
  const store = new MemorySmtNodeStore();
  return { store, tree: new SparseMerkleTree(store, EMPTY_HASH, opts) };
}

function applyBatch(store: MemorySmtNodeStore, tree: SparseMerkleTree, changes: { key: Uint8Array; value: Uint8Array }[]): Uint8Array {
  const { root, writes } = tree.update(changes);
  store.apply(writes);
  tree.commit(root);
  return root;
}

/** Every record reachable from the root, by position (to compare with the store's size). */
function reachable(store: SmtNodeStore, root: Uint8Array): number {
  let n = 0;
  const go = (hash: Uint8Array, depth: number, prefix: Uint8Array): void => {
    if (hex(hash) === hex(ZERO)) return;
    const rec = store.get(encodeNodePath(depth, prefix))!;
    expect(hex(sha(rec))).toBe(hex(hash));
    n++;
    if (rec[0] === 0) return;
    const right = prefix.slice();
    right[depth >> 3] = right[depth >> 3]! | (0x80 >> (depth & 7));
    go(rec.subarray(1, 33), depth + 1, prefix);
    go(rec.subarray(33, 65), depth + 1, right);
  };
  go(root, 0, new Uint8Array(32));
  return n;
}

describe('hand-built trees', () => {
  it('0 keys: the root is EMPTY', () => {
    const { tree } = fresh();
    expect(hex(tree.root())).toBe(hex(ZERO));
    const { root, writes } = tree.update([]);
    expect(hex(root)).toBe(hex(ZERO));
    expect(writes).toEqual([]);
  });

  it('1 key: the root is its leaf hash, stored at depth 0', () => {
    const { store, tree } = fresh();
    const k = keyFromBits('1011', 0x5a);
    const { root, writes } = tree.update([{ key: k, value: val(1) }]);
    expect(hex(root)).toBe(hex(refLeaf(k, val(1))));
    expect(writes.map((w) => hex(w.path))).toEqual(['00']);
    expect(hex(writes[0]!.node)).toBe('00' + hex(k) + hex(val(1)));
    store.apply(writes);
    tree.commit(root);
    expect(hex(tree.get(k)!)).toBe(hex(val(1)));
  });

  it('2 keys that differ at bit 0', () => {
    const { tree } = fresh();
    const a = keyFromBits('0', 0xff);
    const b = keyFromBits('1', 0x00);
    const { root } = tree.update([
      { key: b, value: val(2) },
      { key: a, value: val(1) },
    ]);
    expect(hex(root)).toBe(hex(refNode(refLeaf(a, val(1)), refLeaf(b, val(2)))));
  });

  it('2 keys that share two bits: interior nodes with an empty side, leaves at depth 3', () => {
    const { store, tree } = fresh();
    const a = keyFromBits('000', 0x11);
    const b = keyFromBits('001', 0x22);
    const root = applyBatch(store, tree, [
      { key: a, value: val(1) },
      { key: b, value: val(2) },
    ]);
    const y = refNode(refLeaf(a, val(1)), refLeaf(b, val(2)));
    expect(hex(root)).toBe(hex(refNode(refNode(y, ZERO), ZERO)));
    // Positions: depth byte, then the key prefix with the bits beyond the depth cleared.
    expect(hex(store.get(Uint8Array.of(0))!)).toBe('01' + hex(refNode(y, ZERO)) + hex(ZERO));
    expect(hex(store.get(Uint8Array.of(1, 0))!)).toBe('01' + hex(y) + hex(ZERO));
    expect(hex(store.get(Uint8Array.of(2, 0))!)).toBe('01' + hex(refLeaf(a, val(1))) + hex(refLeaf(b, val(2))));
    expect(hex(store.get(Uint8Array.of(3, 0x20))!)).toBe('00' + hex(b) + hex(val(2)));
    expect(store.size).toBe(5);
  });

  it('3 keys 00…, 01…, 1…, inserted one at a time', () => {
    const { store, tree } = fresh();
    const a = keyFromBits('00', 0x0f);
    const b = keyFromBits('01', 0xf0);
    const c = keyFromBits('1', 0x33);
    applyBatch(store, tree, [{ key: c, value: val(3) }]);
    expect(hex(tree.root())).toBe(hex(refLeaf(c, val(3))));
    applyBatch(store, tree, [{ key: a, value: val(1) }]);
    expect(hex(tree.root())).toBe(hex(refNode(refLeaf(a, val(1)), refLeaf(c, val(3)))));
    applyBatch(store, tree, [{ key: b, value: val(2) }]);
    expect(hex(tree.root())).toBe(hex(refNode(refNode(refLeaf(a, val(1)), refLeaf(b, val(2))), refLeaf(c, val(3)))));
    // The leaf of `a` moved from depth 1 to depth 2; its old position now holds the interior node.
    expect(store.get(Uint8Array.of(1, 0))![0]).toBe(1);
    expect(store.size).toBe(reachable(store, tree.root()));
  });

  it('updates a value in place, and an unchanged value writes nothing', () => {
    const { store, tree } = fresh();
    const a = keyFromBits('0');
    const b = keyFromBits('1');
    applyBatch(store, tree, [
      { key: a, value: val(1) },
      { key: b, value: val(2) },
    ]);
    const { root, writes } = tree.update([{ key: a, value: val(9) }]);
    expect(hex(root)).toBe(hex(refNode(refLeaf(a, val(9)), refLeaf(b, val(2)))));
    expect(writes.map((w) => hex(w.path))).toEqual(['0100', '00']);
    const same = tree.update([{ key: b, value: val(2) }]);
    expect(same.writes).toEqual([]);
    expect(hex(same.root)).toBe(hex(tree.root()));
  });

  it('last write of a key in a batch wins', () => {
    const { tree } = fresh();
    const a = keyFromBits('0');
    const { root } = tree.update([
      { key: a, value: val(1) },
      { key: a, value: val(2) },
      { key: keyFromBits('1'), value: val(3) },
      { key: a, value: val(4) },
    ]);
    expect(hex(root)).toBe(hex(refNode(refLeaf(a, val(4)), refLeaf(keyFromBits('1'), val(3)))));
  });

  it('keys sharing 254 bits: leaves at depth 255, the deepest allowed; 255 shared bits are refused', () => {
    const { store, tree } = fresh();
    const base = '1'.repeat(254);
    const a = keyFromBits(base + '00');
    const b = keyFromBits(base + '10');
    const root = applyBatch(store, tree, [
      { key: a, value: val(1) },
      { key: b, value: val(2) },
    ]);
    expect(hex(root)).toBe(
      hex(
        refRoot(
          new Map([
            [hex(a), val(1)],
            [hex(b), val(2)],
          ]),
        ),
      ),
    );
    const p = tree.prove(b);
    expect(p.depth).toBe(255);
    verifyProof(root, b, val(2), p);
    expectCode(() => tree.update([{ key: keyFromBits(base + '01'), value: val(3) }]), 'MERKLE_INPUT_INVALID');
  });

  it('rejects keys and values that are not 32 bytes', () => {
    const { tree } = fresh();
    expectCode(() => tree.update([{ key: new Uint8Array(31), value: val(1) }]), 'MERKLE_INPUT_INVALID');
    expectCode(() => tree.update([{ key: val(1), value: new Uint8Array(33) }]), 'MERKLE_INPUT_INVALID');
    expectCode(() => tree.update([{ key: 'x' as unknown as Uint8Array, value: val(1) }]), 'MERKLE_INPUT_INVALID');
    expectCode(() => tree.get(new Uint8Array(5)), 'MERKLE_INPUT_INVALID');
    expectCode(() => tree.prove(new Uint8Array(0)), 'MERKLE_INPUT_INVALID');
    expectCode(() => new SparseMerkleTree(new MemorySmtNodeStore(), new Uint8Array(3)), 'MERKLE_INPUT_INVALID');
  });
});

// Keys from a small pool with long shared prefixes, so that batches collide, leaves move down
// several levels and deep chains of one-sided interior nodes appear.
const keyArb = fc
  .tuple(fc.constantFrom('', '0', '1', '0110', '01101', '1'.repeat(40), '1'.repeat(41)), fc.integer({ min: 0, max: 5 }))
  .map(([bits, n]) => keyFromBits(bits + n.toString(2).padStart(3, '0'), 0xa5));
const changeArb = fc.record({ key: keyArb, value: fc.integer({ min: 1, max: 4 }).map(val) });

describe('batch updates (property)', () => {
  it('any batching of a change sequence gives the reference root, the same as one batch', () => {
    fc.assert(
      fc.property(fc.array(changeArb, { maxLength: 40 }), fc.array(fc.integer({ min: 1, max: 8 }), { maxLength: 40 }), (changes, cuts) => {
        const model = new Map<string, Uint8Array>();
        for (const c of changes) model.set(hex(c.key), c.value);
        const want = hex(refRoot(model));

        const one = fresh();
        expect(hex(applyBatch(one.store, one.tree, changes))).toBe(want);

        // Small caches so that eviction and the cache/store interplay are exercised too.
        const many = fresh({ cacheLevels: 2, cacheCapacity: 3, checkReads: true });
        let i = 0;
        for (let c = 0; i < changes.length; c++) {
          const n = cuts[c % Math.max(cuts.length, 1)] ?? 1;
          applyBatch(many.store, many.tree, changes.slice(i, i + n));
          i += n;
        }
        expect(hex(many.tree.root())).toBe(want);
        // Nothing unreachable is left in the store (no deletes, positions are overwritten in place).
        expect(many.store.size).toBe(reachable(many.store, many.tree.root()));
        for (const [k, v] of model) expect(hex(many.tree.get(Buffer.from(k, 'hex'))!)).toBe(hex(v));
      }),
      { numRuns: 150 },
    );
  });

  it('random keys: same root as the reference, for one batch and for sequential single updates', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.uint8Array({ minLength: 32, maxLength: 32 }), { maxLength: 25, selector: (k) => hex(k) }), (keys) => {
        const model = new Map(keys.map((k, i) => [hex(k), val(i)] as const));
        const a = fresh();
        applyBatch(
          a.store,
          a.tree,
          keys.map((k, i) => ({ key: k, value: val(i) })),
        );
        const b = fresh({});
        keys.forEach((k, i) => applyBatch(b.store, b.tree, [{ key: k, value: val(i) }]));
        const c = fresh({ cacheLevels: 0, cacheCapacity: 1, checkReads: true });
        for (let i = 0; i < keys.length; i += 3)
          applyBatch(
            c.store,
            c.tree,
            keys.slice(i, i + 3).map((k, j) => ({ key: k, value: val(i + j) })),
          );
        expect(hex(a.tree.root())).toBe(hex(refRoot(model)));
        expect(hex(b.tree.root())).toBe(hex(a.tree.root()));
        expect(hex(c.tree.root())).toBe(hex(a.tree.root()));
        for (const k of keys) verifyProof(c.tree.root(), k, a.tree.get(k), c.tree.prove(k));
      }),
      { numRuns: 100 },
    );
  });
});

describe('lifecycle and caches', () => {
  const ks = Array.from({ length: 50 }, (_, i) => sha(Uint8Array.of(i)));

  it('update() does not touch the store; get/prove see the committed tree until commit()', () => {
    const { store, tree } = fresh();
    applyBatch(
      store,
      tree,
      ks.slice(0, 20).map((key) => ({ key, value: val(1) })),
    );
    const before = store.size;
    const r0 = tree.root();
    const { root, writes } = tree.update(ks.slice(20).map((key) => ({ key, value: val(2) })));
    expect(store.size).toBe(before);
    expect(hex(tree.root())).toBe(hex(r0));
    expect(tree.get(ks[30]!)).toBeNull();
    verifyProof(r0, ks[30]!, null, tree.prove(ks[30]!));
    store.apply(writes);
    tree.commit(root);
    expect(hex(tree.get(ks[30]!)!)).toBe(hex(val(2)));
    verifyProof(root, ks[30]!, val(2), tree.prove(ks[30]!));
  });

  it('discard() drops a pending batch; committing it afterwards is refused', () => {
    const { store, tree } = fresh({});
    applyBatch(
      store,
      tree,
      ks.slice(0, 10).map((key) => ({ key, value: val(1) })),
    );
    const r0 = tree.root();
    const { root } = tree.update(ks.slice(10).map((key) => ({ key, value: val(2) })));
    tree.discard();
    expectCode(() => tree.commit(root), 'INTERNAL');
    tree.commit(r0); // the committed root again: a no-op
    expect(hex(tree.root())).toBe(hex(r0));
    for (const k of ks.slice(0, 10)) verifyProof(r0, k, val(1), tree.prove(k));
  });

  it('a second update() replaces the pending one', () => {
    const { store, tree } = fresh({});
    const first = tree.update([{ key: ks[0]!, value: val(1) }]);
    const second = tree.update([{ key: ks[1]!, value: val(2) }]);
    expectCode(() => tree.commit(first.root), 'INTERNAL');
    store.apply(second.writes);
    tree.commit(second.root);
    expect(tree.get(ks[0]!)).toBeNull();
    expect(hex(tree.get(ks[1]!)!)).toBe(hex(val(2)));
  });

  it('cached nodes follow commits (writes after commit are visible through the cache)', () => {
    const { store, tree } = fresh({ cacheLevels: 3, cacheCapacity: 8 });
    const model = new Map<string, Uint8Array>();
    for (let round = 0; round < 8; round++) {
      const batch = ks.slice(round * 5, round * 5 + 10).map((key, i) => ({ key, value: val(round * 10 + i + 1) }));
      for (const c of batch) model.set(hex(c.key), c.value);
      applyBatch(store, tree, batch);
      expect(hex(tree.root())).toBe(hex(refRoot(model)));
      for (const [k, v] of model) {
        const key = Buffer.from(k, 'hex');
        expect(hex(tree.get(key)!)).toBe(hex(v));
        verifyProof(tree.root(), key, v, tree.prove(key));
      }
    }
  });

  it('reset() resynchronises with a store changed behind the tree', () => {
    const { store, tree } = fresh({});
    applyBatch(
      store,
      tree,
      ks.slice(0, 10).map((key) => ({ key, value: val(1) })),
    );
    tree.get(ks[0]!); // warm the cache
    const other = new SparseMerkleTree(store, tree.root(), { cacheCapacity: 0 });
    const next = other.update([{ key: ks[0]!, value: val(7) }]);
    store.apply(next.writes);
    tree.reset(next.root);
    expect(hex(tree.get(ks[0]!)!)).toBe(hex(val(7)));
  });

  it('a store that lost a node or holds a wrong one is reported as STORE_CORRUPT', () => {
    const { store, tree } = fresh();
    applyBatch(
      store,
      tree,
      ks.slice(0, 10).map((key) => ({ key, value: val(1) })),
    );
    const empty = new SparseMerkleTree(new MemorySmtNodeStore(), tree.root(), { cacheCapacity: 0 });
    expectCode(() => empty.get(ks[0]!), 'STORE_CORRUPT');
    // Same positions, other contents: caught by checkReads.
    const other = fresh();
    applyBatch(
      other.store,
      other.tree,
      ks.slice(0, 10).map((key) => ({ key, value: val(2) })),
    );
    const lying = new SparseMerkleTree(other.store, tree.root(), { cacheCapacity: 0, checkReads: true });
    expectCode(() => lying.prove(ks[3]!), 'STORE_CORRUPT');
    const malformed = new SparseMerkleTree({ get: () => new Uint8Array(64) }, tree.root());
    expectCode(() => malformed.get(ks[0]!), 'STORE_CORRUPT');
  });

  it('MemorySmtNodeStore: grows, overwrites in place, rejects malformed writes', () => {
    const store = new MemorySmtNodeStore();
    const writes = Array.from({ length: 20_000 }, (_, i) => ({
      path: encodeNodePath(24, sha(Uint8Array.of(i >> 8, i & 255))),
      node: new Uint8Array(65).fill(i & 255),
    }));
    store.apply(writes);
    const distinct = new Set(writes.map((w) => hex(w.path))).size;
    expect(store.size).toBe(distinct);
    store.apply(writes.slice(0, 100).map((w) => ({ path: w.path, node: new Uint8Array(65).fill(0xee) })));
    expect(store.size).toBe(distinct);
    expect(store.get(writes[0]!.path)![64]).toBe(0xee);
    expect(store.get(writes[19_999]!.path)![0]).toBe(19_999 & 255);
    expect(store.get(Uint8Array.of(5, 1))).toBeUndefined();
    expectCode(() => store.apply([{ path: new Uint8Array(34), node: new Uint8Array(65) }]), 'MERKLE_INPUT_INVALID');
    expectCode(() => store.apply([{ path: new Uint8Array(0), node: new Uint8Array(65) }]), 'MERKLE_INPUT_INVALID');
    expectCode(() => store.apply([{ path: Uint8Array.of(0), node: new Uint8Array(64) }]), 'MERKLE_INPUT_INVALID');
  });
});

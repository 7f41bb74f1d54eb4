// The behavioural suite of the storage port (src/storage/types.ts), run against every adapter so that
// they keep the same semantics. Bundles are built by hand: the entries are shaped like the state
// machine's but need not be valid ledger history; the stores do not re-run the state machine.
import { describe, expect, it } from 'vitest';
import { identifierCheckChar } from '../../src/core/ids/index.js';
import { headerHash, historyLeaf } from '../../src/core/ledger/block.js';
import { appendLeaf, treeRoot } from '../../src/core/merkle/log.js';
import type { SmtWrite } from '../../src/core/merkle/store.js';
import { SparseMerkleTree, EMPTY_HASH, proveAt, storeReproducesRoot, verifyProof } from '../../src/core/merkle/index.js';
import { sha256 } from '../../src/core/crypto/index.js';
import { isUrbisError } from '../../src/core/errors.js';
import type { BlockHeader, ChainEntry, IdEntry, Link, NsEntry, StateEntry, Tx, TxResult } from '../../src/core/ledger/types.js';
import { stateKey } from '../../src/core/ledger/state.js';
import type { BlockBundle, LedgerStore } from '../../src/storage/types.js';

export const T0 = 1_700_000_000_000;
const HEX0 = '0'.repeat(64);

/** A fake 64-hex transaction hash derived from a label. */
export function fakeHash(label: string): string {
  let h = 0x811c9dc5;
  let out = '';
  for (let round = 0; out.length < 64; round++) {
    for (let i = 0; i < label.length; i++) h = Math.imul(h ^ label.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ round, 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, 64);
}

export function chainEntry(version = 1): ChainEntry {
  return {
    kind: 'chain',
    chainId: 'urbis-test',
    root: { keys: ['z6MkRoot'], threshold: 1 },
    validators: ['z6MkValidator'],
    params: { maxTxBytes: 1_048_576, maxAttrBytes: 4096, maxTxWindowMs: 86_400_000, maxAllocate: 100_000, maxBatch: 1000 },
    version,
    height: 0,
    tx: fakeHash('genesis'),
  };
}

export function nsEntry(ns: string, extra: Partial<NsEntry> = {}): NsEntry {
  return {
    kind: 'ns',
    ns,
    id: `${ns}:${identifierCheckChar(ns)}`,
    controllers: { keys: ['z6MkController'], threshold: 1 },
    policy: { ids: { charset: 'alnum', minLength: 1, maxLength: 32 } },
    limits: {},
    record: { type: 'city' },
    status: 'active',
    children: 0,
    ids: 0,
    serials: {},
    version: 1,
    created: T0,
    updated: T0,
    height: 0,
    tx: fakeHash(`ns ${ns}`),
    ...extra,
  };
}

export function idText(ns: string, local: string): string {
  const body = `${ns}/${local}`;
  return `${body}:${identifierCheckChar(body)}`;
}

export function idEntry(ns: string, local: string, opts: { type?: string; attrs?: Record<string, unknown>; links?: Link[] } & Partial<IdEntry> = {}): IdEntry {
  const { type, attrs, links, ...extra } = opts;
  const record: IdEntry['record'] = { type: type ?? 'lamp' };
  if (attrs) record.attributes = attrs;
  if (links) record.links = links;
  return {
    kind: 'id',
    id: idText(ns, local),
    ns,
    local,
    controllers: null,
    record,
    status: 'active',
    version: 1,
    created: T0,
    updated: T0,
    height: 0,
    tx: fakeHash(`id ${ns}/${local}`),
    ...extra,
  };
}

export function fakeTx(label: string): Tx {
  return {
    body: {
      v: 1,
      chain: 'urbis-test',
      type: 'id.update',
      nonce: label,
      validFrom: T0,
      validUntil: T0 + 1000,
      payload: { id: label, record: { type: 'lamp' } },
    },
    sigs: [{ key: 'z6MkController', sig: 'c2ln' }],
  };
}

/** A Merkle node write: 65 bytes derived from a seed, at a short path. */
export function smtWrite(path: number[], seed: number): SmtWrite {
  const node = new Uint8Array(65);
  for (let i = 0; i < node.length; i++) node[i] = (seed * 31 + i * 7) & 0xff;
  return { path: new Uint8Array(path), node };
}

export interface BundleSpec {
  time?: number;
  entries?: StateEntry[];
  /** History rows; defaults to `entries` (one version each). */
  versions?: StateEntry[];
  /** Transactions: label, result, and the end of the validity window if it was committed. */
  txs?: Array<{ label: string; result?: TxResult; until?: number; noHash?: boolean }>;
  smt?: SmtWrite[];
}

/** The next bundle for `store`, at head + 1, chained to its head. */
export function nextBundle(store: LedgerStore, spec: BundleSpec = {}): BlockBundle {
  const head = store.head();
  const height = head ? head.height + 1 : 0;
  const txs = spec.txs ?? [];
  const read = (l: number, i: number) => store.historyNode(l, i);
  const header: BlockHeader = {
    v: 2,
    chain: 'urbis-test',
    height,
    prev: head ? head.headerHash : HEX0,
    historyRoot: Buffer.from(treeRoot(height, read)).toString('hex'),
    time: spec.time ?? T0 + height * 1000,
    txRoot: HEX0,
    stateRoot: fakeHash(`root ${height}`),
    txCount: txs.length,
    nextValidators: HEX0,
  };
  const hash = headerHash(header);
  const committed = new Map<string, number>();
  for (const t of txs) if (t.until !== undefined && !t.noHash) committed.set(fakeHash(t.label), t.until);
  const entries = spec.entries ?? [];
  return {
    block: { header, txs: txs.map((t) => fakeTx(t.label)), results: txs.map((t) => t.result ?? { ok: true }) },
    headerHash: hash,
    cert: { height, headerHash: hash, sigs: [{ key: 'z6MkValidator', sig: `sig-${height}` }] },
    hashes: txs.map((t) => (t.noHash ? null : fakeHash(t.label))),
    entries,
    versions: spec.versions ?? entries,
    committedTxs: committed,
    smtWrites: spec.smt ?? [],
    historyWrites: appendLeaf(height, historyLeaf(hash), read),
  };
}

/** Commits `spec` as the next block and returns the bundle. */
export function commit(store: LedgerStore, spec: BundleSpec = {}): BlockBundle {
  const b = nextBundle(store, spec);
  store.commitBlock(b);
  return b;
}

/** Every page of a paged listing, concatenated. */
export function allPages<T>(fetch: (cursor: string | null) => { items: T[]; next: string | null }): T[][] {
  const pages: T[][] = [];
  let cursor: string | null = null;
  for (let guard = 0; guard < 1000; guard++) {
    const p = fetch(cursor);
    pages.push(p.items);
    if (p.next === null) return pages;
    cursor = p.next;
  }
  throw new Error('paging does not terminate');
}

/** A small city: genesis, namespaces, and identifiers of several types, with links and attributes. */
export function seedCity(store: LedgerStore): { lamps: IdEntry[]; cams: IdEntry[]; all: IdEntry[] } {
  commit(store, { entries: [chainEntry(), nsEntry('156', { record: { type: 'country' } })], txs: [{ label: 'genesis', until: T0 + 500_000 }] });
  commit(store, {
    entries: [nsEntry('156.1301'), nsEntry('156.13010'), nsEntry('156.1301.42', { record: { type: 'organisation' } }), nsEntry('250')],
    txs: [{ label: 'ns-a' }, { label: 'ns-b' }],
  });
  const lamps: IdEntry[] = [];
  for (let i = 0; i < 30; i++) {
    lamps.push(
      idEntry('156.1301.42', `LAMP-${String(i).padStart(4, '0')}`, {
        attrs: { floors: i % 3, colour: i % 2 === 0 ? 'red' : 'blue' },
        links: i % 5 === 0 ? [{ rel: 'located-in', target: idText('156.1301', 'PLACE-1') }] : undefined,
      }),
    );
  }
  const cams = [
    idEntry('156.1301', 'CAM-1', { type: 'camera', attrs: { floors: '1' } }),
    idEntry('156.1301', 'PLACE-1', { type: 'site' }),
    idEntry('156.13010', 'CAM-2', {
      type: 'camera',
      links: [
        { rel: 'located-in', target: idText('156.1301', 'PLACE-1') },
        { rel: 'part-of', target: idText('156.1301', 'PLACE-1') },
      ],
    }),
    idEntry('250', 'CAM-3', { type: 'camera', status: 'suspended' }),
  ];
  commit(store, { entries: [...lamps, ...cams], txs: [{ label: 'batch', until: T0 + 100_000 }] });
  const all = [...lamps, ...cams].sort((a, b) => (a.id < b.id ? -1 : 1));
  return { lamps, cams, all };
}

const ids = (xs: IdEntry[]): string[] => xs.map((e) => e.id);

/** Registers the behavioural suite for one adapter. `open` returns a fresh, empty store. */
export function storeSuite(name: string, open: () => LedgerStore): void {
  describe(`LedgerStore behaviour: ${name}`, () => {
    it('starts empty', () => {
      const s = open();
      expect(s.head()).toBeUndefined();
      expect(s.chain()).toBeUndefined();
      expect(s.ns('156')).toBeUndefined();
      expect(s.id('156/X')).toBeUndefined();
      expect(s.hasTx(fakeHash('x'))).toBe(false);
      expect(s.get(new Uint8Array([0]))).toBeUndefined();
      expect(s.block(0)).toBeUndefined();
      expect(s.header(0)).toBeUndefined();
      expect(s.cert(0)).toBeUndefined();
      expect(s.tx(fakeHash('x'))).toBeUndefined();
      expect(s.idHistory('156/X')).toEqual([]);
      expect(s.search({})).toEqual({ items: [], next: null });
      expect(s.children(null, null, 10)).toEqual({ items: [], next: null });
      s.close();
    });

    it('commits blocks and reads them back', () => {
      const s = open();
      const g = commit(s, {
        entries: [chainEntry(), nsEntry('156')],
        txs: [{ label: 'genesis', until: T0 + 10_000 }],
        smt: [smtWrite([0], 1), smtWrite([1, 0x80], 2)],
      });
      const b1 = commit(s, {
        entries: [idEntry('156', 'A1')],
        txs: [
          { label: 'reg', until: T0 + 10_000 },
          { label: 'bad', result: { ok: false, code: 'ID_EXISTS', message: 'exists' } },
          { label: 'garbage', noHash: true, result: { ok: false, code: 'TX_MALFORMED', message: 'bad' } },
        ],
        smt: [smtWrite([0], 3), smtWrite([2, 0x40], 4), smtWrite([2, 0x40], 5)],
      });
      const h = s.head()!;
      expect(h.height).toBe(1);
      expect(h.headerHash).toBe(headerHash(b1.block.header));
      expect(h.header).toEqual(b1.block.header);
      expect(b1.block.header.prev).toBe(headerHash(g.block.header));
      expect(s.header(0)).toEqual(g.block.header);
      expect(s.block(1)).toEqual(b1.block);
      expect(s.cert(1)).toEqual(b1.cert);
      expect(s.chain()).toEqual(chainEntry());
      expect(s.ns('156')).toEqual(nsEntry('156'));
      expect(s.id('156/A1')).toEqual(idEntry('156', 'A1'));
      expect(s.id('156/A2')).toBeUndefined();
      // Later writes to a position replace earlier ones, within a block and across blocks.
      expect(s.get(new Uint8Array([0]))).toEqual(smtWrite([0], 3).node);
      expect(s.get(new Uint8Array([1, 0x80]))).toEqual(smtWrite([1], 2).node);
      expect(s.get(new Uint8Array([2, 0x40]))).toEqual(smtWrite([2], 5).node);
      expect(s.get(new Uint8Array([2]))).toBeUndefined();
      expect(s.tx(fakeHash('reg'))).toEqual({ hash: fakeHash('reg'), height: 1, index: 0, result: { ok: true } });
      expect(s.tx(fakeHash('bad'))).toEqual({
        hash: fakeHash('bad'),
        height: 1,
        index: 1,
        result: { ok: false, code: 'ID_EXISTS', message: 'exists' },
      });
      expect(s.tx(fakeHash('garbage'))).toBeUndefined();
      expect(s.hasTx(fakeHash('reg'))).toBe(true);
      expect(s.hasTx(fakeHash('bad'))).toBe(false);
      s.close();
    });

    it('keeps every version in history and the latest in state', () => {
      const s = open();
      const v1 = nsEntry('156');
      const a1 = idEntry('156', 'A1', { attrs: { n: 1 } });
      commit(s, { entries: [chainEntry(), v1, a1] });
      const v2 = { ...v1, status: 'suspended' as const, version: 2, height: 1 };
      const v3 = { ...v2, status: 'active' as const, version: 3, height: 1 };
      const a2 = { ...a1, record: { type: 'lamp', attributes: { n: 2 } }, version: 2, height: 1 };
      // Two versions of the namespace in one block: history has both, state the last.
      commit(s, { entries: [v3, a2], versions: [v2, a2, v3] });
      expect(s.ns('156')).toEqual(v3);
      expect(s.nsHistory('156')).toEqual([v1, v2, v3]);
      expect(s.id('156/A1')).toEqual(a2);
      expect(s.idHistory('156/A1')).toEqual([a1, a2]);
      expect(s.idHistory('156/NONE')).toEqual([]);
      s.close();
    });

    it('returns the change feed of a block and every current entry', () => {
      const s = open();
      const n1 = nsEntry('1');
      const a = idEntry('1', 'A');
      commit(s, { entries: [chainEntry(), n1, a] });
      const n2 = { ...n1, version: 2, ids: 2 };
      const n3 = { ...n2, version: 3, ids: 3 };
      const b = idEntry('1', 'B');
      commit(s, { entries: [b, n3], versions: [n2, b, n3] });
      expect(s.changes(0)).toEqual([chainEntry(), n1, a]);
      expect(s.changes(1)).toEqual([n2, b, n3]);
      expect(s.changes(2)).toEqual([]);
      const byKey = (xs: Iterable<StateEntry>) => [...xs].sort((x, y) => (stateKey(x) < stateKey(y) ? -1 : 1));
      expect(byKey(s.allEntries())).toEqual(byKey([chainEntry(), n3, a, b]));
      s.close();
    });

    it('refuses a block that does not follow the head, and changes nothing', () => {
      const s = open();
      const b0 = nextBundle(s, { entries: [chainEntry()] });
      expect(() => s.commitBlock({ ...b0, block: { ...b0.block, header: { ...b0.block.header, height: 1 } } })).toThrow();
      expect(s.head()).toBeUndefined();
      s.commitBlock(b0);
      expect(() => s.commitBlock(nextBundle(s, {}))).not.toThrow();
      const stale = { ...b0, entries: [nsEntry('999')] };
      expect(() => s.commitBlock(stale)).toThrow();
      const b3 = nextBundle(s, { entries: [nsEntry('998')] });
      expect(() => s.commitBlock({ ...b3, block: { ...b3.block, header: { ...b3.block.header, height: 3 } } })).toThrow();
      expect(s.head()!.height).toBe(1);
      expect(s.ns('999')).toBeUndefined();
      expect(s.ns('998')).toBeUndefined();
      s.close();
    });

    it('replaces certificates', () => {
      const s = open();
      const b = commit(s, { entries: [chainEntry()] });
      const more = { ...b.cert, sigs: [...b.cert.sigs, { key: 'z6MkOther', sig: 'b3RoZXI' }] };
      s.putCert(more);
      expect(s.cert(0)).toEqual(more);
      expect(s.block(0)).toEqual(b.block);
      s.close();
    });

    it('forgets transactions whose validity window closed before the block time', () => {
      const s = open();
      commit(s, {
        time: T0,
        txs: [
          { label: 'short', until: T0 + 1000 },
          { label: 'long', until: T0 + 5000 },
        ],
      });
      expect(s.hasTx(fakeHash('short'))).toBe(true);
      // until == block time: the window is still open.
      commit(s, { time: T0 + 1000 });
      expect(s.hasTx(fakeHash('short'))).toBe(true);
      commit(s, { time: T0 + 1001 });
      expect(s.hasTx(fakeHash('short'))).toBe(false);
      expect(s.hasTx(fakeHash('long'))).toBe(true);
      // The location of a transaction outlives its replay window.
      expect(s.tx(fakeHash('short'))?.height).toBe(0);
      commit(s, { time: T0 + 9000 });
      expect(s.hasTx(fakeHash('long'))).toBe(false);
      s.close();
    });

    it('searches by type, namespace subtree, status, link and attributes', () => {
      const s = open();
      const { lamps, all } = seedCity(s);
      const site = idText('156.1301', 'PLACE-1');
      const q = (query: Parameters<LedgerStore['search']>[0]) => ids(s.search({ limit: 1000, ...query }).items);
      expect(q({})).toEqual(ids(all));
      expect(q({ type: 'camera' })).toEqual([idText('156.1301', 'CAM-1'), idText('156.13010', 'CAM-2'), idText('250', 'CAM-3')]);
      // '156.1301' does not contain '156.13010' (a sibling sharing a text prefix).
      expect(q({ ns: '156.1301' })).toEqual(ids(all.filter((e) => e.ns === '156.1301' || e.ns.startsWith('156.1301.'))));
      expect(q({ ns: '156.1301.42' })).toEqual(ids(lamps));
      expect(q({ ns: '156' })).toHaveLength(33);
      expect(q({ ns: '15' })).toEqual([]);
      expect(q({ ns: '156', type: 'camera' })).toEqual([idText('156.1301', 'CAM-1'), idText('156.13010', 'CAM-2')]);
      expect(q({ status: 'suspended' })).toEqual([idText('250', 'CAM-3')]);
      expect(q({ type: 'camera', status: 'active' })).toHaveLength(2);
      expect(q({ linkedTo: site })).toEqual([...ids(lamps.filter((_, i) => i % 5 === 0)), idText('156.13010', 'CAM-2')]);
      expect(q({ linkedTo: site, ns: '156.1301' })).toEqual(ids(lamps.filter((_, i) => i % 5 === 0)));
      expect(q({ linkedTo: site, type: 'camera', status: 'active' })).toEqual([idText('156.13010', 'CAM-2')]);
      expect(q({ linkedTo: idText('156', 'NUL') })).toEqual([]);
      // Attributes compare as strings: 1 matches the number 1 and the string "1".
      expect(q({ attrs: { floors: '1' } })).toEqual(ids(all.filter((e) => e.record.attributes?.floors === 1 || e.record.attributes?.floors === '1')));
      expect(q({ attrs: { floors: '1' } })).toContain(idText('156.1301', 'CAM-1'));
      expect(q({ attrs: { floors: '1', colour: 'red' } })).toEqual(ids(lamps.filter((_, i) => i % 3 === 1 && i % 2 === 0)));
      expect(q({ attrs: { colour: 'green' } })).toEqual([]);
      expect(q({ type: 'lamp', attrs: { floors: '2' }, linkedTo: site })).toEqual(ids(lamps.filter((_, i) => i % 5 === 0 && i % 3 === 2)));
      s.close();
    });

    it('pages search results with the last identifier as cursor', () => {
      const s = open();
      const { lamps, all } = seedCity(s);
      for (const limit of [1, 7, 30, 33]) {
        const pages = allPages((cursor) => s.search({ cursor, limit }));
        expect(pages.flat().map((e) => e.id)).toEqual(ids(all));
        expect(pages.every((p, i) => (i < pages.length - 1 ? p.length === limit : p.length <= limit && p.length > 0))).toBe(true);
      }
      // Paging through a filter that the index cannot answer alone (attributes).
      const red = allPages((cursor) => s.search({ attrs: { colour: 'red' }, cursor, limit: 4 }));
      expect(red.flat().map((e) => e.id)).toEqual(ids(lamps.filter((_, i) => i % 2 === 0)));
      expect(red.map((p) => p.length)).toEqual([4, 4, 4, 3]);
      // An exact multiple of the limit: the last full page says there is no more.
      const exact = s.search({ ns: '156.1301.42', limit: 30 });
      expect(exact.items).toHaveLength(30);
      expect(exact.next).toBeNull();
      // The cursor need not be a returned identifier.
      expect(s.search({ ns: '156.1301.42', cursor: idText('156.1301.42', 'LAMP-0027'), limit: 10 }).items.map((e) => e.local)).toEqual([
        'LAMP-0028',
        'LAMP-0029',
      ]);
      const byNs = allPages((cursor) => s.idsIn('156.1301.42', cursor, 8));
      expect(byNs.map((p) => p.length)).toEqual([8, 8, 8, 6]);
      expect(byNs.flat()).toEqual([...lamps].sort((a, b) => (a.id < b.id ? -1 : 1)));
      s.close();
    });

    it('defaults to 100 results per page', () => {
      const s = open();
      commit(s, { entries: [chainEntry(), nsEntry('7')] });
      const many = Array.from({ length: 150 }, (_, i) => idEntry('7', `N${String(i).padStart(3, '0')}`));
      commit(s, { entries: many });
      const first = s.search({ ns: '7' });
      expect(first.items).toHaveLength(100);
      expect(first.next).toBe(first.items[99]!.id);
      const second = s.search({ ns: '7', cursor: first.next });
      expect(second.items).toHaveLength(50);
      expect(second.next).toBeNull();
      s.close();
    });

    it('lists namespace children in path order', () => {
      const s = open();
      seedCity(s);
      expect(s.children(null, null, 10).items.map((e) => e.ns)).toEqual(['156', '250']);
      expect(s.children('156', null, 10).items.map((e) => e.ns)).toEqual(['156.1301', '156.13010']);
      expect(s.children('156.1301', null, 10).items.map((e) => e.ns)).toEqual(['156.1301.42']);
      expect(s.children('156.1301.42', null, 10)).toEqual({ items: [], next: null });
      const p1 = s.children('156', null, 1);
      expect(p1).toEqual({ items: [nsEntry('156.1301')], next: '156.1301' });
      expect(s.children('156', p1.next, 1)).toEqual({ items: [nsEntry('156.13010')], next: null });
      s.close();
    });

    it('follows link changes when an identifier is updated', () => {
      const s = open();
      const target = idText('1', 'T');
      const other = idText('1', 'U');
      commit(s, { entries: [chainEntry(), nsEntry('1')] });
      const a = idEntry('1', 'A', { links: [{ rel: 'part-of', target }] });
      commit(s, { entries: [a] });
      expect(ids(s.search({ linkedTo: target }).items)).toEqual([a.id]);
      const a2: IdEntry = { ...a, record: { type: 'lamp', links: [{ rel: 'part-of', target: other }] }, version: 2 };
      commit(s, { entries: [a2] });
      expect(s.search({ linkedTo: target }).items).toEqual([]);
      expect(s.search({ linkedTo: other }).items).toEqual([a2]);
      const a3: IdEntry = { ...a2, record: { type: 'lamp' }, status: 'deactivated', version: 3 };
      commit(s, { entries: [a3] });
      expect(s.search({ linkedTo: other }).items).toEqual([]);
      expect(s.search({ status: 'deactivated' }).items).toEqual([a3]);
      s.close();
    });

    it('sees namespace updates through repeated reads', () => {
      const s = open();
      commit(s, { entries: [chainEntry(), nsEntry('1')] });
      expect(s.ns('1')!.version).toBe(1);
      expect(s.ns('1')!.version).toBe(1);
      commit(s, { entries: [nsEntry('1', { version: 2, status: 'suspended' })] });
      expect(s.ns('1')).toEqual(nsEntry('1', { version: 2, status: 'suspended' }));
      commit(s, { entries: [{ ...chainEntry(2), validators: ['z6MkNew'] }] });
      expect(s.chain()!.validators).toEqual(['z6MkNew']);
      s.close();
    });

    it('keeps the tree of every height provable until pruned, and the entry of every height', () => {
      const s = open();
      const tree = new SparseMerkleTree(s, EMPTY_HASH, { cacheCapacity: 0 });
      const key = (i: number) => sha256(Uint8Array.of(1, i));
      const val = (i: number, h: number) => sha256(Uint8Array.of(2, i, h));
      // Height h writes keys 0..4h+3 (new ones) and rewrites key 0 and key h: old positions get new versions.
      const roots: Uint8Array[] = [];
      const values: Map<number, Uint8Array>[] = [];
      let cur = new Map<number, Uint8Array>();
      for (let h = 0; h < 8; h++) {
        cur = new Map(cur);
        const changes = [];
        for (const i of [0, h, 4 * h + 1, 4 * h + 2, 4 * h + 3]) {
          cur.set(i, val(i, h));
          changes.push({ key: key(i), value: val(i, h) });
        }
        const { root, writes } = tree.update(changes);
        const a: IdEntry = idEntry('1', 'A', { version: h + 1, height: h });
        commit(s, { entries: h === 0 ? [chainEntry(), nsEntry('1'), a] : [a], smt: writes });
        tree.commit(root);
        roots.push(root);
        values.push(cur);
      }
      const proves = (h: number) => {
        for (let i = 0; i < 34; i++) {
          const want = values[h]!.get(i) ?? null;
          verifyProof(roots[h]!, key(i), want, proveAt(s, h, roots[h]!, key(i)));
        }
        return storeReproducesRoot(s, h, roots[h]!);
      };
      expect(s.provableFrom()).toBe(0);
      for (let h = 0; h < 8; h++) expect(proves(h)).toBe(true);
      // The current tree reads the latest versions.
      verifyProof(roots[7]!, key(0), val(0, 7), tree.prove(key(0)));
      expect(s.entryAt('id:1/A', 3)!.version).toBe(4);
      expect(s.entryAt('id:1/A', 0)!.version).toBe(1);
      expect(s.entryAt('id:1/B', 7)).toBeUndefined();
      // A root the store never held is not reproduced.
      expect(storeReproducesRoot(s, 7, roots[6]!)).toBe(false);

      expect(s.pruneHistory(5)).toBeGreaterThan(0);
      expect(s.provableFrom()).toBe(5);
      expect(s.pruneHistory(3)).toBe(0);
      expect(s.provableFrom()).toBe(5);
      for (let h = 5; h < 8; h++) expect(proves(h)).toBe(true);
      let lost = 0;
      for (let h = 0; h < 5; h++) {
        try {
          if (!proves(h)) lost++;
        } catch (e) {
          if (!isUrbisError(e) || e.code !== 'STORE_CORRUPT') throw e;
          lost++;
        }
      }
      expect(lost).toBe(5);
      s.close();
    });
  });
}

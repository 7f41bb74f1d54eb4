/**
 * In-memory {@link LedgerStore}: the reference adapter for unit tests and for re-verifying a chain
 * (`urbis verify`). Same contract as the SQLite store, nothing durable.
 */
import { MemorySmtNodeStore } from '../../core/merkle/index.js';
import type { ForkEvidence } from '../../core/ledger/consistency.js';
import type { NoteSig } from '../../core/ledger/checkpoint.js';
import { grantKey, idKey, nsKey, stateKey, CHAIN_KEY } from '../../core/ledger/state.js';
import { headerHash } from '../../core/ledger/block.js';
import type { Block, BlockHeader, Certificate, ChainEntry, GrantEntry, IdEntry, NsEntry, StateEntry } from '../../core/ledger/types.js';
import type { BlockBundle, CosigRow, Head, LedgerStore, Page, SearchQuery, TxLocation } from '../types.js';
import { matchesQuery } from '../../core/api/search.js';

export class MemoryStore implements LedgerStore {
  private readonly entries = new Map<string, StateEntry>();
  private readonly history = new Map<string, StateEntry[]>();
  private readonly blocks: Block[] = [];
  private readonly certs: Certificate[] = [];
  private readonly txIndex = new Map<string, TxLocation>();
  private readonly seen = new Map<string, number>();
  /** Merkle nodes in the compact typed-array table (a Map of byte arrays costs ~5× the memory). */
  private readonly nodes = new MemorySmtNodeStore();
  private readonly changesByHeight: StateEntry[][] = [];
  private headState: Head | undefined;
  private floor = 0;
  /** Header history log: `level/index` → subtree hash. */
  private readonly historyNodes = new Map<string, Uint8Array>();

  chain(): ChainEntry | undefined {
    return this.entries.get(CHAIN_KEY) as ChainEntry | undefined;
  }
  ns(path: string): NsEntry | undefined {
    return this.entries.get(nsKey(path)) as NsEntry | undefined;
  }
  id(key: string): IdEntry | undefined {
    return this.entries.get(idKey(key)) as IdEntry | undefined;
  }
  grant(ref: string): GrantEntry | undefined {
    return this.entries.get(grantKey(ref)) as GrantEntry | undefined;
  }
  grantsOf(subjectRef: string, cursor: string | null, limit: number): Page<GrantEntry> {
    const prefix = grantKey(`${subjectRef}|`);
    const keys = [...this.entries.keys()].filter((k) => k.startsWith(prefix) && k > (cursor ?? '')).sort();
    const n = Math.max(1, limit);
    const items = keys.slice(0, n).map((k) => this.entries.get(k) as GrantEntry);
    return { items, next: keys.length > n ? keys[n - 1]! : null };
  }
  hasTx(hash: string): boolean {
    return this.seen.has(hash);
  }
  get(path: Uint8Array): Uint8Array | undefined {
    return this.nodes.get(path);
  }
  getAt(path: Uint8Array, version: number): Uint8Array | undefined {
    return this.nodes.getAt(path, version);
  }
  provableFrom(): number {
    return this.headState ? this.floor : -1;
  }
  pruneHistory(floor: number): number {
    if (!this.headState || floor <= this.floor || floor > this.headState.height) return 0;
    this.floor = floor;
    return this.nodes.prune(floor);
  }
  head(): Head | undefined {
    return this.headState;
  }
  header(height: number): BlockHeader | undefined {
    return this.blocks[height]?.header;
  }
  private readonly forks = new Map<string, ForkEvidence>();
  putEvidence(e: ForkEvidence, hashes: [string, string]): boolean {
    const k = `${e.height}/${hashes[0]}/${hashes[1]}`;
    if (this.forks.has(k)) return false;
    this.forks.set(k, e);
    return true;
  }
  evidence(): ForkEvidence[] {
    return [...this.forks.values()];
  }
  private readonly notes = new Map<number, Map<string, string>>();
  putNoteSigs(size: number, sigs: NoteSig[]): void {
    const m = this.notes.get(size) ?? new Map<string, string>();
    for (const x of sigs) if (!m.has(x.key)) m.set(x.key, x.sig);
    this.notes.set(size, m);
  }
  noteSigs(size: number): NoteSig[] {
    return [...(this.notes.get(size) ?? [])].map(([key, sig]) => ({ key, sig })).sort((a, b) => (a.key < b.key ? -1 : 1));
  }
  latestNoteSize(): number {
    return Math.max(-1, ...this.notes.keys());
  }
  private readonly cosigRows = new Map<number, Map<string, CosigRow>>();
  putCosig(size: number, witness: string, line: string, time: number): boolean {
    const m = this.cosigRows.get(size) ?? new Map<string, CosigRow>();
    this.cosigRows.set(size, m);
    const old = m.get(witness);
    if (old && old.time >= time) return false;
    m.set(witness, { witness, line, time });
    return true;
  }
  latestCosignedSize(witnesses?: readonly string[], k = 1): number {
    const count = (m: Map<string, CosigRow>) => (witnesses ? witnesses.filter((w) => m.has(w)).length : m.size);
    return Math.max(-1, ...[...this.cosigRows].filter(([, m]) => count(m) >= k).map(([size]) => size));
  }
  cosigs(size: number): CosigRow[] {
    return [...(this.cosigRows.get(size)?.values() ?? [])].sort((a, b) => (a.witness < b.witness ? -1 : 1));
  }
  historyNode(level: number, index: number): Uint8Array | undefined {
    return this.historyNodes.get(`${level}/${index}`);
  }
  block(height: number): Block | undefined {
    return this.blocks[height];
  }
  cert(height: number): Certificate | undefined {
    return this.certs[height];
  }
  putCert(cert: Certificate): void {
    this.certs[cert.height] = cert;
  }
  tx(hash: string): TxLocation | undefined {
    return this.txIndex.get(hash);
  }
  idHistory(key: string): IdEntry[] {
    return (this.history.get(idKey(key)) ?? []) as IdEntry[];
  }
  entryAt(key: string, height: number): StateEntry | undefined {
    const list = this.history.get(key) ?? [];
    let found: StateEntry | undefined;
    for (const v of list) if (v.height <= height) found = v;
    return found;
  }
  nsHistory(ns: string): NsEntry[] {
    return (this.history.get(nsKey(ns)) ?? []) as NsEntry[];
  }

  children(ns: string | null, cursor: string | null, limit: number): Page<NsEntry> {
    const all = [...this.entries.values()]
      .filter(
        (e): e is NsEntry => e.kind === 'ns' && (ns === null ? !e.ns.includes('.') : e.ns.startsWith(`${ns}.`) && !e.ns.slice(ns.length + 1).includes('.')),
      )
      .sort((a, b) => (a.ns < b.ns ? -1 : 1))
      .filter((e) => cursor === null || e.ns > cursor);
    const items = all.slice(0, limit);
    return { items, next: all.length > limit ? items[items.length - 1]!.ns : null };
  }

  idsIn(ns: string, cursor: string | null, limit: number): Page<IdEntry> {
    return this.search({ ns, cursor, limit });
  }

  search(q: SearchQuery): Page<IdEntry> {
    const limit = q.limit ?? 100;
    const all = [...this.entries.values()]
      .filter((e): e is IdEntry => e.kind === 'id' && matchesQuery(e, q))
      .sort((a, b) => (a.id < b.id ? -1 : 1))
      .filter((e) => !q.cursor || e.id > q.cursor);
    const items = all.slice(0, limit);
    return { items, next: all.length > limit ? items[items.length - 1]!.id : null };
  }

  changes(height: number): StateEntry[] {
    return this.changesByHeight[height] ?? [];
  }

  allEntries(): Iterable<StateEntry> {
    return this.entries.values();
  }

  commitBlock(b: BlockBundle): void {
    const h = b.block.header;
    const expected = this.headState ? this.headState.height + 1 : 0;
    if (h.height !== expected) throw new Error(`memory store: block ${h.height} does not follow ${expected - 1}`);
    for (const e of b.entries) this.entries.set(stateKey(e), e);
    for (const v of b.versions) {
      const k = stateKey(v);
      const list = this.history.get(k) ?? [];
      list.push(v);
      this.history.set(k, list);
    }
    b.block.txs.forEach((_, i) => {
      const hash = b.hashes[i];
      // Keep the first valid outcome (see SqliteStore: a replayed copy must not hide it).
      if (hash && this.txIndex.get(hash)?.result.ok !== true) this.txIndex.set(hash, { hash, height: h.height, index: i, result: b.block.results[i]! });
    });
    for (const [hash, until] of b.committedTxs) this.seen.set(hash, until);
    for (const [hash, until] of this.seen) if (until < h.time) this.seen.delete(hash);
    this.nodes.apply(b.smtWrites, h.height);
    for (const w of b.historyWrites) this.historyNodes.set(`${w.level}/${w.index}`, w.hash);
    if (b.noteSigs?.length) this.putNoteSigs(h.height, b.noteSigs);
    this.changesByHeight[h.height] = [...b.versions];
    this.blocks[h.height] = b.block;
    this.certs[h.height] = b.cert;
    this.headState = { height: h.height, headerHash: headerHash(h), header: h };
  }

  /** Transactions in the index (for `urbis verify`). */
  txCount(): number {
    return this.txIndex.size;
  }

  /** The replay window: hash → end of validity (for `urbis verify`). */
  seenMap(): ReadonlyMap<string, number> {
    return this.seen;
  }

  /** Merkle node records held, every version (for `urbis verify`). */
  nodeCount(): number {
    return this.nodes.size;
  }

  /** Every Merkle node record with its version (for `urbis verify`). */
  nodeRecords(): Iterable<{ path: Uint8Array; version: number; node: Uint8Array }> {
    return this.nodes.records();
  }

  close(): void {}
}

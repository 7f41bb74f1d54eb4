/**
 * The storage port: what the ledger engine needs from an embedded store.
 *
 * Two adapters implement it: `MemoryStore` (tests) and `SqliteStore` (better-sqlite3, the node's
 * store). The interface is synchronous on purpose: better-sqlite3 is synchronous, and the apply loop
 * reads state entries and Merkle nodes tens of thousands of times per block.
 *
 * Contract: `commitBlock` is atomic. After it returns, the block, its results, every state entry it
 * wrote, every history row, every Merkle node and the head pointer are durable together, or (if the
 * process dies first) none of them are.
 */
import type { SearchFilter } from '../core/api/search.js';
import type { SmtWrite, VersionedSmtNodeStore } from '../core/merkle/index.js';
import type { SubtreeNode } from '../core/merkle/log.js';
import type { TxEncoding } from '../core/ledger/tx.js';
import type { ForkEvidence } from '../core/ledger/consistency.js';
import type { NoteSig } from '../core/ledger/checkpoint.js';
import { parentOf } from '../core/ledger/names.js';
import { stateKey, type StateReader } from '../core/ledger/state.js';
import type { Block, BlockHeader, Certificate, GrantEntry, IdEntry, NsEntry, StateEntry, TxResult } from '../core/ledger/types.js';

/** The chain head as stored. */
export interface Head {
  height: number;
  headerHash: string;
  header: BlockHeader;
}

/** Everything one block writes. */
export interface BlockBundle {
  block: Block;
  headerHash: string;
  cert: Certificate;
  /** Transaction hashes, aligned with block.txs (null for an unparsable entry). */
  hashes: (string | null)[];
  /** Final state entries written by the block. */
  entries: StateEntry[];
  /**
   * Canonical JSON text of some of the entries (the final ones, serialised once for their Merkle
   * value): stored as they are instead of serialising the entry again. Others are serialised by the store.
   */
  bodies?: Map<StateEntry, string>;
  /** Canonical encoding of each transaction (aligned with block.txs; null where none), for the stored block. */
  encoded?: (TxEncoding | null)[];
  /** Every version written, in order (history rows). */
  versions: StateEntry[];
  /** Valid transactions with the end of their validity window. */
  committedTxs: Map<string, number>;
  /** Merkle map node writes, stored as version `block.header.height` (src/core/merkle/store.ts). */
  smtWrites: SmtWrite[];
  /**
   * Nodes of the header history log completed by this block's header hash (docs/protocol.md "History
   * tree"): the leaf at level 0 and each perfect subtree it closes.
   */
  historyWrites: SubtreeNode[];
  /** Validators' note signatures of the checkpoint of size `height` (docs/protocol.md "Checkpoints and witnesses"). */
  noteSigs?: NoteSig[];
  /**
   * Adapter metadata written in the same transaction (the network follower keeps the stream position
   * of the block here). Not part of the ledger; adapters without a metadata table ignore it.
   */
  meta?: Record<string, string>;
}

/** Where a transaction ended up. */
export interface TxLocation {
  hash: string;
  height: number;
  index: number;
  result: TxResult;
}

/** A witness cosignature as kept: the witness (`name+keyId`), its signature line and its time (POSIX s). */
export interface CosigRow {
  witness: string;
  line: string;
  time: number;
}

/** A page of results with an opaque cursor for the next page (null at the end). */
export interface Page<T> {
  items: T[];
  next: string | null;
}

/** Search filter over identifiers, with paging. */
export interface SearchQuery extends SearchFilter {
  cursor?: string | null;
  limit?: number;
}

/** A row of the entries table: the entry's body and the columns derived from it for search. */
export interface EntryRow {
  key: string;
  kind: string;
  ns: string | null;
  parent: string | null;
  id: string | null;
  type: string | null;
  status: string | null;
  body: string;
}

/** The entries-table row of an entry: one mapping for the store that writes and the check that reads. */
export function entryRow(e: StateEntry, body: string): EntryRow {
  if (e.kind === 'chain') return { key: stateKey(e), kind: 'chain', ns: null, parent: null, id: null, type: null, status: null, body };
  // '' for a top-level namespace: the key of the children index.
  if (e.kind === 'ns') return { key: stateKey(e), kind: 'ns', ns: e.ns, parent: parentOf(e.ns) ?? '', id: e.id, type: e.record.type, status: e.status, body };
  if (e.kind === 'id') return { key: stateKey(e), kind: 'id', ns: e.ns, parent: null, id: e.id, type: e.record.type, status: e.status, body };
  // A grant: the subject's reference in `parent` and the grantee in `id`, for the grant lookups.
  const key = stateKey(e);
  return { key, kind: 'grant', ns: null, parent: key.slice('grant:'.length, key.indexOf('|')), id: e.grantee, type: null, status: e.status, body };
}

/**
 * The raw rows of a store's tables, for `urbis verify` (src/engine/verify-chain.ts), which checks
 * each against what the blocks produce. Iterated one table at a time.
 */
export interface StoreAudit {
  entries(): Iterable<EntryRow>;
  history(): Iterable<{ key: string; version: number; height: number; body: string }>;
  txs(): Iterable<{ hash: string; height: number; index: number; ok: boolean; code: string | null; message: string | null }>;
  /** The replay window: valid transactions whose window had not ended at the head's time. */
  seen(): Iterable<{ hash: string; until: number }>;
  links(): Iterable<{ target: string; id: string }>;
  /** Every Merkle node record, with the height of the block that wrote it. */
  smt(): Iterable<{ path: Uint8Array; version: number; node: Uint8Array }>;
}

export interface LedgerStore extends StateReader, VersionedSmtNodeStore {
  /** The raw tables, where the adapter has any beside what the port returns (SQLite). */
  audit?(): StoreAudit;
  /** Latest committed block, or undefined for an empty store. */
  head(): Head | undefined;
  header(height: number): BlockHeader | undefined;
  /**
   * Keeps fork evidence (two conflicting certified headers, checked by the caller) across restarts;
   * the same pair again is not stored twice. @returns true when it was new.
   */
  putEvidence(e: ForkEvidence, hashes: [string, string], seen: number): boolean;
  /** Fork evidence held, oldest first. */
  evidence(): ForkEvidence[];
  /**
   * Adds validators' note signatures of the checkpoint of tree size `size` (checked by the caller);
   * a key's signature already held is kept.
   */
  putNoteSigs(size: number, sigs: NoteSig[]): void;
  /** Validators' note signatures of the checkpoint of tree size `size`. */
  noteSigs(size: number): NoteSig[];
  /** The largest checkpoint size holding validators' note signatures, or -1. */
  latestNoteSize(): number;
  /**
   * Keeps a witness cosignature line (checked by the caller) of the checkpoint of tree size `size`,
   * one per witness (`name+keyId`) and size, the latest time winning. @returns true when it was new or newer.
   */
  putCosig(size: number, witness: string, line: string, time: number): boolean;
  /** Witness cosignatures of the checkpoint of tree size `size`, by witness. */
  cosigs(size: number): CosigRow[];
  /**
   * The largest checkpoint size holding cosignatures of at least `k` witnesses (of `witnesses`, ids
   * `name+keyId`, when given), or -1.
   */
  latestCosignedSize(witnesses?: readonly string[], k?: number): number;
  /** Perfect subtree `(level, index)` of the header history log, if held (a {@link SubtreeReader}). */
  historyNode(level: number, index: number): Uint8Array | undefined;
  block(height: number): Block | undefined;
  cert(height: number): Certificate | undefined;
  /** Replaces a block's certificate (more signatures gathered later). */
  putCert(cert: Certificate): void;
  tx(hash: string): TxLocation | undefined;
  /** The version of a state entry in force after block `height` (the latest written at or below it), if any. */
  entryAt(key: string, height: number): StateEntry | undefined;
  /** All versions of an identifier, oldest first. */
  idHistory(key: string): IdEntry[];
  nsHistory(ns: string): NsEntry[];
  /** Direct children of a namespace (null = top level), in path order. */
  children(ns: string | null, cursor: string | null, limit: number): Page<NsEntry>;
  /** Identifiers of one namespace in local-part order. */
  idsIn(ns: string, cursor: string | null, limit: number): Page<IdEntry>;
  search(q: SearchQuery): Page<IdEntry>;
  /** Grants of a subject (by its reference `ns/local`) in state-key order; the cursor is the last key. */
  grantsOf(subjectRef: string, cursor: string | null, limit: number): Page<GrantEntry>;
  /** Entry versions written by the block at `height`, in commit order (the change feed). */
  changes(height: number): StateEntry[];
  /**
   * Height of the store's first block: 0, or the height of the certified snapshot it started from
   * (that block holds no transactions and no changes). Absent: 0.
   */
  baseHeight?(): number;
  /** Every current state entry (used to re-verify live state against the chain). */
  allEntries(): Iterable<StateEntry>;
  /**
   * Lowest height whose state root the stored Merkle records still prove (with `getAt`), or -1 for
   * an empty store. Heights from here to the head are provable: below it the records were pruned, or
   * the store began there (a snapshot import, or a store migrated from the single-version layout).
   */
  provableFrom(): number;
  /**
   * Drops the Merkle records that no tree at a height ≥ `floor` reaches (each position keeps its
   * latest record at or below `floor`), and raises {@link provableFrom} to `floor`. A floor at or
   * below the current one, or above the head, changes nothing. Returns the number of records dropped.
   */
  pruneHistory(floor: number): number;
  /** Atomic commit of one block and all its effects. */
  commitBlock(b: BlockBundle): void;
  close(): void;
}

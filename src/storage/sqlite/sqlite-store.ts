/**
 * SQLite adapter of the storage port (src/storage/types.ts), on better-sqlite3.
 *
 * Same semantics as the reference adapter (src/storage/memory/memory-store.ts); this file adds
 * durability and indexes. One block = one SQLite transaction (`BEGIN IMMEDIATE … COMMIT`), which
 * is what makes the port's atomicity contract hold: the block, its results, state entries, history
 * rows, Merkle nodes, transaction index (with the replay window) and head pointer become visible and
 * durable together.
 *
 * Durability (PRAGMA synchronous, with journal_mode=WAL):
 * - `NORMAL` (default): a committed block survives the death of the process (kill -9, crash); after a
 *   power loss or OS crash the last few blocks may be rolled back, never torn. The node recovers by
 *   re-fetching them from the ordering log.
 * - `FULL`: the WAL is fsync'ed at every commit, so a committed block also survives power loss, at
 *   the price of one fsync per block.
 *
 * Layout (schema version {@link SCHEMA_VERSION}, kept in `PRAGMA user_version`):
 * - `meta(k, v)`: head height and hash.
 * - `blocks(height, hash, header, txs, results)`: JSON texts; `certs(height, cert)` apart, because
 *   certificates are rewritten as signatures arrive and a block row may carry megabytes of txs.
 * - `entries(key, kind, ns, parent, id, type, status, body)`: current state, body = entry JSON; the
 *   other columns exist only to be indexed (search by identifier text, type; namespace children).
 * - `history(key, version, height, body)`: every version ever written; rows are never deleted, so
 *   the rowid is the commit order, which the change feed (`changes(height)`) returns.
 * - `txs(hash, height, idx, ok, code, message, until)`: where each transaction landed and its outcome;
 *   `until` (the end of a valid transaction's validity window) makes it the replay window too: a
 *   transaction is "seen" while `until` ≥ the head's time, so nothing is deleted as windows end and
 *   no second table is written per transaction. A row with a null height comes from a snapshot's
 *   replay set (a transaction of a block below the store's base). Schema 2 kept the window in its
 *   own table `seen(hash, until)`; opening such a store for writing moves it into `txs`
 *   ({@link SqliteStore.migrateFrom2}).
 * - `smt(path, ver, node)`: the Merkle map's node records by position and version, the height of the
 *   block that wrote them (src/core/merkle/store.ts), append-only: the tree at height h reads, per
 *   position, the row with the highest `ver` ≤ h, one seek on the (path, ver) primary key. Schema 1
 *   kept `smt(path, node)` (the current tree only); opening such a store for writing migrates it in
 *   one transaction, its rows becoming version = head height, which is then the first provable
 *   height (`meta.proof_base`).
 * - `links(target, id)`: reverse index of record links, for `linkedTo` search.
 * - `hlog(level, idx, hash)`: the header history log's perfect subtrees (docs/protocol.md "History
 *   tree"); 2 n rows for n blocks, any proof reads O(log n) of them.
 * - `evidence(height, hash_a, hash_b, body, seen)`: fork evidence, two conflicting certified headers.
 * - `cosigs(size, witness, line, time)`: witness cosignatures of the checkpoint of a tree size.
 * - `notesigs(size, key, sig)`: the validators' note signatures of the checkpoint of a tree size.
 */
import Database from 'better-sqlite3';
import { UrbisError, type ErrorCode } from '../../core/errors.js';
import { headerHash } from '../../core/ledger/block.js';
import { CHAIN_KEY, grantKey, idKey, nsKey, stateKey } from '../../core/ledger/state.js';
import type { Block, BlockHeader, Certificate, ChainEntry, GrantEntry, IdEntry, NsEntry, StateEntry, TxResult } from '../../core/ledger/types.js';
import { matchesQuery } from '../../core/api/search.js';
import type { SmtWrite } from '../../core/merkle/index.js';
import type { SubtreeNode } from '../../core/merkle/log.js';
import type { ForkEvidence } from '../../core/ledger/consistency.js';
import type { TxEncoding } from '../../core/ledger/tx.js';
import type { NoteSig } from '../../core/ledger/checkpoint.js';
import {
  entryRow,
  type BlockBundle,
  type CosigRow,
  type EntryRow,
  type Head,
  type LedgerStore,
  type Page,
  type SearchQuery,
  type StoreAudit,
  type TxLocation,
} from '../types.js';

/** Version of the table layout written by this code. A store with a higher version is refused. */
export const SCHEMA_VERSION = 3;

/** `PRAGMA application_id` of an Urbis store ("URBS"), so that a foreign SQLite file is recognised. */
export const APPLICATION_ID = 0x55524253;

/** Default and largest page size of {@link SqliteStore.search}, {@link SqliteStore.children}, {@link SqliteStore.idsIn}. */
export const DEFAULT_PAGE_LIMIT = 100;
export const MAX_PAGE_LIMIT = 1000;

const ALL_ENTRIES_PAGE = 1000;

/** Options of {@link SqliteStore.open}. */
export interface SqliteStoreOptions {
  /** Open an existing store for reading only (a read replica beside the writing node). Default false. */
  readonly?: boolean;
  /** `NORMAL` (default) survives a killed process; `FULL` also survives power loss. See the file comment. */
  synchronous?: 'NORMAL' | 'FULL';
  /** Parsed namespace entries kept in memory (the apply loop reads the same parents over and over). Default 10,000. */
  nsCacheSize?: number;
}

/**
 * Tables of version 2 headers (docs/protocol.md "History tree"), fork evidence, and the checkpoint's
 * validator signatures and witness cosignatures; created on open so that every store has them.
 */
const LOG_TABLES = `
CREATE TABLE IF NOT EXISTS hlog(level INTEGER NOT NULL, idx INTEGER NOT NULL, hash BLOB NOT NULL, PRIMARY KEY(level, idx)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS evidence(height INTEGER NOT NULL, hash_a TEXT NOT NULL, hash_b TEXT NOT NULL, body TEXT NOT NULL, seen INTEGER NOT NULL, PRIMARY KEY(height, hash_a, hash_b)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS cosigs(size INTEGER NOT NULL, witness TEXT NOT NULL, line TEXT NOT NULL, time INTEGER NOT NULL, PRIMARY KEY(size, witness)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS notesigs(size INTEGER NOT NULL, key TEXT NOT NULL, sig TEXT NOT NULL, PRIMARY KEY(size, key)) WITHOUT ROWID;
`;

/** Grants of one subject in key order (`parent` = the subject's reference). */
const GRANTS_INDEX = "CREATE INDEX IF NOT EXISTS entries_grants ON entries(parent, key) WHERE kind = 'grant'";

/** The transaction index with the replay window (schema 3). */
const TXS_TABLE =
  'CREATE TABLE txs(hash TEXT PRIMARY KEY, height INTEGER, idx INTEGER, ok INTEGER NOT NULL, code TEXT, message TEXT, until INTEGER) WITHOUT ROWID';

const SCHEMA = `
CREATE TABLE meta(k TEXT PRIMARY KEY, v TEXT NOT NULL) WITHOUT ROWID;
CREATE TABLE blocks(height INTEGER PRIMARY KEY, hash TEXT NOT NULL, header TEXT NOT NULL, txs TEXT NOT NULL, results TEXT NOT NULL);
CREATE TABLE certs(height INTEGER PRIMARY KEY, cert TEXT NOT NULL);
CREATE TABLE entries(
  key TEXT PRIMARY KEY, kind TEXT NOT NULL, ns TEXT, parent TEXT, id TEXT, type TEXT, status TEXT, body TEXT NOT NULL);
CREATE INDEX entries_id ON entries(id) WHERE kind = 'id';
CREATE INDEX entries_type ON entries(type, id) WHERE kind = 'id';
CREATE INDEX entries_children ON entries(parent, ns) WHERE kind = 'ns';
CREATE TABLE history(key TEXT NOT NULL, version INTEGER NOT NULL, height INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY(key, version));
CREATE INDEX history_height ON history(height);
${TXS_TABLE};
CREATE TABLE smt(path BLOB NOT NULL, ver INTEGER NOT NULL, node BLOB NOT NULL, PRIMARY KEY(path, ver)) WITHOUT ROWID;
CREATE TABLE links(target TEXT NOT NULL, id TEXT NOT NULL, PRIMARY KEY(target, id)) WITHOUT ROWID;
CREATE INDEX links_source ON links(id);
`;

type Stmt = Database.Statement<unknown[], unknown>;

/** The SQLite error code of `e` (`SQLITE_BUSY`, …), if it is one. */
function sqliteCode(e: unknown): string | undefined {
  const c = (e as { code?: unknown } | null)?.code;
  return typeof c === 'string' && c.startsWith('SQLITE_') ? c : undefined;
}

/** Maps a better-sqlite3 failure to the registry: the caller must be able to tell "corrupt" from "busy". */
function wrap(e: unknown, what: string): UrbisError {
  if (e instanceof UrbisError) return e;
  const sc = sqliteCode(e);
  let code: ErrorCode = 'INTERNAL';
  if (sc?.startsWith('SQLITE_CORRUPT') || sc === 'SQLITE_NOTADB') code = 'STORE_CORRUPT';
  else if (sc?.startsWith('SQLITE_BUSY') || sc?.startsWith('SQLITE_LOCKED')) code = 'STORE_LOCKED';
  else if (sc?.startsWith('SQLITE_CANTOPEN')) code = 'STORE_NOT_INITIALIZED';
  const msg = e instanceof Error ? e.message : String(e);
  return new UrbisError(code, `${what}: ${msg}`, sc ? { sqlite: sc } : undefined, { cause: e });
}

function clampLimit(limit: number | undefined): number {
  if (limit === undefined || !Number.isFinite(limit)) return DEFAULT_PAGE_LIMIT;
  return Math.min(MAX_PAGE_LIMIT, Math.max(1, Math.floor(limit)));
}

/** Result of a transaction as stored in `txs`. */
interface TxRow {
  height: number | null;
  idx: number;
  ok: number;
  code: string | null;
  message: string | null;
}

/**
 * The node's durable {@link LedgerStore}. Synchronous like better-sqlite3; one instance per
 * connection, not shared between threads.
 */
export class SqliteStore implements LedgerStore {
  private readonly db: Database.Database;
  private readonly readonly: boolean;
  private readonly s: ReturnType<typeof prepareStatements>;
  private readonly searchStmts = new Map<string, Stmt>();
  private readonly commitTx: (b: BlockBundle, hash: string) => void;
  /**
   * The writer owns the head, so its copy is authoritative. A read-only connection sees another
   * connection's commits: it re-reads the head height on every call and keeps this only to avoid
   * re-parsing an unchanged header; it caches neither the chain entry nor namespaces.
   */
  private headCache: Head | undefined;
  private chainCache: ChainEntry | undefined;
  private readonly nsCache = new Map<string, NsEntry>();
  private readonly nsCacheSize: number;

  private constructor(db: Database.Database, readonly: boolean, nsCacheSize: number) {
    this.db = db;
    this.readonly = readonly;
    this.nsCacheSize = readonly ? 0 : nsCacheSize;
    this.s = prepareStatements(db);
    this.commitTx = db.transaction((b: BlockBundle, hash: string) => this.writeBundle(b, hash)).immediate;
    if (!readonly) {
      this.headCache = this.readHead();
      this.chainCache = this.readEntry(CHAIN_KEY) as ChainEntry | undefined;
    }
  }

  /**
   * Opens (and, unless read-only, creates) the store in `file`, then checks that the head pointer
   * agrees with the blocks table.
   *
   * @throws UrbisError STORE_CORRUPT if the file is not an Urbis store, has a newer schema, or its
   *   head disagrees with its blocks; STORE_NOT_INITIALIZED if a read-only open finds no store;
   *   STORE_LOCKED if another writer holds the database past the busy timeout.
   * @example const store = SqliteStore.open('/var/lib/urbis/ledger.db');
   */
  static open(file: string, opts: SqliteStoreOptions = {}): SqliteStore {
    const readonly = opts.readonly === true;
    const sync = opts.synchronous ?? 'NORMAL';
    if (sync !== 'NORMAL' && sync !== 'FULL') throw new UrbisError('INTERNAL', `unknown synchronous mode "${String(sync)}"`);
    let db: Database.Database | undefined;
    try {
      db = new Database(file, { readonly, fileMustExist: readonly });
      SqliteStore.initialise(db, readonly, sync);
      SqliteStore.checkHead(db);
      return new SqliteStore(db, readonly, opts.nsCacheSize ?? 10_000);
    } catch (e) {
      db?.close();
      throw wrap(e, `cannot open store ${file}`);
    }
  }

  private static initialise(db: Database.Database, readonly: boolean, sync: 'NORMAL' | 'FULL'): void {
    // Read first: on a file that is not a database this is where SQLITE_NOTADB surfaces.
    const version = db.pragma('user_version', { simple: true }) as number;
    const appId = db.pragma('application_id', { simple: true }) as number;
    if (version > SCHEMA_VERSION) {
      throw new UrbisError('STORE_CORRUPT', `store schema version ${version} is newer than this software understands (${SCHEMA_VERSION}); upgrade Urbis`, {
        schemaVersion: version,
        supported: SCHEMA_VERSION,
      });
    }
    if (version > 0 && appId !== APPLICATION_ID) {
      throw new UrbisError('STORE_CORRUPT', 'the file is an SQLite database but not an Urbis store', { applicationId: appId });
    }
    if (version > 0 && version < SCHEMA_VERSION && readonly) {
      throw new UrbisError(
        'STORE_UPGRADE_REQUIRED',
        `store schema version ${version} predates this software (${SCHEMA_VERSION}); start the writing node (urbis node) on this data directory once to migrate it`,
        { schemaVersion: version, supported: SCHEMA_VERSION },
      );
    }
    if (!readonly) {
      // WAL: readers never block the writer, and a commit is one sequential append.
      db.pragma('journal_mode = WAL');
      db.pragma(`synchronous = ${sync}`);
      // Keeps the WAL file from staying at the size of the largest block ever written.
      db.pragma('journal_size_limit = 67108864');
    }
    db.pragma('foreign_keys = OFF');
    db.pragma('cache_size = -65536'); // 64 MiB
    db.pragma('temp_store = MEMORY');
    if (version === 0) {
      const tables = db.prepare("SELECT count(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'").pluck().get() as number;
      if (tables > 0) throw new UrbisError('STORE_CORRUPT', 'the file is an SQLite database but not an Urbis store');
      if (readonly) throw new UrbisError('STORE_NOT_INITIALIZED', 'the file holds no Urbis store');
      db.transaction(() => {
        db.exec(SCHEMA);
        db.pragma(`application_id = ${APPLICATION_ID}`);
        db.pragma(`user_version = ${SCHEMA_VERSION}`);
      }).immediate();
    }
    if (version === 1 && !readonly) SqliteStore.migrateFrom1(db);
    if (version >= 1 && version <= 2 && !readonly) SqliteStore.migrateFrom2(db);
    // Added with access grants; created on open so that stores made before them get it too.
    if (!readonly) db.exec(GRANTS_INDEX);
    if (!readonly) db.exec(LOG_TABLES);
  }

  /**
   * Schema 1 → 2: the single-version node table becomes the versioned one. Its rows are the tree at
   * the head, so they become version = head height, and the head is the first provable height. One
   * transaction: a crash leaves the store at schema 1, migrated again at the next open.
   */
  private static migrateFrom1(db: Database.Database): void {
    db.transaction(() => {
      const head = db.prepare("SELECT v FROM meta WHERE k = 'head_height'").pluck().get() as string | undefined;
      const ver = head === undefined ? 0 : Number(head);
      db.exec('CREATE TABLE smt_v2(path BLOB NOT NULL, ver INTEGER NOT NULL, node BLOB NOT NULL, PRIMARY KEY(path, ver)) WITHOUT ROWID');
      db.prepare('INSERT INTO smt_v2(path, ver, node) SELECT path, ?, node FROM smt ORDER BY path').run(ver);
      db.exec('DROP TABLE smt; ALTER TABLE smt_v2 RENAME TO smt');
      db.prepare("INSERT OR REPLACE INTO meta(k, v) VALUES ('proof_base', ?)").run(String(ver));
      db.pragma('user_version = 2');
    }).immediate();
  }

  /**
   * Schema 2 → 3: the replay window moves from its own table `seen(hash, until)` into the
   * transaction index's `until` column; a window row without an index row (a snapshot's replay set)
   * becomes an index row without a height. One transaction, as {@link migrateFrom1}.
   */
  private static migrateFrom2(db: Database.Database): void {
    db.transaction(() => {
      db.exec(TXS_TABLE.replace('CREATE TABLE txs(', 'CREATE TABLE txs_v3('));
      db.exec(
        'INSERT INTO txs_v3(hash, height, idx, ok, code, message, until) ' +
          'SELECT t.hash, t.height, t.idx, t.ok, t.code, t.message, s.until FROM txs t LEFT JOIN seen s ON s.hash = t.hash ORDER BY t.hash',
      );
      db.exec('INSERT INTO txs_v3(hash, ok, until) SELECT hash, 1, until FROM seen WHERE hash NOT IN (SELECT hash FROM txs) ORDER BY hash');
      db.exec('DROP TABLE txs; DROP TABLE seen; ALTER TABLE txs_v3 RENAME TO txs');
      db.pragma(`user_version = ${SCHEMA_VERSION}`);
    }).immediate();
  }

  /**
   * Cheap consistency check run at open: the head pointer names the highest block and its hash.
   * It does not re-verify the chain (that is `urbis verify`).
   *
   * @throws UrbisError STORE_CORRUPT with the disagreeing values as details.
   */
  static checkHead(db: Database.Database): void {
    const height = db.prepare("SELECT v FROM meta WHERE k = 'head_height'").pluck().get() as string | undefined;
    const hash = db.prepare("SELECT v FROM meta WHERE k = 'head_hash'").pluck().get() as string | undefined;
    const max = db.prepare('SELECT max(height) FROM blocks').pluck().get() as number | null;
    const min = db.prepare('SELECT min(height) FROM blocks').pluck().get() as number | null;
    // A store started from a certified snapshot (src/network/snapshot.ts) begins at its base height.
    const base = Number((db.prepare("SELECT v FROM meta WHERE k = 'base_height'").pluck().get() as string | undefined) ?? 0);
    if (height === undefined) {
      if (max !== null) throw new UrbisError('STORE_CORRUPT', `store has blocks up to ${max} but no head pointer`, { maxHeight: max });
      return;
    }
    if (max === null || Number(height) !== max || min !== base) {
      throw new UrbisError('STORE_CORRUPT', `head pointer (${height}) disagrees with the blocks table (${min}..${max})`, {
        head: Number(height),
        minHeight: min,
        maxHeight: max,
      });
    }
    const stored = db.prepare('SELECT hash FROM blocks WHERE height = ?').pluck().get(max) as string;
    if (stored !== hash) {
      throw new UrbisError('STORE_CORRUPT', `head hash disagrees with block ${max}`, { height: max, head: hash, block: stored });
    }
    // Version 1 headers had no history root: such a chain cannot go on under version 2 headers.
    const header = JSON.parse(db.prepare('SELECT header FROM blocks WHERE height = ?').pluck().get(max) as string) as { v?: unknown };
    if (header.v !== 2) {
      throw new UrbisError(
        'STORE_CORRUPT',
        `the store holds version ${String(header.v)} block headers (no history root); this software writes version 2: create the ledger anew`,
        { headerVersion: header.v },
      );
    }
  }

  // --- StateReader ---------------------------------------------------------------------------

  chain(): ChainEntry | undefined {
    if (!this.readonly) return this.chainCache;
    return this.readEntry(CHAIN_KEY) as ChainEntry | undefined;
  }

  ns(path: string): NsEntry | undefined {
    const hit = this.nsCache.get(path);
    if (hit) return hit;
    const e = this.readEntry(nsKey(path)) as NsEntry | undefined;
    if (e && this.nsCacheSize > 0) this.cacheNs(e);
    return e;
  }

  id(key: string): IdEntry | undefined {
    return this.readEntry(idKey(key)) as IdEntry | undefined;
  }

  grant(ref: string): GrantEntry | undefined {
    return this.readEntry(grantKey(ref)) as GrantEntry | undefined;
  }

  /** Grants of a subject (by its reference `ns/local`), in grantee order. */
  grantsOf(subjectRef: string, cursor: string | null, limit: number): Page<GrantEntry> {
    const n = Math.min(Math.max(1, limit), MAX_PAGE_LIMIT);
    const rows = this.s.grantsPage.all(subjectRef, cursor ?? '', n + 1) as { key: string; body: string }[];
    const items = rows.slice(0, n).map((r) => JSON.parse(r.body) as GrantEntry);
    return { items, next: rows.length > n ? rows[n - 1]!.key : null };
  }

  /** In the replay window: a valid transaction whose window had not ended at the head's time. */
  hasTx(hash: string): boolean {
    const head = this.head();
    return head !== undefined && this.s.seenHas.get(hash, head.header.time) !== undefined;
  }

  // --- SmtNodeStore --------------------------------------------------------------------------

  get(path: Uint8Array): Uint8Array | undefined {
    const b = this.s.smtGet.get(path) as Buffer | undefined;
    // A plain Uint8Array view over the fresh Buffer better-sqlite3 allocated: nothing else holds it.
    return b === undefined ? undefined : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }

  getAt(path: Uint8Array, version: number): Uint8Array | undefined {
    const b = this.s.smtGetAt.get(path, version) as Buffer | undefined;
    return b === undefined ? undefined : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }

  /** See {@link LedgerStore.provableFrom}: the highest of the store's base, migration height and prune floor. */
  provableFrom(): number {
    const head = this.head();
    if (!head) return -1;
    let from = 0;
    for (const k of ['base_height', 'proof_base', 'prune_floor']) {
      const v = this.s.metaGet.get(k) as string | undefined;
      if (v !== undefined) from = Math.max(from, Number(v));
    }
    return Math.min(from, head.height);
  }

  /**
   * See {@link LedgerStore.pruneHistory}. One statement over the whole node table (its own
   * transaction, between blocks): run it every few hundred blocks, not at each one.
   */
  pruneHistory(floor: number): number {
    this.writable();
    const head = this.head();
    if (!head || !Number.isSafeInteger(floor) || floor <= this.provableFrom() || floor > head.height) return 0;
    try {
      return this.db
        .transaction(() => {
          const n = this.s.smtPrune.run({ floor }).changes;
          this.s.metaPut.run('prune_floor', String(floor));
          return n;
        })
        .immediate();
    } catch (e) {
      throw wrap(e, `cannot prune the state history below ${floor}`);
    }
  }

  // --- blocks --------------------------------------------------------------------------------

  head(): Head | undefined {
    if (!this.readonly) return this.headCache;
    return this.readHead();
  }

  header(height: number): BlockHeader | undefined {
    const t = this.s.headerGet.get(height) as string | undefined;
    return t === undefined ? undefined : (JSON.parse(t) as BlockHeader);
  }

  putEvidence(e: ForkEvidence, hashes: [string, string], seen: number): boolean {
    this.writable();
    try {
      return this.s.evidencePut.run(e.height, hashes[0], hashes[1], JSON.stringify(e), seen).changes > 0;
    } catch (err) {
      throw wrap(err, 'cannot store fork evidence');
    }
  }

  evidence(): ForkEvidence[] {
    return (this.s.evidenceAll.all() as string[]).map((t) => JSON.parse(t) as ForkEvidence);
  }

  putNoteSigs(size: number, sigs: NoteSig[]): void {
    this.writable();
    try {
      this.db.transaction(() => {
        for (const x of sigs) this.s.notePut.run(size, x.key, x.sig);
      })();
    } catch (err) {
      throw wrap(err, `cannot store the note signatures of checkpoint ${size}`);
    }
  }

  noteSigs(size: number): NoteSig[] {
    return this.s.noteGet.all(size) as NoteSig[];
  }

  latestNoteSize(): number {
    return (this.s.noteLatest.get() as number | null | undefined) ?? -1;
  }

  putCosig(size: number, witness: string, line: string, time: number): boolean {
    this.writable();
    try {
      return this.s.cosigPut.run(size, witness, line, time).changes > 0;
    } catch (err) {
      throw wrap(err, `cannot store a cosignature of checkpoint ${size}`);
    }
  }

  cosigs(size: number): CosigRow[] {
    return this.s.cosigGet.all(size) as CosigRow[];
  }

  latestCosignedSize(witnesses?: readonly string[], k = 1): number {
    if (witnesses === undefined) return (this.s.cosigLatest.get(k) as number | undefined) ?? -1;
    if (witnesses.length === 0) return -1;
    const sql = `SELECT size FROM cosigs WHERE witness IN (${witnesses.map(() => '?').join(', ')}) GROUP BY size HAVING COUNT(*) >= ? ORDER BY size DESC LIMIT 1`;
    return (
      (this.db
        .prepare(sql)
        .pluck()
        .get(...witnesses, k) as number | undefined) ?? -1
    );
  }

  historyNode(level: number, index: number): Uint8Array | undefined {
    const b = this.s.hlogGet.get(level, index) as Buffer | undefined;
    return b === undefined ? undefined : new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
  }

  block(height: number): Block | undefined {
    const r = this.s.blockGet.get(height) as { header: string; txs: string; results: string } | undefined;
    if (r === undefined) return undefined;
    return { header: JSON.parse(r.header), txs: JSON.parse(r.txs), results: JSON.parse(r.results) } as Block;
  }

  /** The head's certificate, read on every resolution: kept until a commit or putCert. */
  private certCache: { height: number; cert: Certificate } | null = null;

  cert(height: number): Certificate | undefined {
    if (this.certCache?.height === height) return this.certCache.cert;
    const t = this.s.certGet.get(height) as string | undefined;
    if (t === undefined) return undefined;
    const cert = JSON.parse(t) as Certificate;
    if (height === this.headCache?.height) this.certCache = { height, cert };
    return cert;
  }

  /**
   * Replaces the certificate of a block (more signatures gathered after the commit).
   * @throws UrbisError INTERNAL if the store is read-only.
   */
  putCert(cert: Certificate): void {
    this.writable();
    this.certCache = null;
    try {
      this.s.certPut.run(cert.height, JSON.stringify(cert));
    } catch (e) {
      throw wrap(e, `cannot store the certificate of block ${cert.height}`);
    }
  }

  tx(hash: string): TxLocation | undefined {
    const r = this.s.txGet.get(hash) as TxRow | undefined;
    // A replay-set row of a snapshot: committed below the store's base, at no place it holds.
    if (r === undefined || r.height === null) return undefined;
    const result: TxResult = r.ok === 1 ? { ok: true } : { ok: false, code: r.code ?? '', message: r.message ?? '' };
    return { hash, height: r.height, index: r.idx, result };
  }

  idHistory(key: string): IdEntry[] {
    return (this.s.historyGet.all(idKey(key)) as string[]).map((t) => JSON.parse(t) as IdEntry);
  }

  entryAt(key: string, height: number): StateEntry | undefined {
    const t = this.s.historyAt.get(key, height) as string | undefined;
    return t === undefined ? undefined : (JSON.parse(t) as StateEntry);
  }

  nsHistory(ns: string): NsEntry[] {
    return (this.s.historyGet.all(nsKey(ns)) as string[]).map((t) => JSON.parse(t) as NsEntry);
  }

  changes(height: number): StateEntry[] {
    return (this.s.changesGet.all(height) as string[]).map((t) => JSON.parse(t) as StateEntry);
  }

  /**
   * Every current state entry, in state-key order. Read in pages, so the caller may use the store
   * (better-sqlite3 allows no other statement while a query is open) between two items.
   */
  *allEntries(): Iterable<StateEntry> {
    let after = '';
    for (;;) {
      const rows = this.s.entriesPage.all(after, ALL_ENTRIES_PAGE) as { key: string; body: string }[];
      for (const r of rows) yield JSON.parse(r.body) as StateEntry;
      if (rows.length < ALL_ENTRIES_PAGE) return;
      after = rows[rows.length - 1]!.key;
    }
  }

  // --- listing and search --------------------------------------------------------------------

  children(ns: string | null, cursor: string | null, limit: number): Page<NsEntry> {
    const n = clampLimit(limit);
    const rows = this.s.children.all(ns ?? '', cursor ?? '', n + 1) as string[];
    const items = rows.slice(0, n).map((t) => JSON.parse(t) as NsEntry);
    return { items, next: rows.length > n ? items[n - 1]!.ns : null };
  }

  idsIn(ns: string, cursor: string | null, limit: number): Page<IdEntry> {
    return this.search({ ns, cursor, limit });
  }

  /**
   * Identifiers matching `q`, in identifier-text order. An index finds the candidates (links for
   * `linkedTo`, (type, id) for `type`, the id text range for `ns`); {@link matchesQuery} decides, so
   * attribute filters are exact. Limit: default 100, at most 1000.
   */
  search(q: SearchQuery): Page<IdEntry> {
    const limit = clampLimit(q.limit);
    // Canonical identifier text is `<ns>/<local>:<check>` (docs/protocol.md (Identifiers)), so the
    // identifiers of a namespace subtree are exactly those starting with `<ns>/` or `<ns>.`: the
    // range ('<ns>.', '<ns>0'), since '.' < '/' < '0'.
    let lo = q.cursor ? q.cursor : '';
    let hi: string | undefined;
    if (q.ns !== undefined) {
      if (`${q.ns}.` > lo) lo = `${q.ns}.`;
      hi = `${q.ns}0`;
    }
    const params: unknown[] = [];
    let shape: string;
    if (q.linkedTo !== undefined) {
      shape = 'l';
      params.push(q.linkedTo);
    } else if (q.type !== undefined) {
      shape = 't';
      params.push(q.type);
    } else {
      shape = 'i';
    }
    params.push(lo);
    if (hi !== undefined) params.push(hi);
    if (shape === 'l' && q.type !== undefined) params.push(q.type);
    if (q.status !== undefined) params.push(q.status);
    const key = `${shape}${hi !== undefined ? 'h' : ''}${shape === 'l' && q.type !== undefined ? 'T' : ''}${q.status !== undefined ? 's' : ''}`;
    const stmt = this.searchStmt(key);

    const items: IdEntry[] = [];
    let more = false;
    for (const body of stmt.iterate(...params) as IterableIterator<string>) {
      const e = JSON.parse(body) as IdEntry;
      if (!matchesQuery(e, q)) continue;
      if (items.length === limit) {
        more = true;
        break; // leaving the loop resets the statement
      }
      items.push(e);
    }
    return { items, next: more ? items[items.length - 1]!.id : null };
  }

  private searchStmt(key: string): Stmt {
    let st = this.searchStmts.get(key);
    if (st) return st;
    const hi = key.includes('h');
    const status = key.includes('s');
    let sql: string;
    if (key.startsWith('l')) {
      sql =
        "SELECT e.body FROM links l JOIN entries e ON e.id = l.id AND e.kind = 'id' WHERE l.target = ? AND l.id > ?" +
        (hi ? ' AND l.id < ?' : '') +
        (key.includes('T') ? ' AND e.type = ?' : '') +
        (status ? ' AND e.status = ?' : '') +
        ' ORDER BY l.id';
    } else {
      sql =
        "SELECT body FROM entries WHERE kind = 'id'" +
        (key.startsWith('t') ? ' AND type = ?' : '') +
        ' AND id > ?' +
        (hi ? ' AND id < ?' : '') +
        (status ? ' AND status = ?' : '') +
        ' ORDER BY id';
    }
    st = this.db.prepare(sql).pluck() as Stmt;
    this.searchStmts.set(key, st);
    return st;
  }

  // --- commit --------------------------------------------------------------------------------

  /**
   * Writes one block and all its effects in a single SQLite transaction.
   *
   * @throws UrbisError STORE_CORRUPT if the block does not follow the head (nothing is written);
   *   STORE_LOCKED if another writer holds the database; INTERNAL for any other failure, after a
   *   full rollback.
   */
  commitBlock(b: BlockBundle): void {
    this.writable();
    const h = b.block.header;
    const hash = headerHash(h);
    try {
      this.commitTx(b, hash);
    } catch (e) {
      throw wrap(e, `cannot commit block ${h.height}`);
    }
    // Caches follow the database only once the transaction is durable.
    for (const e of b.entries) {
      if (e.kind === 'ns') {
        if (this.nsCache.has(e.ns)) this.nsCache.set(e.ns, e);
      } else if (e.kind === 'chain') {
        this.chainCache = e;
      }
    }
    this.headCache = { height: h.height, headerHash: hash, header: h };
  }

  private writeBundle(b: BlockBundle, hash: string): void {
    this.certCache = null;
    const s = this.s;
    const h = b.block.header;
    const cur = s.metaGet.get('head_height') as string | undefined;
    const expected = cur === undefined ? 0 : Number(cur) + 1;
    if (h.height !== expected) {
      throw new UrbisError('STORE_CORRUPT', `block ${h.height} does not follow the head (expected height ${expected})`, {
        height: h.height,
        expected,
      });
    }
    const height = h.height;
    // The overlay stores the same object as the final entry and as its last version: serialise once
    // (the final entries come serialised already, as the canonical text their Merkle value hashes).
    const json = b.bodies ?? new Map<StateEntry, string>();
    for (const v of b.versions) {
      let t = json.get(v);
      if (t === undefined) {
        t = JSON.stringify(v);
        json.set(v, t);
      }
      s.historyPut.run(stateKey(v), v.version, height, t);
    }
    for (const e of b.entries) {
      const body = json.get(e) ?? JSON.stringify(e);
      this.putEntry(e, body, true);
    }
    const txs = b.block.txs;
    const results = b.block.results;
    for (let i = 0; i < txs.length; i++) {
      const th = b.hashes[i];
      if (!th) continue;
      const r = results[i]!;
      if (r.ok) s.txPut.run(th, height, i, 1, null, null, b.committedTxs.get(th) ?? null);
      else s.txPut.run(th, height, i, 0, r.code, r.message, null);
    }
    for (const w of b.smtWrites) s.smtPut.run(w.path, height, w.node);
    for (const w of b.historyWrites) s.hlogPut.run(w.level, w.index, w.hash);
    for (const x of b.noteSigs ?? []) s.notePut.run(height, x.key, x.sig);
    s.blockPut.run(height, hash, JSON.stringify(h), blockTxsText(txs, b.encoded), JSON.stringify(results));
    s.certPut.run(height, JSON.stringify(b.cert));
    s.metaPut.run('head_height', String(height));
    s.metaPut.run('head_hash', hash);
    if (b.meta) for (const [k, v] of Object.entries(b.meta)) s.metaPut.run(`x.${k}`, v);
  }

  /** Writes the current row of an entry (and its link index); `replace` drops links of an earlier version. */
  private putEntry(e: StateEntry, body: string, replace: boolean): void {
    const s = this.s;
    const r = entryRow(e, body);
    s.entryPut.run(r.key, r.kind, r.ns, r.parent, r.id, r.type, r.status, body);
    if (e.kind === 'id') {
      if (replace) s.linksDel.run(e.id);
      const links = e.record.links;
      if (links) for (const l of links) s.linkPut.run(l.target, e.id);
    }
  }

  /** The raw tables (src/storage/types.ts StoreAudit), each read in key order. */
  audit(): StoreAudit {
    const db = this.db;
    const rows = <T>(sql: string): Iterable<T> => ({ [Symbol.iterator]: () => db.prepare(sql).iterate() as IterableIterator<T> });
    return {
      entries: () => rows<EntryRow>('SELECT key, kind, ns, parent, id, type, status, body FROM entries ORDER BY key'),
      history: () => rows('SELECT key, version, height, body FROM history ORDER BY key, version'),
      txs: () => {
        const it = rows<{ hash: string; height: number; idx: number; ok: number; code: string | null; message: string | null }>(
          'SELECT hash, height, idx, ok, code, message FROM txs WHERE height IS NOT NULL ORDER BY hash',
        );
        return (function* () {
          for (const r of it) yield { hash: r.hash, height: r.height, index: r.idx, ok: r.ok === 1, code: r.code, message: r.message };
        })();
      },
      seen: () => {
        const time = this.head()?.header.time ?? Number.MAX_SAFE_INTEGER;
        return {
          [Symbol.iterator]: () =>
            db.prepare('SELECT hash, until FROM txs WHERE until >= ? ORDER BY hash').iterate(time) as IterableIterator<{ hash: string; until: number }>,
        };
      },
      links: () => rows('SELECT target, id FROM links ORDER BY target, id'),
      smt: () => rows('SELECT path, ver AS version, node FROM smt ORDER BY path, ver'),
    };
  }

  // --- snapshots (src/network/snapshot.ts) ----------------------------------------------------

  /**
   * Opens a consistent read-only view of the store in `file` on a second connection: in WAL mode a
   * read transaction sees the database as of its first read, while the writer goes on committing.
   * Entries and the replay set are read in key order, page by page, inside that one transaction.
   *
   * @throws UrbisError STORE_NOT_INITIALIZED when the store is empty.
   */
  static openSnapshot(file: string): StoreSnapshot {
    const db = new Database(file, { readonly: true, fileMustExist: true });
    try {
      db.exec('BEGIN');
      const r = db
        .prepare(
          "SELECT b.height AS height, b.hash AS hash, b.header AS header FROM meta m JOIN blocks b ON b.height = CAST(m.v AS INTEGER) WHERE m.k = 'head_height'",
        )
        .get() as { height: number; hash: string; header: string } | undefined;
      if (!r) throw new UrbisError('STORE_NOT_INITIALIZED', 'the store holds no block');
      const head: Head = { height: r.height, headerHash: r.hash, header: JSON.parse(r.header) as BlockHeader };
      const certText = db.prepare('SELECT cert FROM certs WHERE height = ?').pluck().get(r.height) as string | undefined;
      const metaGet = db.prepare('SELECT v FROM meta WHERE k = ?').pluck();
      const entriesPage = db.prepare('SELECT key, body FROM entries WHERE key > ? ORDER BY key LIMIT ?');
      // The replay window as of the snapshot's head (see the layout above).
      const seenPage = db.prepare('SELECT hash, until FROM txs WHERE hash > ? AND until >= ? ORDER BY hash LIMIT ?');
      const hlogGet = db.prepare('SELECT hash FROM hlog WHERE level = ? AND idx = ?').pluck();
      const counts = {
        entries: db.prepare('SELECT count(*) FROM entries').pluck().get() as number,
        seen: db.prepare('SELECT count(*) FROM txs WHERE until >= ?').pluck().get(head.header.time) as number,
      };
      return {
        head,
        cert: certText === undefined ? { height: r.height, headerHash: r.hash, sigs: [] } : (JSON.parse(certText) as Certificate),
        counts,
        meta: (k) => metaGet.get(`x.${k}`) as string | undefined,
        entriesAfter: (after, limit) => entriesPage.all(after, limit) as { key: string; body: string }[],
        seenAfter: (after, limit) => seenPage.all(after, head.header.time, limit) as { hash: string; until: number }[],
        historyNode: (level, index) => {
          const b = hlogGet.get(level, index) as Buffer | undefined;
          return b === undefined ? undefined : new Uint8Array(b);
        },
        close: () => {
          if (!db.open) return;
          try {
            db.exec('COMMIT');
          } finally {
            db.close();
          }
        },
      };
    } catch (e) {
      db.close();
      throw wrap(e, `cannot open a snapshot of ${file}`);
    }
  }

  /**
   * Writes part of a snapshot's state into an empty store: entries (with their current version as
   * history; `bodies[i]`, when given, is the JSON text of `entries[i]` as received), replay-set rows
   * and Merkle nodes (as version `smtVersion`, the snapshot's height), in one transaction. No block is written: finish with {@link importHead}.
   *
   * @throws UrbisError STORE_ALREADY_INITIALIZED when the store holds blocks.
   */
  importState(part: { entries: StateEntry[]; bodies?: string[]; seen: [string, number][]; smtWrites: SmtWrite[]; smtVersion?: number }): void {
    this.writable();
    if (this.headCache) throw new UrbisError('STORE_ALREADY_INITIALIZED', 'a snapshot can only be imported into an empty store');
    this.certCache = null;
    const s = this.s;
    try {
      this.db
        .transaction(() => {
          for (let i = 0; i < part.entries.length; i++) {
            const e = part.entries[i]!;
            const body = part.bodies?.[i] ?? JSON.stringify(e);
            s.historyPut.run(stateKey(e), e.version, e.height, body);
            this.putEntry(e, body, false);
          }
          for (const [h, until] of part.seen) s.seenPut.run(h, until);
          for (const w of part.smtWrites) s.smtPut.run(w.path, part.smtVersion ?? 0, w.node);
        })
        .immediate();
    } catch (e) {
      throw wrap(e, 'cannot import snapshot state');
    }
  }

  /**
   * Completes a snapshot import: the snapshot's header becomes the head and the base of the store
   * (its block row holds no transactions: they are not part of a snapshot).
   */
  importHead(header: BlockHeader, cert: Certificate, meta: Record<string, string> = {}, history: SubtreeNode[] = []): void {
    this.writable();
    if (this.headCache) throw new UrbisError('STORE_ALREADY_INITIALIZED', 'a snapshot can only be imported into an empty store');
    this.certCache = null;
    const s = this.s;
    const hash = headerHash(header);
    try {
      this.db
        .transaction(() => {
          for (const w of history) s.hlogPut.run(w.level, w.index, w.hash);
          s.blockPut.run(header.height, hash, JSON.stringify(header), '[]', '[]');
          s.certPut.run(header.height, JSON.stringify(cert));
          s.metaPut.run('base_height', String(header.height));
          s.metaPut.run('head_height', String(header.height));
          s.metaPut.run('head_hash', hash);
          for (const [k, v] of Object.entries(meta)) s.metaPut.run(`x.${k}`, v);
        })
        .immediate();
    } catch (e) {
      throw wrap(e, 'cannot import the snapshot head');
    }
    this.headCache = { height: header.height, headerHash: hash, header };
    this.chainCache = this.readEntry(CHAIN_KEY) as ChainEntry | undefined;
  }

  /** Height of the first block: 0, or that of the snapshot the store started from. */
  baseHeight(): number {
    return Number((this.db.prepare("SELECT v FROM meta WHERE k = 'base_height'").pluck().get() as string | undefined) ?? 0);
  }

  /** Adapter metadata written with a block ({@link BlockBundle.meta}) or by {@link putMeta}. */
  getMeta(k: string): string | undefined {
    return this.s.metaGet.get(`x.${k}`) as string | undefined;
  }

  /** Writes one metadata value outside a block (its own small transaction). */
  putMeta(k: string, v: string): void {
    this.writable();
    try {
      this.s.metaPut.run(`x.${k}`, v);
    } catch (e) {
      throw wrap(e, `cannot write metadata ${k}`);
    }
  }

  /** Closes the database. Idempotent. */
  close(): void {
    if (this.db.open) this.db.close();
  }

  // --- internals -----------------------------------------------------------------------------

  private writable(): void {
    if (this.readonly) throw new UrbisError('INTERNAL', 'the store is open read-only');
  }

  private readEntry(key: string): StateEntry | undefined {
    const t = this.s.entryGet.get(key) as string | undefined;
    return t === undefined ? undefined : (JSON.parse(t) as StateEntry);
  }

  private readHead(): Head | undefined {
    const r = this.s.headGet.get() as { height: number; hash: string; header: string } | undefined;
    if (r === undefined) return undefined;
    if (this.headCache && this.headCache.height === r.height) return this.headCache;
    const head = { height: r.height, headerHash: r.hash, header: JSON.parse(r.header) as BlockHeader };
    this.headCache = head;
    return head;
  }

  private cacheNs(e: NsEntry): void {
    if (this.nsCache.size >= this.nsCacheSize) {
      // FIFO eviction: cheap, and the hot parents are re-read and re-inserted at once.
      const oldest = this.nsCache.keys().next().value;
      if (oldest !== undefined) this.nsCache.delete(oldest);
    }
    this.nsCache.set(e.ns, e);
  }
}

/** A consistent read-only view of a store; see {@link SqliteStore.openSnapshot}. */
export interface StoreSnapshot {
  head: Head;
  cert: Certificate;
  counts: { entries: number; seen: number };
  /** Adapter metadata ({@link SqliteStore.getMeta}) as of the snapshot. */
  meta(k: string): string | undefined;
  /** State entries after state key `after` ('' for the first page), as stored JSON. */
  entriesAfter(after: string, limit: number): { key: string; body: string }[];
  /** Replay-set rows after hash `after`. */
  seenAfter(after: string, limit: number): { hash: string; until: number }[];
  /** A perfect subtree of the header history log as of the snapshot. */
  historyNode(level: number, index: number): Uint8Array | undefined;
  /** Ends the read transaction and closes the connection. Idempotent. */
  close(): void;
}

/** The JSON array of a block's transactions, from their canonical texts where the bundle has them. */
export function blockTxsText(txs: readonly unknown[], encoded: readonly (TxEncoding | null)[] | undefined): string {
  if (!encoded) return JSON.stringify(txs);
  let out = '[';
  for (let i = 0; i < txs.length; i++) out += (i === 0 ? '' : ',') + (encoded[i]?.text ?? JSON.stringify(txs[i]));
  return out + ']';
}

/** Every fixed statement, prepared once per connection. */
function prepareStatements(db: Database.Database) {
  const p = (sql: string): Stmt => db.prepare(sql) as Stmt;
  return {
    metaGet: p('SELECT v FROM meta WHERE k = ?').pluck(),
    metaPut: p('INSERT INTO meta(k, v) VALUES (?, ?) ON CONFLICT(k) DO UPDATE SET v = excluded.v'),
    headGet: p(
      "SELECT b.height AS height, b.hash AS hash, b.header AS header FROM meta m JOIN blocks b ON b.height = CAST(m.v AS INTEGER) WHERE m.k = 'head_height'",
    ),
    entryGet: p('SELECT body FROM entries WHERE key = ?').pluck(),
    entryPut: p(
      'INSERT INTO entries(key, kind, ns, parent, id, type, status, body) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT(key) DO UPDATE SET kind = excluded.kind, ns = excluded.ns, parent = excluded.parent, id = excluded.id, ' +
        'type = excluded.type, status = excluded.status, body = excluded.body',
    ),
    historyGet: p('SELECT body FROM history WHERE key = ? ORDER BY version').pluck(),
    historyAt: p('SELECT body FROM history WHERE key = ? AND height <= ? ORDER BY version DESC LIMIT 1').pluck(),
    changesGet: p('SELECT body FROM history WHERE height = ? ORDER BY rowid').pluck(),
    entriesPage: p('SELECT key, body FROM entries WHERE key > ? ORDER BY key LIMIT ?'),
    historyPut: p('INSERT INTO history(key, version, height, body) VALUES (?, ?, ?, ?)'),
    linksDel: p('DELETE FROM links WHERE id = ?'),
    linkPut: p('INSERT OR IGNORE INTO links(target, id) VALUES (?, ?)'),
    children: p("SELECT body FROM entries WHERE kind = 'ns' AND parent = ? AND ns > ? ORDER BY ns LIMIT ?").pluck(),
    grantsPage: p("SELECT key, body FROM entries WHERE kind = 'grant' AND parent = ? AND key > ? ORDER BY key LIMIT ?"),
    // Same as the reference adapter: the latest block to carry a hash is where `tx` points.
    // A transaction's recorded outcome is its first valid one: a later copy of the same transaction
    // (rejected as TX_REPLAYED) must not hide where it was committed. An invalid outcome may be
    // superseded, since an invalid transaction can be fixed with more signatures and sent again.
    txPut: p(
      'INSERT INTO txs(hash, height, idx, ok, code, message, until) VALUES (?, ?, ?, ?, ?, ?, ?) ' +
        'ON CONFLICT(hash) DO UPDATE SET height = excluded.height, idx = excluded.idx, ok = excluded.ok, code = excluded.code, message = excluded.message, ' +
        'until = excluded.until WHERE txs.ok = 0',
    ),
    txGet: p('SELECT height, idx, ok, code, message FROM txs WHERE hash = ?'),
    // A snapshot's replay set: valid transactions of blocks below the store's base.
    seenPut: p('INSERT INTO txs(hash, height, idx, ok, code, message, until) VALUES (?, NULL, NULL, 1, NULL, NULL, ?) ON CONFLICT(hash) DO NOTHING'),
    seenHas: p('SELECT 1 FROM txs WHERE hash = ? AND until >= ?').pluck(),
    smtGet: p('SELECT node FROM smt WHERE path = ? ORDER BY ver DESC LIMIT 1').pluck(),
    smtGetAt: p('SELECT node FROM smt WHERE path = ? AND ver <= ? ORDER BY ver DESC LIMIT 1').pluck(),
    smtPut: p('INSERT OR REPLACE INTO smt(path, ver, node) VALUES (?, ?, ?)'),
    // A row is unreachable from every height ≥ floor when its position has a newer row at or below floor.
    smtPrune: p('DELETE FROM smt AS a WHERE a.ver < @floor AND EXISTS (SELECT 1 FROM smt AS b WHERE b.path = a.path AND b.ver > a.ver AND b.ver <= @floor)'),
    evidencePut: p('INSERT OR IGNORE INTO evidence(height, hash_a, hash_b, body, seen) VALUES (?, ?, ?, ?, ?)'),
    evidenceAll: p('SELECT body FROM evidence ORDER BY seen, height').pluck(),
    notePut: p('INSERT OR IGNORE INTO notesigs(size, key, sig) VALUES (?, ?, ?)'),
    noteGet: p('SELECT key, sig FROM notesigs WHERE size = ? ORDER BY key'),
    noteLatest: p('SELECT MAX(size) FROM notesigs').pluck(),
    // One row per witness and size; a later cosignature of the same checkpoint replaces an earlier one.
    cosigPut: p(
      'INSERT INTO cosigs(size, witness, line, time) VALUES (?, ?, ?, ?) ON CONFLICT(size, witness) DO UPDATE SET line = excluded.line, time = excluded.time WHERE excluded.time > cosigs.time',
    ),
    cosigLatest: p('SELECT size FROM cosigs GROUP BY size HAVING COUNT(*) >= ? ORDER BY size DESC LIMIT 1').pluck(),
    cosigGet: p('SELECT witness, line, time FROM cosigs WHERE size = ? ORDER BY witness'),
    hlogGet: p('SELECT hash FROM hlog WHERE level = ? AND idx = ?').pluck(),
    hlogPut: p('INSERT OR REPLACE INTO hlog(level, idx, hash) VALUES (?, ?, ?)'),
    blockPut: p('INSERT INTO blocks(height, hash, header, txs, results) VALUES (?, ?, ?, ?, ?)'),
    blockGet: p('SELECT header, txs, results FROM blocks WHERE height = ?'),
    headerGet: p('SELECT header FROM blocks WHERE height = ?').pluck(),
    certPut: p('INSERT OR REPLACE INTO certs(height, cert) VALUES (?, ?)'),
    certGet: p('SELECT cert FROM certs WHERE height = ?').pluck(),
  };
}

/**
 * Full re-verification of a stored chain (`urbis verify`): hash links, heights, times, transaction
 * roots, certificates under the validator set in force at each height, and state roots recomputed
 * by re-executing every block from genesis in a scratch in-memory ledger.
 *
 * It names the first fault with its height; it never repairs anything.
 */
import { UrbisError, isUrbisError } from '../core/errors.js';
import { headerHash, historyLeaf, verifyCertificate, ZERO_HASH } from '../core/ledger/block.js';
import { treeRoot } from '../core/merkle/log.js';
import type { StateEntry, Tx } from '../core/ledger/types.js';
import { entryHash, lookupState, merkleKey, stateKey } from '../core/ledger/state.js';
import { txHash } from '../core/ledger/tx.js';
import { canonicalJson, fromHex, toHex } from '../core/encoding/index.js';
import { SparseMerkleTree, proveAt, storeReproducesRoot, verifyProof } from '../core/merkle/index.js';
import { MemoryStore } from '../storage/memory/memory-store.js';
import { entryRow, type LedgerStore, type StoreAudit } from '../storage/types.js';
import { Ledger } from './ledger.js';

export type ChainCheck =
  | { ok: true; height: number; headerHash: string; stateRoot: string }
  | { ok: false; height: number; code: string; message: string; table?: string; key?: string };

/**
 * Verifies `store` block by block.
 *
 * @param onProgress called after each verified block (for progress bars).
 */
export function verifyChain(store: LedgerStore, onProgress?: (height: number, head: number) => void): ChainCheck {
  const head = store.head();
  if (!head) return { ok: false, height: 0, code: 'STORE_NOT_INITIALIZED', message: 'the store holds no blocks' };
  const scratch = new MemoryStore();
  const replay = new Ledger(scratch);
  let prevHash = ZERO_HASH;
  let prevTime = 0;
  for (let h = 0; h <= head.height; h++) {
    const fault = (code: string, message: string): ChainCheck => ({ ok: false, height: h, code, message: `block ${h}: ${message}` });
    const block = store.block(h);
    const cert = store.cert(h);
    if (!block || !cert) return fault('CHAIN_FAULT', 'block or certificate is missing');
    const hdr = block.header;
    if (hdr.height !== h) return fault('CHAIN_FAULT', `header says height ${hdr.height}`);
    if (hdr.prev !== prevHash) return fault('CHAIN_FAULT', 'previous-header hash does not match the previous block');
    if (h > 0 && hdr.time < prevTime) return fault('CHAIN_FAULT', 'block time goes backwards');
    if (hdr.txCount !== block.txs.length) return fault('CHAIN_FAULT', 'transaction count does not match');
    // Validators in force for this block: from the state before it (genesis names block 0's).
    const validators = h === 0 ? ((block.txs[0] as Tx<'genesis'> | undefined)?.body?.payload?.validators ?? []) : scratch.chain()!.validators;
    try {
      verifyCertificate(hdr, cert, validators);
    } catch (e) {
      return fault('CERT_INVALID', (e as Error).message);
    }
    try {
      replay.replayBlock(block, cert);
    } catch (e) {
      if (!isUrbisError(e)) throw e;
      return fault(e.code === 'BLOCK_INVALID' ? 'CHAIN_FAULT' : e.code, e.message);
    }
    const stored = store.block(h)!.results;
    const again = scratch.block(h)!.results;
    if (JSON.stringify(stored) !== JSON.stringify(again)) return fault('CHAIN_FAULT', 'stored transaction results differ from re-execution');
    prevHash = headerHash(hdr);
    prevTime = hdr.time;
    onProgress?.(h, head.height);
  }
  if (prevHash !== head.headerHash) return { ok: false, height: head.height, code: 'CHAIN_FAULT', message: 'head pointer does not match the last block' };
  // The live state must be the replayed state: a store whose entries were edited behind the
  // ledger's back would otherwise serve answers that no longer match their proofs.
  let live = 0;
  for (const e of store.allEntries()) {
    live++;
    const key = stateKey(e);
    const want = lookupState(scratch, key);
    if (!want || canonicalJson(want) !== canonicalJson(e)) {
      return { ok: false, height: head.height, code: 'CHAIN_FAULT', message: `live state entry ${key} differs from the state the chain produces` };
    }
  }
  const expected = [...scratch.allEntries()].length;
  if (live !== expected) {
    return { ok: false, height: head.height, code: 'CHAIN_FAULT', message: `live state holds ${live} entries, the chain produces ${expected}` };
  }
  // Every provable height: the entries its block changed, read from the history rows, are proven
  // by the versioned tree against that block's state root; the whole tree of a sample of heights
  // (the head among them) is recomputed from the stored records.
  const from = store.provableFrom();
  const past = historyCheck(store, heightsFrom(from, head.height, head.height - from + 1), Infinity, 16);
  if (past) return past;
  // The header history log (docs/protocol.md "History tree"): every perfect subtree the node serves
  // proofs from is the one the chain produces.
  const size = head.height + 1;
  for (let level = 0; 2 ** level <= size; level++) {
    for (let index = 0; (index + 1) * 2 ** level <= size; index++) {
      const got = store.historyNode(level, index);
      const want = scratch.historyNode(level, index)!;
      if (!got || toHex(got) !== toHex(want)) {
        return {
          ok: false,
          height: head.height,
          code: 'STORE_CORRUPT',
          message: `table hlog, key ${level}/${index}: the history log node differs from the chain's`,
          table: 'hlog',
          key: `${level}/${index}`,
        };
      }
    }
  }
  const audit = store.audit?.();
  if (audit) {
    const bad = auditTables(audit, scratch, head.height, store.provableFrom());
    if (bad)
      return {
        ok: false,
        height: bad.height ?? head.height,
        code: 'STORE_CORRUPT',
        message: `table ${bad.table}, key ${bad.key}: ${bad.message}`,
        table: bad.table,
        key: bad.key,
      };
  }
  return { ok: true, height: head.height, headerHash: head.headerHash, stateRoot: head.header.stateRoot };
}

interface TableFault {
  table: string;
  key: string;
  height?: number;
  message: string;
}

const hex = (b: Uint8Array): string => toHex(b);

/**
 * Every derived table against what re-executing the chain produced in `scratch`: entry columns,
 * history, the transaction index, the replay window, the link index, and the stored Merkle tree
 * node by node. The first difference is returned with its table and key.
 */
function auditTables(a: StoreAudit, scratch: MemoryStore, top: number, from: number): TableFault | null {
  // entries: every column is derived from the body, and the body is the replayed entry.
  let n = 0;
  for (const r of a.entries()) {
    n++;
    let want: StateEntry | undefined;
    try {
      want = lookupState(scratch, r.key);
    } catch {
      want = undefined;
    }
    if (!want) return { table: 'entries', key: r.key, message: 'the chain produces no such entry' };
    const exp = entryRow(want, r.body);
    for (const c of ['key', 'kind', 'ns', 'parent', 'id', 'type', 'status'] as const) {
      if (exp[c] !== r[c]) return { table: 'entries', key: r.key, message: `column ${c} is ${JSON.stringify(r[c])}, the entry says ${JSON.stringify(exp[c])}` };
    }
    if (!sameBody(r.body, want)) return { table: 'entries', key: r.key, message: 'the body differs from the entry the chain produces' };
  }
  const entries = [...scratch.allEntries()];
  if (n !== entries.length) return { table: 'entries', key: '(count)', message: `${n} rows, the chain produces ${entries.length}` };

  // history: one row per version written, at the height of the block that wrote it.
  const versions = new Map<string, { height: number; entry: StateEntry }>();
  for (let h = 0; h <= top; h++) for (const v of scratch.changes(h)) versions.set(`${stateKey(v)}#${v.version}`, { height: h, entry: v });
  n = 0;
  for (const r of a.history()) {
    n++;
    const k = `${r.key}#${r.version}`;
    const want = versions.get(k);
    if (!want) return { table: 'history', key: k, height: r.height, message: 'no block wrote this version' };
    if (want.height !== r.height) return { table: 'history', key: k, height: r.height, message: `written at height ${want.height}, the row says ${r.height}` };
    if (!sameBody(r.body, want.entry)) return { table: 'history', key: k, height: r.height, message: 'the body differs from the version the block wrote' };
  }
  if (n !== versions.size) return { table: 'history', key: '(count)', message: `${n} rows, the chain wrote ${versions.size} versions` };

  // txs: where each transaction landed and its outcome.
  n = 0;
  for (const r of a.txs()) {
    n++;
    const want = scratch.tx(r.hash);
    if (!want) return { table: 'txs', key: r.hash, height: r.height, message: 'no block holds this transaction' };
    const res = want.result;
    const same = want.height === r.height && want.index === r.index && res.ok === r.ok && (res.ok || (res.code === r.code && res.message === r.message));
    if (!same)
      return {
        table: 'txs',
        key: r.hash,
        height: want.height,
        message: `the row says ${r.height}/${r.index} ${r.ok ? 'valid' : r.code}, the chain ${want.height}/${want.index} ${res.ok ? 'valid' : res.code}`,
      };
  }
  if (n !== scratch.txCount()) return { table: 'txs', key: '(count)', message: `${n} rows, the chain holds ${scratch.txCount()} transactions` };

  // seen: the replay window, exactly.
  const seen = scratch.seenMap();
  n = 0;
  for (const r of a.seen()) {
    n++;
    if (seen.get(r.hash) !== r.until)
      return {
        table: 'seen',
        key: r.hash,
        message: `the replay window ${seen.has(r.hash) ? `ends at ${seen.get(r.hash)}` : 'does not hold it'}, the row says ${r.until}`,
      };
  }
  if (n !== seen.size) {
    const rows = new Set([...a.seen()].map((r) => r.hash));
    const missing = [...seen.keys()].find((h) => !rows.has(h)) ?? '(count)';
    return { table: 'seen', key: missing, message: `${n} rows, the replay window holds ${seen.size}: a committed transaction could be replayed` };
  }

  // links: the reverse index of the current records' links.
  const links = new Set<string>();
  for (const e of entries) if (e.kind === 'id') for (const l of e.record.links ?? []) links.add(`${l.target} <- ${e.id}`);
  n = 0;
  for (const r of a.links()) {
    n++;
    if (!links.has(`${r.target} <- ${r.id}`)) return { table: 'links', key: `${r.target} <- ${r.id}`, message: 'no current record has this link' };
  }
  if (n !== links.size) return { table: 'links', key: '(count)', message: `${n} rows, the records have ${links.size} links` };

  // smt: every record is the record the chain wrote at that position and height. Below the
  // store's first provable height (pruned, or migrated from the single-version layout) only the
  // record each position held at that height is kept, under its own version or that height.
  const floor = Math.max(0, from);
  scratch.pruneHistory(floor);
  const want = new Map<string, Uint8Array>();
  for (const r of scratch.nodeRecords()) want.set(r.version > floor ? `${hex(r.path)}@${r.version}` : hex(r.path), r.node);
  n = 0;
  for (const r of a.smt()) {
    n++;
    const k = r.version > floor ? `${hex(r.path)}@${r.version}` : hex(r.path);
    const w = want.get(k);
    if (!w || hex(w) !== hex(r.node))
      return {
        table: 'smt',
        key: `${hex(r.path)}@${r.version}`,
        height: r.version,
        message: w ? 'the node differs from the one the chain wrote at this height' : 'the chain wrote no node here at this height',
      };
    want.delete(k);
  }
  if (want.size > 0) return { table: 'smt', key: `${[...want.keys()][0]!}`, message: `${n} records, the chain wrote ${n + want.size}: a node is missing` };
  return null;
}

function sameBody(body: string, e: StateEntry): boolean {
  try {
    return canonicalJson(JSON.parse(body)) === canonicalJson(e);
  } catch {
    return false;
  }
}

/**
 * The startup check (`urbis verify --quick`, and every node before it serves): the stored tree
 * proves entries against the head's state root (the chain entry and the first `sample` entries),
 * and every transaction still inside its validity window in the recent blocks is in the replay
 * window and the transaction index. Cheap: it reads the recent blocks only.
 */
/**
 * Runs {@link quickCheck} before a node serves.
 *
 * @throws UrbisError STORE_CORRUPT naming the table, key and height of the first fault.
 */
export function assertStoreSound(store: LedgerStore): void {
  if (!store.head()) return;
  const q = quickCheck(store);
  if (!q.ok) {
    throw new UrbisError('STORE_CORRUPT', `the store fails the startup check at height ${q.height}: ${q.message}; run "urbis verify" for a full check`, {
      height: q.height,
      ...(q.table ? { table: q.table } : {}),
      ...(q.key ? { key: q.key } : {}),
    });
  }
}

/** `count` heights spread evenly over from..to, both ends included. */
function heightsFrom(from: number, to: number, count: number): number[] {
  if (from > to || from < 0) return [];
  const n = Math.min(count, to - from + 1);
  const out = new Set<number>([to]);
  for (let i = 0; i < n - 1; i++) out.add(from + Math.floor((i * (to - from)) / Math.max(1, n - 1)));
  return [...out].sort((a, b) => a - b);
}

/**
 * The versioned tree at each of `heights`: every entry the block at that height changed (at most
 * `perHeight` of them), as the history rows give it at that height, is proven against the block's
 * state root; for `wholeTrees` of the heights (the last ones, the head first), the whole tree is
 * recomputed from the stored records. A changed history row, node record or missing record fails.
 */
function historyCheck(store: LedgerStore, heights: number[], perHeight: number, wholeTrees: number): ChainCheck | null {
  for (let i = heights.length - 1; i >= 0; i--) {
    const h = heights[i]!;
    const hdr = store.header(h);
    if (!hdr) return { ok: false, height: h, code: 'STORE_CORRUPT', message: `table blocks, key ${h}: the block is missing`, table: 'blocks', key: String(h) };
    const root = fromHex(hdr.stateRoot, 32);
    const fault = (table: string, key: string, message: string): ChainCheck => ({
      ok: false,
      height: h,
      code: 'STORE_CORRUPT',
      message: `table ${table}, key ${key}: ${message} at height ${h}`,
      table,
      key,
    });
    const seen = new Set<string>();
    for (const v of store.changes(h)) {
      const key = stateKey(v);
      if (seen.has(key)) continue;
      if (seen.size >= perHeight) break;
      seen.add(key);
      const e = store.entryAt(key, h);
      try {
        verifyProof(root, merkleKey(key), e ? entryHash(e) : null, proveAt(store, h, root, merkleKey(key)));
      } catch (err) {
        // A record that does not hash to its parent is the tree's fault; a proof that does not show
        // the entry the history rows give is the history's.
        const tree = isUrbisError(err) && err.code === 'STORE_CORRUPT';
        return fault(
          tree ? 'smt' : 'history',
          key,
          `the stored ${tree ? 'tree' : 'version'} does not prove this entry against the state root (${(err as Error).message})`,
        );
      }
    }
    if (heights.length - 1 - i < wholeTrees && !storeReproducesRoot(store, h, root)) {
      return fault('smt', '(tree)', 'the stored records do not reproduce the state root');
    }
  }
  return null;
}

export function quickCheck(store: LedgerStore, sample = 64): ChainCheck {
  const head = store.head();
  if (!head) return { ok: false, height: 0, code: 'STORE_NOT_INITIALIZED', message: 'the store holds no blocks' };
  const fault = (table: string, key: string, message: string, height = head.height): ChainCheck => ({
    ok: false,
    height,
    code: 'STORE_CORRUPT',
    message: `table ${table}, key ${key}: ${message}`,
    table,
    key,
  });
  const root = fromHex(head.header.stateRoot, 32);
  const tree = new SparseMerkleTree(store, root);
  const checkEntry = (e: StateEntry): ChainCheck | null => {
    const key = stateKey(e);
    try {
      verifyProof(root, merkleKey(key), entryHash(e), tree.prove(merkleKey(key)));
      return null;
    } catch (err) {
      return fault('smt', key, `the stored tree does not prove this entry against the head's state root (${(err as Error).message})`);
    }
  };
  const chain = store.chain();
  if (!chain) return fault('entries', 'chain', 'the chain entry is missing');
  const c = checkEntry(chain);
  if (c) return c;
  let i = 0;
  for (const e of store.allEntries()) {
    if (i++ >= sample) break;
    const f = checkEntry(e);
    if (f) return f;
  }
  // Past heights: a sample of eight, each with up to eight changed entries proven at that height.
  const past = historyCheck(store, heightsFrom(store.provableFrom(), head.height - 1, 8), 8, 0);
  if (past) return past;
  // The history log's frontier gives the head's certified history root, and holds the head itself:
  // the next header's history root is computed from exactly these nodes.
  try {
    if (toHex(treeRoot(head.height, (l, i) => store.historyNode(l, i))) !== head.header.historyRoot) {
      return fault('hlog', String(head.height), "the history log's frontier does not give the head's history root");
    }
    const leaf = store.historyNode(0, head.height);
    if (!leaf || toHex(leaf) !== toHex(historyLeaf(head.headerHash))) return fault('hlog', `0/${head.height}`, 'the history log does not hold the head header');
  } catch (err) {
    return fault('hlog', String(head.height), (err as Error).message);
  }
  const window = chain.params.maxTxWindowMs;
  for (let h = head.height; h >= 1; h--) {
    const block = store.block(h);
    // A store built from a snapshot holds no blocks below it: check what is there.
    if (!block) break;
    if (block.header.time < head.header.time - window) break;
    for (let k = 0; k < block.txs.length; k++) {
      if (!block.results[k]?.ok) continue;
      const tx = block.txs[k] as Tx;
      const hash = txHash(tx.body);
      if (tx.body.validUntil >= head.header.time && !store.hasTx(hash)) {
        return fault('seen', hash, 'a transaction still inside its validity window is missing from the replay window: it could be executed again', h);
      }
      const loc = store.tx(hash);
      if (!loc || loc.height !== h || loc.index !== k) return fault('txs', hash, `the index does not place this transaction at ${h}/${k}`, h);
    }
  }
  return { ok: true, height: head.height, headerHash: head.headerHash, stateRoot: head.header.stateRoot };
}

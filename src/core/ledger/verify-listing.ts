/**
 * Verification of listings (docs/protocol.md "Listings", docs/sdk.md "Verified listings"): search
 * pages, namespace children, identifier histories and the change feed. Pure; runs in browsers.
 *
 * - A page of entries carries one certified header and one state proof per entry: every entry
 *   returned is proven to be the current entry of its key at that header.
 * - A history row or a change event names the transaction that wrote it; the answer carries that
 *   transaction and its result with an RFC 9162 §2.1.3 audit path against the certified header's
 *   transaction root, and the claimed version is checked against what the transaction determines
 *   (writes.ts).
 *
 * Not proven: that a listing is complete (a node can leave entries out). Namespace children are the
 * exception where the state counts them: a parent's `children` equals the number of its children.
 */
import { UrbisError } from '../errors.js';
import { fromHex } from '../encoding/index.js';
import { proofFromJson } from '../merkle/index.js';
import { verifyInclusion } from '../merkle/log.js';
import { txLeaf } from './block.js';
import { nsIdText, objectIdText } from './names.js';
import { parseStateKey, stateKey } from './state.js';
import { txHash } from './tx.js';
import type { BlockHeader, StateEntry, Tx, TxResult } from './types.js';
import { asProofError, sameJson, verifyEntryProof, type AnswerVerifier, type VerifiedHeader } from './verify.js';
import { writesOf } from './writes.js';

/** Most entries one listing may carry (the routes answer at most 1000). */
const MAX_ITEMS = 10_000;
/** Deepest audit path: a block of 2^64 entries. */
const MAX_PATH = 64;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A block entry with its audit path, as history answers and the event feed carry it. */
export interface TxInclusionJson {
  /** Position of the entry in its block. */
  index: number;
  tx: Tx;
  result: TxResult;
  /** RFC 9162 §2.1.3.1 audit path, hex, leaf level first; the tree size is the header's `txCount`. */
  path: string[];
}

/** A transaction proven in a certified block. */
export interface VerifiedTx {
  hash: string;
  height: number;
  index: number;
  tx: Tx;
  result: TxResult;
}

/**
 * Verifies that a block entry `{ tx, result }` is entry `index` of the block of a verified header.
 *
 * @throws UrbisError PROOF_INVALID.
 */
export function verifyTxInclusion(h: VerifiedHeader, json: unknown): VerifiedTx {
  const height = h.header.height;
  if (!isObj(json) || !Array.isArray(json.path) || json.path.length > MAX_PATH || !isObj(json.tx) || !isObj(json.result)) {
    throw new UrbisError('PROOF_INVALID', `the inclusion proof of a transaction of block ${height} is malformed`, { height });
  }
  const index = json.index as number;
  const tx = json.tx as unknown as Tx;
  const result = json.result as unknown as TxResult;
  let hash: string;
  try {
    const path = (json.path as unknown[]).map((p) => fromHex(String(p), 32));
    verifyInclusion(txLeaf(tx, result), index, h.header.txCount, path, fromHex(h.header.txRoot, 32), `transaction ${index} of block ${height}`);
    hash = txHash(tx.body);
  } catch (e) {
    throw asProofError(e, `inclusion proof of transaction ${String(index)} of block ${height}`);
  }
  return { hash, height, index, tx, result };
}

/** A state version as a listing claims it: a history row, or the fields of a change event. */
export interface VersionClaim {
  key: string;
  tx: string;
  height: number;
  version: number;
  status?: string | undefined;
  /** Record type (events). */
  type?: string | undefined;
  /** Full entries only (history rows). */
  record?: unknown;
  controllers?: unknown;
}

/**
 * Checks a claimed version against the transaction proven to have written it: same transaction and
 * height, a valid result, a key the transaction writes, and the status, version, record type,
 * record and controllers wherever the transaction determines them.
 *
 * @throws UrbisError PROOF_INVALID naming what does not match.
 */
export function checkVersionClaim(t: VerifiedTx, c: VersionClaim): void {
  const fail = (why: string) => new UrbisError('PROOF_INVALID', `version ${c.version} of ${c.key}: ${why}`, { key: c.key, height: c.height, tx: c.tx });
  if (c.tx !== t.hash) throw fail(`it names transaction ${String(c.tx).slice(0, 64)}, the proof is of ${t.hash}`);
  if (c.height !== t.height) throw fail(`it claims block ${c.height}, the transaction is in block ${t.height}`);
  if (!t.result.ok) throw fail(`transaction ${t.hash} was rejected (${t.result.code}) and wrote nothing`);
  let writes;
  try {
    writes = writesOf(t.tx.body);
  } catch (e) {
    throw asProofError(e, `transaction ${t.hash}`);
  }
  const w = writes.find((x) => x.key(c.key));
  if (!w) throw fail(`transaction ${t.hash} (${t.tx.body.type}) does not write it`);
  if (w.status !== undefined && c.status !== w.status) throw fail(`${t.tx.body.type} leaves status ${w.status}, not ${String(c.status)}`);
  if (w.version !== undefined && c.version !== w.version) throw fail(`${t.tx.body.type} writes version ${w.version}`);
  if (w.record !== undefined) {
    if (c.type !== undefined && c.type !== w.record.type) throw fail(`${t.tx.body.type} writes a record of type ${w.record.type}, not ${c.type}`);
    if (c.record !== undefined && !sameJson(c.record, w.record)) throw fail(`its record is not the one ${t.tx.body.type} wrote`);
  }
  if (w.controllers !== undefined && c.controllers !== undefined && !sameJson(c.controllers, w.controllers)) {
    throw fail(`its controllers are not the ones ${t.tx.body.type} set`);
  }
}

/** A page of entries, each proven current at one certified header. */
export interface VerifiedItems<E extends StateEntry> {
  header: VerifiedHeader;
  items: E[];
}

/**
 * Verifies entries listed with one certified header and one state proof each (`proofs[i]` for
 * `items[i]`): every entry is the current entry of its own key at that header. `expect` checks each
 * entry against the question (kind, filters); it returns why an entry does not answer it, or null.
 *
 * @throws UrbisError PROOF_INVALID, CERT_INVALID, TX_CHAIN_MISMATCH, CLIENT_STALE.
 */
export function verifyProvenItems<E extends StateEntry>(
  v: AnswerVerifier,
  json: { header: unknown; cert: unknown; items: unknown; proofs: unknown },
  what: string,
  expect: (e: StateEntry) => string | null,
): VerifiedItems<E> {
  const { items, proofs } = json;
  if (!Array.isArray(items) || items.length > MAX_ITEMS || !Array.isArray(proofs) || proofs.length !== items.length) {
    throw new UrbisError('PROOF_INVALID', `${what}: the answer does not carry one proof per item`);
  }
  const h = v.verifyHeader(json.header, json.cert);
  const seen = new Set<string>();
  const out = items.map((item, i) => {
    if (!isObj(item)) throw new UrbisError('PROOF_INVALID', `${what}: item ${i} is not an entry`);
    const entry = item as unknown as StateEntry;
    let key: string;
    let proof;
    try {
      key = stateKey(entry);
      proof = proofFromJson(proofs[i]);
    } catch (e) {
      throw asProofError(e, `${what}: item ${i}`);
    }
    if (seen.has(key)) throw new UrbisError('PROOF_INVALID', `${what}: ${key} is listed twice`);
    seen.add(key);
    verifyEntryProof(h.header, key, entry, proof);
    const why = expect(entry);
    if (why !== null) throw new UrbisError('PROOF_INVALID', `${what}: ${key} ${why}`, { key });
    return entry as E;
  });
  return { header: h, items: out };
}

/**
 * A change-feed event checked against its block: the block's certified header, and the proven
 * transaction the event names.
 *
 * @throws UrbisError PROOF_INVALID.
 */
export function checkEvent(header: BlockHeader, txs: ReadonlyMap<string, VerifiedTx>, ev: Record<string, unknown>): void {
  const key = String(ev.key);
  const fail = (why: string) => new UrbisError('PROOF_INVALID', `event ${String(ev.height)}.${String(ev.seq)} about ${key.slice(0, 200)}: ${why}`, { key });
  if (ev.height !== header.height) throw fail(`it claims block ${String(ev.height)}, the proof is of block ${header.height}`);
  if (ev.time !== header.time) throw fail('its time is not the block time');
  const t = typeof ev.tx === 'string' ? txs.get(ev.tx) : undefined;
  if (!t) throw fail(`no proof of its transaction ${String(ev.tx).slice(0, 64)} in block ${header.height}`);
  let sk;
  try {
    sk = parseStateKey(key);
  } catch (e) {
    throw asProofError(e, 'event key');
  }
  if (ev.kind !== sk.kind) throw fail(`kind ${String(ev.kind)} does not fit the key`);
  if (sk.kind === 'ns' || sk.kind === 'id') {
    const named = sk.kind === 'ns' ? nsIdText(sk.ns) : objectIdText(sk.ns, sk.local);
    if (ev.id !== named || ev.ns !== sk.ns) throw fail('its identifier or namespace does not fit the key');
  }
  checkVersionClaim(t, {
    key,
    tx: ev.tx as string,
    height: ev.height as number,
    version: ev.version as number,
    status: ev.status as string | undefined,
    type: ev.type as string | undefined,
  });
}

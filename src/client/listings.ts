/**
 * Verified listings for the SDK (docs/sdk.md "Verified listings"): search pages, namespace children,
 * identifier histories and the change feed, each checked with the core's verifier against the
 * client's anchor. Pure functions over the node's JSON answers; {@link UrbisClient} fetches.
 *
 * What holds after a check: every item returned is real and current (search, children), every
 * history row and every event is the effect of a transaction proven in its certified block. What a
 * check cannot show in general is that nothing was left out: a listing is complete only where the
 * state counts it (`complete`: a namespace's `children`; a history's versions, numbered from 1).
 */
import { UrbisError } from '../core/errors.js';
import { matchesQuery, type SearchFilter } from '../core/api/search.js';
import { parentOf } from '../core/ledger/names.js';
import { idKey } from '../core/ledger/state.js';
import type { IdEntry, NsEntry, StateEntry } from '../core/ledger/types.js';
import { proofInfo, sameJson, type AnswerVerifier, type ProofInfo, type VerifiedEntry, type VerifiedHeader } from '../core/ledger/verify.js';
import { checkEvent, verifyProvenItems, verifyTxInclusion, type VerifiedTx } from '../core/ledger/verify-listing.js';
import { nextIdVersion } from '../core/ledger/writes.js';
import type { ChangeEvent } from '../core/api/types.js';

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A page of entries, each proven the current entry of its key at one certified header. */
export interface VerifiedListing<E extends StateEntry> {
  items: E[];
  /** The node's cursor for the next page (not proven: a node can end a listing early). */
  next: string | null;
  /** The certified header every item is proven against. */
  proof: ProofInfo;
  signers: number;
  /** True only when the state proves that no item is missing (see the module comment). */
  complete: boolean;
  header: VerifiedHeader;
}

/** Checks that listed items come in strictly ascending order of `order`, after the cursor. */
function checkOrder<E>(items: E[], order: (e: E) => string, cursor: string | null | undefined, what: string): void {
  let last = cursor ?? null;
  for (const e of items) {
    const k = order(e);
    if (last !== null && !(k > last)) throw new UrbisError('PROOF_INVALID', `${what}: ${k} is out of order`);
    last = k;
  }
}

/**
 * Verifies a `GET /v1/search?proofs=1` answer for `filter` (canonical forms): each item proven
 * current, matching every filter, in identifier order after `cursor`.
 *
 * @throws UrbisError PROOF_INVALID, CERT_INVALID, TX_CHAIN_MISMATCH.
 */
export function verifySearchAnswer(v: AnswerVerifier, json: unknown, filter: SearchFilter, cursor?: string | null): VerifiedListing<IdEntry> {
  if (!isObj(json)) throw new UrbisError('PROOF_INVALID', 'search answer is not an object');
  const r = verifyProvenItems<IdEntry>(v, json as Parameters<typeof verifyProvenItems>[1], 'search', (e) =>
    e.kind !== 'id' ? 'is not an identifier' : matchesQuery(e, filter) ? null : 'does not match the search',
  );
  checkOrder(r.items, (e) => e.id, cursor, 'search');
  return listing(r.items, json.next, r.header, false);
}

function listing<E extends StateEntry>(items: E[], next: unknown, h: VerifiedHeader, complete: boolean): VerifiedListing<E> {
  return { items, next: typeof next === 'string' ? next : null, proof: proofInfo(h), signers: h.signers, complete, header: h };
}

/** Children of a namespace, verified, with the namespace's own proven entry. */
export interface VerifiedNsListing extends VerifiedListing<NsEntry> {
  /** The parent namespace (null for the top level). */
  ns: string | null;
  /** The parent's proven entry (absent at the top level). */
  parent?: VerifiedEntry<NsEntry>;
}

/**
 * Verifies a `GET /v1/ns/{ns}?proofs=1` (or `GET /v1/ns?proofs=1` for `ns` null) answer: the
 * parent's proof, each child proven current at the same header and a direct child of `ns`, in
 * path order after `cursor`. `complete` when the page starts at the beginning, ends, and holds as
 * many children as the proven parent counts.
 *
 * @throws UrbisError PROOF_INVALID, CERT_INVALID, TX_CHAIN_MISMATCH.
 */
export function verifyNsAnswer(v: AnswerVerifier, json: unknown, ns: string | null, cursor?: string | null): VerifiedNsListing {
  if (!isObj(json) || !isObj(json.children)) throw new UrbisError('PROOF_INVALID', 'namespace answer carries no children');
  let parent: VerifiedEntry<NsEntry> | undefined;
  if (ns !== null) {
    parent = v.verifyProven<NsEntry>(json, `ns:${ns}`);
    if (!parent.entry) throw new UrbisError('PROOF_INVALID', `namespace ${ns} is proven absent`);
  }
  const what = `children of ${ns ?? 'the top level'}`;
  const r = verifyProvenItems<NsEntry>(v, { header: json.header, cert: json.cert, items: json.children.items, proofs: json.children.proofs }, what, (e) =>
    e.kind === 'ns' && parentOf(e.ns) === ns ? null : `is not a child of ${ns ?? 'the top level'}`,
  );
  checkOrder(r.items, (e) => e.ns, cursor, what);
  const next = json.children.next;
  const complete = parent?.entry != null && !cursor && next === null && r.items.length === parent.entry.children;
  if (parent?.entry && r.items.length > parent.entry.children)
    throw new UrbisError('PROOF_INVALID', `${what}: more than the ${parent.entry.children} the namespace counts`);
  return { ...listing(r.items, next, r.header, complete), ns, ...(parent ? { parent } : {}) };
}

/** A history, every version proven by its transaction, complete from version 1 to the current entry. */
export interface VerifiedHistory {
  /** The proven current entry (the last version). */
  current: VerifiedEntry<IdEntry>;
  versions: IdEntry[];
  /** The transaction of each version, proven in its certified block. */
  txs: Array<{ hash: string; height: number; index: number; headerHash: string; signers: number }>;
}

/**
 * Verifies a `GET /v1/ids/{id}/history?proofs=1` answer for identifier reference `ref` (`ns/local`):
 * every row is re-derived from the previous one and its transaction (proven by its audit path
 * against the certified header of its block), from nothing to the proven current entry. So every
 * version is proven and none is missing.
 *
 * @throws UrbisError PROOF_INVALID, CERT_INVALID, TX_CHAIN_MISMATCH.
 */
export function verifyHistoryAnswer(
  v: AnswerVerifier,
  json: unknown,
  ref: string,
  verifyHeader = (h: unknown, c: unknown) => v.verifyHeader(h, c),
): VerifiedHistory {
  const key = idKey(ref);
  if (
    !isObj(json) ||
    !Array.isArray(json.versions) ||
    !Array.isArray(json.proofs) ||
    json.proofs.length !== json.versions.length ||
    json.versions.length === 0
  ) {
    throw new UrbisError('PROOF_INVALID', `history of ${ref} does not carry one proof per version`);
  }
  const current = v.verifyProven<IdEntry>(json.current, key);
  if (!current.entry) throw new UrbisError('PROOF_INVALID', `history of ${ref}: the identifier is proven absent`);
  let prev: IdEntry | null = null;
  const txs: VerifiedHistory['txs'] = [];
  const proofs = json.proofs as unknown[];
  json.versions.forEach((row, i) => {
    const p = proofs[i] as Record<string, unknown>;
    const h = verifyHeader(isObj(p) ? p.header : undefined, isObj(p) ? p.cert : undefined);
    if (p.height !== h.header.height) throw new UrbisError('PROOF_INVALID', `history of ${ref}: proof ${i} names another block`);
    const t = verifyTxInclusion(h, p);
    if (!t.result.ok) throw new UrbisError('PROOF_INVALID', `history of ${ref}: transaction ${t.hash} was rejected and wrote nothing`);
    prev = nextIdVersion(prev, key, t.tx.body, t.hash, t.height, h.header.time);
    if (!sameJson(row, prev))
      throw new UrbisError('PROOF_INVALID', `history of ${ref}: version ${i + 1} is not what transaction ${t.hash} wrote`, { version: i + 1 });
    txs.push({ hash: t.hash, height: t.height, index: t.index, headerHash: h.headerHash, signers: h.signers });
  });
  if (!sameJson(prev, current.entry)) throw new UrbisError('PROOF_INVALID', `history of ${ref} does not end at the proven current entry`);
  return { current, versions: json.versions as IdEntry[], txs };
}

/** Where a verified change event is anchored. */
export interface EventProofInfo {
  height: number;
  headerHash: string;
  signers: number;
  /** The transaction, proven in the block, that wrote the change. */
  tx: VerifiedTx;
}

/**
 * Checks a change feed with proofs (`GET /v1/events?proofs=1`): feed it the `proof` events and the
 * `change` events in stream order. A change event passes only after the proof of its block.
 */
export class EventChecker {
  private block: { header: VerifiedHeader; txs: Map<string, VerifiedTx> } | null = null;

  constructor(private readonly verifyHeader: (h: unknown, c: unknown) => VerifiedHeader) {}

  /** A `proof` event: the block's certified header and its proven transactions. @throws UrbisError PROOF_INVALID, CERT_INVALID. */
  proof(json: unknown): void {
    this.block = null;
    if (!isObj(json) || !Array.isArray(json.txs) || json.txs.length > 100_000) throw new UrbisError('PROOF_INVALID', 'event block proof is malformed');
    const h = this.verifyHeader(json.header, json.cert);
    if (json.height !== h.header.height) throw new UrbisError('PROOF_INVALID', 'event block proof names another block');
    const txs = new Map<string, VerifiedTx>();
    for (const t of json.txs) {
      const vt = verifyTxInclusion(h, t);
      txs.set(vt.hash, vt);
    }
    this.block = { header: h, txs };
  }

  /** A `change` event. @throws UrbisError PROOF_INVALID when it is not proven by the last block proof. */
  change(ev: ChangeEvent): EventProofInfo {
    const b = this.block;
    if (!b || b.header.header.height !== ev.height) {
      throw new UrbisError('PROOF_INVALID', `event ${ev.height}.${ev.seq} comes without the proof of block ${ev.height}`, { height: ev.height });
    }
    checkEvent(b.header.header, b.txs, ev as unknown as Record<string, unknown>);
    return { height: ev.height, headerHash: b.header.headerHash, signers: b.header.signers, tx: b.txs.get(ev.tx)! };
  }
}

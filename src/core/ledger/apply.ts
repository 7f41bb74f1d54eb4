/**
 * The state machine: a pure, deterministic `applyBlockTxs(state, txs, ctx)`.
 *
 * Spec: docs/protocol.md "State machine". Given the same committed state, the same transactions and
 * the same block height and time, every node computes the same results and the same writes. No
 * clock, no randomness, no I/O: time is the block time, passed in.
 *
 * A transaction that fails any rule is kept in its block with `{ ok: false, code }` and changes
 * nothing: each transaction runs in its own overlay that is merged only on success.
 */
import { UrbisError, isUrbisError, type ErrorCode } from '../errors.js';
import { canonicalNsPath, canonicalIdText, keyOfText, nsIdText, objectIdText, parentOf } from './names.js';
import { parseTxEncoded, type ParseContext, type ParsedTx } from './schema.js';
import { Overlay, type StateReader } from './state.js';
import { grantRef } from './grants.js';
import { countSigners, meetsThreshold, verifyTxSignatures, verifyTxSignature, type SigVerifier, type TxEncoding } from './tx.js';
import {
  DEFAULT_PARAMS,
  type ChainEntry,
  type ChainParams,
  type ControllerSet,
  type IdEntry,
  type NameRule,
  type NsEntry,
  type Payloads,
  type RecordBody,
  type StateEntry,
  type Tx,
  type TxResult,
  type TxType,
  MAX_RETIRED_ISSUERS,
  MAX_REVOKED_LABELS,
} from './types.js';

/** What the state machine needs besides state and transactions. */
export interface ApplyContext {
  height: number;
  /** Block time, ms since epoch. */
  time: number;
  /** Signature verifier; nodes pass a caching one. Default: full Ed25519 verification. */
  verify?: SigVerifier;
  /**
   * The parsed form and hash of a transaction already parsed at admission (same parser, same
   * parameters, so the same result); undefined to parse here.
   */
  prepared?: (raw: unknown) => ParsedTx | undefined;
  /**
   * Told of every authority rule a transaction meets or fails, as it is checked (the admission dry
   * run, `POST /v1/tx/check`). Observes only: the results are the same with or without it.
   */
  authority?: (check: AuthorityCheck) => void;
}

/**
 * One authority rule checked against a transaction's verified signers: a controller set's threshold,
 * or for registering in a namespace, its controllers' threshold or any one delegated registrar.
 */
export interface AuthorityCheck {
  /** Whose authority: `namespace 156.130100`, `parent namespace 156`, `the root authority`, `identifier …`. */
  what: string;
  threshold: number;
  /** The controller keys. */
  keys: string[];
  /** Controller keys that signed. */
  signers: string[];
  /** Controller signatures still needed for the threshold (0: met). */
  missing: number;
  /** Controller keys that have not signed: any `missing` of them complete the threshold. */
  candidates: string[];
  /** Delegated registrars of the namespace, any one of whom suffices instead (registration only). */
  registrars?: string[];
  /** Whether the rule is met: the threshold, or a registrar's signature. */
  met: boolean;
}

/** Everything a block changes; the node commits it atomically with the block. */
export interface BlockEffects {
  results: TxResult[];
  /** Transactions in the form they were given (kept in the block as received). */
  txs: unknown[];
  /** Hashes of the transactions (null where the input was not a parsable transaction). */
  hashes: (string | null)[];
  /** Final entry per state key. */
  entries: Map<string, StateEntry>;
  /** Every entry version written, in order (history). */
  versions: StateEntry[];
  /** Valid transactions' hashes with the end of their validity window (replay protection). */
  committedTxs: Map<string, number>;
  /**
   * The canonical encoding of each transaction that parsed (null for the others), aligned with
   * `txs`: reused for the transaction root and the stored block.
   */
  encoded: (TxEncoding | null)[];
}

/** Structural parse context for a chain with the given parameters. */
export function parseContext(params: ChainParams): ParseContext {
  return { params, canonicalId: canonicalIdText, canonicalNs: canonicalNsPath };
}

/**
 * Applies the transactions of one block to `state`.
 *
 * @param state committed state before the block (not modified).
 * @param txs transactions as received (untrusted JSON values).
 */
export function applyBlockTxs(state: StateReader, txs: unknown[], ctx: ApplyContext): BlockEffects {
  const block = new Overlay(state);
  const results: TxResult[] = [];
  const hashes: (string | null)[] = [];
  const encoded: (TxEncoding | null)[] = [];
  const verify = ctx.verify ?? verifyTxSignature;
  for (const raw of txs) {
    const txo = new Overlay(block);
    let hash: string | null = null;
    let enc: TxEncoding | null = null;
    try {
      const chain = block.chain();
      const params = chain?.params ?? DEFAULT_PARAMS;
      // The ordering stream carries a message that was not canonical JSON as its text (cutter.ts):
      // no reading of those bytes is executed, by any node.
      if (typeof raw === 'string') {
        throw new UrbisError(
          'TX_NOT_CANONICAL',
          'the ordering stream carried this transaction in a form that is not its RFC 8785 canonical JSON (duplicate members or another encoding); it is recorded as received',
        );
      }
      // The hash covers the body exactly as signed, before any canonicalisation of its fields.
      const p = ctx.prepared?.(raw) ?? parseTxEncoded(raw, parseContext(params));
      hash = p.hash;
      enc = p.enc;
      applyTx(txo, p.tx, hash, ctx, verify);
      txo.mergeInto(block);
      results.push({ ok: true });
    } catch (e) {
      if (!isUrbisError(e)) throw e; // a bug, not a bad transaction: let the node stop loudly
      results.push({ ok: false, code: e.code, message: e.message });
    }
    hashes.push(hash);
    encoded.push(enc);
  }
  return { results, txs, hashes, entries: block.entries, versions: block.versions, committedTxs: block.txs, encoded };
}

function err(code: ErrorCode, message: string, details?: Record<string, unknown>): never {
  throw new UrbisError(code, message, details);
}

/** Runs one parsed transaction against the overlay. */
function applyTx(s: Overlay, tx: Tx, hash: string, ctx: ApplyContext, verify: SigVerifier): void {
  const { body } = tx;
  if (body.type === 'genesis') {
    if (ctx.height !== 0 || s.chain()) err('TX_GENESIS_INVALID', 'genesis is only valid as the first transaction of block 0');
    applyGenesis(s, body.payload as Payloads['genesis'], hash, ctx);
    return;
  }
  const chain = s.chain();
  if (!chain) err('TX_GENESIS_INVALID', 'the chain has no genesis yet');
  if (body.chain !== chain.chainId) {
    err('TX_CHAIN_MISMATCH', `transaction is for chain "${body.chain}", this is "${chain.chainId}"`, { expected: chain.chainId });
  }
  if (body.validUntil - body.validFrom > chain.params.maxTxWindowMs) {
    err('TX_WINDOW_TOO_LONG', `validity window of ${body.validUntil - body.validFrom} ms exceeds ${chain.params.maxTxWindowMs} ms`);
  }
  if (ctx.time < body.validFrom || ctx.time > body.validUntil) {
    err('TX_EXPIRED', `block time ${ctx.time} is outside the validity window [${body.validFrom}, ${body.validUntil}]`, {
      validFrom: body.validFrom,
      validUntil: body.validUntil,
      time: ctx.time,
    });
  }
  if (s.hasTx(hash)) err('TX_REPLAYED', `transaction ${hash} was already committed`, { hash });
  const signed = verifyTxSignatures(tx, hash, verify);
  const x: Exec = { s, chain, hash, time: ctx.time, height: ctx.height, signed, ...(ctx.authority ? { note: ctx.authority } : {}) };
  HANDLERS[body.type](x, body.payload as never);
  s.addTx(hash, body.validUntil);
}

/** Execution context of one transaction. */
interface Exec {
  s: Overlay;
  chain: ChainEntry;
  hash: string;
  time: number;
  height: number;
  signed: Set<string>;
  note?: (check: AuthorityCheck) => void;
}

type Handler<T extends TxType> = (x: Exec, p: Payloads[T]) => void;

function applyGenesis(s: Overlay, p: Payloads['genesis'], hash: string, ctx: ApplyContext): void {
  if (ctx.time !== p.time) err('TX_GENESIS_INVALID', 'genesis block time must equal the genesis time');
  s.put({
    kind: 'chain',
    chainId: p.chainId,
    root: p.root,
    validators: p.validators,
    params: { ...DEFAULT_PARAMS, ...p.params },
    version: 1,
    height: ctx.height,
    tx: hash,
  });
}

// --- authority ---------------------------------------------------------------------------------

/** The check of `set` against the signers, told to the context's observer (if any). */
function noteSet(x: Exec, set: ControllerSet, what: string, registrars?: string[]): boolean {
  const met = meetsThreshold(set, x.signed);
  const registrar = registrars?.some((k) => x.signed.has(k)) ?? false;
  if (x.note) {
    const signers = set.keys.filter((k) => x.signed.has(k));
    x.note({
      what,
      threshold: set.threshold,
      keys: [...set.keys],
      signers,
      missing: Math.max(0, set.threshold - signers.length),
      candidates: set.keys.filter((k) => !x.signed.has(k)),
      ...(registrars ? { registrars: [...registrars] } : {}),
      met: met || registrar,
    });
  }
  return met;
}

function requireSet(x: Exec, set: ControllerSet, what: string): void {
  if (!noteSet(x, set, what)) thresholdUnmet(x, set, what);
}

/**
 * AUTH_THRESHOLD naming what is missing: "2 of 3 signatures needed, 1 given: z6MkA…; can still
 * sign: z6MkB…, z6MkC…", so that co-signers know who else has to sign.
 */
function thresholdUnmet(x: Exec, set: ControllerSet, what: string): never {
  const given = set.keys.filter((k) => x.signed.has(k));
  const others = set.keys.filter((k) => !x.signed.has(k));
  err(
    'AUTH_THRESHOLD',
    `${what}: ${set.threshold} of ${set.keys.length} signatures needed, ${given.length} given${given.length ? `: ${given.join(', ')}` : ''}; ` +
      `${set.threshold - given.length} more from: ${others.join(', ')}`,
    { threshold: set.threshold, signed: given.length, signers: given, missing: set.threshold - given.length, candidates: others },
  );
}

/** Authority over a namespace's delegation: its parent's controllers, or the root for top level. */
function requireParentAuthority(x: Exec, ns: string): void {
  const parent = parentOf(ns);
  if (parent === null) return requireSet(x, x.chain.root, 'the root authority');
  const p = x.s.ns(parent);
  if (!p) err('NS_PARENT_NOT_FOUND', `parent namespace ${parent} does not exist`, { ns: parent });
  requireSet(x, p.controllers, `parent namespace ${parent}`);
}

/** Registering in a namespace: its controllers' threshold, or any one delegated registrar. */
function requireRegistrar(x: Exec, ns: NsEntry): void {
  if (noteSet(x, ns.controllers, `namespace ${ns.ns}`, ns.policy.registrars ?? [])) return;
  if (ns.policy.registrars?.some((k) => x.signed.has(k))) return;
  // Some controllers signed, too few of them: the threshold is what is missing, not the role.
  if (countSigners(ns.controllers, x.signed) > 0) thresholdUnmet(x, ns.controllers, `namespace ${ns.ns}`);
  err('AUTH_NOT_REGISTRAR', `the signers are neither controllers (threshold ${ns.controllers.threshold}) nor registrars of ${ns.ns}`, { ns: ns.ns });
}

/** Authority over an identifier: its own controllers, or its namespace's when it has none. */
function requireIdAuthority(x: Exec, e: IdEntry, ns: NsEntry): void {
  if (e.controllers) return requireSet(x, e.controllers, `identifier ${e.id}`);
  requireRegistrar(x, ns);
}

// --- namespace and identifier lookups ------------------------------------------------------------

function getNs(x: Exec, ns: string): NsEntry {
  const e = x.s.ns(ns);
  if (!e) err('NS_NOT_FOUND', `namespace ${ns} does not exist`, { ns });
  return e;
}

/** A namespace is writable when neither it nor any ancestor is suspended or expired. */
function requireUsable(x: Exec, ns: string): NsEntry {
  const self = getNs(x, ns);
  for (let cur: string | null = ns; cur !== null; cur = parentOf(cur)) {
    const e = cur === ns ? self : x.s.ns(cur);
    if (!e) err('NS_NOT_FOUND', `namespace ${cur} does not exist`, { ns: cur });
    if (e.status === 'suspended') err('NS_SUSPENDED', `namespace ${cur} is suspended`, { ns: cur });
    if (e.limits.expiresAt !== undefined && x.time > e.limits.expiresAt) {
      err('NS_EXPIRED', `namespace ${cur} expired at ${e.limits.expiresAt}`, { ns: cur, expiresAt: e.limits.expiresAt });
    }
  }
  return self;
}

function getId(x: Exec, text: string): { e: IdEntry; ns: NsEntry } {
  const key = keyOfText(text);
  const e = x.s.id(key);
  if (!e) err('ID_NOT_FOUND', `identifier ${text} does not exist`, { id: text });
  if (e.status === 'deactivated') err('ID_DEACTIVATED', `identifier ${text} is deactivated`, { id: text });
  const ns = requireUsable(x, e.ns);
  return { e, ns };
}

function checkName(rule: NameRule | undefined, name: string, code: ErrorCode, what: string, reserved: string[] | undefined): void {
  if (!rule) err(code, `the namespace does not allow ${what}s`);
  if (name.length < rule.minLength || name.length > rule.maxLength) {
    err(code, `${what} "${name}" must have ${rule.minLength}..${rule.maxLength} characters`);
  }
  if (rule.charset === 'digits' && !/^[0-9]+$/.test(name)) err(code, `${what} "${name}" must be digits only`);
  if (rule.prefixes && !rule.prefixes.some((p) => name.startsWith(p))) {
    err(code, `${what} "${name}" must start with one of ${rule.prefixes.join(', ')}`);
  }
  if (reserved?.includes(name)) err('POLICY_RESERVED', `${what} "${name}" is reserved by the namespace policy`);
}

function checkType(ns: NsEntry, rec: RecordBody): void {
  if (ns.policy.types && !ns.policy.types.includes(rec.type)) {
    err('POLICY_TYPE_NOT_ALLOWED', `namespace ${ns.ns} allows record types ${ns.policy.types.join(', ')}, not ${rec.type}`);
  }
}

function bumpNs(x: Exec, ns: NsEntry, change: Partial<NsEntry>): NsEntry {
  const next: NsEntry = { ...ns, ...change, version: ns.version + 1, updated: x.time, height: x.height, tx: x.hash };
  // Optional fields are absent, never undefined, so that the entry has one canonical JSON form.
  if (next.retiredIssuers === undefined) delete next.retiredIssuers;
  x.s.put(next);
  return next;
}

/**
 * Updates a namespace's bookkeeping counters (children, ids, serials) after an allocation. The entry
 * (and so the state root) changes, but this is not a new version of the namespace: no version
 * number, no history row, no change event. Otherwise every registration would also write a version
 * of its namespace.
 */
function countNs(x: Exec, ns: NsEntry, change: Pick<Partial<NsEntry>, 'children' | 'ids' | 'serials'>): void {
  x.s.put({ ...ns, ...change }, false);
}

function bumpId(x: Exec, e: IdEntry, change: Partial<IdEntry>): void {
  x.s.put({ ...e, ...change, version: e.version + 1, updated: x.time, height: x.height, tx: x.hash });
}

/** Creates one identifier entry after all checks; returns the namespace with its counter raised. */
function createId(x: Exec, ns: NsEntry, local: string, record: RecordBody, controllers: ControllerSet | null): void {
  checkName(ns.policy.ids, local, 'POLICY_LOCAL_FORMAT', 'local part', ns.policy.reserved);
  checkType(ns, record);
  const key = `${ns.ns}/${local}`;
  if (x.s.id(key)) err('ID_EXISTS', `identifier ${key} already exists; identifiers are never reused`, { id: key });
  x.s.put({
    kind: 'id',
    id: objectIdText(ns.ns, local),
    ns: ns.ns,
    local,
    controllers,
    record,
    status: 'active',
    version: 1,
    created: x.time,
    updated: x.time,
    height: x.height,
    tx: x.hash,
  });
}

/**
 * The retired-issuer list after a policy change: keys leaving `policy.issuers` are appended (oldest
 * dropped beyond {@link MAX_RETIRED_ISSUERS}), keys coming back are removed. Returns the same array
 * when nothing changes, undefined when it becomes empty.
 */
function retireIssuers(ns: NsEntry, next: readonly string[]): string[] | undefined {
  const before = ns.retiredIssuers ?? [];
  const leaving = (ns.policy.issuers ?? []).filter((k) => !next.includes(k) && !before.includes(k));
  const kept = before.filter((k) => !next.includes(k));
  if (leaving.length === 0 && kept.length === before.length) return ns.retiredIssuers;
  const out = [...kept, ...leaving].slice(-MAX_RETIRED_ISSUERS);
  return out.length === 0 ? undefined : out;
}

function requireQuota(ns: NsEntry, adding: number): void {
  if (ns.limits.maxIds !== undefined && ns.ids + adding > ns.limits.maxIds) {
    err('QUOTA_IDS', `namespace ${ns.ns} may hold ${ns.limits.maxIds} identifiers; it has ${ns.ids} and this adds ${adding}`, {
      ns: ns.ns,
      limit: ns.limits.maxIds,
      used: ns.ids,
    });
  }
}

// --- handlers ------------------------------------------------------------------------------------

const HANDLERS: { [T in TxType]: Handler<T> } = {
  genesis: () => err('TX_GENESIS_INVALID', 'genesis is only valid at height 0'),

  'ns.create': (x, p) => {
    if (x.s.ns(p.ns)) err('NS_EXISTS', `namespace ${p.ns} already exists`, { ns: p.ns });
    const parentPath = parentOf(p.ns);
    requireParentAuthority(x, p.ns);
    if (parentPath !== null) {
      const parent = requireUsable(x, parentPath);
      const seg = p.ns.slice(parentPath.length + 1);
      checkName(parent.policy.children, seg, 'POLICY_SEGMENT_FORMAT', 'child segment', parent.policy.reserved);
      if (parent.limits.maxChildren !== undefined && parent.children + 1 > parent.limits.maxChildren) {
        err('QUOTA_CHILDREN', `namespace ${parent.ns} may have ${parent.limits.maxChildren} children`, { ns: parent.ns, limit: parent.limits.maxChildren });
      }
      countNs(x, parent, { children: parent.children + 1 });
    }
    x.s.put({
      kind: 'ns',
      ns: p.ns,
      id: nsIdText(p.ns),
      controllers: p.controllers,
      policy: p.policy ?? {},
      limits: p.limits ?? {},
      record: p.record,
      status: 'active',
      children: 0,
      ids: 0,
      serials: {},
      version: 1,
      created: x.time,
      updated: x.time,
      height: x.height,
      tx: x.hash,
    });
  },

  'ns.update': (x, p) => {
    const ns = requireUsable(x, p.ns);
    requireSet(x, ns.controllers, `namespace ${p.ns}`);
    const change: Partial<NsEntry> = {};
    if (p.policy) {
      change.policy = p.policy;
      const retired = retireIssuers(ns, p.policy.issuers ?? []);
      if (retired !== ns.retiredIssuers) change.retiredIssuers = retired;
    }
    if (p.record) change.record = p.record;
    if (p.controllers) change.controllers = p.controllers;
    bumpNs(x, ns, change);
  },

  'ns.limits': (x, p) => {
    const ns = getNs(x, p.ns);
    requireParentAuthority(x, p.ns);
    bumpNs(x, ns, { limits: p.limits });
  },

  'ns.suspend': (x, p) => {
    const ns = getNs(x, p.ns);
    requireParentAuthority(x, p.ns);
    if (ns.status === 'suspended') err('NS_SUSPENDED', `namespace ${p.ns} is already suspended`, { ns: p.ns });
    bumpNs(x, ns, { status: 'suspended' });
  },

  'ns.reinstate': (x, p) => {
    const ns = getNs(x, p.ns);
    requireParentAuthority(x, p.ns);
    if (ns.status !== 'suspended') err('NS_NOT_SUSPENDED', `namespace ${p.ns} is not suspended`, { ns: p.ns });
    bumpNs(x, ns, { status: 'active' });
  },

  'ns.recover': (x, p) => {
    const ns = getNs(x, p.ns);
    requireParentAuthority(x, p.ns);
    bumpNs(x, ns, { controllers: p.controllers });
  },

  'id.register': (x, p) => {
    const key = keyOfText(p.id);
    const slash = key.indexOf('/');
    if (slash < 0) err('ID_LOCAL_INVALID', `${p.id} is a namespace identifier; namespaces are created with ns.create`);
    const ns = requireUsable(x, key.slice(0, slash));
    requireRegistrar(x, ns);
    requireQuota(ns, 1);
    createId(x, ns, key.slice(slash + 1), p.record, p.controllers ?? null);
    countNs(x, ns, { ids: ns.ids + 1 });
  },

  'id.registerBatch': (x, p) => {
    const ns = requireUsable(x, p.ns);
    requireRegistrar(x, ns);
    requireQuota(ns, p.items.length);
    for (const item of p.items) {
      const local = keyOfText(canonicalIdText(`${p.ns}/${item.local}`, 'local')).slice(p.ns.length + 1);
      createId(x, ns, local, item.record, null);
    }
    countNs(x, ns, { ids: ns.ids + p.items.length });
  },

  'id.allocate': (x, p) => {
    const ns = requireUsable(x, p.ns);
    requireRegistrar(x, ns);
    requireQuota(ns, p.count);
    const width = ns.policy.serialWidth ?? 6;
    const max = 10 ** width - 1;
    let serial = ns.serials[p.prefix] ?? 1;
    // Serials only grow, so a deactivated identifier's number is never handed out again; numbers
    // already taken by a manual registration are skipped.
    for (let made = 0; made < p.count; serial++) {
      if (serial > max) err('SERIAL_INVALID', `serial numbers of prefix "${p.prefix}" are exhausted at width ${width}`, { prefix: p.prefix, width });
      const local = p.prefix + String(serial).padStart(width, '0');
      if (x.s.id(`${ns.ns}/${local}`)) continue;
      createId(x, ns, local, p.record, p.controllers ?? null);
      made++;
    }
    countNs(x, ns, { ids: ns.ids + p.count, serials: { ...ns.serials, [p.prefix]: serial } });
  },

  'id.update': (x, p) => {
    const { e, ns } = getId(x, p.id);
    requireIdAuthority(x, e, ns);
    if (p.ifVersion !== undefined && p.ifVersion !== e.version) {
      err('ID_VERSION_CONFLICT', `identifier ${e.id} is at version ${e.version}, not ${p.ifVersion}`, { version: e.version });
    }
    checkType(ns, p.record);
    bumpId(x, e, { record: p.record });
  },

  'id.transfer': (x, p) => {
    const { e, ns } = getId(x, p.id);
    requireIdAuthority(x, e, ns);
    bumpId(x, e, { controllers: p.controllers });
  },

  'id.deactivate': (x, p) => {
    const { e, ns } = getId(x, p.id);
    requireIdAuthority(x, e, ns);
    bumpId(x, e, { status: 'deactivated' });
  },

  'id.recover': (x, p) => {
    const { e, ns } = getId(x, p.id);
    // Recovery is the namespace controllers' power (not registrars'): they re-key an identifier
    // whose owner lost its keys, but they cannot change its record in the same step.
    requireSet(x, ns.controllers, `namespace ${ns.ns}`);
    bumpId(x, e, { controllers: p.controllers });
  },

  'label.revoke': (x, p) => {
    const { e, ns } = getId(x, p.id);
    // One issuer key of the namespace may revoke a label alone (it printed it); otherwise the
    // identifier's own authority, as for id.update.
    if (!ns.policy.issuers?.some((k) => x.signed.has(k))) requireIdAuthority(x, e, ns);
    const revoked = e.revokedLabels ?? [];
    if (revoked.includes(p.serial)) err('LABEL_ALREADY_REVOKED', `label ${p.serial} of ${e.id} is already revoked`, { id: e.id, serial: p.serial });
    if (revoked.length >= MAX_REVOKED_LABELS) {
      err('LABEL_REVOKED_LIMIT', `identifier ${e.id} already has ${MAX_REVOKED_LABELS} revoked labels; deactivate it instead`, {
        id: e.id,
        limit: MAX_REVOKED_LABELS,
      });
    }
    // The record, status and controllers stay; the entry gets a new version so that the revocation
    // has a history row, a change event and a transaction as evidence.
    bumpId(x, e, { revokedLabels: [...revoked, p.serial].sort((a, b) => a - b) });
  },

  'chain.validators': (x, p) => {
    requireSet(x, x.chain.root, 'the root authority');
    x.s.put({ ...x.chain, validators: p.validators, version: x.chain.version + 1, height: x.height, tx: x.hash });
  },

  'chain.root': (x, p) => {
    requireSet(x, x.chain.root, 'the root authority');
    x.s.put({ ...x.chain, root: p.root, version: x.chain.version + 1, height: x.height, tx: x.hash });
  },

  'grant.issue': (x, p) => {
    const subjectRef = keyOfText(p.subject);
    if (!subjectRef.includes('/')) err('GRANT_INVALID', `the subject of a grant is a dataset or service identifier, not the namespace ${p.subject}`);
    const { e, ns } = getId(x, p.subject);
    requireIdAuthority(x, e, ns);
    const granteeRef = keyOfText(p.grantee);
    if (granteeRef === subjectRef) err('GRANT_INVALID', 'an identifier cannot grant access to itself');
    requireGrantee(x, p.grantee, granteeRef);
    if (p.expires <= x.time) err('GRANT_INVALID', `the grant expires at ${p.expires}, before the block time ${x.time}`, { expires: p.expires, time: x.time });
    const fragments = new Set(e.record.services?.map((sv) => sv.id));
    for (const f of p.scope.services ?? []) {
      if (!fragments.has(f)) err('GRANT_INVALID', `${e.id} has no service ${f}`, { service: f });
    }
    const ref = grantRef(subjectRef, granteeRef);
    const prev = x.s.grant(ref);
    x.s.put({
      kind: 'grant',
      subject: e.id,
      grantee: p.grantee,
      scope: p.scope,
      purpose: p.purpose,
      expires: p.expires,
      status: 'active',
      version: (prev?.version ?? 0) + 1,
      created: prev?.created ?? x.time,
      updated: x.time,
      height: x.height,
      tx: x.hash,
    });
  },

  'grant.revoke': (x, p) => {
    // Revoking stays possible while the subject's namespace is suspended or expired: taking access
    // away must never be blocked.
    const subjectRef = keyOfText(p.subject);
    const e = x.s.id(subjectRef);
    if (!e) err('ID_NOT_FOUND', `identifier ${p.subject} does not exist`, { id: p.subject });
    requireIdAuthority(x, e, getNs(x, e.ns));
    const prev = x.s.grant(grantRef(subjectRef, keyOfText(p.grantee)));
    if (!prev) err('GRANT_NOT_FOUND', `${e.id} never granted access to ${p.grantee}`, { subject: e.id, grantee: p.grantee });
    if (prev.status === 'revoked') err('GRANT_REVOKED', `the grant of ${e.id} to ${p.grantee} is already revoked`);
    x.s.put({ ...prev, status: 'revoked', version: prev.version + 1, updated: x.time, height: x.height, tx: x.hash });
  },

  // No state is written: the transaction itself, in a certified block, is the anchor. Only the
  // controllers of the service anchor its receipts, so a batch root is the provider's own statement.
  'receipts.anchor': (x, p) => {
    const { e, ns } = getId(x, p.service);
    requireIdAuthority(x, e, ns);
  },
};

/** A grantee is an existing identifier that is not deactivated, or an existing namespace. */
function requireGrantee(x: Exec, text: string, ref: string): void {
  if (ref.includes('/')) {
    const g = x.s.id(ref);
    if (!g) err('ID_NOT_FOUND', `grantee ${text} does not exist`, { id: text });
    if (g.status === 'deactivated') err('ID_DEACTIVATED', `grantee ${text} is deactivated`, { id: text });
  } else if (!x.s.ns(ref)) {
    err('NS_NOT_FOUND', `grantee namespace ${text} does not exist`, { ns: ref });
  }
}

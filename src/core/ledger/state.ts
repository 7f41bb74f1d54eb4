/**
 * The state the state machine reads, and the copy-on-write overlay it writes into.
 *
 * State keys (docs/protocol.md "State"): `chain`, `ns:<namespace>`, `id:<namespace>/<local>` and
 * `grant:<subject ref>|<grantee ref>`.
 * The Merkle map is keyed by SHA-256 of the state key and holds SHA-256 of the entry's canonical
 * JSON, so a proof for an identifier is the entry itself plus the Merkle path.
 */
import { canonicalBytes, utf8Encode } from '../encoding/index.js';
import { sha256 } from '../crypto/index.js';
import { UrbisError } from '../errors.js';
import type { ChainEntry, GrantEntry, IdEntry, NsEntry, StateEntry } from './types.js';

/** Read access to committed state, as the state machine needs it. */
export interface StateReader {
  chain(): ChainEntry | undefined;
  ns(path: string): NsEntry | undefined;
  id(key: string): IdEntry | undefined;
  /** A grant by its reference `<subject ref>|<grantee ref>` (see grants.ts). */
  grant(ref: string): GrantEntry | undefined;
  /** True if a valid transaction with this hash was committed and its validity window is still open. */
  hasTx(hash: string): boolean;
}

/**
 * A state key, typed. Its text form is built by {@link formatStateKey} and read back by
 * {@link parseStateKey}; nothing else spells `ns:` or `id:` by hand.
 */
export type StateKey =
  | { kind: 'chain' }
  | { kind: 'ns'; ns: string }
  | { kind: 'id'; ns: string; local: string }
  /** `subject`, `grantee`: references (state key parts) of the grant's two identifiers. */
  | { kind: 'grant'; subject: string; grantee: string };

export const CHAIN_KEY = 'chain';

/** Text form of a state key. */
export function formatStateKey(k: StateKey): string {
  switch (k.kind) {
    case 'chain':
      return CHAIN_KEY;
    case 'ns':
      return `ns:${k.ns}`;
    case 'id':
      return `id:${idRef(k.ns, k.local)}`;
    case 'grant':
      return grantKey(grantRef(k.subject, k.grantee));
  }
}

/**
 * Reads the text form of a state key back. The namespace and local part are taken as they stand
 * (canonical forms are the identifier codec's business).
 *
 * @throws UrbisError HTTP_BAD_REQUEST for text that is no state key.
 */
export function parseStateKey(text: string): StateKey {
  if (text === CHAIN_KEY) return { kind: 'chain' };
  if (text.startsWith('ns:') && text.length > 3) return { kind: 'ns', ns: text.slice(3) };
  if (text.startsWith('id:')) {
    const slash = text.indexOf('/', 3);
    if (slash > 3 && slash < text.length - 1) return { kind: 'id', ns: text.slice(3, slash), local: text.slice(slash + 1) };
  }
  if (text.startsWith('grant:')) {
    const bar = text.indexOf('|', 6);
    if (bar > 6 && bar < text.length - 1) return { kind: 'grant', subject: text.slice(6, bar), grantee: text.slice(bar + 1) };
  }
  throw new UrbisError('HTTP_BAD_REQUEST', `not a state key: ${JSON.stringify(text.slice(0, 80))}`);
}

/** An identifier's reference within the store, `<namespace>/<local>` (its state key without `id:`). */
export const idRef = (ns: string, local: string): string => `${ns}/${local}`;
/** State key text of a namespace. */
export const nsKey = (ns: string): string => formatStateKey({ kind: 'ns', ns });
/** State key text of an identifier given by its reference `<namespace>/<local>`. */
export const idKey = (ref: string): string => `id:${ref}`;
/**
 * Reference of a grant within the store: `<subject ref>|<grantee ref>`, where a ref is the state
 * key part of an identifier (`ns/local`, or `ns` for a namespace). `|` is outside the identifier
 * alphabet, so the split is unambiguous.
 */
export const grantRef = (subjectRef: string, granteeRef: string): string => `${subjectRef}|${granteeRef}`;
/** State key text of a grant given by its reference. */
export const grantKey = (ref: string): string => `grant:${ref}`;

/** State key part of a canonical identifier text: everything before the check character. */
function refOf(text: string): string {
  const i = text.lastIndexOf(':');
  return i < 0 ? text : text.slice(0, i);
}

/** State key of an entry. */
export function stateKey(e: StateEntry): string {
  switch (e.kind) {
    case 'chain':
      return CHAIN_KEY;
    case 'ns':
      return formatStateKey({ kind: 'ns', ns: e.ns });
    case 'id':
      return formatStateKey({ kind: 'id', ns: e.ns, local: e.local });
    case 'grant':
      return formatStateKey({ kind: 'grant', subject: refOf(e.subject), grantee: refOf(e.grantee) });
  }
}

/** The entry under a state key in a reader of state, if any. */
export function lookupState(r: Pick<StateReader, 'chain' | 'ns' | 'id' | 'grant'>, key: string): StateEntry | undefined {
  const k = parseStateKey(key);
  switch (k.kind) {
    case 'chain':
      return r.chain();
    case 'ns':
      return r.ns(k.ns);
    case 'id':
      return r.id(idRef(k.ns, k.local));
    case 'grant':
      return r.grant(grantRef(k.subject, k.grantee));
  }
}

/** 32-byte Merkle map key of a state key. */
export function merkleKey(key: string): Uint8Array {
  return sha256(utf8Encode(key));
}

/** 32-byte Merkle map value of an entry. */
export function entryHash(e: StateEntry): Uint8Array {
  return sha256(canonicalBytes(e));
}

/** {@link entryHash} from the entry's canonical JSON text (computed once and also stored). */
export function entryHashOf(canonicalText: string): Uint8Array {
  return sha256(utf8Encode(canonicalText));
}

/**
 * Copy-on-write view over a {@link StateReader}. Each transaction runs in a child overlay that is
 * merged into the block's overlay only if the transaction is valid, so an invalid transaction
 * changes nothing.
 */
export class Overlay implements StateReader {
  readonly entries = new Map<string, StateEntry>();
  /** Every entry version written, in order: the history rows of the block. */
  readonly versions: StateEntry[] = [];
  readonly txs = new Map<string, number>();

  constructor(private readonly base: StateReader) {}

  chain(): ChainEntry | undefined {
    return (this.entries.get(CHAIN_KEY) as ChainEntry | undefined) ?? this.base.chain();
  }

  ns(path: string): NsEntry | undefined {
    return (this.entries.get(nsKey(path)) as NsEntry | undefined) ?? this.base.ns(path);
  }

  id(key: string): IdEntry | undefined {
    return (this.entries.get(idKey(key)) as IdEntry | undefined) ?? this.base.id(key);
  }

  grant(ref: string): GrantEntry | undefined {
    return (this.entries.get(grantKey(ref)) as GrantEntry | undefined) ?? this.base.grant(ref);
  }

  hasTx(hash: string): boolean {
    return this.txs.has(hash) || this.base.hasTx(hash);
  }

  /** Writes an entry; `version` false for bookkeeping that is not a new version (no history row). */
  put(e: StateEntry, version = true): void {
    this.entries.set(stateKey(e), e);
    if (version) this.versions.push(e);
  }

  addTx(hash: string, validUntil: number): void {
    this.txs.set(hash, validUntil);
  }

  /** Moves this overlay's writes into `parent` (which must be this overlay's base). */
  mergeInto(parent: Overlay): void {
    for (const [k, v] of this.entries) parent.entries.set(k, v);
    for (const v of this.versions) parent.versions.push(v);
    for (const [h, u] of this.txs) parent.txs.set(h, u);
  }
}

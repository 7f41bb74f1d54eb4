/**
 * Data model of the Urbis ledger: transactions, state entries, blocks and certificates.
 *
 * Spec: docs/protocol.md, sections "Transactions", "State" and "Blocks". Every structure here is
 * plain JSON (no bigint, no bytes) so that it has exactly one canonical encoding (RFC 8785); byte
 * strings are lowercase hex (hashes) or base64url (signatures), keys are Multikey strings.
 */

/** Protocol version carried by transactions and headers. */
export const PROTOCOL_VERSION = 1;

/** A set of keys that acts together: at least `threshold` distinct members must sign. */
export interface ControllerSet {
  /** Ed25519 public keys as Multikey (`z6Mk...`), distinct, sorted in canonical state. */
  keys: string[];
  /** 1 ≤ threshold ≤ keys.length. */
  threshold: number;
}

/** Parameters fixed in genesis. */
export interface ChainParams {
  /** Largest accepted transaction, canonical JSON bytes. */
  maxTxBytes: number;
  /** Largest `attributes` object of a record, canonical JSON bytes. */
  maxAttrBytes: number;
  /** Longest allowed validity window (validUntil - validFrom) of a transaction, ms. */
  maxTxWindowMs: number;
  /** Largest serial range one `id.allocate` may allocate. */
  maxAllocate: number;
  /** Largest number of items in one `id.registerBatch`. */
  maxBatch: number;
}

export const DEFAULT_PARAMS: ChainParams = {
  maxTxBytes: 1_048_576,
  maxAttrBytes: 4096,
  maxTxWindowMs: 24 * 3600 * 1000,
  maxAllocate: 100_000,
  maxBatch: 1000,
};

/** Character class of a policy-controlled name. */
export type Charset = 'digits' | 'alnum';

/** A deterministic, regex-free format rule for child segments or local parts. */
export interface NameRule {
  charset: Charset;
  minLength: number;
  maxLength: number;
  /** If present, the name must start with one of these prefixes. */
  prefixes?: string[];
}

/** Allocation policy of a namespace, set by its own controllers. */
export interface Policy {
  /** Format of child namespace segments; absent = children not allowed. */
  children?: NameRule;
  /** Format of local parts of identifiers; absent = identifiers not allowed. */
  ids?: NameRule;
  /** Allowed record types of identifiers; absent = any type of the vocabulary or `x-` custom. */
  types?: string[];
  /** Names (child segments and local parts) that may not be allocated. */
  reserved?: string[];
  /** Keys allowed to register and allocate identifiers (each alone), beside the controllers. */
  registrars?: string[];
  /** Width of zero-padded serial numbers for `id.allocate` (1..12). */
  serialWidth?: number;
  /**
   * Keys allowed to issue signed codes (labels) for the namespace's identifiers (docs/codes.md);
   * each may also revoke a label serial alone. Absent or empty: nobody may issue codes here.
   */
  issuers?: string[];
}

/** Most withdrawn issuer keys a namespace remembers (the oldest is forgotten first). */
export const MAX_RETIRED_ISSUERS = 256;
/** Most revoked label serials one identifier holds; beyond that, deactivate it. */
export const MAX_REVOKED_LABELS = 1024;

/** Limits a parent imposes on a child namespace; only the parent changes them. */
export interface Limits {
  /** Maximum number of direct child namespaces. */
  maxChildren?: number;
  /** Maximum number of identifiers registered directly in the namespace. */
  maxIds?: number;
  /** Time (ms since epoch) after which writes into the namespace are refused until renewed. */
  expiresAt?: number;
}

/** Vocabulary of record types; custom types start with `x-`. */
export const RECORD_TYPES = [
  'country',
  'city',
  'district',
  'organisation',
  'building',
  'site',
  'device',
  'sensor',
  'lamp',
  'camera',
  'meter',
  'vehicle',
  'infrastructure',
  'dataset',
  'service',
  'document',
] as const;

/** Vocabulary of link relations; custom relations start with `x-`. */
export const LINK_RELATIONS = [
  'located-in',
  'part-of',
  'operated-by',
  'owned-by',
  'manufactured-by',
  'serves',
  'feeds',
  'derived-from',
  'replaces',
  'same-as',
] as const;

/** A typed link to another identifier, in any city. */
export interface Link {
  rel: string;
  /** Canonical text form of the target identifier, with its check character. */
  target: string;
}

/** A service endpoint, shaped as a DID Core service. */
export interface Service {
  /** Fragment id, e.g. `#api`. */
  id: string;
  type: string;
  /** An https (or urn:) URI. */
  serviceEndpoint: string;
}

/**
 * Reference to private data kept off the ledger: `hash` = hex SHA-256 of (salt ‖ value); the salt
 * and value stay with their holder, who can prove the link by revealing both.
 */
export interface PrivateRef {
  name: string;
  hash: string;
}

/** The public description of a namespace or identifier. No personal data (docs/protocol.md). */
export interface RecordBody {
  type: string;
  attributes?: Record<string, unknown>;
  links?: Link[];
  services?: Service[];
  privateRefs?: PrivateRef[];
}

export type Status = 'active' | 'suspended' | 'deactivated';

/** Namespace state entry (Merkle map key `ns:<path>`). */
export interface NsEntry {
  kind: 'ns';
  /** Canonical namespace path, e.g. `156.130100`. */
  ns: string;
  /** Canonical text identifier of the namespace itself, with check character. */
  id: string;
  controllers: ControllerSet;
  policy: Policy;
  limits: Limits;
  record: RecordBody;
  status: Exclude<Status, 'deactivated'>;
  children: number;
  ids: number;
  /** Next serial number per allocation prefix. */
  serials: Record<string, number>;
  /**
   * Issuer keys withdrawn from `policy.issuers` by an `ns.update`, oldest first, kept by the state
   * machine so that codes they issued verify as REVOKED rather than FORGED. Absent when empty.
   */
  retiredIssuers?: string[];
  version: number;
  created: number;
  updated: number;
  /** Height of the block that last changed the entry. */
  height: number;
  /** Hash of the transaction that last changed the entry. */
  tx: string;
}

/** Identifier state entry (Merkle map key `id:<ns>/<local>`). */
export interface IdEntry {
  kind: 'id';
  /** Canonical text identifier with check character, e.g. `156.130100.42/LAMP-000017:F`. */
  id: string;
  ns: string;
  local: string;
  /** Own controllers; null = controlled by the namespace's controllers and registrars. */
  controllers: ControllerSet | null;
  record: RecordBody;
  status: Status;
  /** Revoked label serials (`label.revoke`), ascending; absent when none. */
  revokedLabels?: number[];
  version: number;
  created: number;
  updated: number;
  height: number;
  tx: string;
}

/** Chain entry (Merkle map key `chain`): authorities in force. */
export interface ChainEntry {
  kind: 'chain';
  chainId: string;
  root: ControllerSet;
  /** Validators in force for the next block; the quorum is more than two thirds of them. */
  validators: string[];
  params: ChainParams;
  version: number;
  height: number;
  tx: string;
}

/** What a grant lets the grantee do (docs/sharing.md "Grants"). */
export type GrantAccess = 'read' | 'write';

/** Scope of a grant: which access, to which services of the subject and which paths. */
export interface GrantScope {
  /** `read` = GET, HEAD, OPTIONS; `write` = every other method. Distinct, sorted. */
  access: GrantAccess[];
  /** Service fragments of the subject's record (`#api`); absent = every service. */
  services?: string[];
  /** Path prefixes (`/buses/`), each starting with `/`; absent = every path. */
  paths?: string[];
}

/**
 * Access grant state entry (Merkle map key `grant:<subject ref>|<grantee ref>`): the controllers of a
 * dataset or service identifier (the subject) let another identifier (the grantee) use it. One
 * entry per subject and grantee; issuing again replaces it, revoking keeps it with status `revoked`.
 */
export interface GrantEntry {
  kind: 'grant';
  /** Canonical text of the subject identifier (a dataset or service), with check character. */
  subject: string;
  /** Canonical text of the grantee (an identifier or a namespace), with check character. */
  grantee: string;
  scope: GrantScope;
  /** Why the data is shared (1..200 characters); no personal data. */
  purpose: string;
  /** Time (ms since epoch) after which the grant no longer holds. */
  expires: number;
  status: 'active' | 'revoked';
  version: number;
  created: number;
  updated: number;
  height: number;
  tx: string;
}

export type StateEntry = NsEntry | IdEntry | ChainEntry | GrantEntry;

// ---------------------------------------------------------------------------------------------
// Transactions

/** Payloads by transaction type. */
export interface Payloads {
  genesis: {
    chainId: string;
    time: number;
    root: ControllerSet;
    validators: string[];
    params?: Partial<ChainParams>;
  };
  'ns.create': {
    ns: string;
    controllers: ControllerSet;
    policy?: Policy;
    limits?: Limits;
    record: RecordBody;
  };
  'ns.update': { ns: string; policy?: Policy; record?: RecordBody; controllers?: ControllerSet };
  'ns.limits': { ns: string; limits: Limits };
  'ns.suspend': { ns: string; reason?: string };
  'ns.reinstate': { ns: string };
  'ns.recover': { ns: string; controllers: ControllerSet };
  'id.register': { id: string; record: RecordBody; controllers?: ControllerSet };
  'id.registerBatch': { ns: string; items: Array<{ local: string; record: RecordBody }> };
  'id.allocate': {
    ns: string;
    prefix: string;
    count: number;
    record: RecordBody;
    controllers?: ControllerSet;
  };
  'id.update': { id: string; record: RecordBody; ifVersion?: number };
  'id.transfer': { id: string; controllers: ControllerSet | null };
  'id.deactivate': { id: string; reason?: string };
  'id.recover': { id: string; controllers: ControllerSet | null };
  'label.revoke': { id: string; serial: number; reason?: string };
  'chain.validators': { validators: string[] };
  'chain.root': { root: ControllerSet };
  'grant.issue': { subject: string; grantee: string; scope: GrantScope; purpose: string; expires: number };
  'grant.revoke': { subject: string; grantee: string; reason?: string };
  /** Root of a batch of access receipts of a service (docs/sharing.md "Receipts"); no state entry. */
  'receipts.anchor': { service: string; root: string; count: number; from: number; until: number };
}

export type TxType = keyof Payloads;

export const TX_TYPES: readonly TxType[] = [
  'genesis',
  'ns.create',
  'ns.update',
  'ns.limits',
  'ns.suspend',
  'ns.reinstate',
  'ns.recover',
  'id.register',
  'id.registerBatch',
  'id.allocate',
  'id.update',
  'id.transfer',
  'id.deactivate',
  'id.recover',
  'label.revoke',
  'chain.validators',
  'chain.root',
  'grant.issue',
  'grant.revoke',
  'receipts.anchor',
];

/** The signed part of a transaction. Its canonical JSON hash is the transaction hash. */
export interface TxBody<T extends TxType = TxType> {
  v: 1;
  chain: string;
  type: T;
  /** Free uniqueness token (1..64 chars) so that two identical intents get distinct hashes. */
  nonce: string;
  /** Validity window, ms since epoch; the block time must fall inside. */
  validFrom: number;
  validUntil: number;
  payload: Payloads[T];
}

/** One signature: Ed25519 over the signing input of the transaction (docs/protocol.md). */
export interface TxSignature {
  key: string;
  sig: string;
}

export interface Tx<T extends TxType = TxType> {
  body: TxBody<T>;
  sigs: TxSignature[];
}

/** Outcome of one transaction in a block. */
export type TxResult = { ok: true } | { ok: false; code: string; message: string };

// ---------------------------------------------------------------------------------------------
// Blocks

export interface BlockHeader {
  /** Header format version: 2 (v1 had no `historyRoot`). */
  v: 2;
  chain: string;
  height: number;
  /** Hash of the previous header; 64 zeros for height 0. */
  prev: string;
  /**
   * RFC 9162 Merkle tree hash over the hashes of all earlier headers (heights 0..height−1, leaf i =
   * SHA-256(0x00 ‖ hash of header i)): the header chain as a transparency log. docs/protocol.md
   * "History tree".
   */
  historyRoot: string;
  /** Block time, ms since epoch; never less than the previous block's. */
  time: number;
  /** RFC 6962 Merkle tree hash over the block's transaction entries (tx + result). */
  txRoot: string;
  /** Root of the state Merkle map after this block. */
  stateRoot: string;
  txCount: number;
  /** Hash of the validator list in force for the next block. */
  nextValidators: string;
}

export interface Block {
  header: BlockHeader;
  txs: Tx[];
  results: TxResult[];
}

/** Signatures of validators over a header hash: the finality certificate. */
export interface Certificate {
  height: number;
  headerHash: string;
  sigs: TxSignature[];
}

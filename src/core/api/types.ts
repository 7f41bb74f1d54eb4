/**
 * Shapes of the node's HTTP answers (docs/api.md), shared by the server (src/node) and the client
 * SDK (src/client). Pure types and small pure helpers only: the SDK runs in browsers.
 *
 * Proofs travel as base64url strings of their binary encoding (docs/protocol.md "Proofs").
 */
import type { BlockHeader, Certificate, IdEntry, NsEntry, StateEntry, TxResult } from '../ledger/types.js';
import type { TxInclusionJson } from '../ledger/verify-listing.js';
import type { AuthorityCheck } from '../ledger/apply.js';

/** RFC 9457 problem document with the Urbis error code. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: string;
  instance?: string;
  /** Machine-readable evidence from the error, when any. */
  details?: Record<string, unknown>;
  /** For "not found" answers about identifiers and namespaces: the proof of absence. */
  proven?: ProvenJson;
}

/** An entry (or its absence) with everything a reader needs to verify it. */
export interface ProvenJson<E extends StateEntry = StateEntry> {
  /** State key, e.g. `id:156.130100.42/LAMP-000017`. */
  key: string;
  entry: E | null;
  /** base64url of the binary Merkle proof. */
  proof: string;
  header: BlockHeader;
  cert: Certificate;
}

/** `POST /v1/tx` and `GET /v1/tx/{hash}`. */
export type TxStatus = { hash: string; status: 'pending' } | { hash: string; status: 'committed'; height: number; index: number; result: TxResult };

/**
 * `POST /v1/tx/check`: a transaction, signed by some, all or none of its signers, run against the
 * state at the head without being admitted (docs/api.md "Checking a transaction").
 */
export interface TxCheckAnswer {
  hash: string;
  /** The head the dry run ran on: the transaction as if in block `height + 1`. */
  height: number;
  /** Keys whose signatures verify. */
  signedBy: string[];
  /** Each authority rule checked, met or not, in order (the first unmet one ends the run). */
  authority: AuthorityCheck[];
  /** The outcome of the dry run: ok, AUTH_THRESHOLD / AUTH_NOT_REGISTRAR, or another rule's code. */
  result: TxResult;
  /** False when the node would refuse it at admission now (no authority); true otherwise. */
  admissible: boolean;
}

/** `GET /v1/ids/{id}`. */
export interface IdAnswer extends ProvenJson<IdEntry> {
  id: string;
  did: string;
  url: string;
  status: IdEntry['status'];
  version: number;
}

/** `GET /v1/ids/{id}?version=N` or `?at=`: a past version from the history (see docs/api.md). */
export interface IdVersionAnswer {
  id: string;
  entry: IdEntry;
  /** The current entry, proven, so a reader can check the history ends where the proof is. */
  current: ProvenJson<IdEntry>;
}

/** A block entry proven in its certified block (docs/protocol.md "Transaction inclusion"). */
export interface TxInclusionProof extends TxInclusionJson {
  height: number;
  header: BlockHeader;
  cert: Certificate;
}

/** `GET /v1/ids/{id}/history`; with `?proofs=1`, one inclusion proof per version and the proven current entry. */
export interface IdHistoryAnswer {
  id: string;
  versions: IdEntry[];
  proofs?: TxInclusionProof[];
  current?: ProvenJson<IdEntry>;
}

/** A page of entries; with `?proofs=1`, the state proof of each (base64url), against the answer's header. */
export interface ListPage<E extends StateEntry> {
  items: E[];
  next: string | null;
  proofs?: string[];
}

/** `GET /v1/ns/{ns}`. */
export interface NsAnswer extends ProvenJson<NsEntry> {
  ns: string;
  children: ListPage<NsEntry>;
}

/** `GET /v1/ns`: top-level namespaces; with `?proofs=1`, a header and certificate for the child proofs. */
export interface NsRootAnswer {
  ns: null;
  children: ListPage<NsEntry>;
  header?: BlockHeader;
  cert?: Certificate;
}

/** `GET /v1/blocks/{height}` and `/v1/blocks/latest`. */
export interface BlockAnswer {
  header: BlockHeader;
  headerHash: string;
  txs: unknown[];
  results: TxResult[];
  cert: Certificate;
}

/** `GET /v1/checkpoint`: the latest certified header. */
export interface CheckpointAnswer {
  chainId: string;
  header: BlockHeader;
  headerHash: string;
  cert: Certificate;
}

/** `GET /v1/search`; with `?proofs=1`, a state proof per item and one header and certificate. */
export interface SearchAnswer extends ListPage<IdEntry> {
  header?: BlockHeader;
  cert?: Certificate;
}

/**
 * `GET /v1/events?proofs=1`: an SSE `proof` event sent before the change events of a block, with
 * the block's certified header and the transactions they name, each with its audit path.
 */
export interface EventBlockProof {
  height: number;
  header: BlockHeader;
  cert: Certificate;
  txs: TxInclusionJson[];
}

/** One change-feed event (`GET /v1/events`, SSE `data:`); the SSE id is `<height>.<seq>`. */
export interface ChangeEvent {
  height: number;
  seq: number;
  key: string;
  kind: StateEntry['kind'];
  /** Canonical identifier text (ids and namespaces). */
  id?: string;
  ns?: string;
  type?: string;
  status?: string;
  version: number;
  tx: string;
  time: number;
}

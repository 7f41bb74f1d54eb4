/**
 * What a CLI command works on (docs/cli.md "Working through a node"): the shape shared by the local
 * data directory and a running node, so that commands are written once.
 */
import type { Identifier } from '../../core/ids/index.js';
import { type Signer } from '../../core/ledger/tx.js';
import { type VerifiedAnswer } from '../../core/ledger/verify.js';
import {
  type BlockHeader,
  type ChainParams,
  type ControllerSet,
  type IdEntry,
  type NsEntry,
  type Payloads,
  type StateEntry,
  type Tx,
  type TxType,
} from '../../core/ledger/types.js';
import type { TxOutcome } from '../../ordering/types.js';
import type { TxCheckAnswer } from '../../core/api/types.js';
import type { Page } from '../../storage/types.js';
// eslint-disable-next-line @typescript-eslint/no-unused-vars -- named by the {@link} and @throws of the comments below
import type { CliFailure } from '../failure.js';

/** A state entry with what its verification established (`urbis id resolve`). */
export interface Resolved {
  present: boolean;
  entry: StateEntry | null;
  verified: VerifiedAnswer;
  /** Merkle proof, header and certificate as received (local: as the ledger produced them). */
  proof: unknown;
  header: BlockHeader;
  cert: unknown;
}

/** A past state asked for (`urbis id resolve --at / --version`): a height, a time (ms) or a version. */
export type PastAsk = { height: number } | { time: number } | { version: number };

/** The head of the chain and the authorities in force (`urbis status`). */
export interface ChainStatus {
  chainId: string;
  height: number;
  headHash: string;
  stateRoot: string;
  time: number;
  validators: string[];
  /** Null through a node: the HTTP API serves no proven chain entry. */
  root: ControllerSet | null;
}

/**
 * The ledger a command works on. Reads return what the ledger holds (through a node: verified
 * against the trust anchor, a failed verification being a {@link CliFailure} with exit 5); writes
 * return the outcome once the transaction is in a block.
 */
export interface Target {
  readonly kind: 'local' | 'node';
  /** The data directory, or the node's URL. */
  readonly location: string;
  readonly chainId: string;
  /** Chain parameters (size limits, batch size). */
  readonly params: ChainParams;
  /** Transactions worth keeping in flight at once when importing. */
  readonly batchesInFlight: number;
  /** True when a read costs a database lookup rather than a request: import checks every row first. */
  readonly cheapReads: boolean;
  ns(path: string): Promise<NsEntry | undefined>;
  id(ident: Identifier): Promise<IdEntry | undefined>;
  /**
   * Every version, oldest first; empty when the identifier does not exist. Each version is proven
   * against the certified header of the block that wrote it (a failed proof: exit 5); through a
   * node each is also proven by its transaction.
   */
  history(ident: Identifier): Promise<IdEntry[]>;
  /** An identifier as of a past height, time or version, with its proof against that block, verified. */
  resolvePast(ident: Identifier, ask: PastAsk): Promise<Resolved>;
  /** The entry (or its absence) of an identifier or namespace identifier, with proof, verified. */
  resolve(ident: Identifier): Promise<Resolved>;
  /** Child namespaces (top-level ones for null). Through a node each is proven current; a node could leave one out. */
  children(parent: string | null, cursor: string | null, limit: number): Promise<Page<NsEntry>>;
  /** Identifiers registered directly in a namespace. Through a node each is proven current; a node could leave one out. */
  idsIn(ns: string, cursor: string | null, limit: number): Promise<Page<IdEntry>>;
  status(): Promise<ChainStatus>;
  /**
   * Builds, signs, submits one transaction and waits for its block.
   * @throws CliFailure exit 4 if the ledger committed it as invalid; UrbisError from the pre-checks.
   */
  commit<T extends TxType>(signers: Signer[], type: T, payload: Payloads[T]): Promise<TxOutcome>;
  /**
   * Submits signed transactions together and returns, per transaction, its outcome (valid or not)
   * or the error that kept it out of a block. The promises never reject.
   */
  submitMany(txs: Tx[]): Promise<TxOutcome | Error>[];
  /**
   * Admission's dry run of a transaction at the head (`urbis tx show`): who has signed, who else may
   * sign, what is missing; nothing is submitted. Through a node, the node's word (not a proof).
   */
  checkTx(tx: Tx): Promise<TxCheckAnswer>;
}

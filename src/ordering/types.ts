/**
 * The ordering port: what the HTTP layer and the CLI need from whatever orders transactions (the
 * single-node sequencer in `local/`, the network orderer in `jetstream/`). Ordering only admits and
 * orders; execution is the engine's.
 */
import type { TxResult } from '../core/ledger/types.js';

/** Outcome of a committed transaction. */
export interface TxOutcome {
  hash: string;
  height: number;
  index: number;
  result: TxResult;
}

/** What admission returns: the hash, the outcome to come, and (network) durable ordering. */
export interface Submission {
  hash: string;
  done: Promise<TxOutcome>;
  accepted?: Promise<void>;
}

/** How transactions get ordered: the local sequencer, or the network orderer. */
export interface Orderer {
  /**
   * Admits a transaction. `accepted`, when present, settles once the transaction is durably ordered
   * (network: acknowledged by the stream); the HTTP layer answers 202 only after it.
   */
  submit(raw: unknown): Submission | Promise<Submission>;
  waiter(hash: string): Promise<TxOutcome> | null;
  pending(): number;
  /** Suggested client back-off when busy, ms. */
  readonly blockIntervalMs: number;
}

/**
 * Why a node cannot make progress: `/readyz` answers 503 with these (docs/operations.md
 * "Readiness"). The codes are stable; the details are for people.
 */
export type ReadyCode =
  | 'BLOCK_PRODUCTION_STOPPED'
  | 'STORE_UNREADABLE'
  | 'DIVERGED'
  | 'FOLLOWER_STOPPED'
  | 'GENESIS_PENDING'
  | 'NATS_DISCONNECTED'
  | 'STREAM_UNAVAILABLE'
  | 'QUORUM_LOST'
  | 'NO_FINALITY';

export interface ReadyProblem {
  code: ReadyCode;
  detail: string;
}

/**
 * What the HTTP layer needs from a node: the runtime that routes read. Kept apart from
 * `runtime.ts` (which builds and starts nodes) so that routes, metrics and the server depend on
 * this shape only, and nothing in `src/node` imports its own caller.
 */
import type { FastifyRequest } from 'fastify';
import type { TrustAnchor } from '../core/ledger/verify.js';
import type { Tx } from '../core/ledger/types.js';
import type { Signer } from '../core/ledger/tx.js';
import type { Ledger } from '../engine/ledger.js';
import type { Orderer, ReadyProblem } from '../ordering/types.js';
import type { LedgerStore } from '../storage/types.js';
import type { EventHub } from './events.js';
import type { Metrics } from './metrics.js';

/** A request whose JSON body is also kept as the text received (set by the server's JSON parser). */
export interface RawBodyRequest extends FastifyRequest {
  rawBody?: string;
}

/** Network status of a node that follows a multi-city network (src/ordering/jetstream). */
export interface NetworkView {
  /** Set when the validators certified a header other than this node's: no writes, no answers. */
  diverged(): string | null;
  /** What /readyz and /v1/checkpoint add: certified height, faults seen, divergence. */
  status(): Record<string, unknown>;
  /** Ordered transactions not yet committed here. */
  backlog(): number;
  /** Highest height with a finality certificate seen here. */
  certifiedHeight(): number;
}

/** What the HTTP layer needs from a node. */
export interface NodeRuntime {
  chainId: string;
  genesis: Tx<'genesis'>;
  anchor: TrustAnchor;
  ledger: Ledger;
  store: LedgerStore;
  /** Null on a read replica. */
  orderer: Orderer | null;
  events: EventHub;
  metrics: Metrics;
  /** Present on a node of a multi-city network. */
  network?: NetworkView;
  /** Null when the node can answer; otherwise why not (reads and writes answer 503). */
  notReady(): string | null;
  /**
   * What keeps the node from making progress (`/readyz` answers 503 listing them); empty when
   * ready. A node that is not ready may still serve its last certified state.
   */
  readiness(): ReadyProblem[];
  /** Host used in the https URL form of identifiers. */
  urlHost: string;
  /** Public base URL of the URL form of codes (default `https://<urlHost>`). */
  publicUrl: string;
  /** The key this node makes codes with (`/v1/ids/<id>/code.svg`); absent: no codes made here. */
  issuer?: Signer;
  /** The node's validator key, which signs trust bundles; absent on a read replica. */
  validator?: Signer;
}

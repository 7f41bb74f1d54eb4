/**
 * The app's shared services: the SDK client (the verification engine), the trust anchor, the
 * browser Ed25519 engine, and the keys loaded on the Manage page (kept in memory only).
 */
import { createContext } from 'preact';
import { useContext } from 'preact/hooks';
import { UrbisClient } from '../../src/client/client.js';
import { storageTrustStore } from '../../src/client/trust-state.js';
import type { Signer } from '../../src/core/ledger/tx.js';
import type { AnchorState, KeyValueStore, PinnedAnchor } from './lib/anchor.js';
import type { BrowserEd25519 } from './lib/accel.js';

export interface AppCtx {
  client: UrbisClient | null;
  anchor: AnchorState;
  engine: BrowserEd25519;
  /** Replaces the pinned anchor (Trust page). */
  setAnchor(a: PinnedAnchor | null): void;
  /** Oldest answer accepted, ms (null: any age; default 5 min); older ones, and rolled-back ones, show "node behind". */
  maxAgeMs: number | null;
  setMaxAgeMs(ms: number | null): void;
  /** Keys loaded on the Manage page: in this page's memory, never sent anywhere. */
  signers: Signer[];
  setSigners(s: Signer[]): void;
  navigate(href: string): void;
}

export const Ctx = createContext<AppCtx>(null as unknown as AppCtx);
export const useApp = (): AppCtx => useContext(Ctx);

/**
 * The SDK client for the node that served the page, verifying against `anchor`; its trust state
 * (the highest certified header seen, docs/sdk.md "Freshness and rollback") is kept in `store`
 * (local storage), so a node replaying older answers is refused after a reload too.
 */
export function makeClient(anchor: PinnedAnchor, engine: BrowserEd25519, maxAgeMs: number | null, store?: KeyValueStore): UrbisClient {
  return new UrbisClient({
    url: location.origin,
    anchor: { chainId: anchor.chainId, validators: anchor.validators },
    // Revalidate every read (ETag "h<height>", 304 when unchanged): an answer cached for its 5 s
    // max-age would otherwise be paired with a fresher one (an entry and its history) and look forged.
    fetch: engine.wrapFetch((input, init) => globalThis.fetch(input, { ...init, cache: 'no-cache' })),
    timeoutMs: 8000,
    retry: { retries: 1, maxDelayMs: 1000 },
    waitTimeoutMs: 30_000,
    maxAgeMs,
    ...(store ? { trustStore: storageTrustStore(store) } : {}),
  });
}

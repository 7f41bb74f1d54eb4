/**
 * The trust anchor of the app: the genesis the page was served with, pinned in local storage on
 * first use (trust on first use), replaceable by the user. Every verified badge is computed against
 * the pinned anchor, never against what a later page load brings: a node that starts serving another
 * genesis is reported, not followed.
 */
import { UrbisClient } from '../../../src/client/client.js';
import { DEFAULT_MAX_AGE_MS } from '../../../src/client/trust-state.js';
import { canonicalBytes } from '../../../src/core/encoding/canonical-json.js';
import { toHex } from '../../../src/core/encoding/bytes.js';
import { sha256 } from '../../../src/core/crypto/index.js';
import type { TrustAnchor } from '../../../src/core/ledger/verify.js';

export const STORAGE_KEY = 'urbis.anchor.v1';

/** What is pinned: the anchor, and where it came from. */
export interface PinnedAnchor {
  chainId: string;
  validators: string[];
  /** Hex SHA-256 of the canonical genesis transaction (to compare genesis files at a glance). */
  genesisHash: string;
  source: 'served' | 'file';
  pinnedAt: number;
}

/** Minimal storage (window.localStorage, or a map in tests). */
export interface KeyValueStore {
  getItem(k: string): string | null;
  setItem(k: string, v: string): void;
  removeItem(k: string): void;
}

/** The anchor and fingerprint of a genesis transaction. @throws UrbisError TX_GENESIS_INVALID. */
export function anchorOfGenesis(genesis: unknown, source: PinnedAnchor['source'], now: number): PinnedAnchor {
  const a = UrbisClient.anchorFromGenesis(genesis);
  return { ...a, genesisHash: toHex(sha256(canonicalBytes(genesis))), source, pinnedAt: now };
}

function readPinned(store: KeyValueStore): PinnedAnchor | null {
  try {
    const v = JSON.parse(store.getItem(STORAGE_KEY) ?? 'null') as PinnedAnchor | null;
    if (v && typeof v.chainId === 'string' && Array.isArray(v.validators) && typeof v.genesisHash === 'string') return v;
  } catch {
    // A damaged entry is as good as none.
  }
  return null;
}

export function sameAnchor(a: TrustAnchor, b: TrustAnchor): boolean {
  return a.chainId === b.chainId && a.validators.length === b.validators.length && [...a.validators].sort().join() === [...b.validators].sort().join();
}

/** The anchor state at page load. */
export interface AnchorState {
  /** The anchor answers are verified against (null: nothing served, nothing pinned). */
  pinned: PinnedAnchor | null;
  /** What this page load was served with (null if absent or malformed). */
  served: PinnedAnchor | null;
  /** True when the served genesis differs from the pinned one. */
  mismatch: boolean;
  /** True when this load pinned the served genesis (first use). */
  firstUse: boolean;
  /** Why the served genesis was unusable, if it was. */
  servedError: string | null;
}

/**
 * Loads the pinned anchor, pinning the served genesis on first use.
 * @param servedGenesis - the genesis embedded in the page (null when the page has none).
 */
export function loadAnchor(store: KeyValueStore, servedGenesis: unknown, now: number): AnchorState {
  let served: PinnedAnchor | null = null;
  let servedError: string | null = null;
  if (servedGenesis !== null && servedGenesis !== undefined) {
    try {
      served = anchorOfGenesis(servedGenesis, 'served', now);
    } catch (e) {
      servedError = e instanceof Error ? e.message : String(e);
    }
  }
  let pinned = readPinned(store);
  let firstUse = false;
  if (!pinned && served) {
    pinned = served;
    firstUse = true;
    store.setItem(STORAGE_KEY, JSON.stringify(pinned));
  }
  const mismatch = pinned !== null && served !== null && (pinned.genesisHash !== served.genesisHash || !sameAnchor(pinned, served));
  return { pinned, served, mismatch, firstUse, servedError };
}

/** Pins an anchor (replacing any earlier one). */
export function pinAnchor(store: KeyValueStore, a: PinnedAnchor): void {
  store.setItem(STORAGE_KEY, JSON.stringify(a));
}

/** Forgets the pinned anchor: the next load pins what it is served. */
export function forgetAnchor(store: KeyValueStore): void {
  store.removeItem(STORAGE_KEY);
}

/** The genesis embedded in the page by the node (`<script id="urbis-genesis">`). */
export function servedGenesisFrom(doc: Document): unknown {
  const el = doc.getElementById('urbis-genesis');
  if (!el?.textContent) return null;
  try {
    return JSON.parse(el.textContent) as unknown;
  } catch {
    return null;
  }
}

export const MAX_AGE_KEY = 'urbis.maxAgeMs.v1';

/**
 * The oldest answer the person accepts, ms (null: any age). Nothing stored, or junk: the SDK's
 * default ({@link DEFAULT_MAX_AGE_MS}, 5 minutes); `0` stored: any age.
 */
export function readMaxAge(store: KeyValueStore): number | null {
  const t = store.getItem(MAX_AGE_KEY);
  const v = Number(t);
  if (t === '0') return null;
  return t !== null && /^[0-9]+$/.test(t) && Number.isSafeInteger(v) && v > 0 ? v : DEFAULT_MAX_AGE_MS;
}

export function writeMaxAge(store: KeyValueStore, ms: number | null): void {
  store.setItem(MAX_AGE_KEY, ms === null ? '0' : String(ms));
}

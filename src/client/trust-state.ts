/**
 * The reader's trust state per chain: docs/sdk.md "Freshness and rollback", docs/protocol.md
 * "Freshness and rollback". Pure and browser-safe; persistence goes through a {@link TrustStore}
 * (memory, `localStorage`, or the Node file store of src/platform/trust-file.ts).
 *
 * A certificate proves that the validators signed a header once, not that it is the latest one: a
 * node can replay an old, genuinely certified answer (captured before a deactivation, say). So the
 * client remembers the highest certified header it verified and, for answers about the current
 * state, refuses
 * - one from a lower height than that header had when the request was sent (CLIENT_ROLLBACK),
 * - one whose certified header time is older than `maxAgeMs` by the client's clock (CLIENT_STALE);
 * and for every answer, history included, refuses a header of the remembered height with another
 * hash (CLIENT_FORK, with both headers and certificates: evidence that the validators signed two
 * histories). History reads (`block(h)`, versions, history) are exempt from the first two rules:
 * they are about the past by design, and still proven.
 */
import { UrbisError } from '../core/errors.js';
import { headerHash } from '../core/ledger/block.js';
import { checkCertShape, checkHeaderShape, type VerifiedHeader } from '../core/ledger/verify.js';
import type { BlockHeader, Certificate } from '../core/ledger/types.js';

/** Default maximum age of a current-state answer: 10 heartbeats of the default 30 s (docs/sdk.md). */
export const DEFAULT_MAX_AGE_MS = 5 * 60_000;

/** The highest certified header a client verified: what it knows the chain reached. */
export interface TrustedHead {
  height: number;
  headerHash: string;
  /** Certified block time, ms since the epoch. */
  time: number;
  header: BlockHeader;
  /** The verified certificate (valid signatures only). */
  cert: Certificate;
}

/** Where trust states are kept, one per key (chain id and genesis validators; see {@link trustKey}). */
export interface TrustStore {
  /** The stored state, or null; whatever is returned is shape-checked before use. */
  load(key: string): unknown;
  /** Stores the state (called when the trusted head advances). */
  save(key: string, head: TrustedHead): void;
}

/** What an answer is about: the current state (all rules) or the past (fork rule only). */
export type AnswerKind = 'current' | 'history';

/** A header as seen in a {@link CLIENT_FORK} error: one of two for the same height. */
export interface ForkSide {
  headerHash: string;
  header: BlockHeader;
  cert: Certificate;
}

export interface TrustStateOptions {
  /** Refuse current-state answers whose header is older than this, ms; 0, null or Infinity: no limit. Default {@link DEFAULT_MAX_AGE_MS}. */
  maxAgeMs?: number | null;
  /** Clock for the age rule, ms since the epoch (default Date.now). */
  now?: () => number;
  /** Persistence (default: memory only). */
  store?: TrustStore;
}

/** Called when the trusted head moves up (e.g. to check that the new head extends the old one). */
export type AdvanceListener = (next: TrustedHead, previous: TrustedHead | null) => void;
/** Called with both sides when a fork is seen, before the error is thrown. */
export type ForkListener = (trusted: ForkSide, received: ForkSide) => void;

/** A store that keeps states in memory (the default). */
export function memoryTrustStore(): TrustStore {
  const m = new Map<string, TrustedHead>();
  return {
    load: (k) => m.get(k) ?? null,
    save: (k, h) => void m.set(k, h),
  };
}

/** The part of the Web Storage API a {@link storageTrustStore} needs (`localStorage`). */
export interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

/** A store in Web Storage (`localStorage` in a browser), one item per key under `prefix`. */
export function storageTrustStore(storage: StorageLike, prefix = 'urbis.trust.v1.'): TrustStore {
  return {
    load(k) {
      const t = storage.getItem(prefix + k);
      if (t === null) return null;
      try {
        return JSON.parse(t) as unknown;
      } catch {
        return null;
      }
    },
    save(k, h) {
      try {
        storage.setItem(prefix + k, JSON.stringify(h));
      } catch {
        // Storage full or disabled: the state still holds in memory.
      }
    },
  };
}

/**
 * A stored state, if it is one for `chainId`: shapes checked, header hash recomputed. Signatures are
 * not re-checked (the state is the client's own memory, kept like its genesis file), so a state
 * that does not pass is ignored, never trusted.
 */
export function parseTrustedHead(v: unknown, chainId: string): TrustedHead | null {
  try {
    if (typeof v !== 'object' || v === null) return null;
    const o = v as Record<string, unknown>;
    const header = checkHeaderShape(o.header);
    const cert = checkCertShape(o.cert);
    const hash = headerHash(header);
    if (header.chain !== chainId || o.headerHash !== hash || cert.headerHash !== hash || cert.height !== header.height) return null;
    if (o.height !== header.height || o.time !== header.time) return null;
    return { height: header.height, headerHash: hash, time: header.time, header, cert };
  } catch {
    return null;
  }
}

function side(h: { headerHash: string; header: BlockHeader; cert: Certificate }): ForkSide {
  return { headerHash: h.headerHash, header: { ...h.header }, cert: { ...h.cert, sigs: h.cert.sigs.map((s) => ({ ...s })) } };
}

/**
 * The trust state of one chain. One per client (or shared by the clients of one chain).
 */
export class TrustState {
  private headValue: TrustedHead | null;
  readonly maxAgeMs: number | null;
  private readonly now: () => number;
  private readonly store: TrustStore;
  private readonly advanceListeners = new Set<AdvanceListener>();
  private readonly forkListeners = new Set<ForkListener>();

  /**
   * @param key the store key (see {@link trustKey}); `chainId` the chain every header must name.
   * @throws RangeError for a negative or non-numeric maxAgeMs.
   */
  constructor(
    readonly chainId: string,
    readonly key: string,
    opts: TrustStateOptions = {},
  ) {
    const m = opts.maxAgeMs === undefined ? DEFAULT_MAX_AGE_MS : opts.maxAgeMs;
    if (m !== null && (typeof m !== 'number' || Number.isNaN(m) || m < 0)) throw new RangeError('maxAgeMs must be a non-negative number, or null');
    this.maxAgeMs = m === null || m === 0 || m === Number.POSITIVE_INFINITY ? null : m;
    this.now = opts.now ?? Date.now;
    this.store = opts.store ?? memoryTrustStore();
    this.headValue = parseTrustedHead(this.store.load(key), chainId);
  }

  /** The highest certified header verified so far (a copy), or null. */
  get head(): TrustedHead | null {
    return this.headValue ? { ...this.headValue, ...side(this.headValue) } : null;
  }

  /** The height below which a current-state answer is a rollback, for a request sent now. */
  floor(): number {
    return this.headValue?.height ?? -1;
  }

  /** Subscribes to advances of the trusted head; returns the unsubscribe function. */
  onAdvance(f: AdvanceListener): () => void {
    this.advanceListeners.add(f);
    return () => this.advanceListeners.delete(f);
  }

  /** Subscribes to forks seen (e.g. to keep them as evidence); returns the unsubscribe function. */
  onFork(f: ForkListener): () => void {
    this.forkListeners.add(f);
    return () => this.forkListeners.delete(f);
  }

  /**
   * Applies the rules to a verified header and moves the trusted head up when it is higher.
   *
   * @param floor the {@link floor} when the request was sent (default: now), so that answers racing
   *   each other from an honest node are not taken for a rollback.
   * @param advance false: apply the rules without moving the trusted head (a header the caller did
   *   not check to extend the trusted one).
   * @throws UrbisError CLIENT_FORK (any kind), CLIENT_ROLLBACK and CLIENT_STALE (current-state answers).
   */
  observe(v: Pick<VerifiedHeader, 'header' | 'headerHash' | 'cert'>, kind: AnswerKind, floor: number = this.floor(), advance = true): void {
    const h = v.header;
    const trusted = this.headValue;
    if (trusted && h.height === trusted.height && v.headerHash !== trusted.headerHash) {
      const a = side(trusted);
      const b = side(v);
      for (const f of this.forkListeners) {
        try {
          f(a, b);
        } catch {
          // A failing listener must not hide the fork.
        }
      }
      throw new UrbisError('CLIENT_FORK', `two certified headers for block ${h.height}: ${trusted.headerHash} (trusted) and ${v.headerHash} (this answer)`, {
        height: h.height,
        trusted: a,
        received: b,
      });
    }
    if (kind === 'current' && h.height < floor) {
      throw new UrbisError('CLIENT_ROLLBACK', `answer is anchored at block ${h.height}, but block ${floor} was already verified`, {
        height: h.height,
        headerHash: v.headerHash,
        trustedHeight: floor,
        trustedHash: trusted?.headerHash,
      });
    }
    if (advance && (!trusted || h.height > trusted.height)) {
      const next: TrustedHead = { height: h.height, time: h.time, ...side(v) };
      this.headValue = next;
      this.store.save(this.key, next);
      for (const f of this.advanceListeners) f({ ...next, ...side(next) }, trusted);
    }
    if (kind === 'current' && this.maxAgeMs !== null) {
      const age = this.now() - h.time;
      if (age > this.maxAgeMs) {
        throw new UrbisError('CLIENT_STALE', `answer is anchored at block ${h.height}, ${Math.round(age / 1000)} s old; at most ${this.maxAgeMs} ms accepted`, {
          height: h.height,
          time: h.time,
          ageMs: age,
          maxAgeMs: this.maxAgeMs,
        });
      }
    }
  }
}

/**
 * The store key of a chain: its id and a digest of the anchor's validators, so that two test
 * networks reusing a chain id never share a state. Safe as a file name.
 */
export function trustKey(chainId: string, validatorsDigest: string): string {
  const safe = chainId.replace(/[^A-Za-z0-9_-]/g, '_').slice(0, 64);
  return `${safe}.${validatorsDigest.slice(0, 16)}`;
}

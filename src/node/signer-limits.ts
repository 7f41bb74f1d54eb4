/**
 * Per-signer admission limits (docs/api.md "Admission"): a token bucket per signing key, charged
 * only for transactions that passed admission (valid signatures, authority), so that nobody can
 * spend another key's allowance by sending garbage in its name. The per-IP rate limit stays in
 * front of it.
 */
import { UrbisError } from '../core/errors.js';

export interface SignerLimitOptions {
  /** Transactions per second admitted per signing key; 0 disables (default 1000). */
  rate?: number;
  /** Bucket size: transactions admitted at once after a quiet spell (default 10 × rate). */
  burst?: number;
  /** Keys tracked at most; the least recently seen are forgotten beyond it (default 100 000). */
  maxKeys?: number;
  /** Clock, ms. */
  now?: () => number;
}

export class SignerLimits {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();
  readonly rate: number;
  readonly burst: number;
  private readonly maxKeys: number;
  private readonly now: () => number;

  constructor(o: SignerLimitOptions = {}) {
    this.rate = o.rate ?? 1000;
    this.burst = o.burst ?? this.rate * 10;
    this.maxKeys = o.maxKeys ?? 100_000;
    this.now = o.now ?? Date.now;
  }

  private bucket(key: string): { tokens: number; at: number } {
    const t = this.now();
    let b = this.buckets.get(key);
    if (!b) {
      b = { tokens: this.burst, at: t };
      if (this.buckets.size >= this.maxKeys) this.buckets.delete(this.buckets.keys().next().value as string);
    } else {
      this.buckets.delete(key); // re-inserted below: most recently seen last
      b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 1000) * this.rate);
      b.at = t;
    }
    this.buckets.set(key, b);
    return b;
  }

  /**
   * Refuses when any of `keys` has no allowance left.
   *
   * @throws UrbisError TX_SIGNER_LIMITED with the key and the wait.
   */
  check(keys: readonly string[]): void {
    if (this.rate <= 0) return;
    for (const k of keys) {
      const b = this.bucket(k);
      if (b.tokens < 1) {
        const retryAfterMs = Math.ceil(((1 - b.tokens) / this.rate) * 1000);
        throw new UrbisError('TX_SIGNER_LIMITED', `signer ${k.slice(0, 24)}… is over ${this.rate} transactions per second here`, { key: k, retryAfterMs });
      }
    }
  }

  /** Charges one transaction to each of `keys`. */
  charge(keys: readonly string[]): void {
    if (this.rate <= 0) return;
    for (const k of keys) this.bucket(k).tokens -= 1;
  }
}

/**
 * Replay protection of signed requests: a nonce is accepted once while its signature could still be
 * valid. Entries live until the signature's own end of validity (the gateway bounds it by its
 * maximum age), so memory is bounded by the request rate times that window.
 */
export class NonceCache {
  private readonly seen = new Map<string, number>();
  private lastSweep = 0;

  /** @param maxEntries beyond this, the cache refuses new nonces instead of forgetting old ones. */
  constructor(private readonly maxEntries = 1_000_000) {}

  /**
   * Records a nonce valid until `until` (unix seconds). `replayed` if it was already recorded;
   * `full` if the cache holds `maxEntries` live nonces (fail closed: a flood cannot make the gateway
   * forget a nonce, it answers "busy" instead).
   */
  add(key: string, until: number, now: number): 'ok' | 'replayed' | 'full' {
    if (now - this.lastSweep >= 1) this.sweep(now);
    const prev = this.seen.get(key);
    if (prev !== undefined && prev >= now) return 'replayed';
    if (this.seen.size >= this.maxEntries) return 'full';
    this.seen.set(key, until);
    return 'ok';
  }

  get size(): number {
    return this.seen.size;
  }

  private sweep(now: number): void {
    this.lastSweep = now;
    for (const [k, until] of this.seen) if (until < now) this.seen.delete(k);
  }
}

/**
 * What a provider gateway knows of the ledger: for each grantee, the grant of the service to it and
 * the keys that act for it, each verified with its proof against the network's anchor by the SDK,
 * and cached for one block height of the node the gateway follows.
 *
 * The gateway polls the node's certified checkpoint (every `refreshMs`) and, with `feed`, also follows
 * the node's change feed (`GET /v1/events`), fetching the checkpoint as soon as an event of a newer
 * block arrives; when the height moves, every cached answer is dropped, so a revocation committed in
 * block h refuses requests as soon as the gateway has seen block h (docs/sharing.md "Gateway"). The
 * feed only triggers the fetch: the height and every answer are still proven. When the node cannot be read (down, or its
 * answers do not verify) for longer than `staleMs`, the gateway refuses with
 * GATEWAY_LEDGER_UNAVAILABLE rather than serve on old knowledge.
 */
import { UrbisError, isUrbisError } from '../core/errors.js';
import { granteeControllers } from '../core/ledger/grants.js';
import type { ControllerSet, GrantEntry, IdEntry, NsEntry } from '../core/ledger/types.js';
import type { UrbisClient } from '../client/client.js';

/** One grantee's standing at one height. */
export interface GranteeStanding {
  grant: GrantEntry | null;
  /** Keys that act for the grantee; null when the grantee does not exist (any more). */
  controllers: ControllerSet | null;
  /** Height of the block the answers were proven against. */
  height: number;
}

export interface GrantViewOptions {
  /** Checkpoint poll interval, ms (default 250; 1000 with `feed`). */
  refreshMs?: number;
  /** Also follow the node's change feed and fetch the checkpoint on every newer block's event (default false). */
  feed?: boolean;
  /** Longest time without a verified checkpoint before refusing, ms (default 10 000). */
  staleMs?: number;
  /** Largest number of grantees cached (default 10 000). */
  maxEntries?: number;
  now?: () => number;
}

export class GrantView {
  private readonly cache = new Map<string, Promise<GranteeStanding>>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private inflight: Promise<number> | null = null;
  /** Height of the latest verified checkpoint (-1 before the first). */
  height = -1;
  private lastOk = 0;
  private lastError: unknown;
  private readonly refreshMs: number;
  private readonly staleMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  private readonly feed: boolean;
  private closeFeed: (() => void) | undefined;

  /**
   * @param client the SDK, with the network's trust anchor: every answer is verified by it.
   * @param subject the service or dataset identifier the gateway protects.
   */
  constructor(
    readonly client: UrbisClient,
    readonly subject: string,
    opts: GrantViewOptions = {},
  ) {
    this.feed = opts.feed ?? false;
    this.refreshMs = opts.refreshMs ?? (this.feed ? 1000 : 250);
    this.staleMs = opts.staleMs ?? 10_000;
    this.maxEntries = opts.maxEntries ?? 10_000;
    this.now = opts.now ?? Date.now;
  }

  /** Reads the first checkpoint, then polls (and follows the feed). @throws the first checkpoint's error. */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(() => undefined), this.refreshMs);
    this.timer.unref?.();
    if (this.feed) {
      // Any change may concern a grantee (its keys live in any city): every newer block counts. The
      // feed resumes from the height already seen, so a block committed while it reconnects is not missed.
      this.closeFeed = this.client.events({ lastEventId: `${this.height}.999999999`, onError: () => undefined }, (ev) => this.catchUp(ev.height));
    }
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.closeFeed?.();
    this.closeFeed = undefined;
  }

  /** Fetches checkpoints until `height` is seen (a fetch in flight may have started before it; a few tries, then the poll takes over). */
  private catchUp(height: number, tries = 3): void {
    if (height <= this.height || tries === 0 || !this.timer) return;
    void this.refresh().then(
      () => this.catchUp(height, tries - 1),
      () => undefined,
    );
  }

  /**
   * Fetches the certified checkpoint (or joins the fetch in flight); a new height drops the cache.
   * @returns the height now known. @throws the error of the fetch (also remembered for {@link standing}).
   */
  refresh(): Promise<number> {
    this.inflight ??= this.client
      .checkpoint()
      .then(
        (cp) => {
          this.lastOk = this.now();
          if (cp.header.height !== this.height) {
            this.height = cp.header.height;
            this.cache.clear();
          }
          return this.height;
        },
        (e: unknown) => {
          this.lastError = e;
          throw e;
        },
      )
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }

  /**
   * The grantee's standing at the current height (cached per height).
   * @throws UrbisError GATEWAY_LEDGER_UNAVAILABLE when the node is unreachable or its answers do not verify.
   */
  async standing(grantee: string): Promise<GranteeStanding> {
    if (this.height < 0 || this.now() - this.lastOk > this.staleMs) {
      throw new UrbisError('GATEWAY_LEDGER_UNAVAILABLE', 'the gateway has no recent verified checkpoint from its node', {
        cause: this.lastError instanceof Error ? this.lastError.message : undefined,
      });
    }
    let p = this.cache.get(grantee);
    if (!p) {
      if (this.cache.size >= this.maxEntries) this.cache.clear();
      // A failed read is not cached; a read that spans a height change was dropped with the cache.
      const loading: Promise<GranteeStanding> = this.load(grantee).catch((e: unknown) => {
        if (this.cache.get(grantee) === loading) this.cache.delete(grantee);
        throw e;
      });
      p = loading;
      this.cache.set(grantee, p);
    }
    return p;
  }

  private async load(grantee: string): Promise<GranteeStanding> {
    try {
      const [g, who] = await Promise.all([this.client.grant(this.subject, grantee), this.client.resolve(grantee)]);
      let controllers: ControllerSet | null = null;
      if (who.present && who.entry.status !== 'deactivated') {
        const e = who.entry as IdEntry | NsEntry;
        let ns: NsEntry | null = null;
        if (e.kind === 'id' && e.controllers === null) {
          const n = await this.client.ns(e.ns);
          ns = n.present ? n.entry : null;
        }
        controllers = granteeControllers(e, ns);
      }
      return { grant: g.present ? g.entry : null, controllers, height: Math.min(g.height, who.height) };
    } catch (e) {
      if (isUrbisError(e) && (e.code.startsWith('ID_') || e.code === 'HTTP_BAD_REQUEST')) throw e;
      throw new UrbisError('GATEWAY_LEDGER_UNAVAILABLE', `the node's answer about ${grantee} could not be verified: ${(e as Error).message}`, undefined, {
        cause: e,
      });
    }
  }
}

/**
 * The network follower of one node: stream → blocks → apply → sign → certificates. docs/network.md
 * "Block cutting", "Certificates and faults", "Catch-up".
 *
 * Two ordered consumers read the ordering stream and the signature stream. Messages of the ordering
 * stream go through the {@link BlockCutter}; each cut block is built on the committed state
 * ({@link Ledger.prepareBlock}), its header signed by this node if it is a validator in force, and
 * the signature published. The block is committed, with the certificate, only once more than two
 * thirds of the validators in force signed the same header (lockstep: block h+1 is not built before
 * block h is final). So the store only ever holds certified blocks, and every answer a node gives
 * carries a certified header. If the quorum certifies a header other than this node's own, the node
 * has diverged (its store was tampered with, or its software disagrees): it stops following, refuses
 * writes and answers, and says so on /readyz.
 *
 * Position: the stream sequence of the message that closed the head block is stored with the block
 * (`net.stream_seq`), as is the signature-stream position from which the next height's signatures
 * can appear (`net.sig_seq`); a restarted node resumes from there.
 */
import { jetstream, jetstreamManager, DeliverPolicy, type ConsumerMessages, type JsMsg } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { UrbisError } from '../../core/errors.js';
import { checkCertificate, headerTimeFault, isQuorum } from '../../core/ledger/block.js';
import type { BlockHeader, Certificate } from '../../core/ledger/types.js';
import { checkNoteSig, checkpointText, type NoteSig } from '../../core/ledger/checkpoint.js';
import type { CommitResult, Ledger, PreparedBlock } from '../../engine/ledger.js';
import type { StreamNames } from './settings.js';
import type { ReadyProblem, TxOutcome } from '../types.js';
import { BlockCutter, type CutBlock, type StreamMsgKind } from './cutter.js';
import { Certifier, parseSigMsg, type Quorum, type ValidatorFault } from './certifier.js';
import type { StreamPublisher } from './publisher.js';
import { streamHealth } from './health.js';

/** The store operations the follower needs beyond the ledger port (SqliteStore has them). */
export interface FollowerMetaStore {
  getMeta(k: string): string | undefined;
  putMeta(k: string, v: string): void;
}

export interface FollowerOptions {
  nc: NatsConnection;
  names: StreamNames;
  ledger: Ledger;
  meta: FollowerMetaStore;
  publisher: StreamPublisher;
  maxBlockTxs: number;
  blockIntervalMs: number;
  /** The network's heartbeat (config record), ms; 0: no empty blocks. */
  heartbeatMs?: number;
  /** Called after every committed (certified) block, in height order. */
  onCommit?: (r: CommitResult) => void;
  /** Called for every newly detected validator fault. */
  onFault?: (f: ValidatorFault) => void;
  log?: (line: string) => void;
  /** Local clock, for ticks only (never for block contents). */
  now?: () => number;
  /**
   * How long transactions may wait without a certified block, or the stream stay unreachable,
   * before {@link NetworkFollower.readiness} reports it (default 10 s).
   */
  stallMs?: number;
}

/** Why this node stopped following. */
export interface Divergence {
  height: number;
  /** This node's header hash. */
  own: string;
  /** The header hash the quorum certified. */
  certified: string;
  at: string;
}

/** Blocks cut ahead of the one being certified, before the stream reader pauses. */
const MAX_CUT_AHEAD = 4;
/** Heights of signatures buffered ahead of the head, before the signature reader pauses. */
const MAX_SIG_AHEAD = 20_000;
/** How often the readers are checked, and after how long without a delivery one counts as stalled. */
const WATCHDOG_MS = 500;
const STALL_MS = 1000;
/**
 * How long one pull of a reader asks the server to stay open, ms. Long: under load nats-server 2.9
 * expires pulls lazily, and a pull past its expiry neither delivers nor is ended (408) for a second
 * or more; the reader waits on it until the watchdog recreates the consumer. A pull that ends by
 * its message count has no such gap, so expiries are made rare rather than recovered from.
 */
const PULL_MS = 30_000;
/** Faults kept for /readyz and /v1/checkpoint. */
const MAX_FAULTS = 100;

/** How often the watchdog asks the ordering stream for its state (readiness), ms. */
const STREAM_CHECK_MS = 1000;

const META_STREAM_SEQ = 'net.stream_seq';
const META_SIG_SEQ = 'net.sig_seq';

interface Waiter {
  resolve: (o: TxOutcome) => void;
  reject: (e: unknown) => void;
  since: number;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export class NetworkFollower {
  private readonly o: FollowerOptions;
  private readonly ledger: Ledger;
  private readonly log: (line: string) => void;
  private readonly now: () => number;
  private cutter!: BlockCutter;
  private readonly cut: CutBlock[] = [];
  private readonly certifier = new Certifier();
  /** The block waiting for its certificate (lockstep). */
  private awaiting: { prepared: PreparedBlock; cut: CutBlock } | null = null;
  /** Block 0 committed at initialisation but not certified yet. */
  private genesisPending = false;
  private readonly waiters = new Map<string, Waiter[]>();
  private readonly advanceWaiters: Array<() => void> = [];
  private readonly readers: Record<'tx' | 'sig', { iter: ConsumerMessages | null; lastAt: number; running: Promise<void> | null }> = {
    tx: { iter: null, lastAt: 0, running: null },
    sig: { iter: null, lastAt: 0, running: null },
  };
  private lastSigSeq = 0;
  private watchdog: NodeJS.Timeout | null = null;
  private watching = false;
  private lastWatch = Date.now();
  private tickTimer: NodeJS.Timeout | null = null;
  private sweepTimer: NodeJS.Timeout | null = null;
  private pendingSince = 0;
  private lastTick = { height: -1, at: 0 };
  /** Messages of the ordering stream not yet delivered to this node, per the last delivery. */
  private streamBehind = Number.POSITIVE_INFINITY;
  private stopped = false;
  private failure: Error | null = null;
  private pumping = false;
  private pumpScheduled = false;
  /** Since when work waits without a certified block (0: nothing waits, or progress since). */
  private workSince = 0;
  /** Last successful answer of the ordering stream, and the last failure. */
  private streamOkAt = Date.now();
  private streamCheckAt = 0;
  private streamError: string | null = null;
  /** Since when the NATS connection is down (0: connected). */
  private natsDownSince = 0;
  divergence: Divergence | null = null;
  readonly faults: ValidatorFault[] = [];
  /** Certified blocks committed since start. */
  committed = 0;
  /** Finality latency samples hook (ms from the block's stream time to its commit here). */
  onFinality?: (ms: number) => void;

  constructor(opts: FollowerOptions) {
    this.o = opts;
    this.ledger = opts.ledger;
    this.log = opts.log ?? (() => {});
    this.now = opts.now ?? Date.now;
  }

  /** Height of the last certified block in the store. */
  certifiedHeight(): number {
    const h = this.ledger.height();
    return this.genesisPending ? h - 1 : h;
  }

  /** Null when the node serves certified answers; otherwise why not. */
  notReady(): string | null {
    if (this.divergence)
      return `diverged at height ${this.divergence.height}: the validators certified ${this.divergence.certified}, this node computed ${this.divergence.own}`;
    if (this.failure) return `stopped following the network: ${this.failure.message}`;
    if (this.genesisPending) return 'waiting for the validators to certify block 0';
    return null;
  }

  /**
   * Everything that keeps this node from making progress now, most fundamental first; empty when
   * it can. Unlike {@link notReady} (which also stops answers), these leave the last certified
   * state readable: a lost quorum stops writes, not reads.
   */
  readiness(): ReadyProblem[] {
    const out: ReadyProblem[] = [];
    const now = Date.now();
    const bound = this.o.stallMs ?? 10_000;
    if (this.divergence) out.push({ code: 'DIVERGED', detail: this.notReady()! });
    else if (this.failure) out.push({ code: 'FOLLOWER_STOPPED', detail: this.notReady()! });
    else if (this.genesisPending) out.push({ code: 'GENESIS_PENDING', detail: this.notReady()! });
    if (this.natsDownSince) {
      out.push({ code: 'NATS_DISCONNECTED', detail: `not connected to any NATS server for ${Math.round((now - this.natsDownSince) / 1000)} s` });
    } else if (now - this.streamOkAt > bound) {
      out.push({
        code: 'STREAM_UNAVAILABLE',
        detail: `the ordering stream ${this.o.names.stream} has not answered for ${Math.round((now - this.streamOkAt) / 1000)} s${this.streamError ? `: ${this.streamError}` : ''}`,
      });
    }
    this.noteWork(now);
    const waited = this.workSince ? now - this.workSince : 0;
    if (waited > bound && !this.divergence && !this.failure) {
      const secs = Math.round(waited / 1000);
      const a = this.awaiting;
      const signers = a ? this.certifier.signers(a.prepared.height).filter((k) => a.prepared.validators.includes(k)) : [];
      const n = a?.prepared.validators.length ?? 0;
      let need = 1;
      while (a && !isQuorum(need, n)) need++;
      if (a && signers.length < need) {
        const missing = a.prepared.validators.filter((k) => !signers.includes(k));
        out.push({
          code: 'QUORUM_LOST',
          detail: `block ${a.prepared.height} has waited ${secs} s for its certificate: ${signers.length} of ${n} validators signed, ${need} needed; not heard from ${missing.join(', ')}`,
        });
      } else {
        out.push({
          code: 'NO_FINALITY',
          detail: `transactions have waited ${secs} s without a certified block (${this.backlog()} ordered, not committed here)`,
        });
      }
    }
    return out;
  }

  /** Whether ordered work waits here for a certified block. */
  private hasWork(): boolean {
    return this.awaiting !== null || this.cut.length > 0 || this.cutter.pending() > 0 || (Number.isFinite(this.streamBehind) && this.streamBehind > 0);
  }

  private noteWork(now: number): void {
    if (!this.hasWork()) this.workSince = 0;
    else if (!this.workSince) this.workSince = now;
  }

  /** Follows the NATS connection's state for {@link readiness}. */
  private async watchConnection(): Promise<void> {
    try {
      for await (const st of this.o.nc.status()) {
        if (st.type === 'disconnect' || st.type === 'close') {
          if (!this.natsDownSince) this.natsDownSince = Date.now();
          if (!this.stopped) this.log(`NATS connection lost (${st.type})`);
        } else if (st.type === 'reconnect') {
          this.natsDownSince = 0;
          this.log('NATS connection re-established');
        }
      }
    } catch {
      /* the connection closed */
    }
    if (!this.stopped && !this.natsDownSince) this.natsDownSince = Date.now();
  }

  /** Transactions ordered but not yet committed here (approximate, for back-pressure). */
  backlog(): number {
    const behind = Number.isFinite(this.streamBehind) ? this.streamBehind : 0;
    return behind + this.cut.reduce((n, b) => n + b.txs.length, 0) + this.cutter.pending() + (this.awaiting?.cut.txs.length ?? 0);
  }

  /**
   * Starts following from the store's head.
   *
   * @throws UrbisError when the streams cannot be read.
   */
  async start(): Promise<void> {
    const head = this.ledger.store.head();
    if (!head) throw new UrbisError('STORE_NOT_INITIALIZED', 'the store has no genesis block');
    this.cutter = new BlockCutter({
      height: head.height + 1,
      prevTime: head.header.time,
      maxBlockTxs: this.o.maxBlockTxs,
      heartbeatMs: this.o.heartbeatMs ?? 0,
    });
    const streamSeq = Number(this.o.meta.getMeta(META_STREAM_SEQ) ?? 0);
    const sigSeq = Number(this.o.meta.getMeta(META_SIG_SEQ) ?? 0);
    if (head.height === 0) {
      const cert = this.ledger.store.cert(0);
      const validators = this.ledger.chain().validators;
      if (!cert || !isQuorum(checkCertificate(cert, validators).valid.length, validators.length)) {
        this.genesisPending = true;
        const own = cert?.sigs.find((s) => s.key === this.ownKey());
        const note = this.ledger.store.noteSigs(0).find((s) => s.key === this.ownKey());
        if (own) this.publishSig(0, head.headerHash, own, note);
      }
    }
    this.cutter.lastSeq = streamSeq;
    this.lastSigSeq = sigSeq;
    this.readers.tx.running = this.runReader('tx');
    this.readers.sig.running = this.runReader('sig');
    const every = Math.max(5, Math.floor(this.o.blockIntervalMs / 2));
    this.tickTimer = setInterval(() => this.maybeTick(), every);
    this.sweepTimer = setInterval(() => this.sweepWaiters(), 60_000);
    this.watchdog = setInterval(() => void this.watch(), WATCHDOG_MS);
    void this.watchConnection();
    this.log(`following ${this.o.names.stream} from stream sequence ${streamSeq + 1}, head ${head.height}`);
  }

  private ownKey(): string | undefined {
    return this.ledger.validatorId();
  }

  // --- ordering stream ----------------------------------------------------------------------

  private kindOf(subject: string): StreamMsgKind {
    if (subject === this.o.names.tx) return 'tx';
    if (subject === this.o.names.tick) return 'tick';
    return 'other';
  }

  /**
   * Reads one stream with an ordered consumer from the position after the last message handled,
   * forever: when the consumer ends or fails (its server died, the stream leader moved, the watchdog
   * found it stalled), a new one is created from the same position. Nothing is skipped and nothing is
   * handled twice, because the position is the follower's own, not the consumer's.
   */
  private async runReader(which: 'tx' | 'sig'): Promise<void> {
    const js = jetstream(this.o.nc);
    const stream = which === 'tx' ? this.o.names.stream : this.o.names.sigStream;
    let failures = 0;
    while (!this.stopped) {
      const from = (which === 'tx' ? this.cutter.lastSeq : this.lastSigSeq) + 1;
      let failed = false;
      try {
        const cons = await js.consumers.get(stream, { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from });
        // Bounded pulls (fetch) rather than one endless consume(): each pull ends by itself, after
        // which the next one is issued from the consumer's position, so a reader paused by
        // back-pressure holds at most one pull of messages. While a pull is handled completely the
        // consumer stays in step with our position; anything else recreates it.
        for (;;) {
          const iter = await cons.fetch({ max_messages: which === 'tx' ? 1000 : 500, expires: PULL_MS });
          if (process.env.URBIS_DEBUG_NATS) {
            void (async () => {
              for await (const st of iter.status()) if (st.type !== 'next' && st.type !== 'heartbeat') this.log(`${which} consumer: ${JSON.stringify(st)}`);
            })();
          }
          this.readers[which].iter = iter;
          this.readers[which].lastAt = Date.now();
          if (this.stopped) {
            await iter.close();
            break;
          }
          const complete = which === 'tx' ? await this.readTx(iter) : await this.readSigs(iter);
          failures = 0;
          if (!complete || this.stopped) break;
        }
      } catch (e) {
        failed = true;
        // While NATS is unreachable this fails every time: log the first few, then now and then.
        if (!this.stopped && (failures < 3 || failures % 20 === 0)) this.log(`${stream}: reader restarts after: ${(e as Error).message}`);
        failures++;
      }
      this.readers[which].iter = null;
      if (!this.stopped) await new Promise((r) => setTimeout(r, failed ? Math.min(5000, 250 * 2 ** Math.min(failures, 5)) : 250));
    }
  }

  /** Consumers the watchdog recreated because their reader stalled. */
  readerRecreations = 0;

  private pausedByBackPressure(which: 'tx' | 'sig'): boolean {
    return which === 'tx' ? this.cut.length >= MAX_CUT_AHEAD : this.certifier.maxHeight() > this.ledger.height() + MAX_SIG_AHEAD;
  }

  /**
   * Restarts a reader that has not delivered anything for a while although its stream holds messages
   * past its position (a consumer whose server went away can stay silent for a long time).
   */
  private async watch(): Promise<void> {
    if (this.stopped || this.watching) return;
    const now = Date.now();
    this.noteWork(now);
    const late = now - this.lastWatch > 2 * WATCHDOG_MS;
    this.lastWatch = now;
    if (late) {
      // This thread was busy (executing a large block): the readers were not read, not stalled.
      for (const r of Object.values(this.readers)) r.lastAt = now;
      return;
    }
    this.watching = true;
    try {
      const jsm = await jetstreamManager(this.o.nc, { timeout: 2000, checkAPI: false });
      if (now - this.streamCheckAt >= STREAM_CHECK_MS) {
        this.streamCheckAt = now;
        try {
          const problem = streamHealth(await jsm.streams.info(this.o.names.stream));
          if (problem) this.streamError = problem;
          else {
            this.streamOkAt = Date.now();
            this.streamError = null;
          }
        } catch (e) {
          this.streamError = (e as Error).message;
        }
      }
      for (const which of ['tx', 'sig'] as const) {
        const r = this.readers[which];
        if (!r.iter || Date.now() - r.lastAt < STALL_MS) continue;
        // Paused on purpose (back-pressure), not stalled:
        if (this.pausedByBackPressure(which)) continue;
        const info = await jsm.streams.info(which === 'tx' ? this.o.names.stream : this.o.names.sigStream);
        const pos = which === 'tx' ? this.cutter.lastSeq : this.lastSigSeq;
        if (info.state.last_seq > pos) {
          this.log(`${which} reader stalled at ${pos} (stream at ${info.state.last_seq}); recreating it`);
          this.readerRecreations++;
          r.lastAt = Date.now();
          this.stalledFlags[which] = true;
          await r.iter.close().catch(() => undefined);
        }
        // Idle at the end of the stream (e.g. restarted with nothing new): nothing is behind, so
        // heartbeat ticks may go out.
        else if (which === 'tx') this.streamBehind = 0;
      }
    } catch (e) {
      // No stream leader right now: try again at the next tick.
      this.streamError = (e as Error).message;
    } finally {
      this.watching = false;
    }
  }

  /** Handles one pull; false when it was left early (stop, gap, stalled) and the consumer must be recreated. */
  private async readTx(iter: ConsumerMessages): Promise<boolean> {
    for await (const m of iter) {
      if (this.stopped) return false;
      this.readers.tx.lastAt = this.streamOkAt = Date.now();
      if (m.seq <= this.cutter.lastSeq) continue;
      if (m.seq !== this.cutter.lastSeq + 1) {
        // Never expected from an ordered consumer on an unfiltered stream: restart from our position.
        this.log(`ordering stream gap: expected ${this.cutter.lastSeq + 1}, got ${m.seq}; re-reading`);
        return false;
      }
      this.onStreamMsg(m);
      if (this.cut.length >= MAX_CUT_AHEAD) {
        while (this.cut.length >= MAX_CUT_AHEAD && !this.stopped && !this.divergence && !this.failure) await this.advance();
        this.readers.tx.lastAt = Date.now(); // a pause is not a stall
      }
    }
    return !this.stalled('tx');
  }

  /** Set by the watchdog when it closed a reader's pull: the consumer is recreated then. */
  private readonly stalledFlags = { tx: false, sig: false };

  private stalled(which: 'tx' | 'sig'): boolean {
    const s = this.stalledFlags[which];
    this.stalledFlags[which] = false;
    return s;
  }

  private onStreamMsg(m: JsMsg): void {
    this.streamBehind = m.info.pending;
    const before = this.cutter.pending();
    const block = this.cutter.push({ seq: m.seq, kind: this.kindOf(m.subject), time: Number(m.timestampNanos / 1_000_000n), data: m.data });
    if (block) {
      this.cut.push(block);
      this.pendingSince = this.cutter.pending() > 0 ? this.now() : 0;
      this.schedulePump();
    } else if (before === 0 && this.cutter.pending() > 0) {
      this.pendingSince = this.now();
    }
  }

  /** Publishes a tick when the block being assembled waited longer than the block interval. */
  private maybeTick(): void {
    if (this.stopped || this.divergence || this.failure) return;
    this.retryOwnSig();
    // A node still reading old messages would only tick heights that are long cut.
    if (this.streamBehind !== 0) return;
    if (this.cutter.pending() === 0) {
      this.maybeHeartbeat();
      return;
    }
    const now = this.now();
    if (now - this.pendingSince < this.o.blockIntervalMs) return;
    const height = this.cutter.nextHeight();
    // Adaptive batching: block h+1 cannot be built before block h is final here (lockstep), so
    // cutting it earlier would only make it smaller. Under load, blocks grow while the previous
    // one is being certified; when idle, a block is cut blockIntervalMs after its first transaction.
    if (this.certifiedHeight() < height - 1 || this.awaiting) return;
    if (this.lastTick.height === height && now - this.lastTick.at < Math.max(1000, this.o.blockIntervalMs * 4)) return;
    this.lastTick = { height, at: now };
    this.o.publisher
      .publish(this.o.names.tick, encoder.encode(JSON.stringify({ height })), `tick-${height}`, { bounded: false, retryForMs: 5000 })
      .catch((e: unknown) => this.log(`tick ${height} not published: ${(e as Error).message}`));
  }

  /**
   * Heartbeat (docs/network.md "Heartbeat"): when nothing waits and the head is `heartbeatMs` old
   * by this node's clock, publish a tick for the next height; the cutter cuts an empty block from it
   * if the tick's stream timestamp is `heartbeatMs` after the head's time (every node decides alike).
   * The message id names the height and the heartbeat period, so the nodes ticking at once store
   * one tick, and a tick the cutter ignored (the stream leader's clock behind) is retried later
   * under a new id instead of being deduplicated away.
   */
  private maybeHeartbeat(): void {
    const hb = this.o.heartbeatMs ?? 0;
    if (hb === 0 || this.awaiting || this.cut.length > 0) return;
    const height = this.cutter.nextHeight();
    if (this.certifiedHeight() !== height - 1) return;
    const now = this.now();
    if (now - this.cutter.headTime() < hb) return;
    const retryMs = Math.max(1000, Math.floor(hb / 10));
    if (this.lastHeartbeat.height === height && now - this.lastHeartbeat.at < retryMs) return;
    this.lastHeartbeat = { height, at: now };
    const id = `hb-${height}-${Math.floor(now / retryMs)}`;
    this.o.publisher
      .publish(this.o.names.tick, encoder.encode(JSON.stringify({ height })), id, { bounded: false, retryForMs: 5000 })
      .catch((e: unknown) => this.log(`heartbeat tick ${height} not published: ${(e as Error).message}`));
  }

  private lastHeartbeat = { height: -1, at: 0 };

  /** This validator's signature of the awaited block, held back while the header's time was ahead of its clock. */
  private heldSig: { height: number; headerHash: string; sig: { key: string; sig: string } } | null = null;

  /** Publishes this node's signature of a block built here, once the header-time rule allows it. */
  private signIfTimely(p: PreparedBlock): void {
    if (!p.ownSig) return;
    const fault = headerTimeFault(p.header, this.ledger.store.head()?.header.time ?? null, this.now());
    if (fault) {
      if (this.heldSig?.height !== p.height) this.log(`not signing yet: ${fault}`);
      this.heldSig = { height: p.height, headerHash: p.headerHash, sig: p.ownSig };
      return;
    }
    this.heldSig = null;
    this.publishSig(p.height, p.headerHash, p.ownSig, p.ownNote ?? undefined);
  }

  private retryOwnSig(): void {
    const a = this.awaiting;
    if (!this.heldSig || !a || a.prepared.height !== this.heldSig.height) {
      this.heldSig = null;
      return;
    }
    this.signIfTimely(a.prepared);
  }

  // --- signature stream ---------------------------------------------------------------------

  private async readSigs(iter: ConsumerMessages): Promise<boolean> {
    for await (const m of iter) {
      if (this.stopped) return false;
      this.readers.sig.lastAt = Date.now();
      if (m.seq <= this.lastSigSeq) continue;
      this.lastSigSeq = m.seq;
      let doc: unknown;
      try {
        doc = JSON.parse(decoder.decode(m.data));
      } catch {
        continue;
      }
      const sig = parseSigMsg(doc, m.seq);
      if (!sig) continue;
      const faults = this.certifier.add(sig);
      for (const f of faults) this.reportFault(f);
      const head = this.ledger.height();
      if (sig.height === head && !this.genesisPending) this.lateSignature(head);
      else this.schedulePump();
      if (this.certifier.maxHeight() > this.ledger.height() + MAX_SIG_AHEAD) {
        while (this.certifier.maxHeight() > this.ledger.height() + MAX_SIG_AHEAD && !this.stopped && !this.divergence && !this.failure) await this.advance();
        this.readers.sig.lastAt = Date.now();
      }
    }
    return !this.stalled('sig');
  }

  /** A signature for the committed head arrived after its quorum: add it to the stored certificate. */
  private lateSignature(height: number): void {
    const stored = this.ledger.store.cert(height);
    if (!stored) return;
    const res = this.certifier.evaluate(height, this.validatorsAt(height));
    for (const f of res.faults) this.reportFault(f);
    if (res.quorum && res.quorum.headerHash === stored.headerHash && res.quorum.cert.sigs.length > stored.sigs.length) {
      try {
        this.ledger.store.putCert(res.quorum.cert);
        const header = this.ledger.store.header(height);
        // Only the note signatures not kept yet are checked (each late signature brings the whole quorum).
        const held = new Set(this.ledger.store.noteSigs(height).map((n) => n.key));
        const fresh = res.quorum.notes.filter((n) => !held.has(n.key));
        if (header && fresh.length) this.ledger.store.putNoteSigs(height, this.checkedNotes(header, fresh));
      } catch (e) {
        this.log(`cannot store the certificate of block ${height}: ${(e as Error).message}`);
      }
    }
  }

  private readonly setAt = new Map<number, string[]>();

  /** Validator set in force at a recent height (remembered when the block was built). */
  private validatorsAt(height: number): string[] {
    return this.setAt.get(height) ?? this.ledger.chain().validators;
  }

  /** The note signatures of a quorum that verify over the checkpoint of `header` (the others are dropped). */
  private checkedNotes(header: BlockHeader, notes: NoteSig[]): NoteSig[] {
    const text = checkpointText(header);
    return notes.filter((n) => checkNoteSig(header.chain, text, n));
  }

  /** Publishes a header signature with, beside it, the same validator's signature of the block's checkpoint note. */
  private publishSig(height: number, headerHash: string, s: { key: string; sig: string }, note?: NoteSig): void {
    const data = encoder.encode(JSON.stringify({ height, headerHash, key: s.key, sig: s.sig, ...(note ? { note: note.sig } : {}) }));
    this.o.publisher.publish(this.o.names.sig, data, `${height}-${s.key}`, { bounded: false, retryForMs: Number.POSITIVE_INFINITY }).catch((e: unknown) => {
      if (!this.stopped) this.log(`signature for block ${height} not published: ${(e as Error).message}`);
    });
  }

  // --- the lockstep loop --------------------------------------------------------------------

  private schedulePump(): void {
    if (this.pumpScheduled) return;
    this.pumpScheduled = true;
    // A macrotask: HTTP requests and stream deliveries interleave with catch-up.
    setImmediate(() => {
      this.pumpScheduled = false;
      this.pump();
    });
  }

  private pump(): void {
    if (this.pumping || this.stopped || this.divergence || this.failure) return;
    this.pumping = true;
    try {
      const started = Date.now();
      for (;;) {
        if (this.stopped || this.divergence || this.failure) return;
        if (this.genesisPending) {
          if (!this.tryCertifyGenesis()) return;
          continue;
        }
        if (this.awaiting) {
          if (!this.tryCertify()) return;
          // Give the event loop a turn now and then while catching up.
          if (Date.now() - started > 50) {
            this.schedulePump();
            return;
          }
          continue;
        }
        const next = this.cut.shift();
        if (!next) return;
        this.build(next);
      }
    } catch (e) {
      this.fail(e);
    } finally {
      this.pumping = false;
    }
  }

  private build(cut: CutBlock): void {
    const prepared = this.ledger.prepareBlock(cut.txs, cut.time);
    this.setAt.set(prepared.height, prepared.validators);
    if (this.setAt.size > 512) this.setAt.delete(Math.min(...this.setAt.keys()));
    this.awaiting = { prepared, cut };
    this.signIfTimely(prepared);
    this.wakeAdvance();
  }

  private tryCertifyGenesis(): boolean {
    const head = this.ledger.store.head()!;
    const q = this.evaluate(0, this.ledger.chain().validators);
    if (!q) return false;
    if (q.headerHash !== head.headerHash) {
      this.diverge(0, head.headerHash, q.headerHash);
      return false;
    }
    this.ledger.store.putCert(q.cert);
    this.ledger.store.putNoteSigs(0, this.checkedNotes(head.header, q.notes));
    this.o.meta.putMeta(META_SIG_SEQ, String(q.seq));
    this.genesisPending = false;
    this.log('block 0 certified');
    return true;
  }

  private evaluate(height: number, validators: string[]): Quorum | null {
    const res = this.certifier.evaluate(height, validators);
    for (const f of res.faults) this.reportFault(f);
    return res.quorum;
  }

  private tryCertify(): boolean {
    const { prepared, cut } = this.awaiting!;
    const q = this.evaluate(prepared.height, prepared.validators);
    if (!q) return false;
    if (q.headerHash !== prepared.headerHash) {
      this.ledger.discardBlock();
      this.awaiting = null;
      this.diverge(prepared.height, prepared.headerHash, q.headerHash);
      return false;
    }
    const res = this.ledger.commitPrepared(
      prepared,
      q.cert,
      { [META_STREAM_SEQ]: String(cut.lastSeq), [META_SIG_SEQ]: String(q.seq) },
      this.checkedNotes(prepared.header, q.notes),
    );
    this.awaiting = null;
    this.committed++;
    this.workSince = 0; // progress: the clock of waiting restarts with the next work
    this.certifier.prune(res.height);
    this.onFinality?.(Date.now() - cut.time);
    this.settle(res);
    this.o.onCommit?.(res);
    this.wakeAdvance();
    return true;
  }

  private settle(res: CommitResult): void {
    res.hashes.forEach((h, i) => {
      if (!h) return;
      const ws = this.waiters.get(h);
      if (!ws) return;
      this.waiters.delete(h);
      const outcome: TxOutcome = { hash: h, height: res.height, index: i, result: res.results[i]! };
      for (const w of ws) w.resolve(outcome);
    });
  }

  private diverge(height: number, own: string, certified: string): void {
    this.divergence = { height, own, certified, at: new Date().toISOString() };
    this.log(
      `DIVERGED at height ${height}: the validators certified header ${certified}, this node computed ${own}. ` +
        'The node stops accepting writes and serving answers; resynchronise it from a snapshot or a fresh directory.',
    );
    for (const ws of this.waiters.values()) for (const w of ws) w.reject(new UrbisError('NODE_DIVERGED', 'this node diverged from the certified chain'));
    this.waiters.clear();
    this.wakeAdvance();
  }

  private reportFault(f: ValidatorFault): void {
    this.faults.push(f);
    if (this.faults.length > MAX_FAULTS) this.faults.shift();
    this.log(`FAULT: validator ${f.validator} signed header ${f.signed} at height ${f.height} (${f.kind}); the quorum certified ${f.certified}`);
    this.o.onFault?.(f);
  }

  private fail(e: unknown): void {
    if (this.failure) return;
    this.failure = e instanceof Error ? e : new Error(String(e));
    this.log(`stopped following the network: ${this.failure.message}`);
    for (const ws of this.waiters.values()) for (const w of ws) w.reject(e);
    this.waiters.clear();
    this.wakeAdvance();
  }

  private advance(): Promise<void> {
    return new Promise((r) => this.advanceWaiters.push(r));
  }

  private wakeAdvance(): void {
    for (const r of this.advanceWaiters.splice(0)) r();
  }

  // --- waiters (the orderer's `done` promises) ----------------------------------------------

  /** A promise of the outcome of transaction `hash` once a certified block holds it. */
  waitFor(hash: string): Promise<TxOutcome> {
    if (this.divergence) return Promise.reject(new UrbisError('NODE_DIVERGED', 'this node diverged from the certified chain'));
    return new Promise<TxOutcome>((resolve, reject) => {
      let ws = this.waiters.get(hash);
      if (!ws) this.waiters.set(hash, (ws = []));
      ws.push({ resolve, reject, since: Date.now() });
    });
  }

  /** A promise for a transaction someone already waits for here, or null. */
  existingWaiter(hash: string): Promise<TxOutcome> | null {
    return this.waiters.has(hash) ? this.waitFor(hash) : null;
  }

  /** Waiters for a transaction that never came (its publish failed, or it was never ordered). */
  private sweepWaiters(): void {
    const old = Date.now() - 30 * 60_000;
    for (const [h, ws] of this.waiters) {
      const keep = ws.filter((w) => w.since > old);
      for (const w of ws) if (w.since <= old) w.reject(new UrbisError('TX_NOT_FOUND', `transaction ${h} was not ordered`));
      if (keep.length) this.waiters.set(h, keep);
      else this.waiters.delete(h);
    }
  }

  /** Forgets the waiters of a transaction whose publish failed. */
  dropWaiters(hash: string, e: unknown): void {
    const ws = this.waiters.get(hash);
    if (!ws) return;
    this.waiters.delete(hash);
    for (const w of ws) w.reject(e);
  }

  /** Stops reading; pending work is dropped (it is in the stream and will be replayed). */
  async stop(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    if (this.tickTimer) clearInterval(this.tickTimer);
    if (this.sweepTimer) clearInterval(this.sweepTimer);
    if (this.awaiting) {
      this.ledger.discardBlock();
      this.awaiting = null;
    }
    if (this.watchdog) clearInterval(this.watchdog);
    this.wakeAdvance();
    for (const r of Object.values(this.readers)) await r.iter?.close().catch(() => undefined);
    // A reader blocked on an unreachable server must not hold up shutdown.
    await Promise.race([Promise.all(Object.values(this.readers).map((r) => r.running)), new Promise((r) => setTimeout(r, 2000))]);
    for (const ws of this.waiters.values()) for (const w of ws) w.reject(new UrbisError('NODE_NOT_READY', 'the node is stopping'));
    this.waiters.clear();
  }

  /** The certificate of the certified head, for status pages. */
  headCert(): Certificate | undefined {
    return this.ledger.store.cert(this.certifiedHeight());
  }
}

/**
 * Prometheus metrics of a node (`GET /metrics`, text format). One registry per node so that several
 * nodes in one process (tests) do not share counters.
 *
 * Names: the default process and Node.js metrics keep the names prom-client gives them
 * (`process_cpu_seconds_total`, `nodejs_heap_size_used_bytes`, …) so that stock Node.js dashboards
 * match; Urbis's own metrics are `urbis_*`. Every node kind exposes the same set (a single node is
 * a 1-of-1 validator set: it never diverges and has no stream backlog), so one dashboard and one set
 * of alert rules (docs/grafana-dashboard.json, docs/prometheus-alerts.yml) fit every node.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CommitResult } from '../engine/ledger.js';
import type { Orderer } from '../ordering/types.js';
import type { LedgerStore } from '../storage/types.js';
import type { EventHub } from './events.js';

/** What a node of a multi-city network adds to the live gauges. */
export interface NetworkMetricSources {
  /** Why, once the validators certified a header other than this node's own; null otherwise. */
  diverged(): string | null;
  /** Ordered transactions not yet committed here. */
  backlog(): number;
  /** Highest height with a finality certificate seen here. */
  certifiedHeight(): number;
}

/** What the live gauges read. */
export interface MetricSources {
  store: Pick<LedgerStore, 'head'>;
  orderer: Pick<Orderer, 'pending'> | null;
  events: Pick<EventHub, 'size'>;
  /** Absent on a single node. */
  network?: NetworkMetricSources;
  /** Empty when ready (as /readyz answers). */
  readiness?(): unknown[];
}

export class Metrics {
  readonly registry = new Registry();
  readonly httpRequests = new Counter({
    name: 'urbis_http_requests_total',
    help: 'HTTP requests by route and status code.',
    labelNames: ['route', 'status'] as const,
    registers: [this.registry],
  });
  readonly txSubmitted = new Counter({
    name: 'urbis_tx_submitted_total',
    help: 'Transactions accepted for ordering.',
    registers: [this.registry],
  });
  readonly txRejected = new Counter({
    name: 'urbis_tx_rejected_total',
    help: 'Transactions refused at submission, by error code.',
    labelNames: ['code'] as const,
    registers: [this.registry],
  });
  readonly txCommitted = new Counter({
    name: 'urbis_tx_committed_total',
    help: 'Transactions committed in blocks, by outcome.',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  readonly blocks = new Counter({ name: 'urbis_blocks_total', help: 'Blocks committed.', registers: [this.registry] });
  readonly blockTxs = new Histogram({
    name: 'urbis_block_transactions',
    help: 'Transactions per block.',
    buckets: [1, 10, 100, 1000, 5000, 10000],
    registers: [this.registry],
  });
  readonly faults = new Counter({
    name: 'urbis_validator_faults_total',
    help: 'Validators caught signing a header the quorum did not certify, by validator and kind (fork, equivocation).',
    labelNames: ['validator', 'kind'] as const,
    registers: [this.registry],
  });
  readonly finality = new Histogram({
    name: 'urbis_finality_seconds',
    help: 'Time from the stream timestamp of the message that closed a block to its certified commit here.',
    buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [this.registry],
  });
  readonly eventsRefused = new Counter({
    name: 'urbis_events_refused_total',
    help: 'Change-feed connections refused, by reason (per-client or total cap, resume point gone).',
    labelNames: ['reason'] as const,
    registers: [this.registry],
  });
  /** Unix time of the last committed block (0 before the first one here). */
  private lastBlockAt = 0;

  constructor() {
    // No prefix: stock dashboards look for process_* and nodejs_*.
    collectDefaultMetrics({ register: this.registry });
  }

  /** Gauges that read live state. */
  bind(rt: MetricSources): void {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- inside collect() `this` is the gauge
    const self = this;
    new Gauge({
      name: 'urbis_block_height',
      help: 'Height of the latest committed block.',
      registers: [this.registry],
      collect() {
        this.set(rt.store.head()?.height ?? -1);
      },
    });
    new Gauge({
      name: 'urbis_certified_height',
      help: 'Highest block height with a finality certificate (a single node certifies each block it commits).',
      registers: [this.registry],
      collect() {
        this.set(rt.network ? rt.network.certifiedHeight() : (rt.store.head()?.height ?? -1));
      },
    });
    new Gauge({
      name: 'urbis_last_block_timestamp_seconds',
      help: 'Unix time at which this node committed its latest block (0 before the first one since start).',
      registers: [this.registry],
      collect() {
        this.set(self.lastBlockAt);
      },
    });
    new Gauge({
      name: 'urbis_ready',
      help: '1 when /readyz answers ready, 0 when it answers 503 (the reason is in the /readyz body).',
      registers: [this.registry],
      collect() {
        this.set(rt.readiness?.().length ? 0 : 1);
      },
    });
    new Gauge({
      name: 'urbis_tx_pending',
      help: 'Transactions waiting to be ordered into a block.',
      registers: [this.registry],
      collect() {
        this.set(rt.orderer?.pending() ?? 0);
      },
    });
    new Gauge({
      name: 'urbis_events_subscribers',
      help: 'Open change-feed connections.',
      registers: [this.registry],
      collect() {
        this.set(rt.events.size());
      },
    });
    new Gauge({
      name: 'urbis_network_diverged',
      help: "1 when the validators certified a header different from this node's own.",
      registers: [this.registry],
      collect() {
        this.set(rt.network?.diverged() ? 1 : 0);
      },
    });
    new Gauge({
      name: 'urbis_stream_backlog',
      help: 'Ordered transactions not yet committed by this node (0 on a single node).',
      registers: [this.registry],
      collect() {
        this.set(rt.network?.backlog() ?? 0);
      },
    });
  }

  onBlock(r: CommitResult, nowMs: number = Date.now()): void {
    this.blocks.inc();
    this.lastBlockAt = nowMs / 1000;
    this.blockTxs.observe(r.results.length);
    let ok = 0;
    for (const x of r.results) if (x.ok) ok++;
    if (ok) this.txCommitted.inc({ result: 'valid' }, ok);
    if (r.results.length - ok) this.txCommitted.inc({ result: 'invalid' }, r.results.length - ok);
  }
}

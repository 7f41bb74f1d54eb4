/**
 * Prometheus metrics of a node (`GET /metrics`, text format). One registry per node so that several
 * nodes in one process (tests) do not share counters.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CommitResult } from '../engine/ledger.js';
import type { Orderer } from '../ordering/types.js';
import type { LedgerStore } from '../storage/types.js';
import type { EventHub } from './events.js';

/** What the live gauges read. */
export interface MetricSources {
  store: Pick<LedgerStore, 'head'>;
  orderer: Pick<Orderer, 'pending'> | null;
  events: Pick<EventHub, 'size'>;
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

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'urbis_process_' });
  }

  /** Gauges that read live state. */
  bind(rt: MetricSources): void {
    new Gauge({
      name: 'urbis_block_height',
      help: 'Height of the latest committed block.',
      registers: [this.registry],
      collect() {
        this.set(rt.store.head()?.height ?? -1);
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
  }

  onBlock(r: CommitResult): void {
    this.blocks.inc();
    this.blockTxs.observe(r.results.length);
    let ok = 0;
    for (const x of r.results) if (x.ok) ok++;
    if (ok) this.txCommitted.inc({ result: 'valid' }, ok);
    if (r.results.length - ok) this.txCommitted.inc({ result: 'invalid' }, r.results.length - ok);
  }
}

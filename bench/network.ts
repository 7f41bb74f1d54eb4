/**
 * Benchmark: a multi-city network on one machine (docs/network.md), with real processes: 3
 * nats-server forming a JetStream cluster (streams R3) and 4 city nodes, all validators.
 *
 * Reports, one JSON line each (bench/report.ts):
 * - `network-raw-publish`: the reference, raw JetStream R3 async publishes of 300 bytes per second,
 *   measured in the same run on the same cluster (a separate stream);
 * - `network-certified`: signed registrations submitted over HTTP to the 4 nodes, certified
 *   (committed with a quorum certificate) per second, seen on the change feed of one node;
 * - `network-finality`: time from submission to the certified commit at half that rate, p50/p99;
 * - `network-catchup-stream`, `network-catchup-snapshot`: a fresh read replica joining a chain of
 *   `--ids` identifiers (made with `id.allocate`), by replaying the stream, and from a certified
 *   snapshot of a peer.
 *
 * Run: npm run bench -- network   (or: node --import tsx bench/network.ts [--txs N] [--ids N] [--skip-catchup]
 *   [--cpu-prof DIR]: each node process writes a V8 CPU profile to DIR when it stops)
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import '../src/platform/node.js';
import { buildTxBody, signTx, type Signer } from '../src/core/ledger/tx.js';
import type { Payloads, Tx, TxType } from '../src/core/ledger/types.js';
import { LocalNetwork } from '../src/network/local.js';
import { StreamPublisher } from '../src/ordering/jetstream/publisher.js';
import { machine, report } from './report.js';
import { getJson, head, post, runPart, sleep } from './http.js';

const args = process.argv.slice(2);
const opt = (name: string, dflt: number) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const TXS = opt('txs', 30_000);
const IDS = opt('ids', 1_000_000);
const CONCURRENCY = opt('concurrency', 128);

function sign<T extends TxType>(chain: string, type: T, payload: Payloads[T], signer: Signer, now = Date.now()): Tx<T> {
  return signTx(buildTxBody(type, payload, { chain, now, ttlMs: 3_600_000 }), [signer]);
}

/** CPU time (user + system) of a process so far, ms; Linux /proc only (0 elsewhere). */
function cpuMs(pid: number): number {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return 0;
  }
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

/**
 * Follows a node's change feed: calls `on(txHash, id)` for every change event until `signal` aborts.
 * A busy node (503, 429) or a dropped stream is retried, resuming after the last event seen
 * (Last-Event-ID), so no event is lost or counted twice.
 */
async function follow(url: string, on: (tx: string, id: string | undefined) => void, partSignal: AbortSignal): Promise<void> {
  const signal = AbortSignal.any([partSignal, stopping.signal]);
  let last: string | undefined;
  while (!signal.aborted) {
    try {
      const res = await fetch(`${url}/v1/events?kind=id`, { signal, headers: last ? { 'last-event-id': last } : {} });
      if (!res.ok || !res.body) {
        await res.body?.cancel();
        await sleep(200);
        continue;
      }
      const dec = new TextDecoder();
      let buf = '';
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        buf += dec.decode(chunk, { stream: true });
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (line.startsWith('id: ')) last = line.slice(4);
          else if (line.startsWith('data: ')) {
            const ev = JSON.parse(line.slice(6)) as { tx: string; id?: string };
            on(ev.tx, ev.id);
          }
        }
      }
    } catch {
      /* aborted, or the stream dropped: resume unless aborted */
    }
    if (!signal.aborted) await sleep(200);
  }
}

/** Aborted when the benchmark ends, however it ends: no change-feed reader outlives it. */
const stopping = new AbortController();

/** Waits for `p` at most `ms`; false when it timed out. */
async function within(p: Promise<unknown>, ms: number): Promise<boolean> {
  let t: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((r) => (t = setTimeout(() => r(false), ms)));
  try {
    return await Promise.race([p.then(() => true), timeout]);
  } finally {
    clearTimeout(t);
  }
}

/** Submits a signed transaction to a node (waiting out a busy node, bounded). */
const submit = (url: string, body: string) => post(`${url}/v1/tx`, body);

async function nsIds(url: string, ns: string, timeoutMs?: number): Promise<number> {
  return getJson(
    `${url}/v1/ns/${ns}`,
    (b) => {
      const ids = (b as { entry?: { ids?: unknown } } | undefined)?.entry?.ids;
      return typeof ids === 'number' ? ids : undefined;
    },
    timeoutMs,
  );
}

async function waitReady(url: string, height: number, hash: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const h = await head(url, 5_000);
      if (h.height >= height && (h.height > height || h.hash === hash)) return;
    } catch {
      /* starting */
    }
    if (Date.now() > deadline) throw new Error(`${url} did not reach height ${height}`);
    await sleep(100);
  }
}

/** Raw JetStream R3 publishes of 300 bytes with up to 1000 in flight. */
async function rawPublishRate(servers: string[], n = 30_000): Promise<number> {
  const nc = await connect({ servers });
  const jsm = await jetstreamManager(nc);
  await jsm.streams.add({ name: 'BENCH_RAW', subjects: ['bench.raw'], num_replicas: 3, storage: StorageType.File });
  const pub = new StreamPublisher(nc, { maxInFlight: 1000 });
  const data = new Uint8Array(300).fill(65);
  let i = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: 1000 }, async () => {
      while (i < n) await pub.publish('bench.raw', data, `raw-${i++}`);
    }),
  );
  const rate = n / ((performance.now() - t0) / 1000);
  pub.close();
  await jsm.streams.delete('BENCH_RAW');
  await nc.close();
  return rate;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'urbis-bench-net-'));
  const verbose = args.includes('--verbose');
  // --cpu-prof DIR: every node process writes a V8 CPU profile there when it stops.
  const profIdx = args.indexOf('--cpu-prof');
  const execArgv = profIdx >= 0 ? ['--cpu-prof', '--cpu-prof-dir', args[profIdx + 1]!] : [];
  const net = await LocalNetwork.start({
    dir,
    nodes: 4,
    blockIntervalMs: 50,
    maxBlockTxs: 2000,
    execArgv,
    ...(verbose ? { onLog: (who: string, line: string) => !who.startsWith('nats') && process.stderr.write(`[${who}] ${line}\n`) } : {}),
  });
  const env = { ...machine(), natsServers: 3, replicas: 3, validators: 4 };
  try {
    const urls = net.nodes.map((n) => n.url);
    const root = net.root;
    const chain = net.chainId;
    const policy = { children: { charset: 'alnum' as const, minLength: 1, maxLength: 16 }, ids: { charset: 'alnum' as const, minLength: 1, maxLength: 64 } };
    for (const [ns, type] of [
      ['156', 'country'],
      ['156.130100', 'city'],
    ] as const) {
      await submit(
        urls[0]!,
        JSON.stringify(sign(chain, 'ns.create', { ns, controllers: { keys: [root.id], threshold: 1 }, policy, limits: {}, record: { type } }, root)),
      );
      await sleep(500);
    }

    // Each part reports its own failure and the next still runs.
    if (!args.includes('--only-catchup')) await runPart('network-certified', env, () => throughput(net, urls, env));
    if (!args.includes('--skip-catchup')) await runPart('network-catchup', env, () => catchup(net, urls, env));
  } finally {
    stopping.abort();
    await net.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function throughput(net: LocalNetwork, urls: string[], env: Record<string, unknown>): Promise<void> {
  const root = net.root;
  const chain = net.chainId;
  {
    // --- reference: raw JetStream publishes on the same cluster ------------------------------
    const raw = await rawPublishRate(net.nats.urls());
    report('network-raw-publish', { publishesPerSec: Math.round(raw), bytes: 300, inFlight: 1000 }, env);

    // --- certified throughput ------------------------------------------------------------------
    process.stderr.write(`signing ${TXS} transactions...\n`);
    const bodies = Array.from({ length: TXS }, (_, i) =>
      JSON.stringify(sign(chain, 'id.register', { id: `156.130100/T${i}`, record: { type: 'sensor', attributes: { n: i } } }, root)),
    );
    const seen = new Map<string, number>();
    const ac = new AbortController();
    let done = 0;
    let allDone: () => void = () => {};
    const finished = new Promise<void>((r) => (allDone = r));
    let target = TXS;
    void follow(
      urls[0]!,
      (tx) => {
        if (!seen.has(tx)) seen.set(tx, performance.now());
        if (++done >= target) allDone();
      },
      ac.signal,
    );
    await sleep(300);
    let next = 0;
    const h0 = (await head(urls[0]!)).height;
    const procs = () => ({
      client: cpuMs(process.pid),
      nats: net.nats.servers.reduce((a, x) => a + (x.child?.pid ? cpuMs(x.child.pid) : 0), 0),
      nodes: net.nodes.reduce((a, x) => a + (x.child?.pid ? cpuMs(x.child.pid) : 0), 0),
    });
    const cpu0 = procs();
    const t0 = performance.now();
    await Promise.all(
      Array.from({ length: CONCURRENCY }, async (_, w) => {
        while (next < TXS) {
          const i = next++;
          await submit(urls[w % urls.length]!, bodies[i]!);
        }
      }),
    );
    const submitted = performance.now();
    // Bounded: a node that stops committing makes this part report an error, not hang.
    if (!(await within(finished, Math.max(120_000, TXS * 10)))) throw new Error(`only ${done} of ${TXS} changes seen within the wait`);
    const t1 = performance.now();
    const certified = TXS / ((t1 - t0) / 1000);
    const blocks = (await head(urls[0]!)).height - h0;
    const cpu1 = procs();
    // CPU per certified transaction, µs, by component (all 4 nodes together, all 3 NATS servers together).
    const cpuPerTx = {
      clientUs: Math.round(((cpu1.client - cpu0.client) / TXS) * 1000),
      natsUs: Math.round(((cpu1.nats - cpu0.nats) / TXS) * 1000),
      nodesUs: Math.round(((cpu1.nodes - cpu0.nodes) / TXS) * 1000),
    };
    report(
      'network-certified',
      {
        txs: TXS,
        certifiedPerSec: Math.round(certified),
        submitSec: +((submitted - t0) / 1000).toFixed(2),
        totalSec: +((t1 - t0) / 1000).toFixed(2),
        concurrency: CONCURRENCY,
        blocks,
        txsPerBlock: Math.round(TXS / blocks),
        cpuPerTx,
        rawPublishesPerSec: Math.round(raw),
      },
      env,
    );

    // --- finality at half load -----------------------------------------------------------------
    const rate = Math.max(50, Math.floor(certified / 2));
    const seconds = 10;
    const n = rate * seconds;
    const submittedAt = new Map<string, number>();
    const finalAt = new Map<string, number>();
    const bodies2 = Array.from({ length: n }, (_, i) => {
      const t = sign(chain, 'id.register', { id: `156.130100/F${i}`, record: { type: 'sensor' } }, root);
      return { body: JSON.stringify(t), id: `F${i}` };
    });
    done = 0;
    target = Number.POSITIVE_INFINITY;
    const ac2 = new AbortController();
    ac.abort();
    // A block is final once a quorum signed it; the first node to commit it shows that (one node
    // whose stream reader stalls must not count as the network's finality).
    for (const u of urls) {
      void follow(
        u,
        (_tx, id) => {
          const local = id?.split('/')[1]?.split(':')[0];
          if (local && submittedAt.has(local) && !finalAt.has(local)) finalAt.set(local, performance.now());
        },
        ac2.signal,
      );
    }
    await sleep(300);
    const start = performance.now();
    const inflight: Promise<unknown>[] = [];
    const acceptLat: number[] = [];
    for (let i = 0; i < n; i++) {
      const due = start + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 1) await sleep(wait);
      const b = bodies2[i]!;
      const at = performance.now();
      submittedAt.set(b.id, at);
      inflight.push(submit(urls[i % urls.length]!, b.body).then(() => acceptLat.push(performance.now() - at)));
    }
    await Promise.all(inflight);
    const deadline = Date.now() + 30_000;
    while (finalAt.size < n && Date.now() < deadline) await sleep(100);
    ac2.abort();
    const lat = [...finalAt.entries()].map(([k, t]) => t - submittedAt.get(k)!).sort((a, b) => a - b);
    acceptLat.sort((a, b) => a - b);
    report(
      'network-finality',
      {
        ratePerSec: rate,
        txs: n,
        final: lat.length,
        p50Ms: Math.round(pct(lat, 50)),
        p99Ms: Math.round(pct(lat, 99)),
        maxMs: Math.round(lat[lat.length - 1] ?? NaN),
        acceptP50Ms: Math.round(pct(acceptLat, 50)),
        acceptP99Ms: Math.round(pct(acceptLat, 99)),
      },
      env,
    );
  }
}

async function catchup(net: LocalNetwork, urls: string[], env: Record<string, unknown>): Promise<void> {
  const root = net.root;
  const chain = net.chainId;
  {
    // --- a long history: IDS identifiers by id.allocate ----------------------------------------
    const per = Math.min(100_000, IDS);
    const allocs = Math.ceil(IDS / per);
    process.stderr.write(`allocating ${allocs * per} identifiers...\n`);
    for (let i = 0; i < allocs; i++) {
      await submit(
        urls[i % urls.length]!,
        JSON.stringify(sign(chain, 'id.allocate', { ns: '156.130100', prefix: `A${i}-`, count: per, record: { type: 'lamp' } }, root)),
      );
    }
    const deadline2 = Date.now() + 600_000;
    let top = await head(urls[0]!);
    for (;;) {
      // Each read waits out a node busy applying a large block (503 or no answer).
      const ids = await nsIds(urls[0]!, '156.130100', 600_000);
      top = await head(urls[0]!, 600_000);
      if (ids >= allocs * per) break;
      if (Date.now() > deadline2) throw new Error('allocation did not finish');
      await sleep(1000);
    }
    const idsTotal = await nsIds(urls[0]!, '156.130100', 600_000);
    await waitReady(urls[1]!, top.height, top.hash, 120_000);

    // From the stream: an empty read replica replays everything.
    const s1 = await net.addNode();
    let c0 = performance.now();
    await net.startNode(s1.name);
    await waitReady(s1.url, top.height, top.hash, 600_000);
    let sec = (performance.now() - c0) / 1000;
    report('network-catchup-stream', { identifiers: idsTotal, height: top.height, seconds: +sec.toFixed(1), idsPerSec: Math.round(idsTotal / sec) }, env);
    await net.stopNode(s1.name);

    // From a certified snapshot of a peer.
    const s2 = await net.addNode();
    c0 = performance.now();
    await net.startNode(s2.name, ['--snapshot-from', urls[1]!]);
    await waitReady(s2.url, top.height, top.hash, 600_000);
    sec = (performance.now() - c0) / 1000;
    report('network-catchup-snapshot', { identifiers: idsTotal, height: top.height, seconds: +sec.toFixed(1), idsPerSec: Math.round(idsTotal / sec) }, env);
  }
}

main().catch((e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exitCode = 1;
});

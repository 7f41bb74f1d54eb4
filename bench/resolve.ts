/**
 * Benchmark: resolutions with proof per second on one node holding N identifiers (default
 * 1,000,000), 50 concurrent connections over loopback (autocannon), p50/p99 latency, beside a bare
 * fastify route returning a fixed JSON document measured in the same run; then historic
 * resolutions (`?at=<height>`, each identifier at a random height from its registration to the
 * head) at the same load. One identifier in a hundred (at most 10,000) is updated once, so the
 * ledger holds some history.
 *
 * Also reported: the node process's resident memory while serving (peak and at the end, sampled
 * every 250 ms), and the data directory's bytes on disk per registered identifier (SQLite database
 * and WAL, with every version's history and the versioned state tree).
 *
 * The node runs as its own process (`urbis node start`), autocannon in this one: two cores, one each.
 * Requested identifiers are drawn at random from the whole population, so most answers are not in
 * the node's per-height answer cache.
 *
 * Run: npm run bench -- resolve [count]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import '../src/platform/node.js';
import { buildTxBody, signTx, signerFromSeed } from '../src/core/ledger/tx.js';
import { objectIdText } from '../src/core/ledger/names.js';
import { initDataDir, openDataDir, paths } from '../src/node/data-dir.js';
import { readKeyFile } from '../src/keys/keyfile.js';
import { machine, report } from './report.js';
import { diskBytes, getJson, runPart, sampleRss } from './http.js';

const BIN = fileURLToPath(new URL('../bin/urbis.js', import.meta.url));

function startProcess(args: string[]): Promise<{ url: string; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve({ url: (JSON.parse(line) as { url: string }).url, child });
    });
    child.on('exit', (c) => reject(new Error(`exited ${c}: ${out}`)));
  });
}

interface Prepared {
  /** Request paths of current-version resolutions. */
  ids: string[];
  /** Request paths of historic resolutions (`?at=`). */
  past: string[];
  /** Identifiers updated once (version 2). */
  updated: number;
}

async function prepare(dir: string, count: number): Promise<Prepared> {
  await initDataDir(dir, { config: { maxBlockTxs: 10 } });
  const d = await openDataDir(dir);
  const root = signerFromSeed((await readKeyFile(paths(dir).rootKey)).seed);
  const policy = {
    children: { charset: 'alnum' as const, minLength: 1, maxLength: 16 },
    ids: { charset: 'alnum' as const, minLength: 1, maxLength: 64 },
    serialWidth: 7,
  };
  /** Commits `txs` in one block; its height. */
  const run = async (txs: unknown[]): Promise<number> => {
    const dones = txs.map((t) => d.sequencer.submit(t).done);
    d.sequencer.cut();
    let height = -1;
    for (const o of await Promise.all(dones)) {
      if (!o.result.ok) throw new Error(JSON.stringify(o.result));
      height = o.height;
    }
    return height;
  };
  const chain = d.config.chainId;
  const tx = <T extends 'ns.create' | 'id.allocate' | 'id.update'>(type: T, payload: never) =>
    signTx(buildTxBody(type, payload, { chain, now: Date.now() }), [root]);
  await run([tx('ns.create', { ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy, record: { type: 'country' } } as never)]);
  await run([tx('ns.create', { ns: '156.130100', controllers: { keys: [root.id], threshold: 1 }, policy, record: { type: 'city' } } as never)]);
  /** Height of the block that allocated each chunk of 100,000 serials. */
  const madeAt: number[] = [];
  const name = (serial: number) => objectIdText('156.130100', `L${String(serial).padStart(7, '0')}`);
  for (let made = 0; made < count; made += 100_000) {
    const n = Math.min(100_000, count - made);
    madeAt.push(await run([tx('id.allocate', { ns: '156.130100', prefix: 'L', count: n, record: { type: 'lamp', attributes: { power: 60 } } } as never)]));
    process.stderr.write(`prepared ${made + n}\n`);
  }
  // Some history: every hundredth identifier updated once, a thousand per block.
  const updates = Math.min(10_000, Math.floor(count / 100));
  for (let u = 0; u < updates; u += 1000) {
    const txs = [];
    for (let k = u; k < Math.min(updates, u + 1000); k++) {
      txs.push(tx('id.update', { id: name(1 + k * 100), record: { type: 'lamp', attributes: { power: 40 } } } as never));
    }
    await run(txs);
  }
  const top = d.store.head()!.height;
  d.close();
  const ids: string[] = [];
  const past: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const serial = 1 + Math.floor(Math.random() * count);
    const path = `/v1/ids/${encodeURIComponent(name(serial))}`;
    ids.push(path);
    const from = madeAt[Math.floor((serial - 1) / 100_000)]!;
    past.push(`${path}?at=${from + Math.floor(Math.random() * (top - from + 1))}`);
  }
  return { ids, past, updated: updates };
}

async function load(url: string, paths: string[], seconds: number): Promise<{ rps: number; p50: number; p99: number; non2xx: number; errors: number }> {
  let i = 0;
  const r = await autocannon({
    url,
    connections: 50,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: paths[i++ % paths.length]! }) }],
  });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

/** Waits (bounded) until the node answers a resolution: it may still be opening its store. */
async function ready(url: string, path: string): Promise<void> {
  await getJson(`${url}${path}`, (b) => ((b as { entry?: unknown } | undefined)?.entry ? true : undefined), 120_000);
}

const MiB = (x: number) => Math.round(x);

/**
 * Runs the benchmark. A failed resolution does not stop it: the answers that were not 2xx are
 * counted in the result (`non2xx`, `historicNon2xx`), and the figures are reported beside them.
 */
export async function benchResolve(count = 1_000_000, seconds = 10): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'urbis-bench-resolve-'));
  let node: { url: string; child: ChildProcess } | undefined;
  try {
    const t0 = performance.now();
    const prep = await prepare(dir, count);
    const prepSecs = (performance.now() - t0) / 1000;
    const disk = diskBytes(dir);
    const bare = await startProcess([fileURLToPath(new URL('./bare-server.mjs', import.meta.url))]);
    await load(bare.url, prep.ids, 2); // warm-up
    const ref = await load(bare.url, prep.ids, seconds);
    bare.child.kill('SIGTERM');
    node = await startProcess([BIN, 'node', 'start', '--dir', dir, '--port', '0', '--no-demo', '--rate-limit', '0', '--json']);
    await ready(node.url, prep.ids[0]!);
    const rss = sampleRss(node.child.pid!);
    await load(node.url, prep.ids, 2);
    const res = await load(node.url, prep.ids, seconds);
    await load(node.url, prep.past, 2);
    const past = await load(node.url, prep.past, seconds);
    const rssSamples = rss.stop();
    return {
      identifiers: count,
      updated: prep.updated,
      prepareSeconds: Number(prepSecs.toFixed(1)),
      resolutionsPerSec: res.rps,
      p50ms: res.p50,
      p99ms: res.p99,
      non2xx: res.non2xx + res.errors,
      bareRoutePerSec: ref.rps,
      bareP99ms: ref.p99,
      ratioToBare: Number((res.rps / ref.rps).toFixed(2)),
      historicPerSec: past.rps,
      historicP50ms: past.p50,
      historicP99ms: past.p99,
      historicNon2xx: past.non2xx + past.errors,
      historicRatioToCurrent: Number((past.rps / res.rps).toFixed(2)),
      nodeRssPeakMiB: MiB(Math.max(...rssSamples)),
      nodeRssEndMiB: MiB(rssSamples[rssSamples.length - 1] ?? NaN),
      diskBytes: disk,
      diskBytesPerId: Math.round(disk / count),
    };
  } finally {
    node?.child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = machine();
  await runPart('resolve', env, async () => report('resolve', await benchResolve(Number(process.argv[2] ?? 1_000_000), Number(process.argv[3] ?? 10)), env));
}

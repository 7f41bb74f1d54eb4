/**
 * Benchmark: resolutions with proof per second on one node holding N identifiers (default
 * 1,000,000), 50 concurrent connections over loopback (autocannon), p50/p99 latency, beside a bare
 * fastify route returning a fixed JSON document measured in the same run.
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

async function prepare(dir: string, count: number): Promise<string[]> {
  await initDataDir(dir, { config: { maxBlockTxs: 10 } });
  const d = await openDataDir(dir);
  const root = signerFromSeed((await readKeyFile(paths(dir).rootKey)).seed);
  const policy = {
    children: { charset: 'alnum' as const, minLength: 1, maxLength: 16 },
    ids: { charset: 'alnum' as const, minLength: 1, maxLength: 64 },
    serialWidth: 7,
  };
  const run = async (txs: unknown[]) => {
    const dones = txs.map((t) => d.sequencer.submit(t).done);
    d.sequencer.cut();
    for (const o of await Promise.all(dones)) if (!o.result.ok) throw new Error(JSON.stringify(o.result));
  };
  const chain = d.config.chainId;
  const tx = <T extends 'ns.create' | 'id.allocate'>(type: T, payload: never) => signTx(buildTxBody(type, payload, { chain, now: Date.now() }), [root]);
  await run([tx('ns.create', { ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy, record: { type: 'country' } } as never)]);
  await run([tx('ns.create', { ns: '156.130100', controllers: { keys: [root.id], threshold: 1 }, policy, record: { type: 'city' } } as never)]);
  for (let made = 0; made < count; made += 100_000) {
    const n = Math.min(100_000, count - made);
    await run([tx('id.allocate', { ns: '156.130100', prefix: 'L', count: n, record: { type: 'lamp', attributes: { power: 60 } } } as never)]);
    process.stderr.write(`prepared ${made + n}\n`);
  }
  d.close();
  const ids: string[] = [];
  for (let i = 0; i < 20_000; i++) {
    const serial = 1 + Math.floor(Math.random() * count);
    ids.push(encodeURIComponent(objectIdText('156.130100', `L${String(serial).padStart(7, '0')}`)));
  }
  return ids;
}

async function load(url: string, ids: string[], seconds: number): Promise<{ rps: number; p50: number; p99: number; non2xx: number }> {
  let i = 0;
  const r = await autocannon({
    url,
    connections: 50,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (req) => ({ ...req, path: `/v1/ids/${ids[i++ % ids.length]}` }) }],
  });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx };
}

export async function benchResolve(count = 1_000_000, seconds = 10): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'urbis-bench-resolve-'));
  try {
    const t0 = performance.now();
    const ids = await prepare(dir, count);
    const prepSecs = (performance.now() - t0) / 1000;
    const bare = await startProcess([fileURLToPath(new URL('./bare-server.mjs', import.meta.url))]);
    await load(bare.url, ids, 2); // warm-up
    const ref = await load(bare.url, ids, seconds);
    bare.child.kill('SIGTERM');
    const node = await startProcess([BIN, 'node', 'start', '--dir', dir, '--port', '0', '--no-demo', '--rate-limit', '0', '--json']);
    await load(node.url, ids, 2);
    const res = await load(node.url, ids, seconds);
    node.child.kill('SIGTERM');
    if (res.non2xx > 0) throw new Error(`${res.non2xx} resolutions failed`);
    return {
      identifiers: count,
      prepareSeconds: Number(prepSecs.toFixed(1)),
      resolutionsPerSec: res.rps,
      p50ms: res.p50,
      p99ms: res.p99,
      bareRoutePerSec: ref.rps,
      bareP99ms: ref.p99,
      ratioToBare: Number((res.rps / ref.rps).toFixed(2)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const r = await benchResolve(Number(process.argv[2] ?? 1_000_000), Number(process.argv[3] ?? 10));
  report('resolve', r, machine());
}

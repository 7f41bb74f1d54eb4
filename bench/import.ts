/**
 * Benchmark: bulk import of N identifiers (default 1,000,000) with `urbis import`, as a user runs
 * it: a generated NDJSON file, the real CLI process, a fresh single-node data directory. Reports wall
 * time, rows per second, and the process's resident memory sampled every 250 ms (peak, and at each
 * quarter of the run, to show it stays flat: the importer streams), and the data directory's bytes
 * on disk per imported identifier afterwards (database and WAL, history and state tree included).
 *
 * Run: npm run bench -- import [rows]
 */
import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { once } from 'node:events';
import { machine, report } from './report.js';
import { diskBytes, runPart } from './http.js';

const BIN = fileURLToPath(new URL('../bin/urbis.js', import.meta.url));

function run(args: string[]): Promise<{ code: number; stdout: string; rss: number[] }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let stdout = '';
    const rss: number[] = [];
    child.stdout.on('data', (d) => (stdout += d));
    const timer = setInterval(() => {
      try {
        const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (m) rss.push(Number(m[1]) / 1024);
      } catch {
        /* exited */
      }
    }, 250);
    child.on('close', (code) => {
      clearInterval(timer);
      resolve({ code: code ?? -1, stdout, rss });
    });
  });
}

export async function benchImport(rows = 1_000_000): Promise<Record<string, number>> {
  const dir = mkdtempSync(join(tmpdir(), 'urbis-bench-import-'));
  try {
    const file = join(dir, 'rows.ndjson');
    const out = createWriteStream(file);
    for (let i = 1; i <= rows; i++) {
      const line = `{"local":"MTR-${String(i).padStart(7, '0')}","type":"meter","attributes":{"kind":"water","district":"D${i % 17}"}}\n`;
      if (!out.write(line)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
    const data = join(dir, 'data');
    for (const args of [
      ['init', '--dir', data, '--json'],
      ['ns', 'create', '156', '--dir', data, '--json'],
      ['ns', 'create', '156.130100', '--dir', data, '--max-ids', String(rows * 2), '--json'],
    ]) {
      const r = await run(args);
      if (r.code !== 0) throw new Error(`${args.join(' ')} failed: ${r.stdout}`);
    }
    const t0 = performance.now();
    const r = await run(['import', file, '--ns', '156.130100', '--dir', data, '--json']);
    const secs = (performance.now() - t0) / 1000;
    if (r.code !== 0) throw new Error(`import failed (${r.code}): ${r.stdout.slice(0, 500)}`);
    const summary = JSON.parse(r.stdout) as { registered: number };
    const disk = diskBytes(data);
    const q = (f: number) => Math.round(r.rss[Math.min(r.rss.length - 1, Math.floor(r.rss.length * f))] ?? 0);
    return {
      rows,
      registered: summary.registered,
      seconds: Number(secs.toFixed(1)),
      rowsPerSec: Math.round(rows / secs),
      peakRssMiB: Math.round(Math.max(...r.rss)),
      rssAt25pctMiB: q(0.25),
      rssAt50pctMiB: q(0.5),
      rssAt75pctMiB: q(0.75),
      rssAtEndMiB: q(0.999),
      diskBytes: disk,
      diskBytesPerId: Math.round(disk / Math.max(1, summary.registered)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = machine();
  await runPart('import', env, async () => report('import', await benchImport(Number(process.argv[2] ?? 1_000_000)), env));
}

/**
 * `npm run bench [-- name ...]`: runs the benchmarks (all by default) and prints one JSON line per
 * result, each with the machine it ran on. Figures go to docs/benchmarks.md.
 *
 * Names: registrations, proofs, resolve, sdk, import, network, web, codes, gateway.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ALL: Record<string, string[]> = {
  registrations: ['bench/registrations.ts', '50000', '1,2'],
  proofs: ['bench/proofs.ts', '7'],
  resolve: ['bench/resolve.ts', '1000000'],
  sdk: ['bench/sdk-verify.ts'],
  import: ['bench/import.ts', '1000000'],
  network: ['bench/network.ts'],
  web: ['bench/web.ts', '15'],
  codes: ['bench/codes.ts', '3'],
  gateway: ['bench/gateway.ts', '10'],
};

const root = fileURLToPath(new URL('..', import.meta.url));
const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(ALL);
let failed = 0;
for (const name of names) {
  const args = ALL[name];
  if (!args) {
    process.stderr.write(`unknown benchmark "${name}"; known: ${Object.keys(ALL).join(', ')}\n`);
    process.exitCode = 2;
    continue;
  }
  process.stderr.write(`== ${name}\n`);
  const r = spawnSync(process.execPath, ['--max-old-space-size=12000', '--import', 'tsx', ...args], { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) failed++;
}
if (failed) process.exitCode = 1;

/**
 * Gateway overhead (docs/sharing.md, docs/benchmarks.md): fetches per second and latency through
 * the provider gateway, against a bare reverse proxy to the same upstream (the same forwarding,
 * no check) and the upstream itself, in the same run; then through a gateway that also records
 * receipts and anchors them every second (receipts anchored per second).
 *
 * The servers run in their own process (bench/gateway-server.ts), autocannon in this one: two
 * cores, one each. Every gateway request carries its own RFC 9421 signature (a fresh nonce: the
 * gateway refuses replays), made before the run so that signing does not load the generator; the
 * grant and the grantee's keys are cached by the gateway per block height (the steady state: the
 * ledger does not move during the run).
 *
 * `node --import tsx bench/gateway.ts [seconds=10] [connections=50]`
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import '../src/platform/node.js';
import { signerFromSeed } from '../src/client/index.js';
import { signHttpRequest } from '../src/client/signed-fetch.js';
import { fromBase64url } from '../src/core/index.js';
import { machine, report } from './report.js';
import { runPart } from './http.js';

interface Servers {
  upstream: string;
  bare: string;
  gateway: string;
  receipts: string;
  grantee: string;
  seed: string;
}

function startServers(onLine: (l: Record<string, unknown>) => void): Promise<{ s: Servers; child: ChildProcess }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./gateway-server.ts', import.meta.url))], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let buf = '';
    let started = false;
    child.stdout!.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = JSON.parse(buf.slice(0, i)) as Record<string, unknown>;
        buf = buf.slice(i + 1);
        if (!started && typeof line.gateway === 'string') {
          started = true;
          resolve({ s: line as unknown as Servers, child });
        } else onLine(line);
      }
    });
    child.on('exit', (c) => {
      if (!started) reject(new Error(`gateway servers exited with ${c}`));
    });
  });
}

const PATH = '/buses/positions';

interface Load {
  rps: number;
  p50: number;
  p99: number;
  non2xx: number;
  /** Requests without an answer (connection errors, timeouts). */
  errors: number;
}

async function load(url: string, seconds: number, connections: number, headers?: Array<Record<string, string>>): Promise<Load> {
  let i = 0;
  const r = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [
      {
        method: 'GET',
        path: PATH,
        ...(headers
          ? {
              setupRequest: (req) => {
                if (i >= headers.length) throw new Error('ran out of signed requests: sign more');
                return { ...req, headers: headers[i++]! };
              },
            }
          : {}),
      },
    ],
  });
  return { rps: Math.round(r.requests.average), p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors };
}

/** Signs `n` distinct requests for `base` (each its own nonce), valid for the run. */
function sign(base: string, s: Servers, n: number): Array<Record<string, string>> {
  const who = { grantee: s.grantee, signer: signerFromSeed(fromBase64url(s.seed)) };
  const out: Array<Record<string, string>> = [];
  for (let k = 0; k < n; k++) out.push({ ...signHttpRequest({ method: 'GET', url: base + PATH }, who, { validitySec: 120 }) });
  return out;
}

export async function benchGateway(seconds = 10, connections = 50): Promise<Record<string, number>> {
  let anchored = 0;
  const { s, child } = await startServers((l) => {
    if (typeof l.anchored === 'number') anchored += l.anchored;
  });
  try {
    const direct = await load(s.upstream, seconds, connections);
    await load(s.bare, Math.min(2, seconds), connections); // warm-up
    const bare = await load(s.bare, seconds, connections);
    // Enough signed requests for one and a half times the bare proxy's rate: the gateway will not be faster.
    const n = Math.ceil(bare.rps * 1.5 * seconds) + 1000;
    const t0 = performance.now();
    const warm = sign(s.gateway, s, Math.ceil(bare.rps * Math.min(2, seconds) * 1.5) + 1000);
    const signed = sign(s.gateway, s, n);
    const signPerSec = Math.round((warm.length + n) / ((performance.now() - t0) / 1000));
    await load(s.gateway, Math.min(2, seconds), connections, warm);
    const gw = await load(s.gateway, seconds, connections, signed);
    const withReceipts = await load(s.receipts, seconds, connections, sign(s.receipts, s, n));
    // The last batch is anchored within the next interval.
    await new Promise((r) => setTimeout(r, 2500));
    // Failed requests are reported beside the figures (a busy server answers 503/429), not fatal.
    const failed = { direct, bare, gw, withReceipts };
    return {
      seconds,
      connections,
      upstreamDirectPerSec: direct.rps,
      bareProxyPerSec: bare.rps,
      bareProxyP99ms: bare.p99,
      gatewayPerSec: gw.rps,
      gatewayP50ms: gw.p50,
      gatewayP99ms: gw.p99,
      ratioToBareProxy: Number((gw.rps / bare.rps).toFixed(2)),
      ratioToDirect: Number((gw.rps / direct.rps).toFixed(2)),
      addedP99ms: Number((gw.p99 - bare.p99).toFixed(2)),
      withReceiptsPerSec: withReceipts.rps,
      receiptsAnchored: anchored,
      receiptsAnchoredPerSec: Math.round(anchored / seconds),
      clientSignaturesPerSec: signPerSec,
      non2xx: Object.values(failed).reduce((a, l) => a + l.non2xx + l.errors, 0),
    };
  } finally {
    child.kill('SIGTERM');
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const env = machine();
  await runPart('gateway', env, async () => report('gateway', await benchGateway(Number(process.argv[2] ?? 10), Number(process.argv[3] ?? 50)), env));
}

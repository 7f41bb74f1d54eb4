// The web app (a program, not a test): gzip size of its JS and CSS, and the time from opening a
// label URL to the verified badge on loopback, in Debian's chromium against a node started here.
// Cold: a fresh browser profile (nothing cached, the anchor pinned on this first use). Warm: the same
// profile again (assets cached, anchor pinned). Both with WebCrypto (loopback is a secure context)
// and with ?crypto=noble (the JavaScript path of non-secure pages). Then the SDK's Ed25519
// verification rate in the page (`web-ed25519`): WebCrypto (`crypto.subtle.verify` with 'Ed25519',
// 32 checks in flight) and the @noble fallback, both behind the core's key rules, over signatures of
// distinct keys and messages. Each part reports its own failure; the others still run.
// Run: npm run build && npx tsx bench/web.ts [runs=15] [ed25519-seconds=3]
import '../src/platform/node.js';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { startNode } from '../src/node/runtime.js';
import { launchBrowser } from '../test/helpers/browser.js';
import { machine, report } from './report.js';
import { runPart } from './http.js';
import { loadEd25519, pageRates, type HexItem } from '../test/helpers/ed25519-in-browser.js';
import { ed25519PublicKey, ed25519Sign } from '../src/core/crypto/index.js';
import { toHex } from '../src/core/encoding/bytes.js';

const RUNS = Number(process.argv[2] ?? 15);
const ED_SECONDS = Number(process.argv[3] ?? 3);
const env = machine();
const assets = fileURLToPath(new URL('../dist/web/assets/', import.meta.url));

// --- sizes -------------------------------------------------------------------------------------
const sizes: Record<string, { raw: number; gzip: number }> = {};
for (const name of readdirSync(assets)) {
  const body = readFileSync(join(assets, name));
  const kind = name.slice(name.lastIndexOf('.') + 1);
  const s = (sizes[kind] ??= { raw: 0, gzip: 0 });
  s.raw += body.length;
  s.gzip += gzipSync(body, { level: 9 }).length;
}
const jsCss = { raw: (sizes.js?.raw ?? 0) + (sizes.css?.raw ?? 0), gzip: (sizes.js?.gzip ?? 0) + (sizes.css?.gzip ?? 0) };
console.log(`JS + CSS: ${(jsCss.raw / 1024).toFixed(1)} KiB, gzip ${(jsCss.gzip / 1024).toFixed(1)} KiB`);
for (const [k, v] of Object.entries(sizes))
  console.log(`  ${k.padEnd(5)} ${(v.raw / 1024).toFixed(1).padStart(8)} KiB   gzip ${(v.gzip / 1024).toFixed(1).padStart(7)} KiB`);
report('web-size', { jsCssBytes: jsCss.raw, jsCssGzipBytes: jsCss.gzip, byType: sizes }, env);

// --- time to the verified badge ------------------------------------------------------------------
const dir = mkdtempSync(join(tmpdir(), 'urbis-bench-web-'));
const node = await startNode({ dir, port: 0, demo: true, server: { rateLimit: 0 } });
const ids = node.runtime.store.search({ type: 'lamp', status: 'active', limit: RUNS * 4 }).items.map((e) => e.id);

function stats(xs: number[]): { median: number; p90: number; min: number; max: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p90: at(0.9), min: s[0]!, max: s[s.length - 1]! };
}

async function measure(label: string, query: string, warm: boolean, offset: number): Promise<void> {
  const times: number[] = [];
  let tb = await launchBrowser();
  try {
    if (warm) {
      const p = await tb.browser.newPage();
      await p.goto(`${node.url}/id/${ids[0]}${query}`);
      await p.locator('[data-testid="badge"]').first().waitFor();
      await p.close();
    }
    for (let i = 0; i < RUNS; i++) {
      if (!warm && i > 0) {
        await tb.close();
        tb = await launchBrowser();
      }
      const page = await tb.browser.newPage();
      await page.goto(`${node.url}/id/${ids[(offset + i) % ids.length]}${query}`);
      await page.locator('.result[data-state="verified"]').waitFor();
      // performance.now() when the badge rendered: ms since the navigation started.
      times.push(Number(await page.evaluate(() => document.documentElement.dataset.verifiedAt)));
      await page.close();
    }
  } finally {
    await tb.close();
  }
  const s = stats(times);
  console.log(`${label.padEnd(36)} median ${s.median} ms   p90 ${s.p90} ms   (min ${s.min}, max ${s.max}, ${RUNS} runs)`);
  report('web-badge', { scenario: label, runs: RUNS, ...s }, env);
}

/** Verifications per second in a page of the node's origin (a secure context on loopback). */
async function ed25519Rates(): Promise<void> {
  const items: HexItem[] = [];
  for (let i = 0; i < 64; i++) {
    const seed = new Uint8Array(32).fill(i + 1);
    const message = new TextEncoder().encode(`answer ${i}`);
    items.push({ publicKey: toHex(ed25519PublicKey(seed)), message: toHex(message), signature: toHex(ed25519Sign(seed, message)) });
  }
  const tb = await launchBrowser();
  try {
    const page = await tb.browser.newPage();
    await page.goto(`${node.url}/openapi.json`);
    await loadEd25519(page);
    const r = await pageRates(page, items, ED_SECONDS * 1000);
    console.log(`Ed25519 in the page: WebCrypto ${Math.round(r.webcryptoPerSec)}/s, @noble ${Math.round(r.noblePerSec)}/s`);
    report(
      'web-ed25519',
      {
        seconds: ED_SECONDS,
        webCryptoEd25519: r.webCrypto === true,
        webcryptoVerifiesPerSec: Math.round(r.webcryptoPerSec),
        nobleVerifiesPerSec: Math.round(r.noblePerSec),
        ratio: Number((r.webcryptoPerSec / r.noblePerSec).toFixed(1)),
      },
      env,
    );
  } finally {
    await tb.close();
  }
}

try {
  await runPart('web-badge', env, () => measure('cold, WebCrypto', '', false, 0));
  await runPart('web-badge', env, () => measure('warm, WebCrypto', '', true, RUNS));
  await runPart('web-badge', env, () => measure('cold, @noble (?crypto=noble)', '?crypto=noble', false, 2 * RUNS));
  await runPart('web-badge', env, () => measure('warm, @noble (?crypto=noble)', '?crypto=noble', true, 3 * RUNS));
  await runPart('web-ed25519', env, ed25519Rates);
} finally {
  await node.close();
  rmSync(dir, { recursive: true, force: true });
}

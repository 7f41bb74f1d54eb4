/**
 * The SDK's Ed25519 paths in a real browser page (test/browser/ed25519.test.ts, bench/web.ts): the
 * page module ./ed25519-page.ts bundled for the browser, and a loopback origin to run it on
 * (http://127.0.0.1 is a secure context, so the page has `crypto.subtle`).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { build } from 'vite';
import type { Page } from 'playwright-core';
import type { HexItem } from './ed25519-page.js';

export type { HexItem } from './ed25519-page.js';

let bundle: Promise<string> | undefined;

/** The page module as one classic script (built once per process). */
export function ed25519Script(): Promise<string> {
  bundle ??= (async () => {
    const out = await build({
      configFile: false,
      logLevel: 'silent',
      build: {
        write: false,
        minify: false,
        target: 'es2022',
        lib: { entry: fileURLToPath(new URL('./ed25519-page.ts', import.meta.url)), formats: ['iife'], name: 'urbisEd25519Page' },
      },
    });
    const chunk = (Array.isArray(out) ? out[0]! : out) as { output: Array<{ type: string; code?: string }> };
    const code = chunk.output.find((o) => o.type === 'chunk')?.code;
    if (!code) throw new Error('the page bundle is empty');
    return code;
  })();
  return bundle;
}

/** A loopback server answering an empty HTML page; close it when done. */
export async function blankOrigin(): Promise<{ url: string; server: Server }> {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<!doctype html><title>ed25519</title>');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/`, server };
}

/** Loads the page module into `page` (already on a secure origin). */
export async function loadEd25519(page: Page): Promise<void> {
  await page.addScriptTag({ content: await ed25519Script() });
}

export function pageVerdicts(page: Page, items: HexItem[]) {
  return page.evaluate(
    (xs) =>
      (
        globalThis as unknown as {
          urbisEd25519: { verdicts(x: HexItem[]): Promise<{ webcrypto: boolean[]; noble: boolean[]; webCrypto: boolean | undefined; secure: boolean }> };
        }
      ).urbisEd25519.verdicts(xs),
    items,
  );
}

export function pageRates(page: Page, items: HexItem[], ms: number) {
  return page.evaluate(
    ([xs, t]) =>
      (
        globalThis as unknown as {
          urbisEd25519: { rates(x: HexItem[], ms: number): Promise<{ webcryptoPerSec: number; noblePerSec: number; webCrypto: boolean | undefined }> };
        }
      ).urbisEd25519.rates(xs, t),
    [items, ms] as const,
  );
}

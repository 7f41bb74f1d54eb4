/**
 * The SDK's Ed25519 verification in chromium: the WebCrypto path (`crypto.subtle.verify` with
 * 'Ed25519') and the @noble fallback give the same verdicts on the RFC 8032 §7.1 vectors, on their
 * corrupted copies and on the crafted negatives (docs/sdk.md "Signatures in the browser").
 */
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasChromium, launchBrowser, type TestBrowser } from '../helpers/browser.js';
import { blankOrigin, loadEd25519, pageVerdicts, type HexItem } from '../helpers/ed25519-in-browser.js';

const V = JSON.parse(readFileSync(new URL('../vectors/ed25519-rfc8032.json', import.meta.url), 'utf8')) as {
  vectors: HexItem[];
  negative: Array<HexItem & { name: string }>;
};

/** Flips one bit of a hex string at byte `i`. */
function flip(hex: string, i: number): string {
  const b = parseInt(hex.slice(2 * i, 2 * i + 2), 16) ^ 1;
  return hex.slice(0, 2 * i) + b.toString(16).padStart(2, '0') + hex.slice(2 * i + 2);
}

let tb: TestBrowser;
let origin: Awaited<ReturnType<typeof blankOrigin>>;

beforeAll(async () => {
  if (!hasChromium()) throw new Error('this test needs /usr/bin/chromium (apt-get install chromium; .ci/run installs it)');
  origin = await blankOrigin();
  tb = await launchBrowser();
}, 60_000);
afterAll(async () => {
  await tb?.close();
  origin?.server.close();
});

describe('Ed25519 in chromium: WebCrypto and @noble', () => {
  it('agree on the RFC 8032 vectors, their corruptions and the crafted negatives; WebCrypto is really used', async () => {
    const items: HexItem[] = [];
    const want: boolean[] = [];
    for (const v of V.vectors) {
      items.push(v);
      want.push(true);
      // A bit flipped in R, in S, in the key; a changed message (the empty message gets a byte).
      items.push({ ...v, signature: flip(v.signature, 3) }, { ...v, signature: flip(v.signature, 40) }, { ...v, publicKey: flip(v.publicKey, 7) });
      items.push({ ...v, message: v.message.length > 0 ? flip(v.message, 0) : '00' });
      want.push(false, false, false, false);
    }
    for (const n of V.negative) {
      items.push(n);
      want.push(false);
    }
    const page = await tb.browser.newPage();
    await page.goto(origin.url);
    await loadEd25519(page);
    const r = await pageVerdicts(page, items);
    expect(r.secure).toBe(true);
    expect(r.webCrypto).toBe(true);
    expect(r.noble).toEqual(want);
    expect(r.webcrypto).toEqual(want);
    await page.close();
  }, 120_000);
});

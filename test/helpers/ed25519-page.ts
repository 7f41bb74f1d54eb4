/**
 * Runs in a browser page (bundled by ./ed25519-in-browser.ts): the SDK's two Ed25519 paths side by
 * side — the WebCrypto provider (`crypto.subtle.verify` with 'Ed25519', @noble where the engine
 * lacks it) and @noble alone — both behind the core's wrappers, so both apply the Urbis key rules
 * first, as the SDK does. Exposed as `globalThis.urbisEd25519`.
 */
import { createWebCryptoProvider, ed25519Verify, ed25519VerifyAsync, nobleCryptoProvider, setCryptoProvider } from '../../src/core/crypto/index.js';
import { fromHex } from '../../src/core/encoding/bytes.js';

/** One check: hex public key, message and signature. */
export interface HexItem {
  publicKey: string;
  message: string;
  signature: string;
}

type Item = [sig: Uint8Array, msg: Uint8Array, pub: Uint8Array];

const decode = (items: HexItem[]): Item[] => items.map((v) => [fromHex(v.signature), fromHex(v.message), fromHex(v.publicKey)]);

const web = createWebCryptoProvider();

/** Verdicts of both paths, in order; `webCrypto` says whether the page's WebCrypto took Ed25519. */
async function verdicts(items: HexItem[]): Promise<{ webcrypto: boolean[]; noble: boolean[]; webCrypto: boolean | undefined; secure: boolean }> {
  const xs = decode(items);
  setCryptoProvider(web);
  const w: boolean[] = [];
  for (const [s, m, p] of xs) w.push(await ed25519VerifyAsync(s, m, p));
  setCryptoProvider(nobleCryptoProvider);
  const n = xs.map(([s, m, p]) => ed25519Verify(s, m, p));
  return { webcrypto: w, noble: n, webCrypto: web.webCryptoUsable(), secure: globalThis.isSecureContext === true };
}

/**
 * Verifications per second of each path over `items` (all valid), each for about `ms`: WebCrypto
 * in batches of `batch` checks in flight (as an answer's certificate signatures are checked),
 * @noble one after another (it is synchronous).
 */
async function rates(items: HexItem[], ms: number, batch = 32): Promise<{ webcryptoPerSec: number; noblePerSec: number; webCrypto: boolean | undefined }> {
  const xs = decode(items);
  setCryptoProvider(web);
  let n = 0;
  let t0 = performance.now();
  while (performance.now() - t0 < ms) {
    const jobs: Promise<boolean>[] = [];
    for (let i = 0; i < batch; i++) {
      const [s, m, p] = xs[(n + i) % xs.length]!;
      jobs.push(ed25519VerifyAsync(s, m, p));
    }
    for (const ok of await Promise.all(jobs)) if (!ok) throw new Error('a valid signature did not verify through WebCrypto');
    n += batch;
  }
  const webcryptoPerSec = n / ((performance.now() - t0) / 1000);
  setCryptoProvider(nobleCryptoProvider);
  n = 0;
  t0 = performance.now();
  while (performance.now() - t0 < ms) {
    const [s, m, p] = xs[n % xs.length]!;
    if (!ed25519Verify(s, m, p)) throw new Error('a valid signature did not verify through @noble');
    n++;
  }
  const noblePerSec = n / ((performance.now() - t0) / 1000);
  return { webcryptoPerSec, noblePerSec, webCrypto: web.webCryptoUsable() };
}

(globalThis as unknown as { urbisEd25519: unknown }).urbisEd25519 = { verdicts, rates };

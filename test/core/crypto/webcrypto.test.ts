// The WebCrypto provider (W3C Web Cryptography API, Ed25519): same answers as the other providers on
// the RFC 8032 §7.1 vectors and their negatives, and the @noble fallback where WebCrypto lacks
// Ed25519 or is absent (plain-http pages on a LAN address get no crypto.subtle).
import { afterEach, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createWebCryptoProvider, ed25519VerifyAsync, getCryptoProvider, setCryptoProvider, type SubtleLike } from '../../../src/core/crypto/index.js';
import { fromHex } from '../../../src/core/encoding/bytes.js';

const V = JSON.parse(readFileSync(new URL('../../vectors/ed25519-rfc8032.json', import.meta.url), 'utf8')) as {
  vectors: Array<{ publicKey: string; message: string; signature: string }>;
  negative: Array<{ name: string; publicKey: string; message: string; signature: string }>;
};
const before = getCryptoProvider();
afterEach(() => setCryptoProvider(before));

async function agreeOnVectors(): Promise<void> {
  for (const v of V.vectors) expect(await ed25519VerifyAsync(fromHex(v.signature), fromHex(v.message), fromHex(v.publicKey))).toBe(true);
  for (const n of V.negative) expect(await ed25519VerifyAsync(fromHex(n.signature), fromHex(n.message), fromHex(n.publicKey)), n.name).toBe(false);
}

describe('WebCrypto Ed25519 provider', () => {
  it('verifies through crypto.subtle where it has Ed25519', async () => {
    const p = createWebCryptoProvider();
    setCryptoProvider(p);
    await agreeOnVectors();
    expect(p.webCryptoUsable()).toBe(true);
  });
  it('falls back to @noble when WebCrypto refuses Ed25519', async () => {
    let calls = 0;
    const refusing: SubtleLike = {
      importKey: async () => {
        calls++;
        throw new DOMException('Unrecognized name.', 'NotSupportedError');
      },
      verify: async () => true, // never reached
    };
    const p = createWebCryptoProvider(refusing);
    setCryptoProvider(p);
    await agreeOnVectors();
    expect(p.webCryptoUsable()).toBe(false);
    expect(calls).toBe(1); // asks once, then stays on noble
  });
  it('falls back to @noble when there is no crypto.subtle at all (insecure context)', async () => {
    const saved = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
    Object.defineProperty(globalThis, 'crypto', { value: { getRandomValues: (a: Uint8Array) => a }, configurable: true });
    try {
      const q = createWebCryptoProvider();
      setCryptoProvider(q);
      await agreeOnVectors();
      expect(q.webCryptoUsable()).toBe(false);
    } finally {
      Object.defineProperty(globalThis, 'crypto', saved!);
    }
  });
});

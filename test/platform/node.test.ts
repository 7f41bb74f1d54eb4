// The node:crypto provider: installed by importing src/platform/node.ts, idempotent, key cache
// bounded. Agreement with the noble provider is tested in test/core/crypto/ed25519.test.ts.
import { describe, expect, it } from 'vitest';
import { getCryptoProvider, nobleCryptoProvider, setCryptoProvider, ed25519Verify, ed25519Sign, ed25519PublicKey } from '../../src/core/crypto/index.js';
import { installNodeCrypto, nodeCryptoProvider, nodePublicKeyCacheSize } from '../../src/platform/node.js';

describe('src/platform/node.ts', () => {
  it('is installed on import, and installing again is harmless', () => {
    expect(getCryptoProvider()).toBe(nodeCryptoProvider);
    installNodeCrypto();
    installNodeCrypto();
    expect(getCryptoProvider()).toBe(nodeCryptoProvider);
    setCryptoProvider(nobleCryptoProvider);
    installNodeCrypto();
    expect(getCryptoProvider()).toBe(nodeCryptoProvider);
  });

  it('returns plain Uint8Arrays, not Buffers', () => {
    const seed = new Uint8Array(32).fill(1);
    for (const v of [nodeCryptoProvider.sha256(seed), ed25519PublicKey(seed), ed25519Sign(seed, seed), nodeCryptoProvider.randomBytes(8)]) {
      expect(Object.getPrototypeOf(v)).toBe(Uint8Array.prototype);
    }
  });

  it('caches public keys, bounded', () => {
    const seed = new Uint8Array(32).fill(2);
    const pub = ed25519PublicKey(seed);
    const sig = ed25519Sign(seed, seed);
    expect(ed25519Verify(sig, seed, pub)).toBe(true);
    const before = nodePublicKeyCacheSize();
    expect(ed25519Verify(sig, seed, pub)).toBe(true);
    expect(nodePublicKeyCacheSize()).toBe(before);
    // a sliced view of a larger buffer is keyed by its content, not its backing buffer
    const big = new Uint8Array(64);
    big.set(pub, 16);
    expect(ed25519Verify(sig, seed, big.subarray(16, 48))).toBe(true);
    expect(nodePublicKeyCacheSize()).toBe(before);
    // many distinct keys never grow the cache beyond its cap
    for (let i = 0; i < 300; i++) {
      const s = new Uint8Array(32);
      s[0] = i & 255;
      s[1] = i >> 8;
      s[2] = 9;
      ed25519Verify(sig, seed, ed25519PublicKey(s));
    }
    expect(nodePublicKeyCacheSize()).toBeLessThanOrEqual(10_000);
  });
});

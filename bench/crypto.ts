// Crypto micro-benchmark (a program, not a test): Ed25519 verifications per second with the
// node:crypto provider (cached KeyObjects, and with a fresh key per call), with the noble provider,
// and SHA-256 of 64 bytes. Run: node --import tsx bench/crypto.ts
import * as os from 'node:os';
import * as nodeCrypto from 'node:crypto';
import { nobleCryptoProvider, setCryptoProvider, ed25519Verify, sha256, type CryptoProvider } from '../src/core/crypto/index.js';
import { nodeCryptoProvider } from '../src/platform/node.js';

function rate(label: string, seconds: number, f: () => void): number {
  for (let i = 0; i < 200; i++) f(); // warm up
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) f();
    n += 100;
  }
  const perSec = n / ((performance.now() - start) / 1000);
  console.log(`${label.padEnd(48)} ${Math.round(perSec).toLocaleString('en-US').padStart(12)} /s`);
  return perSec;
}

console.log(`node ${process.version}, ${os.cpus()[0]?.model ?? 'unknown cpu'}, ${os.cpus().length} cores, OpenSSL ${process.versions.openssl}`);

const seed = new Uint8Array(32).fill(3);
const msg = new Uint8Array(200).fill(9);
const pub = nodeCryptoProvider.ed25519PublicKey(seed);
const sig = nodeCryptoProvider.ed25519Sign(seed, msg);
const data64 = new Uint8Array(64).fill(1);

const use = (p: CryptoProvider) => setCryptoProvider(p);

use(nodeCryptoProvider);
const nodeCached = rate('ed25519Verify node:crypto, cached KeyObject', 2, () => ed25519Verify(sig, msg, pub));
const spki = Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]);
rate('ed25519 verify node:crypto, KeyObject rebuilt', 2, () =>
  nodeCrypto.verify(null, msg, nodeCrypto.createPublicKey({ key: spki, format: 'der', type: 'spki' }), sig),
);
let ctr = 0;
rate('sha256(64 B) node:crypto', 1, () => {
  data64[0] = ctr++ & 255; // varying input: no engine can reuse a result
  sha256(data64);
});
use(nobleCryptoProvider);
const noble = rate('ed25519Verify noble (cofactorless)', 2, () => ed25519Verify(sig, msg, pub));
rate('sha256(64 B) noble', 1, () => {
  data64[0] = ctr++ & 255;
  sha256(data64);
});
console.log(`node/noble verify ratio: ${(nodeCached / noble).toFixed(1)}×`);

/**
 * The node:crypto (OpenSSL) {@link CryptoProvider}, installed as a side effect of importing this
 * module. Server and CLI entry points import it first thing; browsers never see it.
 *
 * Spec: docs/protocol.md (Encoding) §4.3. NOT pure (imports node:crypto).
 *
 * OpenSSL's Ed25519 verification is the cofactorless RFC 8032 check with S < L, which is exactly the
 * contract of CryptoProvider.ed25519Verify; the key-encoding rules are applied by the core wrapper
 * before this code runs. test/core/crypto checks that this provider and the noble one agree.
 */
import * as nodeCrypto from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { setCryptoProvider, getCryptoProvider, type CryptoProvider } from '../core/crypto/index.js';

/** DER prefix of a SubjectPublicKeyInfo holding a raw Ed25519 key (RFC 8410 §4). */
const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
/** DER prefix of a PKCS #8 PrivateKeyInfo holding a raw Ed25519 seed (RFC 8410 §7). */
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

/**
 * Public KeyObjects by raw key bytes (latin1 string). Building a KeyObject from DER costs about as
 * much as a verification, and a node sees the same few controller and validator keys over and
 * over. Bounded, cleared wholesale when full: hostile traffic with fresh keys cannot grow it.
 */
const PUBLIC_KEY_CACHE_MAX = 10_000;
const publicKeyCache = new Map<string, KeyObject>();

function publicKeyObject(pub: Uint8Array): KeyObject {
  const id = Buffer.from(pub.buffer, pub.byteOffset, pub.byteLength).toString('latin1');
  let k = publicKeyCache.get(id);
  if (k === undefined) {
    k = nodeCrypto.createPublicKey({ key: Buffer.concat([SPKI_PREFIX, pub]), format: 'der', type: 'spki' });
    if (publicKeyCache.size >= PUBLIC_KEY_CACHE_MAX) publicKeyCache.clear();
    publicKeyCache.set(id, k);
  }
  return k;
}

// Secret keys are deliberately not cached globally: a cache would keep secrets in memory longer than
// needed. A long-lived signer gets its own KeyObject through ed25519Signer instead.
function privateKeyObject(seed: Uint8Array): KeyObject {
  return nodeCrypto.createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, seed]), format: 'der', type: 'pkcs8' });
}

/** A plain Uint8Array view of a Buffer (Buffer#slice shares memory, unlike Uint8Array#slice). */
function plain(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

type HashFn = (algorithm: string, data: Uint8Array, outputEncoding: 'latin1') => string;
// crypto.hash (one-shot, Node ≥ 20.12) is the fastest path for short input, and asking it for a
// latin1 string then copying 32 code units is about twice as fast as its 'buffer' output on Node 20
// (measured by bench/crypto.ts), which matters for Merkle paths of 30 hashes per proof.
const oneShotHash = (nodeCrypto as unknown as { hash?: HashFn }).hash;

function sha256OneShot(data: Uint8Array): Uint8Array {
  const s = oneShotHash!('sha256', data, 'latin1');
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = s.charCodeAt(i);
  return out;
}

/** The node:crypto provider (OpenSSL). */
export const nodeCryptoProvider: CryptoProvider = {
  name: 'node',
  sha256: typeof oneShotHash === 'function' ? sha256OneShot : (data) => plain(nodeCrypto.createHash('sha256').update(data).digest()),
  ed25519Verify(signature, message, publicKey) {
    try {
      return nodeCrypto.verify(null, message, publicKeyObject(publicKey), signature);
    } catch {
      return false; // a key OpenSSL cannot decode
    }
  },
  ed25519Sign: (seed, message) => plain(nodeCrypto.sign(null, message, privateKeyObject(seed))),
  ed25519Signer(seed) {
    // Held by the returned closure only: it lives as long as the Signer that owns it.
    const key = privateKeyObject(seed);
    return (message) => plain(nodeCrypto.sign(null, message, key));
  },
  ed25519PublicKey(seed) {
    const spki = nodeCrypto.createPublicKey(privateKeyObject(seed)).export({ format: 'der', type: 'spki' });
    return plain(spki).slice(SPKI_PREFIX.length);
  },
  randomBytes: (n) => plain(nodeCrypto.randomBytes(n)),
};

/** Number of public KeyObjects currently cached (for tests and metrics). */
export function nodePublicKeyCacheSize(): number {
  return publicKeyCache.size;
}

/**
 * Make node:crypto the process-wide provider. Idempotent; runs when this module is first imported.
 */
export function installNodeCrypto(): void {
  if (getCryptoProvider() !== nodeCryptoProvider) setCryptoProvider(nodeCryptoProvider);
}

installNodeCrypto();

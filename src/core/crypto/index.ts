/**
 * Urbis cryptography: SHA-256 (FIPS 180-4) and Ed25519 (RFC 8032 §5.1, pure Ed25519) behind a
 * pluggable {@link CryptoProvider}.
 *
 * Spec: docs/protocol.md (Encoding) §4. Pure.
 *
 * The default provider is @noble/* (works in any JavaScript runtime). Node entry points import
 * src/platform/node.ts, which installs the faster node:crypto provider. Every call goes through the
 * wrappers below, which check input at the edge so providers never see malformed sizes, and which
 * apply the Urbis key rules (./ed25519-rules.ts) so that all providers agree.
 */
import { fail } from '../errors.js';
import type { CryptoProvider } from './provider.js';
import { nobleCryptoProvider } from './noble.js';
import { ed25519Precheck } from './ed25519-rules.js';

export type { CryptoProvider } from './provider.js';
export { nobleCryptoProvider } from './noble.js';
export { createWebCryptoProvider, type SubtleLike } from './webcrypto.js';
export { ed25519Precheck } from './ed25519-rules.js';

/** Ed25519 sizes in bytes. */
export const ED25519_SEED_LENGTH = 32;
export const ED25519_SIGNATURE_LENGTH = 64;
export const SHA256_LENGTH = 32;

let current: CryptoProvider = nobleCryptoProvider;

/**
 * Replace the cryptography implementation for the whole process (or page).
 * @throws UrbisError INTERNAL if `p` lacks one of the provider functions.
 */
export function setCryptoProvider(p: CryptoProvider): void {
  for (const f of ['sha256', 'ed25519Verify', 'ed25519Sign', 'ed25519PublicKey', 'randomBytes'] as const) {
    if (typeof p?.[f] !== 'function') fail('INTERNAL', `A crypto provider must implement ${f}().`);
  }
  current = p;
}

/** The provider in use. */
export function getCryptoProvider(): CryptoProvider {
  return current;
}

function checkBytes(v: unknown, what: string): asserts v is Uint8Array {
  // A programming fault rather than an input fault: wire input is decoded into bytes before here.
  if (!(v instanceof Uint8Array)) fail('INTERNAL', `${what} must be a Uint8Array.`);
}

/**
 * SHA-256 digest (32 bytes).
 * @throws UrbisError INTERNAL if `data` is not a Uint8Array.
 */
export function sha256(data: Uint8Array): Uint8Array {
  checkBytes(data, 'The data to hash');
  return current.sha256(data);
}

/**
 * Verify an Ed25519 signature under the Urbis rules: RFC 8032 §5.1.7 (cofactorless), S < L,
 * canonical public key encoding, public key not of small order.
 *
 * Attacker-controlled input: all three arguments may come from the network. Never throws; anything
 * malformed (wrong types, a 63-byte signature, a 31-byte key) simply does not verify.
 * @returns true iff the signature is valid.
 */
export function ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!ed25519Precheck(signature, message, publicKey)) return false;
  try {
    return current.ed25519Verify(signature, message, publicKey) === true;
  } catch {
    return false;
  }
}

/**
 * {@link ed25519Verify} through the provider's asynchronous path when it has one (WebCrypto in a
 * browser), otherwise its synchronous one. Same rules, same answers; never rejects.
 */
export async function ed25519VerifyAsync(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean> {
  if (!ed25519Precheck(signature, message, publicKey)) return false;
  const provider = current;
  try {
    if (provider.ed25519VerifyAsync) return (await provider.ed25519VerifyAsync(signature, message, publicKey)) === true;
    return provider.ed25519Verify(signature, message, publicKey) === true;
  } catch {
    return false;
  }
}

function checkSeed(seed: unknown): asserts seed is Uint8Array {
  if (!(seed instanceof Uint8Array) || seed.length !== ED25519_SEED_LENGTH) {
    fail('CRYPTO_KEY_INVALID', 'An Ed25519 secret key (seed) must be 32 bytes.');
  }
}

/**
 * Deterministic Ed25519 signature (RFC 8032 §5.1.6), 64 bytes R ‖ S.
 * @throws UrbisError CRYPTO_KEY_INVALID if `seed` is not 32 bytes; INTERNAL if `message` is not bytes.
 */
export function ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array {
  checkSeed(seed);
  checkBytes(message, 'The message to sign');
  return current.ed25519Sign(seed, message);
}

/**
 * A signing function bound to one seed: the same signatures as {@link ed25519Sign}, cheaper when
 * one key signs many messages (a validator, a bulk import).
 * @throws UrbisError CRYPTO_KEY_INVALID if `seed` is not 32 bytes.
 */
export function ed25519SignerFor(seed: Uint8Array): (message: Uint8Array) => Uint8Array {
  checkSeed(seed);
  const provider = current;
  const bound = provider.ed25519Signer?.(seed);
  return (message) => {
    checkBytes(message, 'The message to sign');
    return bound ? bound(message) : provider.ed25519Sign(seed, message);
  };
}

/**
 * Ed25519 public key (RFC 8032 §5.1.5) of a 32-byte seed.
 * @throws UrbisError CRYPTO_KEY_INVALID if `seed` is not 32 bytes.
 */
export function ed25519PublicKey(seed: Uint8Array): Uint8Array {
  checkSeed(seed);
  return current.ed25519PublicKey(seed);
}

/**
 * `n` cryptographically secure random bytes.
 * @throws UrbisError INTERNAL if `n` is not a non-negative safe integer.
 */
export function randomBytes(n: number): Uint8Array {
  if (!Number.isSafeInteger(n) || n < 0) fail('INTERNAL', 'randomBytes needs a non-negative integer length.');
  return current.randomBytes(n);
}

/** A fresh random 32-byte Ed25519 seed (secret key). */
export function generateSeed(): Uint8Array {
  return randomBytes(ED25519_SEED_LENGTH);
}

/**
 * The pluggable cryptography behind Urbis: SHA-256 (FIPS 180-4) and Ed25519 (RFC 8032 §5.1, pure
 * Ed25519, no context, no prehash).
 *
 * Spec: docs/protocol.md (Encoding) §4. Pure (an interface only).
 *
 * Two implementations exist and MUST agree bit for bit: the default one on @noble/* (browsers, and
 * anywhere else) and one on node:crypto / OpenSSL (src/platform/node.ts, about ten times faster).
 */

/**
 * A cryptography implementation. Callers never use a provider directly: they call the wrappers of
 * src/core/crypto/index.ts, which check lengths and apply the Urbis key rules first, so a provider
 * only ever sees well-sized input.
 *
 * Contract for `ed25519Verify`: RFC 8032 §5.1.7 in its cofactorless form, exactly what OpenSSL
 * computes: reject S ≥ L, decode A (reject points not on the curve), k = SHA-512(R ‖ A ‖ M) mod L,
 * accept iff the canonical encoding of [S]B − [k]A equals the 32 bytes R. Never throws.
 */
export interface CryptoProvider {
  /** A short name for logs and benchmarks, e.g. `noble` or `node`. */
  readonly name?: string;
  /** SHA-256 digest (32 bytes). */
  sha256(data: Uint8Array): Uint8Array;
  /** True iff `signature` (64 bytes) is a valid Ed25519 signature of `message` by `publicKey` (32 bytes). */
  ed25519Verify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean;
  /**
   * Optional asynchronous verification with the same contract, for platforms whose fast path is
   * asynchronous (WebCrypto `crypto.subtle.verify` in a browser). Never rejects.
   */
  ed25519VerifyAsync?(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): Promise<boolean>;
  /** Deterministic Ed25519 signature (64 bytes) of `message` with the 32-byte secret key `seed`. */
  ed25519Sign(seed: Uint8Array, message: Uint8Array): Uint8Array;
  /**
   * Optional: a signing function bound to one seed, for implementations where preparing a key is
   * costly (node:crypto builds a KeyObject). The key lives as long as the returned function.
   */
  ed25519Signer?(seed: Uint8Array): (message: Uint8Array) => Uint8Array;
  /** Ed25519 public key (32 bytes) of the 32-byte secret key `seed`. */
  ed25519PublicKey(seed: Uint8Array): Uint8Array;
  /** `n` bytes from a cryptographically secure generator. */
  randomBytes(n: number): Uint8Array;
}

/**
 * The Urbis key file format, pure: constants, the JSON document, its structural check and the
 * AES-GCM additional data. Shared by the Node key files (./keyfile.ts) and the web app, which reads a
 * key file inside the browser (web/src/lib/keyfile.ts).
 *
 * Spec: docs/protocol.md (Encoding) §5. No `node:` imports.
 */
import { fail } from '../core/errors.js';
import { canonicalBytes } from '../core/encoding/canonical-json.js';
import { fromBase64url } from '../core/encoding/bytes.js';
import { multikeyToPublicKey } from '../core/encoding/multikey.js';

/** Value of the `type` member of every key file. */
export const KEYFILE_TYPE = 'urbis-ed25519-key';
/** Current key file format version. */
export const KEYFILE_VERSION = 1;

/** scrypt cost used for new files (RFC 7914 §2 parameters N, r, p): ~32 MiB, ~0.1 s. */
export const KEYFILE_SCRYPT = { N: 32768, r: 8, p: 1 } as const;

/** Largest key file read (a real one is < 1 KiB). */
export const MAX_FILE_SIZE = 64 * 1024;
/** Largest scrypt memory a file may ask for (128·N·r bytes); bounds what a crafted file costs us. */
export const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

/** The `encrypted` member of an encrypted key file. */
export interface KeyFileEncryption {
  kdf: 'scrypt';
  N: number;
  r: number;
  p: number;
  salt: string;
  cipher: 'aes-256-gcm';
  iv: string;
  ciphertext: string;
  tag: string;
}

/** The JSON document stored in a key file: exactly one of `seed` or `encrypted`. */
export interface KeyFileDocument {
  type: typeof KEYFILE_TYPE;
  version: typeof KEYFILE_VERSION;
  /** Multikey of the public key, always in clear so `urbis key show` needs no passphrase. */
  publicKey: string;
  /** base64url of the 32-byte seed (plain files only). */
  seed?: string;
  encrypted?: KeyFileEncryption;
}

/** A decoded signing key. */
export interface SigningKey {
  /** 32-byte Ed25519 secret key (RFC 8032 §5.1.5 "private key"). */
  seed: Uint8Array;
  /** 32-byte Ed25519 public key. */
  publicKey: Uint8Array;
}

/**
 * The GCM additional data: canonical JSON of the clear header. Binding the public key means a file
 * whose clear `publicKey` was swapped for another fails to decrypt instead of showing a wrong key.
 */
export function aad(publicKey: string): Uint8Array {
  return canonicalBytes({ type: KEYFILE_TYPE, version: KEYFILE_VERSION, publicKey });
}

export function invalid(message: string): never {
  return fail('KEYFILE_INVALID', message);
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function b64(v: unknown, name: string, length?: number): Uint8Array {
  if (typeof v !== 'string') invalid(`The key file member ${name} must be a base64url string.`);
  let b: Uint8Array;
  try {
    b = fromBase64url(v);
  } catch {
    return invalid(`The key file member ${name} is not valid base64url.`);
  }
  if (length !== undefined && b.length !== length) invalid(`The key file member ${name} must hold ${length} bytes.`);
  return b;
}

function checkKeys(o: Record<string, unknown>, allowed: readonly string[], where: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) invalid(`Unknown member "${k}" in ${where}.`);
}

/**
 * Parse and structurally check a key file's text (does not decrypt).
 * @throws UrbisError KEYFILE_INVALID if it is not a version-1 Urbis key file.
 */
export function parseKeyFile(text: string): KeyFileDocument & { publicKeyBytes: Uint8Array } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return invalid('The key file is not JSON.');
  }
  if (!isRecord(doc)) invalid('The key file must hold a JSON object.');
  if (doc.type !== KEYFILE_TYPE) invalid(`The key file type must be "${KEYFILE_TYPE}".`);
  if (doc.version !== KEYFILE_VERSION) invalid(`Unsupported key file version (expected ${KEYFILE_VERSION}).`);
  checkKeys(doc, ['type', 'version', 'publicKey', 'seed', 'encrypted'], 'the key file');
  if (typeof doc.publicKey !== 'string') invalid('The key file has no publicKey.');
  let publicKeyBytes: Uint8Array;
  try {
    publicKeyBytes = multikeyToPublicKey(doc.publicKey);
  } catch {
    return invalid('The key file publicKey is not an Ed25519 Multikey.');
  }
  if ((doc.seed === undefined) === (doc.encrypted === undefined)) invalid('A key file has exactly one of "seed" and "encrypted".');
  if (doc.seed !== undefined) b64(doc.seed, 'seed', 32);
  if (doc.encrypted !== undefined) {
    const e = doc.encrypted;
    if (!isRecord(e)) invalid('The key file member "encrypted" must be an object.');
    checkKeys(e, ['kdf', 'N', 'r', 'p', 'salt', 'cipher', 'iv', 'ciphertext', 'tag'], '"encrypted"');
    if (e.kdf !== 'scrypt') invalid('Unsupported key derivation (expected "scrypt").');
    if (e.cipher !== 'aes-256-gcm') invalid('Unsupported cipher (expected "aes-256-gcm").');
    const { N, r, p } = e;
    if (typeof N !== 'number' || !Number.isSafeInteger(N) || N < 2 || (N & (N - 1)) !== 0) invalid('scrypt N must be a power of two.');
    if (typeof r !== 'number' || !Number.isSafeInteger(r) || r < 1 || r > 64) invalid('scrypt r must be an integer from 1 to 64.');
    if (typeof p !== 'number' || !Number.isSafeInteger(p) || p < 1 || p > 16) invalid('scrypt p must be an integer from 1 to 16.');
    if (128 * N * r > MAX_SCRYPT_MEMORY) invalid('The scrypt parameters ask for more than 256 MiB.');
    const salt = b64(e.salt, 'salt');
    if (salt.length < 16) invalid('The scrypt salt must be at least 16 bytes.');
    b64(e.iv, 'iv', 12);
    b64(e.ciphertext, 'ciphertext', 32);
    b64(e.tag, 'tag', 16);
  }
  return { ...(doc as unknown as KeyFileDocument), publicKeyBytes };
}

/**
 * Urbis key files: one Ed25519 secret key (seed) per JSON file, optionally encrypted with a
 * passphrase (scrypt, RFC 7914 → AES-256-GCM, NIST SP 800-38D), and loading a signing key from a
 * file or the environment.
 *
 * Spec: docs/protocol.md (Encoding) §5. Node only (file system, node:crypto).
 *
 * Secrets (seed, passphrase) never appear in error messages, error details or logs, and are never
 * taken from the command line, where other users can read them in the process list.
 */
import { createCipheriv, createDecipheriv, scrypt as scryptCb, type ScryptOptions } from 'node:crypto';
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fail, isUrbisError, UrbisError } from '../core/errors.js';
import { canonicalBytes } from '../core/encoding/canonical-json.js';
import { bytesEqual, fromBase64url, toBase64url } from '../core/encoding/bytes.js';
import { multikeyToPublicKey, publicKeyToMultikey } from '../core/encoding/multikey.js';
import { ed25519PublicKey, randomBytes } from '../core/crypto/index.js';

/** Value of the `type` member of every key file. */
export const KEYFILE_TYPE = 'urbis-ed25519-key';
/** Current key file format version. */
export const KEYFILE_VERSION = 1;

/** scrypt cost used for new files (RFC 7914 §2 parameters N, r, p): ~32 MiB, ~0.1 s. */
export const KEYFILE_SCRYPT = { N: 32768, r: 8, p: 1 } as const;

/** Largest key file read (a real one is < 1 KiB). */
const MAX_FILE_SIZE = 64 * 1024;
/** Largest scrypt memory a file may ask for (128·N·r bytes); bounds what a crafted file costs us. */
const MAX_SCRYPT_MEMORY = 256 * 1024 * 1024;

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

function scrypt(passphrase: string, salt: Uint8Array, N: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N, r, p, maxmem: 2 * 128 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCb(passphrase.normalize('NFC'), salt, 32, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
}

/**
 * The GCM additional data: canonical JSON of the clear header. Binding the public key means a file
 * whose clear `publicKey` was swapped for another fails to decrypt instead of showing a wrong key.
 */
function aad(publicKey: string): Uint8Array {
  return canonicalBytes({ type: KEYFILE_TYPE, version: KEYFILE_VERSION, publicKey });
}

function checkSeed(seed: Uint8Array): void {
  if (!(seed instanceof Uint8Array) || seed.length !== 32) fail('CRYPTO_KEY_INVALID', 'An Ed25519 seed must be 32 bytes.');
}

function checkPassphrase(passphrase: string): void {
  if (typeof passphrase !== 'string' || passphrase.length === 0) fail('KEYFILE_PASSPHRASE', 'The passphrase is empty.');
}

/**
 * The key file JSON text (with a final newline) for a seed, encrypted if a passphrase is given.
 * @throws UrbisError CRYPTO_KEY_INVALID if the seed is not 32 bytes; KEYFILE_PASSPHRASE if the
 *   passphrase is the empty string.
 */
export async function encodeKeyFile(seed: Uint8Array, opts: { passphrase?: string } = {}): Promise<string> {
  checkSeed(seed);
  const publicKey = publicKeyToMultikey(ed25519PublicKey(seed));
  const doc: KeyFileDocument = { type: KEYFILE_TYPE, version: KEYFILE_VERSION, publicKey };
  if (opts.passphrase === undefined) {
    doc.seed = toBase64url(seed);
  } else {
    checkPassphrase(opts.passphrase);
    const { N, r, p } = KEYFILE_SCRYPT;
    const salt = randomBytes(16);
    const iv = randomBytes(12);
    const key = await scrypt(opts.passphrase, salt, N, r, p);
    const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: 16 });
    cipher.setAAD(aad(publicKey));
    const ciphertext = Buffer.concat([cipher.update(seed), cipher.final()]);
    key.fill(0);
    doc.encrypted = {
      kdf: 'scrypt',
      N,
      r,
      p,
      salt: toBase64url(salt),
      cipher: 'aes-256-gcm',
      iv: toBase64url(iv),
      ciphertext: toBase64url(ciphertext),
      tag: toBase64url(cipher.getAuthTag()),
    };
  }
  return JSON.stringify(doc, null, 2) + '\n';
}

function invalid(message: string): never {
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

/**
 * Decode a key file's text into the signing key, decrypting it if needed.
 * @throws UrbisError KEYFILE_INVALID if malformed or if the public key does not match the seed;
 *   KEYFILE_PASSPHRASE if encrypted and the passphrase is missing, or wrong (or the file was
 *   altered: AES-GCM cannot tell the two apart).
 */
export async function decodeKeyFile(text: string, opts: { passphrase?: string } = {}): Promise<SigningKey> {
  const doc = parseKeyFile(text);
  let seed: Uint8Array;
  if (doc.seed !== undefined) {
    seed = fromBase64url(doc.seed);
  } else {
    const e = doc.encrypted!;
    if (opts.passphrase === undefined || opts.passphrase === '') {
      fail('KEYFILE_PASSPHRASE', 'The key file is encrypted: set URBIS_KEY_PASSPHRASE or URBIS_KEY_PASSPHRASE_FILE.');
    }
    const key = await scrypt(opts.passphrase, fromBase64url(e.salt), e.N, e.r, e.p);
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, fromBase64url(e.iv), { authTagLength: 16 });
      decipher.setAAD(aad(doc.publicKey));
      decipher.setAuthTag(fromBase64url(e.tag));
      seed = new Uint8Array(Buffer.concat([decipher.update(fromBase64url(e.ciphertext)), decipher.final()]));
    } catch {
      return fail('KEYFILE_PASSPHRASE', 'The passphrase is wrong, or the key file was altered.');
    } finally {
      key.fill(0);
    }
  }
  const publicKey = ed25519PublicKey(seed);
  if (!bytesEqual(publicKey, doc.publicKeyBytes)) invalid('The key file publicKey does not match its secret key.');
  return { seed, publicKey };
}

function ioError(e: unknown, path: string): never {
  if (isUrbisError(e)) throw e;
  const code = (e as { code?: unknown })?.code;
  throw new UrbisError('KEYFILE_INVALID', `Cannot read the key file ${path}${typeof code === 'string' ? ` (${code})` : ''}.`, { path }, { cause: e });
}

/**
 * Create a key file. Refuses to replace an existing file (O_EXCL), creates it with mode 0600 and the
 * missing parent directories with mode 0700, and syncs it to disk before returning. A file left
 * half-written by a failure is removed.
 * @param opts.passphrase - encrypt the seed (scrypt N=32768, r=8, p=1; AES-256-GCM).
 * @param opts.overwrite - only `false` is accepted: key files are never overwritten.
 * @throws UrbisError KEYFILE_EXISTS if the path exists; CRYPTO_KEY_INVALID if the seed is not 32
 *   bytes; KEYFILE_PASSPHRASE for an empty passphrase; KEYFILE_INVALID for other I/O failures.
 */
export async function writeKeyFile(path: string, seed: Uint8Array, opts: { passphrase?: string; overwrite?: false } = {}): Promise<void> {
  const text = await encodeKeyFile(seed, opts.passphrase === undefined ? {} : { passphrase: opts.passphrase });
  const dir = dirname(path);
  await mkdir(dir, { recursive: true, mode: 0o700 });
  let fh;
  try {
    fh = await open(path, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL, 0o600);
  } catch (e) {
    if ((e as { code?: unknown })?.code === 'EEXIST') fail('KEYFILE_EXISTS', `A file already exists at ${path}; key files are never overwritten.`, { path });
    throw new UrbisError('KEYFILE_INVALID', `Cannot create the key file ${path}.`, { path }, { cause: e });
  }
  try {
    // The umask can only remove bits, but be explicit in case the file system ignored the mode.
    await fh.chmod(0o600);
    await fh.writeFile(text, 'utf8');
    await fh.sync();
    await fh.close();
  } catch (e) {
    await fh.close().catch(() => undefined);
    await unlink(path).catch(() => undefined);
    throw new UrbisError('KEYFILE_INVALID', `Cannot write the key file ${path}.`, { path }, { cause: e });
  }
  // Make the new directory entry durable too; not every platform lets a directory be fsynced.
  try {
    const d = await open(dir, 'r');
    await d.sync().finally(() => d.close());
  } catch {
    /* best effort */
  }
}

/**
 * Read and decode a key file, refusing one that group or others may access.
 * @param opts.passphrase - needed if the file is encrypted.
 * @param opts.allowInsecure - skip the permission check (tests, or file systems without modes).
 * @throws UrbisError KEYFILE_PERMISSIONS if the mode grants group/other any access;
 *   KEYFILE_PASSPHRASE, KEYFILE_INVALID as {@link decodeKeyFile}; KEYFILE_INVALID if unreadable.
 */
export async function readKeyFile(path: string, opts: { passphrase?: string; allowInsecure?: boolean } = {}): Promise<SigningKey> {
  let text: string;
  let fh;
  try {
    fh = await open(path, 'r');
  } catch (e) {
    return ioError(e, path);
  }
  try {
    // fstat on the open handle: the file checked is the file read.
    const st = await fh.stat();
    if (!st.isFile()) invalid(`${path} is not a regular file.`);
    if (!opts.allowInsecure && process.platform !== 'win32' && (st.mode & 0o077) !== 0) {
      fail('KEYFILE_PERMISSIONS', `The key file ${path} has mode ${(st.mode & 0o777).toString(8).padStart(4, '0')}; run chmod 600 on it.`, {
        path,
        mode: (st.mode & 0o777).toString(8).padStart(4, '0'),
      });
    }
    if (st.size > MAX_FILE_SIZE) invalid(`${path} is too large to be a key file.`);
    text = await fh.readFile('utf8');
  } catch (e) {
    return ioError(e, path);
  } finally {
    await fh.close().catch(() => undefined);
  }
  return decodeKeyFile(text, opts.passphrase === undefined ? {} : { passphrase: opts.passphrase });
}

/**
 * The public key of a key file, without the passphrase and without the permission check.
 * @throws UrbisError KEYFILE_INVALID if the file is unreadable or malformed.
 */
export async function readPublicKeyFromFile(path: string): Promise<Uint8Array> {
  let text: string;
  try {
    const fh = await open(path, 'r');
    try {
      const st = await fh.stat();
      if (!st.isFile() || st.size > MAX_FILE_SIZE) invalid(`${path} is not a key file.`);
      text = await fh.readFile('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    return ioError(e, path);
  }
  return parseKeyFile(text).publicKeyBytes;
}

async function passphraseFromEnv(env: NodeJS.ProcessEnv): Promise<string | undefined> {
  const file = env.URBIS_KEY_PASSPHRASE_FILE;
  if (file !== undefined && file !== '') {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      throw new UrbisError('KEYFILE_PASSPHRASE', `Cannot read the passphrase file ${file}.`, { path: file }, { cause: e });
    }
    // Editors and `echo` add a final newline that is not part of the passphrase.
    return text.replace(/\r?\n$/, '');
  }
  const v = env.URBIS_KEY_PASSPHRASE;
  return v === undefined || v === '' ? undefined : v;
}

/**
 * The signing key of a command or node, from (first match wins):
 * 1. `opts.file`, a key file path (from a `--key` option);
 * 2. `URBIS_KEY_FILE`, a key file path;
 * 3. `URBIS_KEY`, the base64url seed itself.
 * The passphrase of an encrypted file comes from the file named by `URBIS_KEY_PASSPHRASE_FILE`, or
 * else from `URBIS_KEY_PASSPHRASE`. Never from the command line.
 * @param opts.env - the environment (default `process.env`).
 * @throws UrbisError CLI_USAGE if no key is configured; CRYPTO_KEY_INVALID if `URBIS_KEY` is not a
 *   base64url 32-byte seed; the errors of {@link readKeyFile}.
 */
export async function loadSigningKey(opts: { file?: string; env?: NodeJS.ProcessEnv } = {}): Promise<SigningKey> {
  const env = opts.env ?? process.env;
  const file = opts.file ?? (env.URBIS_KEY_FILE === '' ? undefined : env.URBIS_KEY_FILE);
  if (file !== undefined) {
    const passphrase = await passphraseFromEnv(env);
    return readKeyFile(file, passphrase === undefined ? {} : { passphrase });
  }
  const raw = env.URBIS_KEY;
  if (raw !== undefined && raw !== '') {
    let seed: Uint8Array;
    try {
      seed = fromBase64url(raw.trim());
    } catch {
      return fail('CRYPTO_KEY_INVALID', 'URBIS_KEY must be the base64url encoding of a 32-byte Ed25519 seed.');
    }
    if (seed.length !== 32) fail('CRYPTO_KEY_INVALID', 'URBIS_KEY must be the base64url encoding of a 32-byte Ed25519 seed.');
    return { seed, publicKey: ed25519PublicKey(seed) };
  }
  return fail('CLI_USAGE', 'No signing key: give a key file (--key FILE or URBIS_KEY_FILE) or set URBIS_KEY.');
}

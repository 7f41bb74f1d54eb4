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
import { bytesEqual, fromBase64url, toBase64url } from '../core/encoding/bytes.js';
import { publicKeyToMultikey } from '../core/encoding/multikey.js';
import { ed25519PublicKey, randomBytes } from '../core/crypto/index.js';
import {
  KEYFILE_SCRYPT,
  KEYFILE_TYPE,
  KEYFILE_VERSION,
  MAX_FILE_SIZE,
  aad,
  invalid,
  parseKeyFile,
  type KeyFileDocument,
  type SigningKey,
} from './keyfile-format.js';

export {
  KEYFILE_SCRYPT,
  KEYFILE_TYPE,
  KEYFILE_VERSION,
  parseKeyFile,
  type KeyFileDocument,
  type KeyFileEncryption,
  type SigningKey,
} from './keyfile-format.js';

function scrypt(passphrase: string, salt: Uint8Array, N: number, r: number, p: number): Promise<Buffer> {
  const options: ScryptOptions = { N, r, p, maxmem: 2 * 128 * N * r + 1024 * 1024 };
  return new Promise((resolve, reject) => {
    scryptCb(passphrase.normalize('NFC'), salt, 32, options, (err, key) => (err ? reject(err) : resolve(key)));
  });
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

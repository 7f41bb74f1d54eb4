/**
 * The local side of a command: the data directory (`--dir`, URBIS_DIR) and the signing key, from a
 * file or the environment only; passphrases come from the environment only (src/keys/keyfile.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { UrbisError } from '../core/errors.js';
import { signerFromSeed, type Signer } from '../core/ledger/tx.js';
import { loadSigningKey } from '../keys/keyfile.js';
import { openDataDir, paths, type OpenDir } from '../node/data-dir.js';

import type { CommonOpts } from './options.js';
import { usage } from './failure.js';

/** Data directory from --dir, URBIS_DIR, or ./.urbis. */
export function resolveDir(o: CommonOpts): string {
  const d = o.dir ?? (process.env.URBIS_DIR || undefined) ?? './.urbis';
  return resolve(d);
}

/** Passphrase for encrypted keys, from the environment only (same variables as loadSigningKey). */
export function passphraseFromEnv(): string | undefined {
  const file = process.env.URBIS_KEY_PASSPHRASE_FILE;
  if (file) {
    try {
      return readFileSync(file, 'utf8').replace(/\r?\n$/, '');
    } catch (e) {
      throw new UrbisError('KEYFILE_PASSPHRASE', `Cannot read the passphrase file ${file}.`, { path: file }, { cause: e });
    }
  }
  return process.env.URBIS_KEY_PASSPHRASE || undefined;
}

/** Opens the data directory; read-only commands skip the validator key. Close it in `finally`. */
export async function openDir(o: CommonOpts, readOnly: boolean): Promise<OpenDir> {
  const pass = readOnly ? undefined : passphraseFromEnv();
  return openDataDir(resolveDir(o), { readOnly, ...(pass === undefined ? {} : { passphrase: pass }) });
}

/** Runs `fn` with an open data directory, closing it whatever happens. */
export async function withDir<T>(o: CommonOpts, readOnly: boolean, fn: (d: OpenDir) => Promise<T> | T): Promise<T> {
  const d = await openDir(o, readOnly);
  try {
    return await fn(d);
  } finally {
    d.close();
  }
}

/**
 * The signing keys: every --key file (repeatable), else URBIS_KEY_FILE / URBIS_KEY, else
 * `<dir>/keys/root.key` if it exists (single-node convenience). With `--out` (building a
 * transaction for others to sign) only the --key files sign, possibly none.
 *
 * @throws UrbisError CLI_USAGE when no key is configured or one key is given twice; KEYFILE_* from
 *   reading them.
 */
export async function loadSigners(o: CommonOpts): Promise<Signer[]> {
  // A command may declare its own single `--key <file>` (a string) rather than the repeatable one.
  const k = o.key as string[] | string | undefined;
  const files = typeof k === 'string' ? [k] : (k ?? []);
  if (files.length === 0) {
    if (o.out !== undefined) return [];
    let file: string | undefined;
    if (!process.env.URBIS_KEY_FILE && !process.env.URBIS_KEY) {
      const def = paths(resolveDir(o)).rootKey;
      if (!existsSync(def)) usage(`no signing key: give --key FILE, or set URBIS_KEY_FILE or URBIS_KEY (${def} does not exist)`);
      file = def;
    }
    const k = await loadSigningKey(file === undefined ? {} : { file });
    return [signerFromSeed(k.seed)];
  }
  const signers: Signer[] = [];
  for (const file of files) {
    const s = signerFromSeed((await loadSigningKey({ file })).seed);
    if (signers.some((x) => x.id === s.id)) usage(`--key ${file} is the same key as an earlier --key (${s.id})`);
    signers.push(s);
  }
  return signers;
}

/**
 * The one key of a command that acts as a single party (a signed HTTP request, a gateway's
 * receipts): as {@link loadSigners}, refusing more than one key.
 */
export async function loadSigner(o: CommonOpts): Promise<Signer> {
  const signers = await loadSigners({ ...o, out: undefined });
  if (signers.length !== 1) usage('this command signs as one party: give --key once');
  return signers[0]!;
}

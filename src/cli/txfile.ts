/**
 * Transaction files for offline multi-signature (docs/cli.md "Multi-signature"): a transaction is
 * built on one machine (`--out`, `urbis tx build`), signed on others (`urbis tx sign`), merged
 * (`urbis tx combine`), inspected (`urbis tx show`) and submitted (`urbis tx submit`). The file is
 * the transaction itself, `{ "body": …, "sigs": […] }`, exactly as `POST /v1/tx` takes it.
 *
 * A file is untrusted input: it is parsed by the ledger's own parser and every signature on it is
 * verified before anything is added to it or shown as signed.
 */
import { closeSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { UrbisError } from '../core/errors.js';
import { parseContext } from '../core/ledger/apply.js';
import { parseTx } from '../core/ledger/schema.js';
import { txHash, verifyTxSignatures } from '../core/ledger/tx.js';
import { DEFAULT_PARAMS, type Tx } from '../core/ledger/types.js';
import { usage } from './failure.js';

/** Largest transaction file read (the default maxTxBytes is far below). */
const MAX_FILE_BYTES = 8 * 1024 * 1024;

/** A transaction read from a file, with its hash and the keys whose signatures verify. */
export interface TxFile {
  file: string;
  tx: Tx;
  hash: string;
  signed: string[];
}

/**
 * Reads, parses and checks a transaction file.
 *
 * @throws UrbisError CLI_USAGE (unreadable, too large, not JSON), TX_* from the ledger's parser,
 *   TX_SIGNATURE_INVALID naming a signature that does not verify.
 */
export function readTxFile(file: string): TxFile {
  let text: string;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) usage(`${file} is larger than ${MAX_FILE_BYTES} bytes: not a transaction file`);
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof UrbisError) throw e;
    throw new UrbisError('CLI_USAGE', `cannot read the transaction file ${file}`, { path: file }, { cause: e });
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new UrbisError('TX_MALFORMED', `${file} is not JSON`, { path: file }, { cause: e });
  }
  let tx: Tx;
  try {
    tx = parseTx(raw, parseContext(DEFAULT_PARAMS));
  } catch (e) {
    if (e instanceof UrbisError) throw new UrbisError(e.code, `${file}: ${e.message}`, { ...e.details, path: file }, { cause: e });
    throw e;
  }
  const hash = txHash(tx.body);
  const seen = new Set<string>();
  for (const s of tx.sigs) {
    if (seen.has(s.key)) throw new UrbisError('TX_MALFORMED', `${file}: ${s.key} signed twice`, { path: file, key: s.key });
    seen.add(s.key);
  }
  const signed = [...verifyTxSignatures(tx, hash)];
  return { file, tx, hash, signed };
}

/**
 * Writes a transaction file atomically (a temporary file renamed over the target), mode 0644: it
 * holds public keys and signatures only.
 *
 * @param overwrite - false: refuse an existing file (CLI_USAGE)
 */
export function writeTxFile(file: string, tx: Tx, overwrite: boolean): void {
  let exists = true;
  try {
    statSync(file);
  } catch {
    exists = false;
  }
  if (exists && !overwrite) usage(`${file} exists; choose another --out`);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'wx', 0o644);
  try {
    writeSync(fd, `${JSON.stringify(tx, null, 2)}\n`);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

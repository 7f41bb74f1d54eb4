/**
 * The CLI's one error convention (docs/cli.md "Exit codes"): typed failures, their exit codes, and
 * the stderr line (plus the --json error document) every command prints.
 */
import { UrbisError, isUrbisError } from '../core/errors.js';

import { writeJson } from './output.js';

/** Exit codes of the CLI (docs/cli.md "Exit codes"). */
export const EXIT = {
  OK: 0,
  INTERNAL: 1,
  USAGE: 2,
  NOT_FOUND: 3,
  REJECTED: 4,
  VERIFY: 5,
  BUSY: 6,
  /** `urbis code verify`: the code was checked and is not VALID (REVOKED, FORGED, ALTERED, EXPIRED, STALE). */
  NOT_VALID: 7,
} as const;

const VERIFY_CODES = new Set<string>([
  'PROOF_INVALID',
  'PROOF_MALFORMED',
  'CERT_INVALID',
  'CHAIN_FAULT',
  'BLOCK_INVALID',
  'STORE_CORRUPT',
  'CRYPTO_SIGNATURE_INVALID',
  'CLIENT_STALE',
  'CLIENT_ROLLBACK',
  'CLIENT_FORK',
  'BUNDLE_INVALID',
  'CHAIN_FORKED',
  'CHAIN_INCONSISTENT',
  'NOTE_INVALID',
  'WITNESS_POLICY',
]);
// The CLIENT_* and HTTP ones only arise with --node: an unreachable or overloaded node is worth retrying.
const BUSY_CODES = new Set<string>([
  'STORE_LOCKED',
  'NODE_BUSY',
  'NODE_NOT_READY',
  'NODE_DIVERGED',
  'STORE_UNAVAILABLE',
  'HTTP_RATE_LIMITED',
  'CLIENT_HTTP',
  'CLIENT_TIMEOUT',
]);

/**
 * A failure with a chosen exit code. `stdoutDone` means the command already printed its own
 * document on stdout (e.g. a verified absence), so only the stderr line is added.
 */
export class CliFailure extends Error {
  constructor(
    readonly error: UrbisError,
    readonly exitCode: number,
    readonly stdoutDone = false,
  ) {
    super(error.message);
    this.name = 'CliFailure';
  }
}

/** Exit code for an error that was not committed to the ledger (see {@link CliFailure} for those). */
export function exitCodeFor(code: string): number {
  if (code === 'INTERNAL') return EXIT.INTERNAL;
  if (code.endsWith('_NOT_FOUND') || code === 'STORE_NOT_INITIALIZED') return EXIT.NOT_FOUND;
  if (VERIFY_CODES.has(code)) return EXIT.VERIFY;
  if (BUSY_CODES.has(code)) return EXIT.BUSY;
  // Refused at admission for want of authority: the ledger's rule, enforced before ordering.
  if (code.startsWith('AUTH_')) return EXIT.REJECTED;
  // Everything else raised before a transaction reached a block is a fault of the input.
  return EXIT.USAGE;
}

/** Throws CLI_USAGE. */
export function usage(message: string, details?: Record<string, unknown>): never {
  throw new UrbisError('CLI_USAGE', message, details);
}

/** Writes the error line (and, with --json, the error document) and returns the exit code. */
export function reportError(e: unknown, json: boolean): number {
  let err: UrbisError;
  let exit: number;
  let stdoutDone = false;
  if (e instanceof CliFailure) {
    err = e.error;
    exit = e.exitCode;
    stdoutDone = e.stdoutDone;
  } else if (isUrbisError(e)) {
    err = e;
    exit = exitCodeFor(e.code);
  } else {
    const message = e instanceof Error ? e.message : String(e);
    err = new UrbisError('INTERNAL', message, undefined, { cause: e });
    exit = EXIT.INTERNAL;
    if (process.env.URBIS_DEBUG && e instanceof Error && e.stack) process.stderr.write(`${e.stack}\n`);
  }
  process.stderr.write(`urbis: ${err.code}: ${oneLine(err.message)}\n`);
  if (json && !stdoutDone) {
    writeJson({ error: { code: err.code, message: err.message, details: err.details ?? {} } });
  }
  return exit;
}

function oneLine(s: string): string {
  return s.replace(/\s*\n\s*/g, ' ').trim();
}

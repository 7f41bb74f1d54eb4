/**
 * What the explorer tells a person about an answer: pure functions from inputs, SDK results and SDK
 * errors to the states the pages show. The verified badge is derived here from the SDK's verified
 * result only, never from anything the node says about itself.
 */
import { UrbisError, isUrbisError } from '../../../src/core/errors.js';
import { parseIdentifier, type Identifier } from '../../../src/core/ids/index.js';

/** A search-box input, understood. */
export type ParsedInput =
  | { ok: true; ident: Identifier; text: string; isNamespace: boolean }
  | { ok: false; kind: 'empty' | 'typo' | 'malformed'; code: string; message: string; position: number | null; input: string };

/**
 * Reads whatever a person typed or scanned: an identifier in text form, a DID, a label URL (any
 * host), or a path `/id/…`. Surrounding spaces and a trailing slash are ignored.
 */
export function parseInput(raw: string): ParsedInput {
  let input = raw.trim();
  if (input.startsWith('/id/')) input = input.slice(4);
  if (input.length > 1 && input.endsWith('/') && !input.endsWith('//')) input = input.slice(0, -1);
  if (input === '') return { ok: false, kind: 'empty', code: 'ID_EMPTY', message: 'Type an identifier, a DID or a label URL.', position: null, input };
  try {
    const ident = parseIdentifier(input);
    return { ok: true, ident, text: ident.text, isNamespace: ident.local === null };
  } catch (e) {
    const err = isUrbisError(e) ? e : new UrbisError('ID_CHAR_INVALID', String(e));
    const pos = typeof err.details?.position === 'number' ? err.details.position : null;
    return { ok: false, kind: err.code === 'ID_CHECK_MISMATCH' ? 'typo' : 'malformed', code: err.code, message: err.message, position: pos, input };
  }
}

/** Why a read failed, as a person should see it. */
export type Failure =
  | { kind: 'not-verified'; code: string; reason: string }
  | { kind: 'unreachable'; code: string; reason: string }
  | { kind: 'stale'; code: string; reason: string }
  | { kind: 'refused'; code: string; reason: string };

const NOT_VERIFIED = new Set([
  'CLIENT_FORK',
  'PROOF_INVALID',
  'PROOF_MALFORMED',
  'CERT_INVALID',
  'TX_CHAIN_MISMATCH',
  'MERKLE_INPUT_INVALID',
  'ENC_JSON_INVALID',
]);
const UNREACHABLE = new Set(['CLIENT_HTTP', 'CLIENT_TIMEOUT', 'NODE_NOT_READY', 'NODE_BUSY', 'STORE_UNAVAILABLE', 'NODE_DIVERGED', 'HTTP_RATE_LIMITED']);

/** Classifies an error thrown by the SDK. */
export function classifyFailure(e: unknown): Failure {
  if (!isUrbisError(e)) return { kind: 'unreachable', code: 'CLIENT_HTTP', reason: e instanceof Error ? e.message : String(e) };
  if (NOT_VERIFIED.has(e.code)) return { kind: 'not-verified', code: e.code, reason: e.message };
  // Older than the limit, or older than a header already verified: a node behind (or replaying).
  if (e.code === 'CLIENT_STALE' || e.code === 'CLIENT_ROLLBACK') return { kind: 'stale', code: e.code, reason: e.message };
  // A CLIENT_HTTP that carries a node code we do not know is still the node refusing, not a network failure.
  if (UNREACHABLE.has(e.code) && !(e.code === 'CLIENT_HTTP' && typeof e.details?.httpStatus === 'number' && e.details.httpStatus < 500)) {
    return { kind: 'unreachable', code: e.code, reason: e.message };
  }
  return { kind: 'refused', code: e.code, reason: e.message };
}

/** Headline and explanation of a failure. */
export function failureText(f: Failure): { title: string; help: string } {
  switch (f.kind) {
    case 'not-verified':
      return {
        title: 'Not verified',
        help: 'The answer does not match its proof or its certificate under your trust anchor. Do not rely on it: the node, or something between you and the node, changed it.',
      };
    case 'stale':
      return { title: 'Node behind', help: 'The answer is correctly signed but older than you accept: this node has not caught up with the network.' };
    case 'unreachable':
      return { title: 'Node unreachable or not ready', help: 'No usable answer came back. Try again in a moment, or ask another node of the network.' };
    case 'refused':
      return { title: 'Refused', help: 'The node refused the request.' };
  }
}

/** The status banner of a verified identifier or namespace. */
export function statusText(status: string, nsSuspended: boolean): { tone: 'ok' | 'warn' | 'bad'; title: string; help: string } {
  if (status === 'deactivated')
    return {
      tone: 'bad',
      title: 'Deactivated',
      help: 'This identifier was deactivated by its controllers. It is kept for the record and will never be reused.',
    };
  if (status === 'suspended' || nsSuspended)
    return {
      tone: 'warn',
      title: 'Suspended',
      help: nsSuspended
        ? 'Its namespace (or a parent namespace) is suspended: no changes are accepted until it is reinstated.'
        : 'This entry is suspended: no changes are accepted until it is reinstated.',
    };
  return { tone: 'ok', title: 'Active', help: '' };
}

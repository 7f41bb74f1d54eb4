/**
 * Urbis identifiers: grammar, text form, construction and namespace helpers.
 *
 * Spec: docs/protocol.md (Identifiers). The scanner is a single left-to-right pass over char codes with
 * table lookups (no regular expressions, no backtracking): it validates the grammar, upper-cases,
 * and runs the MOD 37,36 check in the same pass, because a resolve parses one identifier per
 * request. Input here is attacker-controlled (labels, URLs, API paths): every fault becomes an
 * UrbisError whose details.position is a 0-based index into the caller's string.
 */

import { fail, type ErrorCode } from '../errors.js';
import { CHECK_ALPHABET, CHECK_VALUE, ID_ALPHANUMERICS, ID_VALUE, MOD3736_NEXT, mod3736CheckFromState } from './check.js';

/** Most namespace levels (country . city . organisation . …). */
export const MAX_SEGMENTS = 8;
/** Longest namespace segment. */
export const MAX_SEGMENT_LENGTH = 16;
/** Longest local part. */
export const MAX_LOCAL_LENGTH = 64;
/** Longest canonical text form, `:` and check character included. */
export const MAX_ID_LENGTH = 200;

/**
 * A parsed, valid identifier. Every field is canonical (uppercase). Produced only by the parsers and
 * {@link makeIdentifier}; treat it as immutable.
 */
export interface Identifier {
  /** Namespace path, one entry per segment, e.g. `['156', '130100', '42']`. */
  readonly namespace: string[];
  /** Local part, or null for a namespace identifier (one that names the namespace itself). */
  readonly local: string | null;
  /** The check character: one of 0-9, A-Z without I O Q, `-`, `.`, `_` (docs/protocol.md §2). */
  readonly check: string;
  /** Canonical text form, e.g. `156.130100.42/LAMP-000017:F`. */
  readonly text: string;
}

// Scanner flags.
/** A `/` (or `:` in a DID) may switch from the namespace to the local part. */
export const F_ALLOW_LOCAL = 1;
/** The scanned run is a lone local part. */
const F_START_LOCAL = 2;
/** The scanned run is a lone segment: `.` is an error, not a new level. */
const F_SINGLE_SEGMENT = 4;
/** DID method-specific id: `:` separates namespace and local part; `/ ? #` mean a DID URL. */
export const F_DID = 8;
/** URL path: `%` is reported as a URL fault. */
export const F_URL = 16;

/** Result of scanning an identifier body (the part before the check separator). */
export interface BodyScan {
  /** Hybrid-system state after the body (1..36). */
  readonly p: number;
  /** Segments as written (not yet upper-cased if `lower`). */
  readonly segments: string[];
  /** Local part as written, or null. */
  readonly local: string | null;
  /** True if any lowercase letter was seen. */
  readonly lower: boolean;
}

// Character classes of the scanner, indexed by char code (< 128).
const CLS_INVALID = 0;
const CLS_UPPER = 1; // 0-9 and the 30 allowed capitals
const CLS_LOWER = 2; // the 30 allowed lowercase letters
const CLS_HYPHEN = 3;
const CLS_DOT = 4;
const CLS_SLASH = 5;
const CLS_COLON = 6;
const CLS_EXCLUDED = 7; // I O Q i o q
const CLS_PERCENT = 8;

const CLS = /* @__PURE__ */ (() => {
  const t = new Uint8Array(128);
  for (const ch of ID_ALPHANUMERICS) {
    t[ch.charCodeAt(0)] = CLS_UPPER;
    if (ch >= 'A') t[ch.toLowerCase().charCodeAt(0)] = CLS_LOWER;
  }
  for (const ch of 'IOQioq') t[ch.charCodeAt(0)] = CLS_EXCLUDED;
  t[0x2d] = CLS_HYPHEN;
  t[0x2e] = CLS_DOT;
  t[0x2f] = CLS_SLASH;
  t[0x3a] = CLS_COLON;
  t[0x25] = CLS_PERCENT;
  return t;
})();

// Module-local aliases of the value tables: under transpilers that rewrite imports into getter
// calls (tsx, vitest), reading an imported binding in the inner loop costs ~4× the whole parse.
const VALUE = ID_VALUE;
const NEXT = MOD3736_NEXT;
const CHECK = CHECK_VALUE;

const HINT: Record<string, string> = { I: 'write 1', O: 'write 0', Q: 'write 0' };

function excluded(input: string, i: number, inCheck = false): never {
  const ch = input[i]!.toUpperCase();
  const hint = HINT[ch]!;
  const where = inCheck ? ' (not even as the check character)' : '';
  fail('ID_CHAR_EXCLUDED', `'${input[i]}' at position ${i} is not used in identifiers${where} (it reads like ${ch === 'I' ? '1' : '0'}): ${hint}`, {
    position: i,
    char: input[i],
    hint,
  });
}

function badChar(input: string, i: number, flags: number, cls: number): never {
  const c = input.charCodeAt(i);
  if (cls === CLS_EXCLUDED) excluded(input, i);
  if (flags & F_DID && (c === 0x2f || c === 0x3f || c === 0x23)) {
    fail('ID_DID_INVALID', `'${input[i]}' at position ${i}: a DID URL (path, query or fragment) is not an identifier`, {
      position: i,
      char: input[i],
    });
  }
  if (flags & F_URL && cls === CLS_PERCENT) {
    fail('ID_URL_INVALID', `'%' at position ${i}: only the ':' before the check character may be percent-encoded (%3A)`, {
      position: i,
      char: '%',
    });
  }
  if (cls === CLS_COLON) {
    fail('ID_CHAR_INVALID', `':' at position ${i}: ':' may only introduce the check character`, { position: i, char: ':' });
  }
  // Name non-printable and non-ASCII characters by code point: raw control characters or lone
  // surrogates from hostile input would garble logs.
  const shown = c >= 0x20 && c < 0x7f ? `'${input[i]}'` : `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;
  fail('ID_CHAR_INVALID', `${shown} at position ${i} is not in the identifier alphabet (0-9, A-Z without I O Q, - . /)`, {
    position: i,
    char: input[i],
  });
}

function runFault(inLocal: boolean, position: number, reason: string, message: string, segment: number): never {
  const code: ErrorCode = inLocal ? 'ID_LOCAL_INVALID' : 'ID_SEGMENT_INVALID';
  const what = inLocal ? 'local part' : `namespace segment ${segment + 1}`;
  const details: Record<string, unknown> = { position, reason };
  if (!inLocal) details['segment'] = segment;
  fail(code, `${what}: ${message} (position ${position})`, details);
}

/**
 * Scans `input[s, e)` as an identifier body.
 * @internal shared with forms.ts; not exported from the package.
 *
 * @throws UrbisError ID_CHAR_INVALID, ID_CHAR_EXCLUDED, ID_SEGMENT_INVALID, ID_LOCAL_INVALID,
 *   ID_TOO_DEEP, ID_DID_INVALID, ID_URL_INVALID — each with details.position
 */
export function scanBody(input: string, s: number, e: number, flags: number): BodyScan {
  const next = NEXT;
  const sepCls = flags & F_DID ? CLS_COLON : CLS_SLASH;
  const segments: string[] = [];
  let local: string | null = null;
  let inLocal = (flags & F_START_LOCAL) !== 0;
  let maxRun = inLocal ? MAX_LOCAL_LENGTH : MAX_SEGMENT_LENGTH;
  let runStart = s;
  let p = 36;
  let lower = false;

  for (let i = s; i < e; i++) {
    const c = input.charCodeAt(i);
    const k = c < 128 ? CLS[c]! : CLS_INVALID;
    if (k === CLS_UPPER || k === CLS_LOWER) {
      if (i - runStart >= maxRun) {
        runFault(inLocal, i, 'too-long', `longer than ${maxRun} characters`, segments.length);
      }
      if (k === CLS_LOWER) lower = true;
      p = next[p * 36 + VALUE[c]!]!;
    } else if (k === CLS_HYPHEN) {
      if (i === runStart) runFault(inLocal, i, 'leading-hyphen', "starts with '-'", segments.length);
      if (input.charCodeAt(i - 1) === 0x2d) runFault(inLocal, i, 'double-hyphen', "contains '--'", segments.length);
      if (i - runStart >= maxRun) {
        runFault(inLocal, i, 'too-long', `longer than ${maxRun} characters`, segments.length);
      }
      p = next[p * 36 + 18]!;
    } else if (k === CLS_DOT) {
      if (inLocal) runFault(true, i, 'dot', "'.' is not allowed in the local part", 0);
      if (flags & F_SINGLE_SEGMENT) runFault(false, i, 'dot', "'.' is not allowed inside a segment", 0);
      segments.push(endRun(input, runStart, i, false, segments.length));
      if (segments.length >= MAX_SEGMENTS) {
        fail('ID_TOO_DEEP', `the namespace path has more than ${MAX_SEGMENTS} levels (position ${i})`, {
          position: i,
          max: MAX_SEGMENTS,
        });
      }
      runStart = i + 1;
      p = next[p * 36 + 24]!;
    } else if (k === sepCls) {
      if (inLocal) {
        if (flags & F_DID) {
          fail('ID_DID_INVALID', `':' at position ${i}: a did:urbis DID has at most namespace:local:check`, {
            position: i,
            char: ':',
          });
        }
        runFault(true, i, 'slash', "'/' is not allowed in the local part", 0);
      }
      if (!(flags & F_ALLOW_LOCAL)) {
        runFault(false, i, 'local-not-allowed', 'a namespace path has no local part', segments.length);
      }
      segments.push(endRun(input, runStart, i, false, segments.length));
      inLocal = true;
      maxRun = MAX_LOCAL_LENGTH;
      runStart = i + 1;
      p = next[p * 36 + 26]!;
    } else {
      badChar(input, i, flags, k);
    }
  }
  if (inLocal) local = endRun(input, runStart, e, true, 0);
  else segments.push(endRun(input, runStart, e, false, segments.length));
  return { p, segments, local, lower };
}

function endRun(input: string, runStart: number, i: number, inLocal: boolean, segment: number): string {
  if (i === runStart) runFault(inLocal, i, 'empty', 'is empty', segment);
  if (input.charCodeAt(i - 1) === 0x2d) runFault(inLocal, i - 1, 'trailing-hyphen', "ends with '-'", segment);
  return input.slice(runStart, i);
}

/**
 * @internal Checks the check part `input[sep, end)` (separator of `sepLen` chars, then one check char) against
 * the body and builds the Identifier. `fastText` is the input itself when it already is the
 * canonical text form (saves building a string on the hot path).
 */
export function finishIdentifier(input: string, body: BodyScan, sep: number, sepLen: number, end: number, fastText: boolean): Identifier {
  if (sep < 0) {
    fail('ID_CHECK_MISSING', `the identifier has no check character: it must end in ':' and one character (position ${end})`, {
      position: end,
    });
  }
  const ck = sep + sepLen;
  if (ck >= end) {
    fail('ID_CHECK_MISSING', `the check character after ':' is missing (position ${end})`, { position: end });
  }
  const c = input.charCodeAt(ck);
  const v = c < 128 ? CHECK[c]! : 255;
  if (v === 255) {
    if (c < 128 && CLS[c] === CLS_EXCLUDED) excluded(input, ck, true);
    fail('ID_CHAR_INVALID', `the check character at position ${ck} must be 0-9, A-Z without I O Q, '-', '.' or '_'`, {
      position: ck,
      char: input[ck],
    });
  }
  if (end - ck > 1) {
    fail('ID_CHAR_INVALID', `only one check character may follow ':' (position ${ck + 1})`, {
      position: ck + 1,
      reason: 'check-too-long',
    });
  }
  if ((body.p + v) % 36 !== 1) {
    // The expected character is deliberately not revealed: it would let a forger fix up a label.
    fail('ID_CHECK_MISMATCH', `the check character at position ${ck} does not match: the identifier has a typo or two swapped characters`, {
      position: ck,
    });
  }
  return build(input, body, CHECK_ALPHABET[v]!, fastText && !body.lower && c === CHECK_ALPHABET.charCodeAt(v));
}

function build(input: string, body: BodyScan, check: string, inputIsText: boolean): Identifier {
  let { segments, local } = body;
  if (body.lower) {
    segments = segments.map(upper);
    if (local !== null) local = upper(local);
  }
  const text = inputIsText ? input : bodyText(segments, local) + ':' + check;
  return { namespace: segments, local, check, text };
}

/** ASCII upper-casing; only ever applied to strings already validated as ASCII. */
function upper(s: string): string {
  return s.toUpperCase();
}

function bodyText(segments: readonly string[], local: string | null): string {
  const ns = segments.length === 1 ? segments[0]! : segments.join('.');
  return local === null ? ns : ns + '/' + local;
}

/** @internal */
export function notString(what: string): never {
  fail('ID_CHAR_INVALID', `${what} must be a string`, { position: 0, reason: 'not-a-string' });
}

/**
 * Parses the text form `namespace[/local]:check`, e.g. `156.130100.42/LAMP-000017:F`.
 * Case-insensitive; the result is canonical (uppercase).
 *
 * Faults are reported in this order: empty, too long, then the first fault left to right in the
 * body, then the check part.
 *
 * @throws UrbisError ID_EMPTY, ID_TOO_LONG, ID_CHAR_INVALID, ID_CHAR_EXCLUDED, ID_SEGMENT_INVALID,
 *   ID_TOO_DEEP, ID_LOCAL_INVALID, ID_CHECK_MISSING, ID_CHECK_MISMATCH — all with details.position
 * @example parseText('156.130100.42/lamp-000017:f').text // '156.130100.42/LAMP-000017:F'
 */
export function parseText(input: string): Identifier {
  if (typeof input !== 'string') notString('an identifier');
  const n = input.length;
  if (n === 0) fail('ID_EMPTY', 'the identifier is empty', { position: 0 });
  if (n > MAX_ID_LENGTH) tooLong(MAX_ID_LENGTH);
  const sep = n >= 2 && input.charCodeAt(n - 2) === 0x3a ? n - 2 : input.lastIndexOf(':');
  const body = scanBody(input, 0, sep < 0 ? n : sep, F_ALLOW_LOCAL);
  return finishIdentifier(input, body, sep, 1, n, true);
}

/** @internal */
export function tooLong(position: number): never {
  fail('ID_TOO_LONG', `the identifier is longer than ${MAX_ID_LENGTH} characters (position ${position})`, {
    position,
    max: MAX_ID_LENGTH,
  });
}

/**
 * Builds an identifier from its parts and computes its check character (used when allocating).
 * Parts are validated and upper-cased.
 *
 * @param namespace - 1 to 8 segments, e.g. `['156', '130100', '42']`
 * @param local - the local part, or null for a namespace identifier
 * @returns the identifier; positions in errors index the text form without check (`ns/local`)
 * @throws UrbisError ID_EMPTY, ID_TOO_DEEP, ID_TOO_LONG, ID_SEGMENT_INVALID, ID_LOCAL_INVALID,
 *   ID_CHAR_INVALID, ID_CHAR_EXCLUDED
 * @example makeIdentifier(['156', '130100'], null).text // '156.130100:…'
 */
export function makeIdentifier(namespace: readonly string[], local: string | null): Identifier {
  if (!Array.isArray(namespace)) {
    fail('ID_SEGMENT_INVALID', 'the namespace must be an array of segments', { position: 0, reason: 'not-an-array' });
  }
  if (namespace.length === 0) fail('ID_EMPTY', 'the namespace has no segments', { position: 0 });
  if (namespace.length > MAX_SEGMENTS) {
    fail('ID_TOO_DEEP', `the namespace path has more than ${MAX_SEGMENTS} levels`, {
      position: 0,
      max: MAX_SEGMENTS,
      segment: MAX_SEGMENTS,
    });
  }
  // Separators inside a part would silently change the structure once joined: refuse them first.
  let offset = 0;
  for (let j = 0; j < namespace.length; j++) {
    const seg = namespace[j];
    if (typeof seg !== 'string') {
      fail('ID_SEGMENT_INVALID', `namespace segment ${j + 1} is not a string`, { position: offset, segment: j, reason: 'not-a-string' });
    }
    noSeparators(seg, offset, false, j);
    offset += seg.length + 1;
  }
  if (local !== null) {
    if (typeof local !== 'string') {
      fail('ID_LOCAL_INVALID', 'the local part must be a string or null', { position: offset, reason: 'not-a-string' });
    }
    noSeparators(local, offset, true, 0);
  }
  const bodyStr = local === null ? namespace.join('.') : namespace.join('.') + '/' + local;
  if (bodyStr.length + 2 > MAX_ID_LENGTH) tooLong(MAX_ID_LENGTH - 2);
  const body = scanBody(bodyStr, 0, bodyStr.length, F_ALLOW_LOCAL);
  return build(bodyStr, body, CHECK_ALPHABET[mod3736CheckFromState(body.p)]!, false);
}

function noSeparators(s: string, offset: number, inLocal: boolean, segment: number): void {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 0x2e || c === 0x2f || c === 0x3a) {
      runFault(inLocal, offset + i, 'separator', `'${s[i]}' is not allowed inside a ${inLocal ? 'local part' : 'segment'}`, segment);
    }
  }
}

/**
 * Validates one namespace segment: 1-16 of 0-9, A-Z (no I O Q) and `-`, not starting or ending
 * with `-`, no `--`. Case-insensitive.
 *
 * @returns the canonical (uppercase) segment
 * @throws UrbisError ID_SEGMENT_INVALID, ID_CHAR_INVALID, ID_CHAR_EXCLUDED (details.position into s)
 */
export function validateSegment(s: string): string {
  if (typeof s !== 'string') notString('a segment');
  const body = scanBody(s, 0, s.length, F_SINGLE_SEGMENT);
  return body.lower ? upper(s) : s;
}

/**
 * Validates a local part: 1-64 of 0-9, A-Z (no I O Q) and `-`, same hyphen rules as a segment.
 *
 * @returns the canonical (uppercase) local part
 * @throws UrbisError ID_LOCAL_INVALID, ID_CHAR_INVALID, ID_CHAR_EXCLUDED (details.position into s)
 */
export function validateLocal(s: string): string {
  if (typeof s !== 'string') notString('a local part');
  const body = scanBody(s, 0, s.length, F_START_LOCAL);
  return body.lower ? upper(s) : s;
}

/**
 * Parses a namespace path given without (or with) its check character, e.g. `156.130100` from a
 * command line. Case-insensitive. If a check part `:C` is present it must match.
 *
 * @returns canonical segments, e.g. `['156', '130100']`
 * @throws UrbisError ID_EMPTY, ID_TOO_LONG, ID_SEGMENT_INVALID (also for a `/local` part), ID_TOO_DEEP,
 *   ID_CHAR_INVALID, ID_CHAR_EXCLUDED, ID_CHECK_MISSING (`:` with nothing after), ID_CHECK_MISMATCH
 */
export function parseNamespacePath(input: string): string[] {
  if (typeof input !== 'string') notString('a namespace path');
  const n = input.length;
  if (n === 0) fail('ID_EMPTY', 'the namespace path is empty', { position: 0 });
  if (n > MAX_ID_LENGTH) tooLong(MAX_ID_LENGTH);
  const sep = input.lastIndexOf(':');
  const body = scanBody(input, 0, sep < 0 ? n : sep, 0);
  if (sep >= 0) return finishIdentifier(input, body, sep, 1, n, false).namespace;
  return body.lower ? body.segments.map(upper) : body.segments;
}

/**
 * The parent of a namespace path, or null for a top-level namespace.
 *
 * @param ns - a namespace path without check character, e.g. `156.130100.42` (either case)
 * @returns e.g. `156.130100` (canonical), or null for `156`
 * @throws UrbisError as {@link parseNamespacePath}, and ID_CHAR_INVALID for a check part
 */
export function parentNamespace(ns: string): string | null {
  if (typeof ns !== 'string') notString('a namespace path');
  if (ns.length === 0) fail('ID_EMPTY', 'the namespace path is empty', { position: 0 });
  if (ns.length > MAX_ID_LENGTH) tooLong(MAX_ID_LENGTH);
  const body = scanBody(ns, 0, ns.length, 0);
  if (body.segments.length === 1) return null;
  const parent = body.segments.slice(0, -1).join('.');
  return body.lower ? upper(parent) : parent;
}

/**
 * Builds an identifier from a canonical key (`ns/local` or `ns`, no check part), computing the
 * check character. For keys read back from the ledger's own state, not for user input: user input
 * must carry its check character so typos are caught.
 *
 * @throws UrbisError as {@link parseText}, and ID_CHAR_INVALID if the key contains ':'
 */
export function fromCanonicalKey(key: string): Identifier {
  if (typeof key !== 'string') notString('a key');
  const n = key.length;
  if (n === 0) fail('ID_EMPTY', 'the key is empty', { position: 0 });
  if (n + 2 > MAX_ID_LENGTH) tooLong(MAX_ID_LENGTH - 2);
  const body = scanBody(key, 0, n, F_ALLOW_LOCAL);
  return build(key, body, CHECK_ALPHABET[mod3736CheckFromState(body.p)]!, false);
}

/** True if `id` names a namespace itself (it has no local part). */
export function isNamespaceId(id: Identifier): boolean {
  return id.local === null;
}

/** The namespace path of `id` as a string, e.g. `156.130100.42`. */
export function namespaceString(id: Identifier): string {
  return id.namespace.join('.');
}

/**
 * The key the ledger stores state under: the canonical text form without the check part,
 * e.g. `156.130100.42/LAMP-000017` (or `156.130100` for a namespace identifier).
 */
export function canonicalKey(id: Identifier): string {
  return id.text.slice(0, -2);
}

/**
 * The DID and URL forms of an Urbis identifier, and auto-detection of the form.
 *
 * Spec: docs/protocol.md (Identifiers) §"Forms". All three forms carry exactly the same information and
 * convert losslessly: text `156.130100.42/LAMP-000017:F`, DID `did:urbis:156.130100.42:LAMP-000017:F`,
 * URL `https://id.urbis.city/id/156.130100.42/LAMP-000017:F`. Positions in errors always index the
 * caller's whole input string (prefix included).
 */

import { fail } from '../errors.js';
import { F_ALLOW_LOCAL, F_DID, F_URL, MAX_ID_LENGTH, finishIdentifier, notString, parseText, scanBody, tooLong, type Identifier } from './identifier.js';

/** DID method prefix, as written by {@link formatDid}. Parsed case-insensitively. */
export const DID_PREFIX = 'did:urbis:';
/** Host used by {@link formatUrl} when none is given. */
export const DEFAULT_URL_HOST = 'id.urbis.city';
/** Path prefix of a label URL. Parsed case-insensitively. */
export const URL_PATH_PREFIX = '/id/';
/**
 * Longest URL accepted by {@link parseUrl}, query and fragment included. The identifier part itself
 * is still limited to {@link MAX_ID_LENGTH}; this only bounds the work done on hostile input.
 */
export const MAX_URL_LENGTH = 4096;

/** Case-insensitive ASCII prefix match; `prefix` must be lowercase. Returns the first mismatch or -1. */
function prefixMismatch(input: string, prefix: string): number {
  for (let i = 0; i < prefix.length; i++) {
    if (i >= input.length) return i;
    let c = input.charCodeAt(i);
    if (c >= 0x41 && c <= 0x5a) c |= 0x20;
    if (c !== prefix.charCodeAt(i)) return i;
  }
  return -1;
}

/**
 * Parses the DID form `did:urbis:<namespace>[:<local>]:<check>`.
 * The prefix is matched in any case; the rest is case-insensitive like the text form.
 *
 * @throws UrbisError ID_DID_INVALID (wrong prefix, too many `:`, a DID URL path/query/fragment), and
 *   every error of {@link parseText}; details.position indexes `input`
 * @example parseDid('did:urbis:156.130100:7')
 */
export function parseDid(input: string): Identifier {
  if (typeof input !== 'string') notString('a DID');
  const bad = prefixMismatch(input, DID_PREFIX);
  if (bad >= 0) {
    fail('ID_DID_INVALID', `a did:urbis DID must start with '${DID_PREFIX}' (position ${bad})`, { position: bad });
  }
  const s = DID_PREFIX.length;
  const n = input.length;
  if (n === s) fail('ID_EMPTY', `the DID has no method-specific id (position ${s})`, { position: s });
  if (n - s > MAX_ID_LENGTH) tooLong(s + MAX_ID_LENGTH);
  let sep = input.lastIndexOf(':');
  if (sep < s) sep = -1;
  const body = scanBody(input, s, sep < 0 ? n : sep, F_ALLOW_LOCAL | F_DID);
  return finishIdentifier(input, body, sep, 1, n, false);
}

/**
 * Formats the DID form, e.g. `did:urbis:156.130100.42:LAMP-000017:F`.
 */
export function formatDid(id: Identifier): string {
  const ns = id.namespace.join('.');
  return id.local === null ? `${DID_PREFIX}${ns}:${id.check}` : `${DID_PREFIX}${ns}:${id.local}:${id.check}`;
}

/** Formats the text form (the canonical one), e.g. `156.130100.42/LAMP-000017:F`. */
export function formatText(id: Identifier): string {
  return id.text;
}

/** Index just past a valid URL authority starting at `i`, or throws. */
function scanHost(input: string, i: number, end: number): number {
  const start = i;
  for (; i < end; i++) {
    const c = input.charCodeAt(i);
    if (c === 0x2f) break;
    const ok =
      (c >= 0x30 && c <= 0x39) || // 0-9
      ((c | 0x20) >= 0x61 && (c | 0x20) <= 0x7a) || // letters
      c === 0x2d ||
      c === 0x2e ||
      c === 0x3a ||
      c === 0x5b ||
      c === 0x5d; // - . : [ ]
    if (!ok) {
      // '@' (userinfo) in particular is refused: `https://id.urbis.city@evil.example/…` must not pass.
      fail('ID_URL_INVALID', `character at position ${i} is not allowed in the URL host`, { position: i, char: input[i] });
    }
  }
  if (i === start) fail('ID_URL_INVALID', `the URL has no host (position ${start})`, { position: start });
  return i;
}

/**
 * Parses the URL form `http(s)://<host>/id/<text form>`. Any host is accepted (the identifier is
 * global; the host is only a resolver); `http` is accepted for local testing. The `:` before the
 * check character may be written `%3A`. A query (`?…`) or fragment (`#…`) is ignored. Scheme, host
 * and the `/id/` path prefix are case-insensitive, so an all-uppercase URL (QR alphanumeric mode)
 * parses too.
 *
 * @throws UrbisError ID_URL_INVALID (scheme, host, path prefix, stray `%`), ID_TOO_LONG (URL over
 *   {@link MAX_URL_LENGTH}, or identifier part over {@link MAX_ID_LENGTH}), and every error of
 *   {@link parseText}; details.position indexes `input`
 * @example parseUrl('https://id.urbis.city/id/156.130100:7')
 */
export function parseUrl(input: string): Identifier {
  if (typeof input !== 'string') notString('a URL');
  if (input.length > MAX_URL_LENGTH) {
    fail('ID_TOO_LONG', `the URL is longer than ${MAX_URL_LENGTH} characters`, { position: MAX_URL_LENGTH, max: MAX_URL_LENGTH });
  }
  let i: number;
  if (prefixMismatch(input, 'https://') < 0) i = 8;
  else if (prefixMismatch(input, 'http://') < 0) i = 7;
  else fail('ID_URL_INVALID', 'an Urbis URL starts with https:// (or http:// for local testing)', { position: 0 });
  const n = input.length;
  i = scanHost(input, i, n);
  const bad = prefixMismatch(input.slice(i, i + URL_PATH_PREFIX.length), URL_PATH_PREFIX);
  if (bad >= 0) {
    fail('ID_URL_INVALID', `the URL path must start with '${URL_PATH_PREFIX}' (position ${i + bad})`, { position: i + bad });
  }
  const s = i + URL_PATH_PREFIX.length;
  let e = s;
  while (e < n) {
    const c = input.charCodeAt(e);
    if (c === 0x3f || c === 0x23) break; // '?' or '#': ignored from here on
    e++;
  }
  if (e === s) fail('ID_EMPTY', `the URL has no identifier after '${URL_PATH_PREFIX}' (position ${s})`, { position: s });

  // The check separator is the last ':' or '%3A' of the path.
  let sep = -1;
  let sepLen = 1;
  for (let k = e - 1; k >= s; k--) {
    const c = input.charCodeAt(k);
    if (c === 0x3a) {
      sep = k;
      break;
    }
    if (c === 0x25 && k + 2 < e && input.charCodeAt(k + 1) === 0x33 && (input.charCodeAt(k + 2) | 0x20) === 0x61) {
      sep = k;
      sepLen = 3;
      break;
    }
  }
  // Length of the equivalent text form: '%3A' counts as one character.
  const textLen = sep < 0 ? e - s : e - s - (sepLen - 1);
  if (textLen > MAX_ID_LENGTH) {
    const bodyLen = sep < 0 ? e - s : sep - s;
    tooLong(MAX_ID_LENGTH < bodyLen ? s + MAX_ID_LENGTH : MAX_ID_LENGTH === bodyLen ? sep : sep + sepLen);
  }
  const body = scanBody(input, s, sep < 0 ? e : sep, F_ALLOW_LOCAL | F_URL);
  return finishIdentifier(input, body, sep, sepLen, e, false);
}

/**
 * Formats the URL form, e.g. `https://id.urbis.city/id/156.130100.42/LAMP-000017:F`.
 *
 * @param host - `host[:port]` (https is used), or an origin `http://host[:port]` / `https://host`
 *   for a local node; default {@link DEFAULT_URL_HOST}
 * @throws UrbisError ID_URL_INVALID if `host` is not a valid host or origin
 */
export function formatUrl(id: Identifier, host: string = DEFAULT_URL_HOST): string {
  if (typeof host !== 'string') fail('ID_URL_INVALID', 'the host must be a string', { position: 0 });
  let i = 0;
  if (prefixMismatch(host, 'https://') < 0) i = 8;
  else if (prefixMismatch(host, 'http://') < 0) i = 7;
  const end = host.length > i && host.charCodeAt(host.length - 1) === 0x2f ? host.length - 1 : host.length;
  if (scanHost(host, i, end) !== end) {
    fail('ID_URL_INVALID', 'the host must not contain a path', { position: end });
  }
  const origin = i === 0 ? 'https://' + host.slice(0, end).toLowerCase() : host.slice(0, end).toLowerCase();
  return `${origin}${URL_PATH_PREFIX}${id.text}`;
}

/**
 * Parses an identifier in any of its three forms, detected from the start of `input`:
 * `did:` → DID (no text form can start so: `I` is not in the alphabet); `http://` or
 * `https://` → URL; anything else → text.
 *
 * @throws UrbisError as {@link parseText}, {@link parseDid} or {@link parseUrl}
 */
export function parseIdentifier(input: string): Identifier {
  if (typeof input !== 'string') notString('an identifier');
  const c = input.charCodeAt(0) | 0x20;
  if (c === 0x64 /* d */ && prefixMismatch(input, 'did:') < 0) return parseDid(input);
  if (c === 0x68 /* h */ && (prefixMismatch(input, 'https://') < 0 || prefixMismatch(input, 'http://') < 0)) {
    return parseUrl(input);
  }
  return parseText(input);
}

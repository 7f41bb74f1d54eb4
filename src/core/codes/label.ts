/**
 * The Urbis label: a COSE_Sign1 (RFC 9052 §4.2, EdDSA) over deterministic CBOR claims (RFC 8949
 * §4.2.1) about one identifier, written as `UC1:` + base45 (RFC 9285) for QR alphanumeric mode, or
 * as a URL `<base>/id/<identifier>?c=<base64url>` that a phone camera opens.
 *
 * Spec: docs/codes.md §1–§6 (byte by byte). Pure.
 */
import { fail, isUrbisError } from '../errors.js';
import { sha256 } from '../crypto/index.js';
import { canonicalBytes, concatBytes, fromBase64url, toBase64url, toHex, utf8Encode } from '../encoding/index.js';
import { parseIdentifier } from '../ids/index.js';
import type { RecordBody } from '../ledger/types.js';
import { base45Decode, base45Encode } from './base45.js';
import { decodeCbor, encodeCbor, type CborValue } from './cbor.js';
import { coseKid, parseCoseSign1, signCoseSign1, type CoseSign1, type Ed25519Signing } from './cose.js';

/** Versioned prefix of the text form: Urbis Code, format 1 (docs/codes.md §5). */
export const CODE_PREFIX = 'UC1:';
/** Query parameter carrying the code in the URL form. */
export const CODE_URL_PARAM = 'c';
/** Length of a key id: the first 8 bytes of SHA-256 over the domain tag and the raw public key. */
export const KID_LENGTH = 8;
/** Length of the record digest. */
export const DIGEST_LENGTH = 32;
/** Most attribute names one label vouches for. */
export const MAX_FIELDS = 16;
/** Largest accepted COSE message (bytes) and text form (characters): bounds work on hostile input. */
export const MAX_CODE_BYTES = 2048;
export const MAX_CODE_CHARS = 4096;
/** Largest label serial (unsigned 32-bit). */
export const MAX_SERIAL = 0xffffffff;

const KID_DOMAIN = utf8Encode('urbis/issuer-kid/v1\n');
const DIGEST_DOMAIN = utf8Encode('urbis/code-fields/v1\n');
const ATTR_NAME_RE = /^[A-Za-z0-9_.-]{1,64}$/;

/** Claim labels in the CBOR payload map (docs/codes.md §2). */
const K = { id: 1, serial: 2, iat: 3, exp: 4, chain: 5, digest: 6, fields: 7 } as const;

/** What a label asserts. Times are seconds since the Unix epoch (UTC). */
export interface LabelClaims {
  /** Canonical text identifier with check character. */
  id: string;
  /** Label serial chosen by the issuer, 0..2^32−1; revoked one by one with `label.revoke`. */
  serial: number;
  issuedAt: number;
  expiresAt?: number;
  /** Chain id of the network the identifier lives on. */
  chain: string;
  /** {@link recordDigest} of the vouched fields. */
  digest: Uint8Array;
  /** Attribute names vouched for besides the type, sorted, distinct (may be empty). */
  fields: string[];
}

/** A decoded (not yet verified) code. */
export interface ParsedCode {
  claims: LabelClaims;
  kid: Uint8Array;
  cose: CoseSign1;
  /** The COSE_Sign1 bytes. */
  bytes: Uint8Array;
}

/** Key id of an issuer key (docs/codes.md §3). */
export function issuerKid(publicKey: Uint8Array): Uint8Array {
  return sha256(concatBytes(KID_DOMAIN, publicKey)).slice(0, KID_LENGTH);
}

/** Attribute names as a label carries them: sorted, distinct, checked. */
export function normaliseFields(fields: readonly string[]): string[] {
  const out = [...new Set(fields)].sort();
  if (out.length > MAX_FIELDS) fail('CODE_MALFORMED', `a label vouches for at most ${MAX_FIELDS} attributes`);
  for (const f of out) if (typeof f !== 'string' || !ATTR_NAME_RE.test(f)) fail('CODE_MALFORMED', `"${String(f).slice(0, 64)}" is not an attribute name`);
  return out;
}

/**
 * Digest of the record fields a label vouches for (docs/codes.md §2.1): SHA-256 over
 * "urbis/code-fields/v1\n" ‖ RFC 8785 JSON of {type, attributes: the named attributes present}. An
 * update of any other attribute, a link or a service leaves it unchanged.
 */
export function recordDigest(record: Pick<RecordBody, 'type' | 'attributes'>, fields: readonly string[]): Uint8Array {
  const attrs: Record<string, unknown> = {};
  for (const f of normaliseFields(fields)) {
    if (record.attributes !== undefined && Object.prototype.hasOwnProperty.call(record.attributes, f)) attrs[f] = record.attributes[f];
  }
  return sha256(concatBytes(DIGEST_DOMAIN, canonicalBytes({ type: record.type, attributes: attrs })));
}

function checkClaims(c: LabelClaims): void {
  if (!Number.isSafeInteger(c.serial) || c.serial < 0 || c.serial > MAX_SERIAL) fail('CODE_MALFORMED', 'label serial must be an integer in 0..4294967295');
  if (!Number.isSafeInteger(c.issuedAt) || c.issuedAt < 0) fail('CODE_MALFORMED', 'issued-at must be a non-negative integer (seconds)');
  if (c.expiresAt !== undefined && (!Number.isSafeInteger(c.expiresAt) || c.expiresAt <= c.issuedAt)) {
    fail('CODE_MALFORMED', 'expiry must be an integer (seconds) after issued-at');
  }
  if (typeof c.chain !== 'string' || !/^[a-z0-9][a-z0-9-]{0,62}$/.test(c.chain)) fail('CODE_MALFORMED', 'chain id is malformed');
  if (!(c.digest instanceof Uint8Array) || c.digest.length !== DIGEST_LENGTH) fail('CODE_MALFORMED', 'record digest must be 32 bytes');
  let text: string;
  try {
    text = parseIdentifier(c.id).text;
  } catch (e) {
    if (isUrbisError(e)) fail('CODE_MALFORMED', `identifier in the label is invalid: ${e.message}`);
    throw e;
  }
  if (text !== c.id) fail('CODE_MALFORMED', 'identifier in the label is not in canonical text form');
  const f = normaliseFields(c.fields);
  if (f.length !== c.fields.length || f.some((x, i) => x !== c.fields[i])) fail('CODE_MALFORMED', 'vouched attribute names must be sorted and distinct');
}

/** Deterministic CBOR of the claims (docs/codes.md §2). */
export function encodeClaims(c: LabelClaims): Uint8Array {
  checkClaims(c);
  const m = new Map<number, CborValue>([
    [K.id, c.id],
    [K.serial, c.serial],
    [K.iat, c.issuedAt],
    [K.chain, c.chain],
    [K.digest, c.digest],
  ]);
  if (c.expiresAt !== undefined) m.set(K.exp, c.expiresAt);
  if (c.fields.length > 0) m.set(K.fields, c.fields);
  return encodeCbor(m);
}

/**
 * Parses claims from their CBOR. Attacker-controlled.
 * @throws UrbisError CODE_MALFORMED or CBOR_INVALID
 */
export function decodeClaims(bytes: Uint8Array): LabelClaims {
  const m = decodeCbor(bytes, { maxDepth: 3 });
  if (!(m instanceof Map)) fail('CODE_MALFORMED', 'label claims must be a CBOR map');
  for (const k of m.keys()) if (typeof k !== 'number' || k < K.id || k > K.fields) fail('CODE_MALFORMED', `unknown claim ${String(k).slice(0, 20)}`);
  const id = m.get(K.id);
  const serial = m.get(K.serial);
  const iat = m.get(K.iat);
  const exp = m.get(K.exp);
  const chain = m.get(K.chain);
  const digest = m.get(K.digest);
  const fields = m.get(K.fields);
  if (typeof id !== 'string' || typeof serial !== 'number' || typeof iat !== 'number' || typeof chain !== 'string' || !(digest instanceof Uint8Array)) {
    fail('CODE_MALFORMED', 'label claims lack the identifier, serial, issued-at, chain id or digest, or have the wrong types');
  }
  if (exp !== undefined && typeof exp !== 'number') fail('CODE_MALFORMED', 'expiry must be an integer');
  if (fields !== undefined && (!Array.isArray(fields) || fields.length === 0 || fields.some((f) => typeof f !== 'string'))) {
    fail('CODE_MALFORMED', 'vouched attribute names must be a non-empty array of text (omitted when empty)');
  }
  const c: LabelClaims = { id, serial, issuedAt: iat, chain, digest, fields: (fields as string[] | undefined) ?? [] };
  if (exp !== undefined) c.expiresAt = exp;
  checkClaims(c);
  return c;
}

/** A code in its three forms. */
export interface MadeCode {
  /** COSE_Sign1 bytes (also the NFC payload). */
  bytes: Uint8Array;
  /** `UC1:` + base45: for QR alphanumeric mode. */
  text: string;
}

/**
 * Signs a label.
 * @param key the issuer's 32-byte Ed25519 secret key or a signer holding it; its public key must be
 *   in the namespace's `policy.issuers` for the label to verify
 * @throws UrbisError CODE_MALFORMED, CRYPTO_KEY_INVALID
 */
export function makeCode(claims: LabelClaims, key: Ed25519Signing, publicKey: Uint8Array): MadeCode {
  const bytes = signCoseSign1(encodeClaims(claims), key, issuerKid(publicKey));
  return { bytes, text: CODE_PREFIX + base45Encode(bytes) };
}

/**
 * The URL form (docs/codes.md §6), GS1 Digital Link style: the node's public base URL, the identifier
 * as in a label URL, the code as base64url in the `c` query parameter.
 */
export function codeUrl(baseUrl: string, id: string, bytes: Uint8Array): string {
  return `${baseUrl.replace(/\/+$/, '')}/id/${id}?${CODE_URL_PARAM}=${toBase64url(bytes)}`;
}

/**
 * Extracts COSE bytes from any form of a code: `UC1:` text, URL with `?c=`, or raw bytes.
 * Attacker-controlled.
 * @throws UrbisError CODE_NOT_URBIS when the input is not an Urbis code at all; CODE_MALFORMED,
 *   BASE45_INVALID, ENC_BASE64_INVALID when it is one but damaged
 */
export function codeBytes(input: string | Uint8Array): Uint8Array {
  if (input instanceof Uint8Array) {
    if (input.length > MAX_CODE_BYTES) fail('CODE_MALFORMED', `a code is at most ${MAX_CODE_BYTES} bytes`);
    return input;
  }
  if (typeof input !== 'string') fail('CODE_NOT_URBIS', 'a code is a string or bytes');
  if (input.length > MAX_CODE_CHARS) fail('CODE_MALFORMED', `a code is at most ${MAX_CODE_CHARS} characters`);
  const s = input.trim();
  if (s.startsWith(CODE_PREFIX)) return base45Decode(s.slice(CODE_PREFIX.length));
  if (/^https?:\/\//i.test(s)) {
    let u: URL;
    try {
      u = new URL(s);
    } catch {
      return fail('CODE_NOT_URBIS', 'the URL cannot be parsed');
    }
    const c = u.searchParams.get(CODE_URL_PARAM);
    if (c === null || !/\/id\//i.test(u.pathname)) fail('CODE_NOT_URBIS', `the URL carries no Urbis code (no /id/ path with a "${CODE_URL_PARAM}" parameter)`);
    return fromBase64url(c);
  }
  return fail('CODE_NOT_URBIS', `an Urbis code starts with "${CODE_PREFIX}" or is an Urbis label URL`);
}

/**
 * Decodes any form of a code into its claims and COSE message; checks structure only (the profile
 * of docs/codes.md §3: EdDSA and an 8-byte kid in the protected header, an empty unprotected header).
 * @throws UrbisError CODE_NOT_URBIS, CODE_MALFORMED, COSE_INVALID, CBOR_INVALID, BASE45_INVALID, ENC_BASE64_INVALID
 */
export function parseCode(input: string | Uint8Array): ParsedCode {
  const bytes = codeBytes(input);
  if (bytes.length > MAX_CODE_BYTES) fail('CODE_MALFORMED', `a code is at most ${MAX_CODE_BYTES} bytes`);
  const cose = parseCoseSign1(bytes);
  if (cose.unprotected.size !== 0) fail('CODE_MALFORMED', 'an Urbis label has an empty unprotected header (nothing unsigned)');
  if (cose.protected.size !== 2) fail('CODE_MALFORMED', 'an Urbis label protects exactly alg and kid');
  const kid = coseKid(cose);
  if (kid === undefined || kid.length !== KID_LENGTH) fail('CODE_MALFORMED', `the kid must be ${KID_LENGTH} bytes`);
  if (cose.signature.length !== 64) fail('CODE_MALFORMED', 'an Ed25519 signature is 64 bytes');
  return { claims: decodeClaims(cose.payload), kid, cose, bytes };
}

/** ISO 8601 text of a time in ms, or the number itself when it lies outside the Date range. */
export function isoTime(ms: number): string | number {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? ms : d.toISOString();
}

/** JSON view of claims for answers and evidence. */
export function claimsJson(c: LabelClaims): Record<string, unknown> {
  const o: Record<string, unknown> = {
    id: c.id,
    serial: c.serial,
    issuedAt: isoTime(c.issuedAt * 1000),
    chain: c.chain,
    digest: toHex(c.digest),
    fields: c.fields,
  };
  if (c.expiresAt !== undefined) o.expiresAt = isoTime(c.expiresAt * 1000);
  return o;
}

/** True if `kid` is the key id of the raw public key. */
export function kidMatches(kid: Uint8Array, publicKey: Uint8Array): boolean {
  const k = issuerKid(publicKey);
  for (let i = 0; i < KID_LENGTH; i++) if (k[i] !== kid[i]) return false;
  return true;
}

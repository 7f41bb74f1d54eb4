/**
 * did:urbis resolution and DID URL dereferencing, shared by the node's HTTPS binding
 * (src/node/routes/did.ts) and the SDK's `did-resolver` plugin (src/client/did-resolver.ts), so both
 * give the same answer to the same DID URL by construction.
 *
 * Specifications: W3C DID Core 1.0 (§3.1 DID syntax, §3.2 DID URL syntax, §6.2 / §6.3
 * representations, §7.1.3 document metadata, §7.3 metadata structure), W3C DID Resolution v1.0
 * (CR 2026: §3 DID parameters, §3.2.2 duplicate parameters, §4.4 resolution algorithm, §5.4
 * dereferencing algorithm, §9 / §10 result shapes, §11 error types, §12.1 HTTP(S) binding, §13.4
 * versioning), RFC 3986 (§2 characters, §4.2 relative references, §5.2 reference resolution),
 * RFC 9110 §12.5.1 (Accept), RFC 9457 (error objects).
 *
 * Pure: no I/O and no clock. The caller fetches the state (the proven current entry, and the
 * version history when {@link needsHistory} says so) and passes it in.
 */
import { sha256 } from '../crypto/index.js';
import { base58btcEncode } from '../encoding/base58.js';
import { utf8Encode } from '../encoding/bytes.js';
import { canonicalJson } from '../encoding/canonical-json.js';
import { isUrbisError } from '../errors.js';
import { formatDid, parseDid, type Identifier } from '../ids/index.js';
import { keyOfText } from '../ledger/names.js';
import { idKey, nsKey } from '../ledger/state.js';
import type { BlockHeader, Certificate, IdEntry, NsEntry } from '../ledger/types.js';
import { DID_CONTEXTS, buildDidDocument, buildDidDocumentMetadata, type DidDocument, type DidDocumentMetadata, type DidProofItem } from './did.js';

// --- errors (DID Resolution §11) -----------------------------------------------------------------

/** Prefix of the error `type` URLs (DID Resolution §11). */
export const DID_ERROR_BASE = 'https://www.w3.org/ns/did#';

/** DID Resolution §11 error types, with the HTTP status of §12.1 and a title. */
export const DID_ERRORS = {
  INVALID_DID: { status: 400, title: 'The DID is not a valid DID' },
  INVALID_DID_URL: { status: 400, title: 'The DID URL is not a valid DID URL' },
  INVALID_OPTIONS: { status: 400, title: 'The resolution options are not valid' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  REPRESENTATION_NOT_SUPPORTED: { status: 406, title: 'The requested representation is not supported' },
  INVALID_DID_DOCUMENT: { status: 500, title: 'The DID document is malformed' },
  METHOD_NOT_SUPPORTED: { status: 501, title: 'The DID method is not supported' },
  FEATURE_NOT_SUPPORTED: { status: 501, title: 'The requested feature is not supported' },
  INTERNAL_ERROR: { status: 500, title: 'Internal error' },
} as const satisfies Record<string, { status: number; title: string }>;

export type DidErrorName = keyof typeof DID_ERRORS;

/** An RFC 9457 error object as DID Resolution §11 defines it; `code` is the Urbis code, when any. */
export interface DidError {
  type: string;
  title: string;
  detail: string;
  code?: string;
}

/** Builds the error object of a DID Resolution error type. */
export function didError(name: DidErrorName, detail: string, code?: string): DidError {
  return { type: DID_ERROR_BASE + name, title: DID_ERRORS[name].title, detail, ...(code !== undefined ? { code } : {}) };
}

/** HTTP status of an error object (DID Resolution §12.1: any other type is 500). */
export function didErrorStatus(err: DidError): number {
  const name = err.type.startsWith(DID_ERROR_BASE) ? err.type.slice(DID_ERROR_BASE.length) : '';
  return name in DID_ERRORS ? DID_ERRORS[name as DidErrorName].status : 500;
}

// --- media types ---------------------------------------------------------------------------------

export const MEDIA_RESOLUTION = 'application/did-resolution';
export const MEDIA_DEREFERENCING = 'application/did-url-dereferencing';
/** The older JSON-LD form of the resolution result media type, still sent by some clients. */
export const MEDIA_RESOLUTION_LD = 'application/ld+json;profile="https://w3id.org/did-resolution"';
export const MEDIA_DID_LD_JSON = 'application/did+ld+json';
export const MEDIA_DID_JSON = 'application/did+json';
/** DID v1.1's media type of a DID document (JSON-LD compatible). */
export const MEDIA_DID = 'application/did';
export const MEDIA_URI_LIST = 'text/uri-list';

/** A representation of a DID document (DID Core §6). */
export type DidDocMediaType = typeof MEDIA_DID_LD_JSON | typeof MEDIA_DID_JSON | typeof MEDIA_DID;

export const DID_RESOLUTION_CONTEXT = 'https://w3id.org/did-resolution/v1';

/** The document in one representation: JSON-LD keeps `@context` (§6.3.1), JSON drops it (§6.2.1). */
export function representDocument<T extends { '@context'?: unknown }>(doc: T, type: DidDocMediaType): T {
  if (type !== MEDIA_DID_JSON) return doc;
  const { '@context': _ctx, ...rest } = doc;
  return rest as T;
}

// --- DID URL syntax (DID Core §3.1, §3.2; RFC 3986 §2, §3) ---------------------------------------

/** What a did:urbis DID URL asks for, with its DID parameters decoded. */
export interface DidRequest {
  /** The DID URL as given. */
  didUrl: string;
  /** The DID part as given (the document `id`, DID Resolution §4). */
  did: string;
  /** The canonical DID (differs from `did` when letters were written in lowercase). */
  canonicalDid: string;
  ident: Identifier;
  /** State key of the entry (`id:<ns>/<local>` or `ns:<path>`). */
  stateKey: string;
  isNamespace: boolean;
  path: string | null;
  fragment: string | null;
  versionId?: number;
  /** ms since epoch (whole seconds). */
  versionTime?: number;
  service?: string;
  serviceType?: string;
  relativeRef?: string;
  hl?: string;
  /** The `accept` option given in the query (it overrides the Accept header). */
  accept?: string;
  /** DID parameters this method does not define. */
  unknown: string[];
}

export type DidParse<T> = { ok: true; value: T } | { ok: false; error: DidError };

const MAX_DID_URL = 4096;
const DID_RE = /^did:([a-z0-9]+):((?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+)$/;
/** RFC 3986 pchar plus `/` and `?` (query, fragment), as a character class; `%` checked apart. */
const QUERY_CHARS = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9A-Fa-f]{2})*$/;
const PATH_CHARS = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/]|%[0-9A-Fa-f]{2})*$/;
/** Resolution options a caller may pass beside the DID URL (DID Resolution §4.1, §13.2). */
const OPTION_NAMES = new Set(['versionId', 'versionTime', 'expandRelativeUrls', 'noCache', 'accept']);

const fail = <T>(name: DidErrorName, detail: string, code?: string): DidParse<T> => ({ ok: false, error: didError(name, detail, code) });

/** Splits `a=b&c=d` (RFC 3986 query) into decoded pairs; `+` is a plus, not a space. */
function parsePairs(query: string, what: string): DidParse<Array<[string, string]>> {
  const out: Array<[string, string]> = [];
  if (query === '') return { ok: true, value: out };
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const rawName = eq < 0 ? part : part.slice(0, eq);
    const rawValue = eq < 0 ? '' : part.slice(eq + 1);
    let name: string;
    let value: string;
    try {
      name = decodeURIComponent(rawName);
      value = decodeURIComponent(rawValue);
    } catch {
      return fail(what === 'option' ? 'INVALID_OPTIONS' : 'INVALID_DID_URL', `malformed percent-encoding in the ${what} "${part}"`);
    }
    if (name === '') return fail(what === 'option' ? 'INVALID_OPTIONS' : 'INVALID_DID_URL', `empty ${what} name in "${query}"`);
    out.push([name, value]);
  }
  return { ok: true, value: out };
}

const VERSION_ID = /^[1-9][0-9]{0,15}$/;
/** DID Resolution §3.1: an XML Schema dateTime in UTC without sub-second precision. */
const DATETIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})Z$/;

function parseVersionTime(v: string): number | null {
  const m = DATETIME.exec(v);
  if (!m) return null;
  const t = Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
  // Reject dates that roll over (2026-02-30) and the leap second 60.
  return new Date(t).toISOString().slice(0, 19) + 'Z' === v ? t : null;
}

/**
 * Parses a DID URL (DID Core §3.2) whose method is `urbis`, and optional resolution options.
 *
 * Errors, in the order of DID Resolution §4.4 / §5.4.1: not a DID (URL) → INVALID_DID /
 * INVALID_DID_URL; another method → METHOD_NOT_SUPPORTED; not a did:urbis identifier (typo, bad
 * check character) → INVALID_DID with the Urbis `code`; a duplicated parameter (§3.2.2), a
 * malformed `versionId` / `versionTime`, both of them (§13.4) → INVALID_DID_URL (INVALID_OPTIONS
 * when they came as options); an unknown option → FEATURE_NOT_SUPPORTED.
 */
export function parseDidRequest(didUrl: string, options: ReadonlyArray<[string, string]> = []): DidParse<DidRequest> {
  if (typeof didUrl !== 'string' || didUrl === '') return fail('INVALID_DID', 'empty DID');
  if (didUrl.length > MAX_DID_URL) return fail('INVALID_DID_URL', `the DID URL is longer than ${MAX_DID_URL} characters`);
  let rest = didUrl;
  let fragment: string | null = null;
  let query: string | null = null;
  let path: string | null = null;
  const hash = rest.indexOf('#');
  if (hash >= 0) {
    fragment = rest.slice(hash + 1);
    rest = rest.slice(0, hash);
  }
  const q = rest.indexOf('?');
  if (q >= 0) {
    query = rest.slice(q + 1);
    rest = rest.slice(0, q);
  }
  const slash = rest.indexOf('/');
  if (slash >= 0) {
    path = rest.slice(slash);
    rest = rest.slice(0, slash);
  }
  const isUrl = fragment !== null || query !== null || path !== null;
  const m = DID_RE.exec(rest);
  if (!m)
    return fail(
      isUrl ? 'INVALID_DID_URL' : 'INVALID_DID',
      `"${rest.slice(0, 80)}" does not follow the DID syntax (did:<lowercase method>:<id>, DID Core §3.1)`,
    );
  if (m[1] !== 'urbis') return fail('METHOD_NOT_SUPPORTED', `this resolver supports did:urbis only, not did:${m[1]}`);
  if (path !== null && !PATH_CHARS.test(path)) return fail('INVALID_DID_URL', 'the DID path has a character RFC 3986 does not allow');
  if (query !== null && !QUERY_CHARS.test(query)) return fail('INVALID_DID_URL', 'the DID query has a character RFC 3986 does not allow');
  if (fragment !== null && !QUERY_CHARS.test(fragment)) return fail('INVALID_DID_URL', 'the DID fragment has a character RFC 3986 does not allow');
  let ident: Identifier;
  try {
    ident = parseDid(rest);
  } catch (e) {
    if (isUrbisError(e)) return fail('INVALID_DID', e.message, e.code);
    throw e;
  }
  const isNamespace = ident.local === null;
  const req: DidRequest = {
    didUrl,
    did: rest,
    canonicalDid: formatDid(ident),
    ident,
    stateKey: isNamespace ? nsKey(ident.namespace.join('.')) : idKey(keyOfText(ident.text)),
    isNamespace,
    path,
    fragment,
    unknown: [],
  };
  const params = parsePairs(query ?? '', 'DID parameter');
  if (!params.ok) return params;
  const seen = new Set<string>();
  for (const [name, value] of params.value) {
    if (seen.has(name)) return fail('INVALID_DID_URL', `the DID parameter "${name}" appears twice (DID Resolution §3.2.2)`);
    seen.add(name);
    const r = setParam(req, name, value, 'DID parameter');
    if (!r.ok) return r;
  }
  for (const [name, value] of options) {
    if (!OPTION_NAMES.has(name)) return fail('FEATURE_NOT_SUPPORTED', `the resolution option "${name}" is not supported`);
    if (name === 'expandRelativeUrls' || name === 'noCache') continue; // documents hold absolute URLs only; nothing is cached
    const before = name === 'versionId' ? req.versionId : name === 'versionTime' ? req.versionTime : req.accept;
    const r = setParam(req, name, value, 'option');
    if (!r.ok) return r;
    const after = name === 'versionId' ? req.versionId : name === 'versionTime' ? req.versionTime : req.accept;
    if (before !== undefined && before !== after) return fail('INVALID_OPTIONS', `the option ${name} contradicts the DID parameter ${name}`);
  }
  if (req.versionId !== undefined && req.versionTime !== undefined) {
    return fail(options.length > 0 ? 'INVALID_OPTIONS' : 'INVALID_DID_URL', 'versionId and versionTime are mutually exclusive (DID Resolution §13.4)');
  }
  return { ok: true, value: req };
}

function setParam(req: DidRequest, name: string, value: string, what: 'DID parameter' | 'option'): DidParse<null> {
  const bad: DidErrorName = what === 'option' ? 'INVALID_OPTIONS' : 'INVALID_DID_URL';
  switch (name) {
    case 'versionId':
      if (!VERSION_ID.test(value) || Number(value) > Number.MAX_SAFE_INTEGER)
        return fail(bad, `versionId must be a version number (1, 2, …), not "${value.slice(0, 40)}"`);
      req.versionId = Number(value);
      break;
    case 'versionTime': {
      const t = parseVersionTime(value);
      if (t === null) return fail(bad, `versionTime must be a UTC datetime such as 2026-01-31T12:00:00Z, not "${value.slice(0, 40)}"`);
      req.versionTime = t;
      break;
    }
    case 'accept':
      // DID Resolution §4.1: a media type, an ASCII string (RFC 9110 §12.5.1 field value).
      if (!/^[\x20-\x7e]+$/.test(value)) return fail('INVALID_OPTIONS', 'the accept option must be a media type in ASCII');
      req.accept = value;
      break;
    case 'service':
    case 'serviceType':
    case 'relativeRef':
    case 'hl':
      if (value === '') return fail(bad, `the DID parameter ${name} is empty`);
      req[name] = value;
      break;
    default:
      req.unknown.push(name);
  }
  return { ok: true, value: null };
}

/**
 * The DID URL and the resolution options of an HTTP(S) binding request (DID Resolution §12.1):
 * `rawTail` is the request target after `/1.0/identifiers/` up to the first literal `?`, `rawQuery`
 * what follows it. When the DID URL arrives percent-encoded (its `:` written `%3A`, or an encoded
 * `?` or `#` in it), the HTTP query carries resolution options; otherwise the HTTP query is the
 * DID URL's own query (`/1.0/identifiers/did:urbis:…?service=feed&relativeRef=/p`).
 */
export function didUrlFromHttp(rawTail: string, rawQuery: string | null): DidParse<{ didUrl: string; options: Array<[string, string]> }> {
  if (rawTail.length > 3 * MAX_DID_URL) return fail('INVALID_DID_URL', 'the request target is too long');
  let decoded: string;
  try {
    decoded = decodeURIComponent(rawTail);
  } catch {
    return fail('INVALID_DID_URL', 'malformed percent-encoding in the request path');
  }
  const encoded = /%3a/i.test(rawTail) || decoded.includes('?') || decoded.includes('#');
  if (!encoded) return { ok: true, value: { didUrl: rawQuery === null ? decoded : `${decoded}?${rawQuery}`, options: [] } };
  const opts = parsePairs(rawQuery ?? '', 'option');
  if (!opts.ok) return opts;
  return { ok: true, value: { didUrl: decoded, options: opts.value } };
}

// --- accept (RFC 9110 §12.5.1) -------------------------------------------------------------------

/** What a media range asks of the binding. */
type Want = { kind: 'resolution'; type: string } | { kind: 'dereferencing' } | { kind: 'uri-list' } | { kind: 'doc'; type: DidDocMediaType } | { kind: 'any' };

function wantOf(media: string, params: Map<string, string>): Want | null {
  switch (media) {
    case MEDIA_RESOLUTION:
      return { kind: 'resolution', type: MEDIA_RESOLUTION };
    case MEDIA_DEREFERENCING:
      return { kind: 'dereferencing' };
    case MEDIA_DID_LD_JSON:
    case MEDIA_DID_JSON:
    case MEDIA_DID:
      return { kind: 'doc', type: media };
    case 'application/ld+json':
      return (params.get('profile') ?? '').includes('https://w3id.org/did-resolution')
        ? { kind: 'resolution', type: MEDIA_RESOLUTION_LD }
        : { kind: 'doc', type: MEDIA_DID_LD_JSON };
    case 'application/json':
      return { kind: 'doc', type: MEDIA_DID_JSON };
    case MEDIA_URI_LIST:
      return { kind: 'uri-list' };
    case '*/*':
    case 'application/*':
      return { kind: 'any' };
    default:
      return null;
  }
}

/**
 * The acceptable media ranges of an Accept header, best first (q=0 dropped; ties keep their
 * order); `[{ kind: 'any' }]` without a header. Unknown types stay as nulls, so that a header that
 * lists only those (or only q=0) is answered with 406.
 */
function negotiate(accept: string | undefined): Array<Want | null> {
  if (accept === undefined || accept.trim() === '') return [{ kind: 'any' }];
  const ranges: Array<{ want: Want | null; q: number; i: number }> = [];
  accept.split(',').forEach((part, i) => {
    const [mediaRaw, ...paramParts] = part.split(';');
    const media = mediaRaw!.trim().toLowerCase();
    if (media === '') return;
    const params = new Map<string, string>();
    for (const p of paramParts) {
      const eq = p.indexOf('=');
      if (eq > 0)
        params.set(
          p.slice(0, eq).trim().toLowerCase(),
          p
            .slice(eq + 1)
            .trim()
            .replace(/^"|"$/g, ''),
        );
    }
    const qv = params.has('q') ? Number(params.get('q')) : 1;
    const q = Number.isFinite(qv) ? qv : 0;
    if (q > 0) ranges.push({ want: wantOf(media, params), q, i });
  });
  ranges.sort((a, b) => b.q - a.q || a.i - b.i);
  return ranges.length > 0 ? ranges.map((r) => r.want) : [null];
}

// --- resolution (DID Resolution §4.4) ------------------------------------------------------------

/** A DID resolution result (DID Resolution §9). */
export interface DidResolutionResult {
  '@context': string;
  didDocument: DidDocument | null;
  didResolutionMetadata: { contentType?: string; error?: DidError };
  didDocumentMetadata: DidDocumentMetadata | Record<string, never>;
}

/** A DID URL dereferencing result (DID Resolution §10). */
export interface DidDereferencingResult {
  '@context': string;
  contentStream: unknown;
  content: unknown;
  dereferencingMetadata: { contentType?: string; error?: DidError };
  contentMetadata: DidDocumentMetadata | Record<string, never>;
}

/** What the caller read from the ledger for a request. */
export interface DidStateView {
  /** The proven current entry; null when its absence is proven. */
  entry: IdEntry | NsEntry | null;
  /** The proof of `entry` (see {@link didProofItem}); absent when the caller cannot give one. */
  proof?: DidProofItem;
  /** Identifiers only, when {@link needsHistory}: every version, oldest first, ending at `entry`. */
  history?: Array<IdEntry | NsEntry>;
  /**
   * The proof of the past version the request selects ({@link selectedPastVersion}), against the
   * certified header of the block that wrote it (docs/protocol.md (State map) §10). With it that
   * version is answered proven; without it, consistent with the proven current entry only.
   */
  versionProof?: DidProofItem;
}

/** Options of the resolution functions. */
export interface DidResolveOptions {
  /** Host (or origin) of the label URL in `alsoKnownAs`. */
  urlHost?: string;
}

/** True when the request names a version and the caller must pass the identifier's history. */
export function needsHistory(req: DidRequest): boolean {
  return !req.isNamespace && (req.versionId !== undefined || req.versionTime !== undefined);
}

/**
 * The `hl` value (DID Core §3.2.1, draft-sporny-hashlink) of a document: base58btc multibase of the
 * sha2-256 multihash of the RFC 8785 JSON of its JSON representation (`application/did+json`, no
 * `@context`), e.g. `zQm…`. A DID URL with `hl` resolves only to the document with that hash.
 */
export function documentHashlink(doc: DidDocument): string {
  const digest = sha256(utf8Encode(canonicalJson(representDocument(doc, MEDIA_DID_JSON))));
  const mh = new Uint8Array(2 + digest.length);
  mh[0] = 0x12;
  mh[1] = 0x20;
  mh.set(digest, 2);
  return `z${base58btcEncode(mh)}`;
}

/** The `proof` item of a proven answer `{ key, entry, proof, header, cert }` (the JSON of `GET /v1/ids`). */
export function didProofItem(chainId: string, answer: { key: string; entry: unknown; proof: string; header: BlockHeader; cert: Certificate }): DidProofItem {
  return {
    type: 'UrbisStateProof',
    chainId,
    stateKey: answer.key,
    height: String(answer.header.height),
    stateRoot: answer.header.stateRoot,
    headerHash: answer.cert.headerHash,
    proofValue: canonicalJson({ key: answer.key, entry: answer.entry, proof: answer.proof, header: answer.header, cert: answer.cert }),
  };
}

type Selected = { ok: true; entry: IdEntry | NsEntry; next?: IdEntry | NsEntry; proof: DidProofItem | undefined } | { ok: false; error: DidError };

/**
 * The past version a request selects from `state` (a version other than the current one), or null:
 * the version whose proof the caller should fetch and pass as {@link DidStateView.versionProof}.
 */
export function selectedPastVersion(req: DidRequest, state: DidStateView): IdEntry | NsEntry | null {
  if (state.entry === null) return null;
  const sel = selectVersion(req, { ...state, versionProof: undefined });
  return sel.ok && sel.next ? sel.entry : null;
}

/** True when `p` proves `entry` (the same state key, and the canonical JSON of that very version). */
function provesEntry(p: DidProofItem, entry: IdEntry | NsEntry): boolean {
  try {
    const v = JSON.parse(p.proofValue) as { key?: unknown; entry?: unknown };
    return canonicalJson(v.entry) === canonicalJson(entry);
  } catch {
    return false;
  }
}

/** Picks the version a request asks for (DID Resolution §3 `versionId` / `versionTime`, §13.4). */
function selectVersion(req: DidRequest, state: DidStateView): Selected {
  const current = state.entry!;
  const proof = state.proof;
  if (req.versionId === undefined && req.versionTime === undefined) return { ok: true, entry: current, proof };
  if (req.versionId === current.version) return { ok: true, entry: current, proof };
  const versions = state.history;
  if (versions === undefined) {
    // Namespaces keep no served history: only their current version can be named.
    if (req.versionTime !== undefined && secondOf(current.updated) <= req.versionTime) return { ok: true, entry: current, proof };
    if (req.versionTime !== undefined && req.versionTime < secondOf(current.created))
      return { ok: false, error: didError('NOT_FOUND', `${req.did} did not exist at that time`) };
    if (req.versionId !== undefined && req.versionId > current.version)
      return { ok: false, error: didError('NOT_FOUND', `${req.did} has no version ${req.versionId}`) };
    return { ok: false, error: didError('FEATURE_NOT_SUPPORTED', 'past versions of namespace DIDs are not served; only the current version can be resolved') };
  }
  let idx = -1;
  if (req.versionId !== undefined) idx = versions.findIndex((v) => v.version === req.versionId);
  else for (let i = 0; i < versions.length; i++) if (secondOf(versions[i]!.updated) <= req.versionTime!) idx = i;
  if (idx < 0) {
    const what = req.versionId !== undefined ? `version ${req.versionId}` : `a version at ${new Date(req.versionTime!).toISOString().slice(0, 19)}Z`;
    return { ok: false, error: didError('NOT_FOUND', `${req.did} has no ${what}`) };
  }
  const entry = versions[idx]!;
  const next = versions[idx + 1];
  if (!next) return { ok: true, entry, proof };
  const vp = state.versionProof;
  return { ok: true, entry, next, proof: vp !== undefined && provesEntry(vp, entry) ? vp : undefined };
}

/** Times are shown (and compared) in whole seconds, as DID Core §7.1.3 writes them. */
const secondOf = (ms: number): number => Math.floor(ms / 1000) * 1000;

type Resolved = { ok: true; doc: DidDocument | null; md: DidDocumentMetadata } | { ok: false; error: DidError };

function resolveInner(req: DidRequest, state: DidStateView, opts: DidResolveOptions): Resolved {
  if (state.entry === null) return { ok: false, error: didError('NOT_FOUND', `${req.did} is not registered`) };
  const sel = selectVersion(req, state);
  if (!sel.ok) return sel;
  const md = buildDidDocumentMetadata(sel.entry, {
    ...(sel.proof ? { proof: sel.proof } : {}),
    ...(!sel.proof && state.proof ? { provenVersion: state.entry.version } : {}),
    ...(sel.next ? { next: sel.next } : {}),
    ...(req.did !== req.canonicalDid ? { canonicalId: req.canonicalDid } : {}),
  });
  // DID Resolution §4.4 step 5.2: a deactivated DID resolves to no document, with its metadata.
  if (sel.entry.status === 'deactivated') return { ok: true, doc: null, md };
  const doc = buildDidDocument(sel.entry, { did: req.did, ...(opts.urlHost !== undefined ? { urlHost: opts.urlHost } : {}) });
  if (req.hl !== undefined && documentHashlink(doc) !== req.hl) {
    return {
      ok: false,
      error: didError('NOT_FOUND', `the ${sel.next ? `version ${sel.entry.version}` : 'current'} document of ${req.did} does not have the hash named by hl`),
    };
  }
  return { ok: true, doc, md };
}

const errorResolution = (error: DidError): DidResolutionResult => ({
  '@context': DID_RESOLUTION_CONTEXT,
  didDocument: null,
  didResolutionMetadata: { error },
  didDocumentMetadata: {},
});
/**
 * A dereferencing result. The resource is under both `contentStream` (the name of the §5 function
 * output) and `content` (the name in the §10 example), which the specification has not yet aligned.
 */
function dereferencingResult(
  content: unknown,
  dereferencingMetadata: DidDereferencingResult['dereferencingMetadata'],
  contentMetadata: DidDereferencingResult['contentMetadata'],
): DidDereferencingResult {
  return { '@context': DID_RESOLUTION_CONTEXT, contentStream: content, content, dereferencingMetadata, contentMetadata };
}
const errorDereferencing = (error: DidError): DidDereferencingResult => dereferencingResult(null, { error }, {});

/**
 * DID resolution (DID Resolution §4.4) of the DID of a request, honouring `versionId` /
 * `versionTime`; the document is in representation `type`. A deactivated version resolves to no
 * document and `deactivated: true`; errors give no document and empty document metadata.
 * Other DID URL parts are not this function's: a path or an unknown parameter is
 * FEATURE_NOT_SUPPORTED (§4.4 step 3); a fragment and the service parameters are left to the
 * caller (client-side dereferencing, §8.2.3).
 */
export function resolveDidRequest(
  req: DidRequest,
  state: DidStateView,
  type: DidDocMediaType = MEDIA_DID_LD_JSON,
  opts: DidResolveOptions = {},
): DidResolutionResult {
  if (req.path !== null) return errorResolution(didError('FEATURE_NOT_SUPPORTED', 'did:urbis defines no DID paths'));
  if (req.unknown.length > 0) return errorResolution(didError('FEATURE_NOT_SUPPORTED', `the DID parameter "${req.unknown[0]}" is not defined for did:urbis`));
  const r = resolveInner(req, state, opts);
  if (!r.ok) return errorResolution(r.error);
  if (r.doc === null) return { '@context': DID_RESOLUTION_CONTEXT, didDocument: null, didResolutionMetadata: {}, didDocumentMetadata: r.md };
  return {
    '@context': DID_RESOLUTION_CONTEXT,
    didDocument: representDocument(r.doc, type),
    didResolutionMetadata: { contentType: type },
    didDocumentMetadata: r.md,
  };
}

/** The HTTP status of a resolution result (DID Resolution §12.1): the error's, 410 when deactivated, else 200. */
export function resolutionStatus(r: { didResolutionMetadata: { error?: DidError }; didDocumentMetadata: { deactivated?: true } }): number {
  if (r.didResolutionMetadata.error) return didErrorStatus(r.didResolutionMetadata.error);
  return r.didDocumentMetadata.deactivated === true ? 410 : 200;
}

// --- dereferencing (DID Resolution §5.4) and the HTTP(S) binding (§12.1) -------------------------

/** The answer of the HTTP(S) binding to one request: what a node sends and what the SDK returns. */
export type DidAnswer =
  { status: 303; contentType: null; location: string; body: null } | { status: number; contentType: string; location?: undefined; body: unknown };

/** RFC 3986 §4.2 relative reference, not a network-path reference (it could leave the endpoint's host). */
const RELATIVE_REF = /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@/?#]|%[0-9A-Fa-f]{2})*$/;

function checkRelativeRef(ref: string): DidError | null {
  if (!RELATIVE_REF.test(ref)) return didError('INVALID_DID_URL', 'relativeRef has a character RFC 3986 does not allow');
  if (ref.startsWith('//')) return didError('INVALID_DID_URL', 'relativeRef must not name another host (a network-path reference)');
  const firstSeg = ref.split(/[/?#]/, 1)[0]!;
  if (firstSeg.includes(':')) return didError('INVALID_DID_URL', 'relativeRef must be a relative reference (RFC 3986 §4.2), not an absolute URI');
  return null;
}

/** The fragment a `service` parameter names (`feed`, `#feed` or `<did>#feed`), or null if it names another DID. */
function serviceFragment(req: DidRequest, value: string): string | null {
  const hash = value.indexOf('#');
  if (hash < 0) return value;
  if (hash === 0) return value.slice(1);
  try {
    return parseDid(value.slice(0, hash)).text === req.ident.text ? value.slice(hash + 1) : null;
  } catch {
    return null;
  }
}

function answerOf(status: number, contentType: string, body: unknown): DidAnswer {
  return { status, contentType, body };
}

/**
 * The answer to a request that failed before resolution (a malformed or foreign DID URL, a node
 * that cannot read its store): a dereferencing result when the caller asked for one, or (without
 * a preference) when the input was a DID URL rather than a DID; a resolution result otherwise.
 */
export function errorAnswer(error: DidError, accept: string | undefined, didUrl: string): DidAnswer {
  const status = didErrorStatus(error);
  const first = negotiate(accept).find((w) => w?.kind === 'resolution' || w?.kind === 'dereferencing');
  const isUrl = /[/?#]/.test(didUrl.replace(/^did:[^/?#]*/, ''));
  if (first?.kind === 'resolution') return answerOf(status, first.type, errorResolution(error));
  if (first?.kind === 'dereferencing' || isUrl) return answerOf(status, MEDIA_DEREFERENCING, errorDereferencing(error));
  return answerOf(status, MEDIA_RESOLUTION, errorResolution(error));
}

/**
 * Answers one request of the HTTP(S) binding (DID Resolution §12.1) for an `Accept` header:
 *
 * - `application/did-resolution`: the resolution result of the DID ({@link resolveDidRequest});
 *   the document in the first DID document type the header also lists (default JSON-LD).
 * - `application/did-url-dereferencing`: the dereferencing result (§10) of the DID URL.
 * - a DID document type (`application/did+ld+json`, `application/did+json`, `application/did`):
 *   the resource itself: the document (with only the selected services for `service`), or the
 *   verification method or service a fragment names.
 * - `text/uri-list`, or no preference, for `service` / `serviceType` (+ `relativeRef`): 303 to the
 *   endpoint resolved per RFC 3986 §5.2, with the DID URL's fragment appended.
 * - no preference otherwise: the resolution result for a DID, the resource for a DID URL.
 *
 * Errors answer with the status of their type, 410 for a deactivated DID, and a result body with
 * an error object, no content and empty metadata.
 */
export function answerDidRequest(req: DidRequest, state: DidStateView, acceptHeader: string | undefined, opts: DidResolveOptions = {}): DidAnswer {
  const accept = req.accept ?? acceptHeader;
  const wants = negotiate(accept);
  // The document inside a result: the first document type the header lists, else `application/did`
  // (DID Resolution §12.2 examples; DID v1.1's media type, JSON-LD with its @context).
  const inner = (wants.find((w) => w?.kind === 'doc') as { type: DidDocMediaType } | undefined)?.type ?? MEDIA_DID;
  const isService = req.service !== undefined || req.serviceType !== undefined || req.relativeRef !== undefined;
  const isPlain = req.path === null && req.fragment === null && !isService && req.unknown.length === 0;
  let want: Want | null | undefined = wants.find((w) => w !== null && (w.kind !== 'uri-list' || isService));
  if (want?.kind === 'any')
    want = isPlain ? { kind: 'resolution', type: MEDIA_RESOLUTION } : isService ? { kind: 'uri-list' } : { kind: 'doc', type: MEDIA_DID_LD_JSON };
  if (!want) {
    const err = didError('REPRESENTATION_NOT_SUPPORTED', `cannot answer with any of: ${accept}`);
    return isPlain ? answerOf(406, MEDIA_RESOLUTION, errorResolution(err)) : answerOf(406, MEDIA_DEREFERENCING, errorDereferencing(err));
  }
  if (want.kind === 'resolution' || (isPlain && want.kind === 'doc')) {
    const r = resolveDidRequest(req, state, want.kind === 'doc' ? want.type : inner, opts);
    const status = resolutionStatus(r);
    // DID Resolution §12.1: the document alone, with its type, only when there is one.
    if (want.kind === 'doc' && status === 200) return answerOf(200, want.type, r.didDocument);
    return answerOf(status, want.kind === 'resolution' ? want.type : MEDIA_RESOLUTION, r);
  }
  const d = dereferenceInner(req, state, want.kind === 'doc' ? want.type : inner, isService, opts);
  if (!d.ok) return answerOf(didErrorStatus(d.error), MEDIA_DEREFERENCING, errorDereferencing(d.error));
  if (d.md.deactivated === true) return answerOf(410, MEDIA_DEREFERENCING, dereferencingResult(null, {}, d.md));
  // A service endpoint is a text/uri-list result, which §12.1 answers with 303 and Location.
  if (d.urls && want.kind !== 'doc') return { status: 303, contentType: null, location: toUri(d.urls[0]!), body: null };
  const type = want.kind === 'doc' ? want.type : inner;
  if (want.kind === 'dereferencing') return answerOf(200, MEDIA_DEREFERENCING, dereferencingResult(d.content, { contentType: type }, d.md));
  return answerOf(200, type, d.content);
}

type Dereferenced = { ok: true; content: unknown; md: DidDocumentMetadata; urls?: string[] } | { ok: false; error: DidError };

/** DID Resolution §5.4.1 (the resource) and §5.4.2 (the fragment). */
function dereferenceInner(req: DidRequest, state: DidStateView, type: DidDocMediaType, isService: boolean, opts: DidResolveOptions): Dereferenced {
  const r = resolveInner(req, state, opts);
  if (!r.ok) return r;
  if (r.doc === null) return { ok: true, content: null, md: r.md };
  const doc = r.doc;
  if (req.path !== null) return { ok: false, error: didError('NOT_FOUND', 'did:urbis defines no DID paths') };
  if (req.unknown.length > 0) return { ok: false, error: didError('NOT_FOUND', `the DID parameter "${req.unknown[0]}" is not defined for did:urbis`) };
  if (isService) {
    if (req.service === undefined && req.serviceType === undefined)
      return { ok: false, error: didError('INVALID_DID_URL', 'relativeRef needs a service or serviceType parameter') };
    const frag = req.service !== undefined ? serviceFragment(req, req.service) : undefined;
    const selected = (doc.service ?? []).filter(
      (s) => (frag === undefined || s.id === `${doc.id}#${frag}`) && (req.serviceType === undefined || s.type === req.serviceType),
    );
    if (selected.length === 0) return { ok: false, error: didError('NOT_FOUND', `${req.did} has no such service`) };
    if (req.relativeRef !== undefined) {
      const bad = checkRelativeRef(req.relativeRef);
      if (bad) return { ok: false, error: bad };
    }
    const urls: string[] = [];
    for (const s of selected) {
      let url = req.relativeRef !== undefined ? resolveReference(s.serviceEndpoint, req.relativeRef) : s.serviceEndpoint;
      if (req.fragment !== null) {
        // DID Resolution §5.4.2 step 2: the endpoint inherits the fragment, unless it has its own.
        if (url.includes('#')) return { ok: false, error: didError('INVALID_DID_URL', 'the service endpoint URL already has a fragment') };
        url += `#${req.fragment}`;
      }
      urls.push(url);
    }
    return { ok: true, content: representDocument({ ...doc, service: selected }, type), md: r.md, urls };
  }
  if (req.fragment !== null) {
    const id = `${doc.id}#${req.fragment}`;
    const found = (doc.verificationMethod ?? []).find((v) => v.id === id) ?? doc.service?.find((s) => s.id === id);
    if (!found) return { ok: false, error: didError('NOT_FOUND', `${req.did} has no "#${req.fragment}"`) };
    const content = type === MEDIA_DID_JSON ? { ...found } : { '@context': doc['@context'] ?? [...DID_CONTEXTS], ...found };
    return { ok: true, content, md: r.md };
  }
  return { ok: true, content: representDocument(doc, type), md: r.md };
}

/**
 * An IRI as a URI (RFC 3987 §3.1): every character RFC 3986 does not allow (non-ASCII, controls,
 * space, `"<>\\^\`{|}`) percent-encoded as UTF-8, so that a service endpoint written with such
 * characters still makes a valid `Location` header.
 */
export function toUri(iri: string): string {
  return iri.replace(/[^A-Za-z0-9\-._~:/?#[\]@!$&'()*+,;=%]/gu, (c) => {
    try {
      return encodeURIComponent(c);
    } catch {
      return '%EF%BF%BD'; // a lone surrogate: U+FFFD
    }
  });
}

// --- RFC 3986 §5.2 reference resolution ----------------------------------------------------------

const URI_RE = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/;

interface UriParts {
  scheme?: string;
  authority?: string;
  path: string;
  query?: string;
  fragment?: string;
}

function splitUri(s: string): UriParts {
  const m = URI_RE.exec(s)!;
  const p: UriParts = { path: m[3] ?? '' };
  if (m[1] !== undefined) p.scheme = m[1];
  if (m[2] !== undefined) p.authority = m[2];
  if (m[4] !== undefined) p.query = m[4];
  if (m[5] !== undefined) p.fragment = m[5];
  return p;
}

/** RFC 3986 §5.2.4. */
export function removeDotSegments(path: string): string {
  let input = path;
  let out = '';
  while (input.length > 0) {
    if (input.startsWith('../')) input = input.slice(3);
    else if (input.startsWith('./')) input = input.slice(2);
    else if (input.startsWith('/./')) input = input.slice(2);
    else if (input === '/.') input = '/';
    else if (input.startsWith('/../') || input === '/..') {
      input = '/' + input.slice(input === '/..' ? 3 : 4);
      const cut = out.lastIndexOf('/');
      out = cut >= 0 ? out.slice(0, cut) : '';
    } else if (input === '.' || input === '..') input = '';
    else {
      const next = input.indexOf('/', input.startsWith('/') ? 1 : 0);
      const seg = next < 0 ? input : input.slice(0, next);
      out += seg;
      input = next < 0 ? '' : input.slice(next);
    }
  }
  return out;
}

/** RFC 3986 §5.2.2 (strict): the target URI of reference `ref` against base URI `base`. */
export function resolveReference(base: string, ref: string): string {
  const b = splitUri(base);
  const r = splitUri(ref);
  const t: UriParts = { path: '' };
  if (r.scheme !== undefined) {
    Object.assign(t, r, { path: removeDotSegments(r.path) });
  } else {
    if (r.authority !== undefined) {
      t.authority = r.authority;
      t.path = removeDotSegments(r.path);
      if (r.query !== undefined) t.query = r.query;
    } else {
      if (r.path === '') {
        t.path = b.path;
        if (r.query !== undefined) t.query = r.query;
        else if (b.query !== undefined) t.query = b.query;
      } else {
        if (r.path.startsWith('/')) t.path = removeDotSegments(r.path);
        else {
          // §5.2.3 merge
          const merged = b.authority !== undefined && b.path === '' ? `/${r.path}` : b.path.slice(0, b.path.lastIndexOf('/') + 1) + r.path;
          t.path = removeDotSegments(merged);
        }
        if (r.query !== undefined) t.query = r.query;
      }
      if (b.authority !== undefined) t.authority = b.authority;
    }
    if (b.scheme !== undefined) t.scheme = b.scheme;
  }
  if (r.fragment !== undefined) t.fragment = r.fragment;
  // §5.3 recomposition
  let out = '';
  if (t.scheme !== undefined) out += `${t.scheme}:`;
  if (t.authority !== undefined) out += `//${t.authority}`;
  out += t.path;
  if (t.query !== undefined) out += `?${t.query}`;
  if (t.fragment !== undefined) out += `#${t.fragment}`;
  return out;
}

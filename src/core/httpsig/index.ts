/**
 * HTTP Message Signatures (RFC 9421) with Ed25519 (§3.3.6), and the `Content-Digest` field of
 * RFC 9530 with SHA-256. Pure: time is passed in, the signature base is built from plain values,
 * and the same code signs in a browser, in the SDK and in the gateway.
 *
 * Supported covered components: the derived components `@method`, `@target-uri`, `@authority`,
 * `@scheme`, `@path` and `@query` (§2.2) and header fields by their lowercase name (§2.1), without
 * component parameters. Supported signature parameters (§2.3): `created`, `expires`, `nonce`,
 * `keyid`, `alg` (only "ed25519") and `tag`.
 *
 * Urbis profile (docs/sharing.md): a request is signed under the label `sig1`, covering
 * {@link DEFAULT_COMPONENTS}, with `created`, `expires` (a short validity) and a random `nonce`;
 * `keyid` is `<grantee DID>#<Multikey of the signing key>`. The date of the request is the `created`
 * parameter, which the signature covers (§2.3): browsers may not set a `Date` header.
 */
import { fail } from '../errors.js';
import { ed25519Verify, sha256 } from '../crypto/index.js';
import { bytesEqual, utf8Encode } from '../encoding/index.js';
import { parseDictionary, serializeInnerList, toBase64, type BareItem, type InnerList, type Params } from './sf.js';

export { toBase64, fromBase64, parseDictionary, serializeInnerList, serializeParams } from './sf.js';
export type { BareItem, InnerList, Item, Member, Params } from './sf.js';

/** An HTTP request as signed and verified: method, absolute target URI as sent, header fields. */
export interface HttpRequestParts {
  method: string;
  /** Absolute URI `scheme://authority/path?query`, exactly as sent (no normalisation of the path). */
  url: string;
  /** Header fields by lowercase name; several values of one field are given as an array. */
  headers: Record<string, string | readonly string[] | undefined>;
}

/** Components the Urbis profile covers: the whole target (but the scheme, which TLS terminators change), and the body. */
export const DEFAULT_COMPONENTS: readonly string[] = ['@method', '@authority', '@path', '@query', 'content-digest'];

/** Default label of the Urbis profile. */
export const DEFAULT_LABEL = 'sig1';

const DERIVED = new Set(['@method', '@target-uri', '@authority', '@scheme', '@path', '@query']);
const FIELD_NAME_RE = /^[a-z0-9!#$%&'*+\-.^_`|~]{1,64}$/;
const URI_RE = /^([A-Za-z][A-Za-z0-9+.-]*):\/\/([^/?#\s]*)([^?#\s]*)(\?[^#\s]*)?$/;

/** The parts of a target URI that derived components use (§2.2). */
export interface TargetParts {
  scheme: string;
  /** Host and port, lowercase, the default port of the scheme omitted (§2.2.3). */
  authority: string;
  /** Absolute path, `/` when empty (§2.2.6). */
  path: string;
  /** `?` followed by the query, or `?` alone when there is none (§2.2.7). */
  query: string;
}

/**
 * Splits an absolute URI into the values of the derived components. The path and query are kept
 * byte for byte as sent: what the signer covered is what the verifier checks and forwards.
 * @throws UrbisError HTTPSIG_MALFORMED if `url` is not an absolute http(s) URI.
 */
export function targetParts(url: string): TargetParts {
  const m = URI_RE.exec(url);
  if (!m) fail('HTTPSIG_MALFORMED', 'the target URI must be an absolute URI without a fragment');
  const scheme = m[1]!.toLowerCase();
  let authority = m[2]!.toLowerCase();
  if (authority === '' || authority.includes('@')) fail('HTTPSIG_MALFORMED', 'the target URI has no authority, or carries user information');
  if ((scheme === 'http' && authority.endsWith(':80')) || (scheme === 'https' && authority.endsWith(':443'))) {
    authority = authority.slice(0, authority.lastIndexOf(':'));
  }
  return { scheme, authority, path: m[3] === '' ? '/' : m[3]!, query: m[4] ?? '?' };
}

function fieldValue(req: HttpRequestParts, name: string): string {
  const v = req.headers[name];
  if (v === undefined) fail('HTTPSIG_MALFORMED', `the covered field "${name}" is not in the message`, { component: name });
  // §2.1: trim leading and trailing whitespace of each line, join several lines with ", ".
  const lines = typeof v === 'string' ? [v] : v;
  return lines.map((l) => l.trim().replace(/\r?\n[ \t]*/g, ' ')).join(', ');
}

function componentValue(req: HttpRequestParts, name: string, t: () => TargetParts): string {
  switch (name) {
    case '@method':
      return req.method;
    case '@target-uri':
      return req.url;
    case '@authority':
      return t().authority;
    case '@scheme':
      return t().scheme;
    case '@path':
      return t().path;
    case '@query':
      return t().query;
  }
  return fieldValue(req, name);
}

/** Signature parameters (§2.3) as this module uses them; unix seconds for times. */
export interface SignatureParams {
  created?: number;
  expires?: number;
  nonce?: string;
  keyid?: string;
  alg?: string;
  tag?: string;
}

function paramsList(p: SignatureParams): Params {
  const out: Params = [];
  if (p.created !== undefined) out.push(['created', p.created]);
  if (p.expires !== undefined) out.push(['expires', p.expires]);
  if (p.nonce !== undefined) out.push(['nonce', p.nonce]);
  if (p.alg !== undefined) out.push(['alg', p.alg]);
  if (p.keyid !== undefined) out.push(['keyid', p.keyid]);
  if (p.tag !== undefined) out.push(['tag', p.tag]);
  return out;
}

function checkComponents(components: readonly string[]): void {
  const seen = new Set<string>();
  for (const c of components) {
    if (!DERIVED.has(c) && !FIELD_NAME_RE.test(c)) fail('HTTPSIG_MALFORMED', `"${c.slice(0, 40)}" is not a supported component`, { component: c.slice(0, 40) });
    // §2.5: a component listed twice makes the signature base ambiguous.
    if (seen.has(c)) fail('HTTPSIG_MALFORMED', `the component "${c}" is covered twice`, { component: c });
    seen.add(c);
  }
}

/**
 * The signature base of §2.5 for the given covered components and signature parameters, given as
 * an inner list exactly as it is (or will be) serialised in `Signature-Input`.
 * @throws UrbisError HTTPSIG_MALFORMED when a component is unsupported, duplicated or absent.
 */
export function signatureBase(req: HttpRequestParts, input: InnerList): string {
  const names = input.items.map((i) => {
    if (typeof i.value !== 'string') fail('HTTPSIG_MALFORMED', 'covered components must be strings');
    if (i.params.length > 0) fail('HTTPSIG_MALFORMED', `component parameters (on "${i.value.slice(0, 40)}") are not supported`);
    return i.value;
  });
  checkComponents(names);
  let parts: TargetParts | undefined;
  const t = () => (parts ??= targetParts(req.url));
  let base = '';
  for (const n of names) {
    const v = componentValue(req, n, t);
    if (/[\r\n]/.test(v)) fail('HTTPSIG_MALFORMED', `the value of "${n}" contains a line break`);
    base += `"${n}": ${v}\n`;
  }
  return `${base}"@signature-params": ${serializeInnerList(input)}`;
}

/** Options of {@link signRequest}. */
export interface SignRequestOptions extends SignatureParams {
  /** Ed25519 signing function (e.g. `ed25519SignerFor(seed)`, or a ledger `Signer`'s `sign`). */
  sign: (message: Uint8Array) => Uint8Array;
  /** Covered components, in order; default {@link DEFAULT_COMPONENTS}. */
  components?: readonly string[];
  /** Label in the Signature fields; default {@link DEFAULT_LABEL}. */
  label?: string;
}

/** The two fields a signature adds to a message (§4.1, §4.2). */
export type SignatureFields = {
  'signature-input': string;
  signature: string;
};

/**
 * Signs a request (§3.1) with Ed25519 (§3.3.6). Covered fields (e.g. `content-digest`, see
 * {@link contentDigest}) must already be in `req.headers`.
 * @throws UrbisError HTTPSIG_MALFORMED for a bad component or parameter; CRYPTO_KEY_INVALID for a bad signer.
 * @example signRequest(req, { sign: ed25519SignerFor(seed), keyid, created: 1618884473, nonce }) // { 'signature-input': 'sig1=(…)', signature: 'sig1=:…:' }
 */
export function signRequest(req: HttpRequestParts, opts: SignRequestOptions): SignatureFields {
  const label = opts.label ?? DEFAULT_LABEL;
  if (!/^[a-z*][a-z0-9_\-.*]{0,63}$/.test(label)) fail('HTTPSIG_MALFORMED', 'a signature label must be a structured-field key');
  const input: InnerList = { items: (opts.components ?? DEFAULT_COMPONENTS).map((c) => ({ value: c, params: [] })), params: paramsList(opts) };
  const base = signatureBase(req, input);
  const sig = opts.sign(utf8Encode(base));
  if (!(sig instanceof Uint8Array) || sig.length !== 64) fail('CRYPTO_KEY_INVALID', 'the signing function must return a 64-byte Ed25519 signature');
  return { 'signature-input': `${label}=${serializeInnerList(input)}`, signature: `${label}=:${toBase64(sig)}:` };
}

/** Options of {@link verifyRequest}. */
export interface VerifyRequestOptions {
  /** Current time, unix seconds. */
  now: number;
  /** Label to verify; default: the only signature of the message (several without a label: error). */
  label?: string;
  /** Components the signature must cover (§3.2.1 step 5: the verifier's policy). */
  required?: readonly string[];
  /** Oldest accepted `created`, in seconds before `now`; `created` is then required. */
  maxAge?: number;
  /** Tolerated clock difference in seconds for `created` in the future and `expires` in the past; default 5. */
  skew?: number;
  /** Require a `nonce` parameter (the caller checks it was not seen before). */
  requireNonce?: boolean;
  /**
   * The Ed25519 public key for a `keyid`, or undefined when the key is unknown. Attacker-controlled
   * input: the keyid comes from the request.
   */
  keyFor: (keyid: string) => Uint8Array | undefined;
}

/** What a verified signature says. */
export interface VerifiedSignature {
  label: string;
  keyid: string;
  publicKey: Uint8Array;
  components: string[];
  created?: number;
  expires?: number;
  nonce?: string;
  tag?: string;
}

function one(req: HttpRequestParts, name: string): string {
  const v = req.headers[name];
  if (v === undefined || (typeof v !== 'string' && v.length === 0)) fail('HTTPSIG_MISSING', `the request has no ${name} field`);
  return typeof v === 'string' ? v : v.join(', ');
}

function paramOf(params: Params, name: string, type: 'number' | 'string'): BareItem | undefined {
  const p = params.find(([k]) => k === name);
  if (!p) return undefined;
  if (typeof p[1] !== type || (type === 'number' && !Number.isInteger(p[1]))) {
    fail('HTTPSIG_MALFORMED', `the signature parameter "${name}" must be ${type === 'number' ? 'an integer' : 'a string'}`);
  }
  return p[1];
}

/**
 * Verifies a request signature (§3.2): parses `Signature-Input` and `Signature`, checks the policy
 * (required components, created/expires window, nonce present, alg), rebuilds the signature base
 * and verifies Ed25519. Replay (a nonce seen before) is the caller's check: it keeps the state.
 *
 * @throws UrbisError HTTPSIG_MISSING (no signature, or not the expected label), HTTPSIG_MALFORMED,
 *   HTTPSIG_COVERAGE (a required component is not covered, or a required parameter is absent),
 *   HTTPSIG_EXPIRED (outside its validity), HTTPSIG_KEY_UNKNOWN, HTTPSIG_INVALID (does not verify).
 */
export function verifyRequest(req: HttpRequestParts, opts: VerifyRequestOptions): VerifiedSignature {
  const inputs = parseDictionary(one(req, 'signature-input'));
  const sigs = parseDictionary(one(req, 'signature'));
  let label = opts.label;
  if (label === undefined) {
    if (inputs.size !== 1) fail('HTTPSIG_MISSING', 'the request carries several signatures and none was asked for by label');
    label = [...inputs.keys()][0]!;
  }
  const input = inputs.get(label);
  const sigm = sigs.get(label);
  if (!input || !sigm) fail('HTTPSIG_MISSING', `the request has no signature labelled "${label}"`, { label });
  if (input.kind !== 'inner') fail('HTTPSIG_MALFORMED', 'Signature-Input members must be inner lists');
  if (sigm.kind !== 'item' || !(sigm.item.value instanceof Uint8Array)) fail('HTTPSIG_MALFORMED', 'Signature members must be byte sequences');
  const list = input.list;
  const components = list.items.map((i) => (typeof i.value === 'string' ? i.value : fail('HTTPSIG_MALFORMED', 'covered components must be strings')));
  for (const r of opts.required ?? []) {
    if (!components.includes(r)) fail('HTTPSIG_COVERAGE', `the signature must cover "${r}"`, { component: r, required: [...(opts.required ?? [])] });
  }
  const created = paramOf(list.params, 'created', 'number') as number | undefined;
  const expires = paramOf(list.params, 'expires', 'number') as number | undefined;
  const nonce = paramOf(list.params, 'nonce', 'string') as string | undefined;
  const keyid = paramOf(list.params, 'keyid', 'string') as string | undefined;
  const alg = paramOf(list.params, 'alg', 'string') as string | undefined;
  const tag = paramOf(list.params, 'tag', 'string') as string | undefined;
  if (alg !== undefined && alg !== 'ed25519') fail('HTTPSIG_MALFORMED', `the algorithm "${alg.slice(0, 32)}" is not supported; use ed25519`);
  if (keyid === undefined) fail('HTTPSIG_COVERAGE', 'the signature has no keyid parameter');
  const skew = opts.skew ?? 5;
  if (opts.maxAge !== undefined) {
    if (created === undefined) fail('HTTPSIG_COVERAGE', 'the signature has no created parameter');
    if (created < opts.now - opts.maxAge)
      fail('HTTPSIG_EXPIRED', `the signature was created ${opts.now - created} s ago; at most ${opts.maxAge} s are accepted`, { created, now: opts.now });
  }
  if (created !== undefined && created > opts.now + skew) fail('HTTPSIG_EXPIRED', 'the signature was created in the future', { created, now: opts.now });
  if (expires !== undefined && expires < opts.now - skew) fail('HTTPSIG_EXPIRED', 'the signature has expired', { expires, now: opts.now });
  if (opts.requireNonce && nonce === undefined) fail('HTTPSIG_COVERAGE', 'the signature has no nonce parameter');
  const publicKey = opts.keyFor(keyid);
  if (!publicKey) fail('HTTPSIG_KEY_UNKNOWN', `the key "${keyid.slice(0, 200)}" is not known`, { keyid: keyid.slice(0, 200) });
  const base = signatureBase(req, list);
  if (!ed25519Verify(sigm.item.value, utf8Encode(base), publicKey)) fail('HTTPSIG_INVALID', 'the signature does not verify');
  const out: VerifiedSignature = { label, keyid, publicKey, components };
  if (created !== undefined) out.created = created;
  if (expires !== undefined) out.expires = expires;
  if (nonce !== undefined) out.nonce = nonce;
  if (tag !== undefined) out.tag = tag;
  return out;
}

/** `Content-Digest` field value (RFC 9530 §2) of a body: `sha-256=:<base64>:`. */
export function contentDigest(body: Uint8Array): string {
  return `sha-256=:${toBase64(sha256(body))}:`;
}

/**
 * Checks a `Content-Digest` field against the body (RFC 9530 §2). Only `sha-256` is accepted:
 * the field must carry it, and other algorithms in the field are ignored (§2: a recipient may
 * ignore algorithms it does not support).
 * @throws UrbisError HTTPSIG_MISSING without the field; HTTPSIG_MALFORMED; HTTPSIG_DIGEST_MISMATCH.
 */
export function verifyContentDigest(field: string | undefined, body: Uint8Array): void {
  if (field === undefined) fail('HTTPSIG_MISSING', 'the request has no Content-Digest field');
  const d = parseDictionary(field).get('sha-256');
  if (!d || d.kind !== 'item' || !(d.item.value instanceof Uint8Array)) fail('HTTPSIG_MALFORMED', 'Content-Digest must carry a sha-256 byte sequence');
  if (!bytesEqual(d.item.value, sha256(body))) fail('HTTPSIG_DIGEST_MISMATCH', 'the body does not match its Content-Digest');
}

/**
 * Parses the Urbis keyid `<DID>#<Multikey>` (docs/sharing.md) into the grantee and the key.
 * @returns undefined if the keyid has another shape.
 */
export function splitKeyid(keyid: string): { did: string; key: string } | undefined {
  const hash = keyid.lastIndexOf('#');
  if (hash <= 0 || hash === keyid.length - 1 || keyid.length > 400) return undefined;
  return { did: keyid.slice(0, hash), key: keyid.slice(hash + 1) };
}

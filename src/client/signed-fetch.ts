/**
 * Signed requests to a data provider behind an Urbis gateway (docs/sharing.md "Signed requests"):
 * RFC 9421 with Ed25519 under the Urbis profile. Browser-safe: global `fetch`, the pure core.
 *
 * Each request gets a `Content-Digest` (RFC 9530, sha-256, also for an empty body), and a signature
 * labelled `sig1` covering `@method @authority @path @query content-digest`, with `created` (the
 * request's date), `expires` (a short validity) and a random `nonce` (the gateway refuses a nonce
 * it has seen: no replay). `keyid` names the grantee and the key: `<grantee DID>#<Multikey>`.
 */
import { UrbisError } from '../core/errors.js';
import { randomBytes } from '../core/crypto/index.js';
import { toBase64url, utf8Encode } from '../core/encoding/index.js';
import { contentDigest, signRequest, DEFAULT_COMPONENTS, type SignatureFields } from '../core/httpsig/index.js';
import { formatDid, parseIdentifier } from '../core/ids/index.js';
import type { Signer } from '../core/ledger/tx.js';
import type { FetchLike } from './http.js';

/** Who signs: the grantee identifier (any form) and one of its controller keys. */
export interface RequestSigner {
  grantee: string;
  signer: Signer;
}

/** Options of {@link signHttpRequest} and {@link signedFetch}. */
export interface SignedRequestOptions {
  /** Current time, ms since epoch (default `Date.now()`). */
  now?: number;
  /** Seconds until `expires` (default 30). */
  validitySec?: number;
  /** Transport (default the global `fetch`). */
  fetch?: FetchLike;
}

/** The `keyid` of the Urbis profile: `<grantee DID>#<Multikey>`. @throws UrbisError ID_* for a malformed grantee. */
export function requestKeyid(grantee: string, signer: Signer): string {
  return `${formatDid(parseIdentifier(grantee))}#${signer.id}`;
}

/**
 * The headers that sign one request: `content-digest`, `signature-input`, `signature`.
 * @throws UrbisError ID_* (grantee), HTTPSIG_MALFORMED (URL).
 */
export function signHttpRequest(
  req: { method: string; url: string; body?: Uint8Array },
  who: RequestSigner,
  opts: SignedRequestOptions = {},
): SignatureFields & { 'content-digest': string } {
  const created = Math.floor((opts.now ?? Date.now()) / 1000);
  const digest = contentDigest(req.body ?? new Uint8Array());
  const fields = signRequest(
    { method: req.method.toUpperCase(), url: req.url, headers: { 'content-digest': digest } },
    {
      sign: who.signer.sign,
      keyid: requestKeyid(who.grantee, who.signer),
      created,
      expires: created + (opts.validitySec ?? 30),
      nonce: toBase64url(randomBytes(16)),
      components: DEFAULT_COMPONENTS,
    },
  );
  return { 'content-digest': digest, ...fields };
}

/**
 * `fetch` with an RFC 9421 signature. The URL must be absolute; the body, when given, is sent
 * exactly as signed.
 *
 * @throws UrbisError as {@link signHttpRequest}; CLIENT_HTTP when the transport fails.
 */
export async function signedFetch(
  url: string,
  init: { method?: string; body?: Uint8Array | string; headers?: Record<string, string> },
  who: RequestSigner,
  opts: SignedRequestOptions = {},
): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const body = typeof init.body === 'string' ? utf8Encode(init.body) : init.body;
  // Sign the URL as fetch will send it (WHATWG URL serialisation), so the path matches byte for byte.
  const u = new URL(url);
  u.hash = '';
  const target = u.href;
  const headers = { ...init.headers, ...signHttpRequest({ method, url: target, ...(body ? { body } : {}) }, who, opts) };
  const f = opts.fetch ?? ((i: string, r?: RequestInit) => fetch(i, r));
  try {
    return await f(target, { method, headers, ...(body ? { body: body as BodyInit } : {}) });
  } catch (e) {
    throw new UrbisError('CLIENT_HTTP', `request to ${target} failed: ${(e as Error).message}`, undefined, { cause: e });
  }
}

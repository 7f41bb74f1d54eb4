/**
 * Code routes (docs/api.md "Codes" and "Label URLs"):
 * - `GET /v1/ids/<id>/code.svg|.png`: a signed code made with the node's issuer key;
 * - `POST /v1/codes/verify`: the verdict on a code given as text, URL, or an image with a QR code;
 * - `GET /v1/trust/bundle`: a trust bundle signed by the node's validator key;
 * - `GET /id/<id>[?c=<code>]`: what a phone camera opens: HTML, the resolution JSON
 *   (`Accept: application/json`) or an RFC 9264 linkset (`Accept: application/linkset+json`).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UrbisError, isUrbisError } from '../../core/errors.js';
import { randomBytes } from '../../core/crypto/index.js';
import {
  codeNamespace,
  ledgerFacts,
  codeUrl,
  makeCode,
  normaliseFields,
  recordDigest,
  verifyCode,
  type CodeFacts,
  type CodeVerdict,
  type ParsedCode,
} from '../../core/codes/index.js';
import { parseIdentifier, type Identifier } from '../../core/ids/index.js';
import { LINKSET_JSON, idLinkset, resolutionPath } from '../../core/api/linkset.js';
import { keyOfText } from '../../core/ledger/names.js';
import { nsKey } from '../../core/ledger/state.js';
import type { IdEntry, NsEntry } from '../../core/ledger/types.js';
import { exportTrustBundle } from '../../engine/trust-bundle.js';
import { MAX_IMAGE_BYTES } from '../../codes/limits.js';
import { guarded, requireReady } from '../guards.js';
import { idPage } from '../html.js';
import type { NodeRuntime } from '../types.js';
import { idAnswers } from './id-answer.js';
import { NO_QUERY, provenJson, tail } from './common.js';

/** Query of `/v1/ids/<id>/code.svg|png`. */
export interface CodeImageQuery {
  serial?: number;
  /** Comma-separated attribute names the code vouches for. */
  fields?: string;
  /** ISO 8601 expiry. */
  expires?: string;
  /** `text` (default: `UC1:…`, QR alphanumeric mode) or `url`. */
  form?: 'text' | 'url';
}

function nsOfKey(key: string): string {
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(0, slash);
}

/** The node's own ledger as facts: it is current by definition while the node is ready. */
function nodeFacts(rt: NodeRuntime, code: ParsedCode): CodeFacts {
  const head = guarded(() => rt.store.head())!;
  const key = keyOfText(code.claims.id);
  const ns = guarded(() => rt.store.ns(codeNamespace(code)));
  return ledgerFacts({
    chainId: rt.chainId,
    asOf: Date.now(),
    entry: key.includes('/') ? guarded(() => rt.store.id(key)) : ns,
    ns,
    evidence: { ledger: { height: head.height, headerHash: head.headerHash, headerTime: new Date(head.header.time).toISOString() } },
  });
}

/** Verdict on a code against the node's ledger. */
export function verifyHere(rt: NodeRuntime, input: string | Uint8Array, maxAgeMs = Number.POSITIVE_INFINITY): Promise<CodeVerdict> {
  return verifyCode(input, (code) => nodeFacts(rt, code), { now: Date.now(), maxAgeMs });
}

/** `GET /v1/ids/<id>/code.svg|png`. */
export async function serveCodeImage(rt: NodeRuntime, id: Identifier, format: 'svg' | 'png', q: CodeImageQuery, reply: FastifyReply): Promise<FastifyReply> {
  requireReady(rt);
  const issuer = rt.issuer;
  if (!issuer) throw new UrbisError('CODE_ISSUER_NOT_CONFIGURED', 'this node has no issuer key (start it with --issuer-key)');
  const key = keyOfText(id.text);
  const ns = guarded(() => rt.store.ns(nsOfKey(key)));
  const entry: IdEntry | NsEntry | undefined = key.includes('/') ? guarded(() => rt.store.id(key)) : ns;
  if (!entry) throw new UrbisError('ID_NOT_FOUND', `${id.text} is not registered`);
  if (entry.status === 'deactivated') throw new UrbisError('ID_DEACTIVATED', `${id.text} is deactivated; no code is made for it`);
  if (!ns?.policy.issuers?.includes(issuer.id)) {
    throw new UrbisError('CODE_ISSUER_NOT_AUTHORISED', `the node's issuer key ${issuer.id} is not in policy.issuers of ${nsOfKey(key)}`, { issuer: issuer.id });
  }
  let expiresAt: number | undefined;
  if (q.expires !== undefined) {
    expiresAt = Date.parse(q.expires);
    if (Number.isNaN(expiresAt)) throw new UrbisError('HTTP_BAD_REQUEST', '"expires" must be an ISO 8601 time');
  }
  const fields = normaliseFields(q.fields ? q.fields.split(',').map((f) => f.trim()) : []);
  const serial = q.serial ?? new DataView(randomBytes(4).buffer).getUint32(0);
  const made = makeCode(
    {
      id: entry.id,
      serial,
      issuedAt: Math.floor(Date.now() / 1000),
      chain: rt.chainId,
      digest: recordDigest(entry.record, fields),
      fields,
      ...(expiresAt === undefined ? {} : { expiresAt: Math.floor(expiresAt / 1000) }),
    },
    issuer,
    issuer.publicKey,
  );
  const text = q.form === 'url' ? codeUrl(rt.publicUrl, entry.id, made.bytes) : made.text;
  // The QR and image libraries load on first use: a node that never makes or reads codes skips them.
  const { qrVersion, renderQr } = await import('../../codes/render.js');
  const image = await renderQr(text, format);
  reply.header('cache-control', 'no-store');
  reply.header('urbis-label-serial', String(serial));
  reply.header('urbis-qr-version', String(qrVersion(text)));
  return reply.type(format === 'svg' ? 'image/svg+xml' : 'image/png').send(format === 'svg' ? image : Buffer.from(image as Uint8Array));
}

type Representation = 'html' | 'json' | 'linkset';

/** Accept negotiation of `/id/<id>`: the first acceptable media range wins; none: a browser page. */
function negotiate(accept: string | undefined): Representation | null {
  if (!accept || accept.trim() === '') return 'html';
  for (const part of accept.split(',')) {
    const media = part.split(';')[0]!.trim().toLowerCase();
    if (media === 'application/linkset+json') return 'linkset';
    if (media === 'application/json') return 'json';
    if (media === 'text/html' || media === 'application/xhtml+xml' || media === 'text/*' || media === '*/*') return 'html';
  }
  return null;
}

/**
 * Registers the code routes. `labelUrls: false` leaves `/id/*` to the web app, which passes the
 * non-HTML requests to {@link labelUrlHandler}.
 */
export function registerCodeRoutes(app: FastifyInstance, rt: NodeRuntime, opts: { labelUrls?: boolean } = {}): void {
  const labelUrls = labelUrlHandler(rt);
  let bundleCache: { height: number; at: number; bytes: Uint8Array } | null = null;

  app.post(
    '/v1/codes/verify',
    {
      // An image arrives as base64: 8 MiB of image is about 11 MiB of JSON.
      bodyLimit: Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 4096,
      schema: {
        body: {
          type: 'object',
          properties: {
            code: { type: 'string', minLength: 1, maxLength: 4096 },
            image: { type: 'string', minLength: 1, maxLength: Math.ceil((MAX_IMAGE_BYTES * 4) / 3) + 4 },
            maxAgeMs: { type: 'integer', minimum: 0 },
          },
          additionalProperties: false,
        },
      },
    },
    async (req) => {
      requireReady(rt);
      const b = req.body as { code?: string; image?: string; maxAgeMs?: number };
      if ((b.code === undefined) === (b.image === undefined)) throw new UrbisError('HTTP_BAD_REQUEST', 'give exactly one of "code" and "image"');
      let input: string = b.code ?? '';
      let decoded: string[] | undefined;
      if (b.image !== undefined) {
        if (!/^[A-Za-z0-9+/=_-]+$/.test(b.image)) throw new UrbisError('HTTP_BAD_REQUEST', '"image" must be base64');
        const { firstUrbisCode, readQrCodes } = await import('../../codes/image.js');
        decoded = await readQrCodes(new Uint8Array(Buffer.from(b.image, 'base64')));
        const urbis = firstUrbisCode(decoded);
        if (urbis === undefined) throw new UrbisError('CODE_NOT_URBIS', 'the image holds QR codes, none of them an Urbis code', { found: decoded.length });
        input = urbis;
      }
      const v = await verifyHere(rt, input, b.maxAgeMs);
      return decoded ? { ...v, decoded: input } : v;
    },
  );

  app.get('/v1/trust/bundle', { schema: NO_QUERY }, async (_req, reply) => {
    requireReady(rt);
    if (!rt.validator) throw new UrbisError('BUNDLE_UNAVAILABLE', 'this node holds no validator key');
    const head = guarded(() => rt.store.head())!;
    const now = Date.now();
    // One export per block and minute: it walks the whole state.
    if (!bundleCache || bundleCache.height !== head.height || now - bundleCache.at > 60_000) {
      bundleCache = { height: head.height, at: now, bytes: guarded(() => exportTrustBundle(rt.store, rt.validator!, now)).bytes };
    }
    reply.header('cache-control', 'no-store');
    return reply.type('application/cose; cose-type="cose-sign1"').send(Buffer.from(bundleCache.bytes));
  });

  if (opts.labelUrls !== false) {
    app.get(
      '/id/*',
      { schema: { querystring: { type: 'object', properties: { c: { type: 'string', maxLength: 4096 } }, additionalProperties: false } } },
      labelUrls,
    );
  }
}

/**
 * `GET /id/<id>[?c=]` (docs/api.md "Label URLs"): the resolution JSON, an RFC 9264 linkset, or the
 * plain HTML page. Where the web app is served it owns the HTML answer and hands every other request
 * for `/id/*` to this handler.
 */
export function labelUrlHandler(rt: NodeRuntime): (req: FastifyRequest, reply: FastifyReply) => Promise<FastifyReply> {
  const answers = idAnswers(rt);
  return async (req, reply) => {
    requireReady(rt);
    const rep = negotiate(req.headers.accept);
    if (rep === null) throw new UrbisError('HTTP_NOT_ACCEPTABLE', 'this resource is text/html, application/json or application/linkset+json');
    const id = parseIdentifier(tail(req));
    reply.header('vary', 'Accept');
    if (rep === 'json') {
      if (id.local === null) return reply.type('application/json; charset=utf-8').send(guarded(() => provenJson<NsEntry>(rt, nsKey(id.namespace.join('.')))));
      const { answer } = answers(id);
      return reply
        .code(answer.status)
        .type(answer.status === 200 ? 'application/json; charset=utf-8' : 'application/problem+json')
        .send(answer.body);
    }
    const key = keyOfText(id.text);
    const entry: IdEntry | NsEntry | undefined = guarded(() => (id.local === null ? rt.store.ns(key) : rt.store.id(key)));
    if (rep === 'linkset') {
      if (!entry) throw new UrbisError(id.local === null ? 'NS_NOT_FOUND' : 'ID_NOT_FOUND', `${id.text} is not registered`);
      return reply.type(LINKSET_JSON).send(idLinkset(rt.publicUrl, id, entry));
    }
    const c = (req.query as { c?: unknown }).c;
    // Without the route schema (behind the web app) the query is checked here.
    if (c !== undefined && (typeof c !== 'string' || c.length > 4096))
      throw new UrbisError('HTTP_BAD_REQUEST', '"c" must be one code of at most 4096 characters');
    let verdict: CodeVerdict | undefined;
    let codeError: string | undefined;
    if (c !== undefined) {
      try {
        // The code in the URL is base64url (docs/codes.md §6); rebuild the URL form to decode it.
        verdict = await verifyHere(rt, `${rt.publicUrl}/id/${id.text}?c=${c}`);
        const named = (verdict.evidence.claims as { id?: string } | undefined)?.id;
        if (named !== undefined && named !== id.text) {
          verdict = { ...verdict, verdict: 'FORGED', reason: 'malformed', message: `the code is for ${named}, not for ${id.text}` };
        }
      } catch (e) {
        if (!isUrbisError(e)) throw e;
        codeError = e.message;
      }
    }
    const head = guarded(() => rt.store.head())!;
    return reply
      .code(entry ? 200 : 404)
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-store')
      .send(
        idPage({
          id: id.text,
          entry: entry ?? null,
          height: head.height,
          headerTime: head.header.time,
          verdict,
          codeError,
          jsonUrl: resolutionPath(id),
        }),
      );
  };
}

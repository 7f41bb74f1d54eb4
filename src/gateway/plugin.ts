/**
 * The provider gateway as a fastify plugin (docs/sharing.md "Gateway"): every request to the routes
 * it guards must carry an RFC 9421 signature of the Urbis profile by a controller key of a grantee
 * that holds a valid grant of this service on the ledger. Nothing on the request path calls a
 * central service: the grant and the grantee's keys come from the node the gateway follows, with
 * proofs the SDK verifies against the network's anchor, cached per block height.
 *
 * Checks, in order (each refusal is an RFC 9457 problem document naming the reason):
 *  1. signature fields present and well-formed, covering `@method @authority @path @query
 *     content-digest`, with `keyid`, `created`, `expires`, `nonce` (401 HTTPSIG_*);
 *  2. `created` no older than `maxAgeSec`, `expires` not passed (401 HTTPSIG_EXPIRED);
 *  3. the Ed25519 signature verifies under the key named in `keyid` (401 HTTPSIG_INVALID);
 *  4. the body matches `Content-Digest` (400 HTTPSIG_DIGEST_MISMATCH);
 *  5. the signed authority is one of this gateway's (403 ACCESS_WRONG_PROVIDER);
 *  6. the nonce was not seen before (401 HTTPSIG_REPLAYED);
 *  7. the key is among the grantee's controllers on the ledger (403 ACCESS_NOT_CONTROLLER);
 *  8. the grant exists, is active, not expired, and covers the method, service and path (403 ACCESS_*).
 */
import { Readable } from 'node:stream';
import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ERROR_CODES, UrbisError, isUrbisError } from '../core/errors.js';
import { multikeyToPublicKey } from '../core/encoding/index.js';
import { DEFAULT_COMPONENTS, splitKeyid, targetParts, verifyContentDigest, verifyRequest } from '../core/httpsig/index.js';
import { checkGrant } from '../core/ledger/grants.js';
import { keyOfText } from '../core/ledger/names.js';
import { parseIdentifier } from '../core/ids/index.js';
import type { GrantEntry } from '../core/ledger/types.js';
import type { GrantView } from './view.js';
import { NonceCache } from './replay.js';

/** What the gateway knows about a request it let through. */
export interface AccessContext {
  /** Canonical text of the grantee. */
  grantee: string;
  /** Multikey of the signing key. */
  key: string;
  grant: GrantEntry;
  /** Height the grant was proven at. */
  height: number;
  /** Hex SHA-256 of the request's Signature field: unique per request. */
  request: string;
  /** Time the request was admitted, ms. */
  time: number;
}

/** A served request, as handed to {@link GatewayOptions.onServed} (access receipts). */
export interface ServedRequest extends AccessContext {
  method: string;
  path: string;
  status: number;
  /** Hex SHA-256 of the response body as sent. */
  response: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    urbisAccess?: AccessContext;
  }
}

/** Options of {@link urbisGateway}. */
export interface GatewayOptions {
  /** The ledger view of the service (grants, grantees' keys). */
  view: GrantView;
  /** Service fragment of the subject's record this gateway serves (`#api`), matched against grant scopes. */
  service?: string;
  /**
   * Authorities (`host[:port]`, lowercase) requests must be signed for. Read by reference on every
   * request, so a server listening on port 0 can add its own once it knows the port.
   */
  authorities: Set<string>;
  /** Scheme used to rebuild the target URI (default `http`; the signature does not cover it). */
  scheme?: string;
  /** Oldest accepted signature, seconds (default 60). */
  maxAgeSec?: number;
  /** Tolerated clock difference, seconds (default 5). */
  skewSec?: number;
  /** Largest request body, bytes (default 1 MiB). */
  bodyLimit?: number;
  /**
   * Called after each response to an admitted request (access receipts). A returned string (the
   * receipt's name) is sent in the `Urbis-Receipt` header when the body is not a stream.
   */
  onServed?: (r: ServedRequest) => string | void;
  now?: () => number;
  /** Paths (without query) left unguarded, e.g. a health route. */
  open?: (path: string) => boolean;
}

/** RFC 9421 §5.1: what the gateway asks a client to sign, sent with 401 answers. */
export const ACCEPT_SIGNATURE = `sig1=(${DEFAULT_COMPONENTS.map((c) => `"${c}"`).join(' ')});created;expires;nonce;keyid`;

/** Sends an error as an RFC 9457 problem document; 401 answers say what to sign (RFC 9421 §5.1). */
export function sendRefusal(reply: FastifyReply, req: FastifyRequest, e: UrbisError): FastifyReply {
  const def = ERROR_CODES[e.code];
  if (def.status === 401) reply.header('accept-signature', ACCEPT_SIGNATURE);
  if (def.status === 503) reply.header('retry-after', '1');
  return reply
    .code(def.status)
    .header('cache-control', 'no-store')
    .type('application/problem+json')
    .send({
      type: `https://urbis.city/errors/${e.code}`,
      title: def.description,
      status: def.status,
      detail: e.message,
      code: e.code,
      instance: req.url.split('?')[0],
      ...(e.details ? { details: e.details } : {}),
    });
}

async function readBody(payload: NodeJS.ReadableStream, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let n = 0;
  for await (const c of payload as AsyncIterable<Buffer | string>) {
    const b = typeof c === 'string' ? Buffer.from(c) : c;
    n += b.length;
    if (n > limit) throw new UrbisError('HTTP_BODY_TOO_LARGE', `the request body exceeds ${limit} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

/**
 * Guards every route of the fastify instance it is registered on (register it with
 * `fastify-plugin` semantics: the hooks are added to the given instance).
 */
export function urbisGateway(app: FastifyInstance, opts: GatewayOptions): void {
  const nonces = new NonceCache();
  const now = opts.now ?? Date.now;
  const maxAge = opts.maxAgeSec ?? 60;
  const skew = opts.skewSec ?? 5;
  const bodyLimit = opts.bodyLimit ?? 1_048_576;
  const authorities = opts.authorities;
  const open = opts.open ?? (() => false);
  const subjectRef = keyOfText(parseIdentifier(opts.view.subject).text);

  app.addHook('preParsing', async (req, reply, payload) => {
    if (open(req.url.split('?')[0]!)) return payload;
    try {
      const body = await readBody(payload, bodyLimit);
      req.urbisAccess = await admit(req, body);
      const out = Readable.from(body.length ? [body] : []);
      (out as unknown as { receivedEncodedLength: number }).receivedEncodedLength = body.length;
      return out;
    } catch (e) {
      if (!isUrbisError(e)) throw e;
      await sendRefusal(reply, req, e);
      return reply as never;
    }
  });

  async function admit(req: FastifyRequest, body: Buffer): Promise<AccessContext> {
    const time = now();
    const nowSec = Math.floor(time / 1000);
    const host = req.headers.host;
    if (!host) throw new UrbisError('ACCESS_WRONG_PROVIDER', 'the request has no Host');
    const parts = {
      method: req.method,
      url: `${opts.scheme ?? 'http'}://${host}${req.url}`,
      headers: req.headers as Record<string, string | string[] | undefined>,
    };
    const v = verifyRequest(parts, {
      now: nowSec,
      maxAge,
      skew,
      requireNonce: true,
      required: DEFAULT_COMPONENTS,
      keyFor: (keyid) => {
        const k = splitKeyid(keyid);
        if (!k) return undefined;
        try {
          return multikeyToPublicKey(k.key);
        } catch {
          return undefined;
        }
      },
    });
    if (v.expires === undefined) throw new UrbisError('HTTPSIG_COVERAGE', 'the signature has no expires parameter');
    const hdr = req.headers['content-digest'];
    verifyContentDigest(Array.isArray(hdr) ? hdr.join(', ') : hdr, body);
    const target = targetParts(parts.url);
    if (!authorities.has(target.authority)) {
      throw new UrbisError('ACCESS_WRONG_PROVIDER', `the request was signed for ${target.authority}, this gateway serves ${[...authorities].join(', ')}`);
    }
    const { did, key } = splitKeyid(v.keyid)!;
    let grantee: string;
    try {
      grantee = parseIdentifier(did).text;
    } catch (e) {
      throw new UrbisError('HTTPSIG_KEY_UNKNOWN', `the keyid does not name an Urbis identifier: ${(e as Error).message}`);
    }
    if (keyOfText(grantee) === subjectRef) throw new UrbisError('ACCESS_NO_GRANT', 'the service does not grant access to itself');
    // The nonce is recorded only once the signature verified, so unsigned requests cannot fill the cache.
    const until = Math.min(v.expires, (v.created ?? nowSec) + maxAge) + skew;
    const seen = nonces.add(`${v.keyid} ${v.nonce}`, until, nowSec);
    if (seen === 'replayed') throw new UrbisError('HTTPSIG_REPLAYED', 'this request (its nonce) was already served');
    if (seen === 'full') throw new UrbisError('NODE_BUSY', 'too many requests in flight; retry shortly');
    const st = await opts.view.standing(grantee);
    if (!st.controllers) throw new UrbisError('ACCESS_NO_GRANT', `the grantee ${grantee} does not exist or is deactivated`);
    if (!st.controllers.keys.includes(key)) {
      throw new UrbisError('ACCESS_NOT_CONTROLLER', `the key ${key} is not a controller of ${grantee} at height ${st.height}`, { height: st.height });
    }
    const grant = checkGrant(st.grant, { method: req.method, path: target.path, now: time, ...(opts.service ? { service: opts.service } : {}) });
    const sigField = req.headers.signature;
    const request = createHash('sha256')
      .update(Array.isArray(sigField) ? sigField.join(', ') : (sigField ?? ''))
      .digest('hex');
    return { grantee, key, grant, height: st.height, request, time };
  }

  if (opts.onServed) {
    const onServed = opts.onServed;
    app.addHook('onSend', async (req, reply, payload) => {
      const a = req.urbisAccess;
      if (!a) return payload;
      const served = (digest: string) => onServed({ ...a, method: req.method, path: req.url.split('?')[0]!, status: reply.statusCode, response: digest });
      if (payload === null || payload === undefined || typeof payload === 'string' || Buffer.isBuffer(payload)) {
        const name = served(
          createHash('sha256')
            .update((payload as string | Buffer | null | undefined) ?? '')
            .digest('hex'),
        );
        if (typeof name === 'string') reply.header('urbis-receipt', name);
      } else {
        // A stream: hash it on its way out, record once it ended.
        const h = createHash('sha256');
        const src = payload as NodeJS.ReadableStream;
        const out = Readable.from(
          (async function* () {
            for await (const c of src as AsyncIterable<Buffer | string>) {
              h.update(c);
              yield c;
            }
            served(h.digest('hex'));
          })(),
        );
        return out;
      }
      return payload;
    });
  }
}

/**
 * The same as {@link urbisGateway}, shaped for `app.register(urbisGatewayPlugin, opts)`. It skips
 * fastify's encapsulation (like `fastify-plugin`), so it guards the routes of the instance it is
 * registered on, not only routes registered inside it.
 */
export const urbisGatewayPlugin = Object.assign(
  async (app: FastifyInstance, opts: GatewayOptions): Promise<void> => {
    urbisGateway(app, opts);
  },
  { [Symbol.for('skip-override')]: true },
);

/**
 * The W3C DID Resolution HTTP(S) binding (DID Resolution v1.0 §12.1) for did:urbis:
 * `GET /1.0/identifiers/{did-or-did-url}`, also the Universal Resolver driver interface.
 *
 * The DID URL may come as is (`/1.0/identifiers/did:urbis:…?service=feed&relativeRef=/p`) or
 * percent-encoded (`/1.0/identifiers/did%3Aurbis%3A…%23key-1`, then the HTTP query holds
 * resolution options). Everything else — negotiation, resolution, versions, dereferencing, error
 * objects and status codes — is the pure core (src/core/api/did-resolution.ts), shared with the
 * SDK's did-resolver plugin so that both answer alike. This route only reads the proven entry (and
 * the history when a version is named) and writes the answer.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isUrbisError } from '../../core/errors.js';
import {
  answerDidRequest,
  didError,
  didProofItem,
  didUrlFromHttp,
  errorAnswer,
  needsHistory,
  parseDidRequest,
  selectedPastVersion,
  type DidAnswer,
  type DidError,
  type DidRequest,
  type DidStateView,
} from '../../core/api/did-resolution.js';
import { idRef, parseStateKey } from '../../core/ledger/state.js';
import type { IdEntry, NsEntry } from '../../core/ledger/types.js';
import { proofToJson } from '../../core/merkle/index.js';
import { guarded, requireReady } from '../guards.js';
import { AnswerCache } from './common.js';
import { instanceOf, problem, sendProblem } from '../problem.js';
import type { NodeRuntime } from '../types.js';

const PREFIX = '/1.0/identifiers/';

/** An answer as sent: its body serialised (null for a redirect). */
type SentAnswer = { status: number; contentType: string; body: string } | { status: 303; contentType: null; location: string };

function serialise(a: DidAnswer): SentAnswer {
  // Serialised here: fastify serialises objects only for media types it knows as JSON.
  return a.contentType === null
    ? { status: 303, contentType: null, location: a.location }
    : { status: a.status, contentType: a.contentType, body: JSON.stringify(a.body) };
}

function send(reply: FastifyReply, a: SentAnswer, retryAfterMs?: number): FastifyReply {
  reply.header('vary', 'accept');
  reply.header('cache-control', a.status === 200 || a.status === 303 || a.status === 410 ? 'public, max-age=5' : 'public, max-age=1');
  if (retryAfterMs !== undefined) reply.header('retry-after', String(Math.ceil(retryAfterMs / 1000)));
  if (a.contentType === null) return reply.code(303).header('location', a.location).send();
  return reply.code(a.status).type(a.contentType).send(a.body);
}

/** Longest request target and Accept field whose answer is cached (longer ones are answered uncached). */
const CACHEABLE_TARGET = 1024;
const CACHEABLE_ACCEPT = 256;

/**
 * The state a request needs, read from the ledger: the proven entry, and when a version is asked
 * for, the history and the proof of the selected past version at the block that wrote it.
 */
export function readState(rt: NodeRuntime, req: DidRequest): DidStateView {
  const { stateKey } = req;
  const withHistory = needsHistory(req);
  const p = rt.ledger.prove(stateKey);
  const entry = p.entry as IdEntry | NsEntry | null;
  if (!entry) return { entry: null };
  const proof = didProofItem(rt.chainId, { key: p.key, entry, proof: proofToJson(p.proof), header: p.header, cert: p.cert });
  if (!withHistory) return { entry, proof };
  const k = parseStateKey(stateKey);
  const state: DidStateView = { entry, proof, history: k.kind === 'id' ? rt.store.idHistory(idRef(k.ns, k.local)) : [] };
  const past = selectedPastVersion(req, state);
  if (past !== null && state.history) {
    try {
      const v = rt.ledger.proveVersion(stateKey, state.history, past.version);
      state.versionProof = didProofItem(rt.chainId, { key: v.key, entry: v.entry, proof: proofToJson(v.proof), header: v.header, cert: v.cert });
    } catch (e) {
      // A pruned height (or a version replaced within its block): answered, but not proven.
      if (!isUrbisError(e) || (e.code !== 'STATE_NOT_PROVABLE' && e.code !== 'ID_NOT_FOUND')) throw e;
    }
  }
  return state;
}

export function registerDidRoutes(app: FastifyInstance, rt: NodeRuntime): void {
  // Answers read the state at the head: serialised once per block height and request (target and
  // Accept), like the identifier answers (src/node/routes/id-answer.ts).
  const cache = new AnswerCache<SentAnswer>(10_000);
  // No DID at all: the did input is REQUIRED (DID Resolution §4). Not an operation of its own but
  // the resolution operation called without its input: answered by this prefix's not-found handler,
  // so that the route table holds only the operation the OpenAPI document describes.
  void app.register(
    async (scoped) => {
      scoped.setNotFoundHandler((req, reply) => {
        const path = (req.raw.url ?? '').split('?')[0]!.replace(/\/+$/, '');
        if ((req.method === 'GET' || req.method === 'HEAD') && path === PREFIX.slice(0, -1)) {
          return send(reply, serialise(errorAnswer(didError('INVALID_DID', 'no DID given'), req.headers.accept, '')));
        }
        const inst = instanceOf(req.url);
        return sendProblem(
          reply,
          problem('HTTP_NOT_FOUND', `no route ${req.method} ${inst ?? '(malformed path)'}`, inst === undefined ? {} : { instance: inst }),
        );
      });
    },
    { prefix: PREFIX.slice(0, -1) },
  );
  app.get('/1.0/identifiers/*', async (req, reply) => {
    const accept = req.headers.accept;
    const raw = req.raw.url ?? '';
    const at = raw.indexOf(PREFIX);
    const target = at < 0 ? '' : raw.slice(at + PREFIX.length);
    let cached: { height: number; key: string } | null = null;
    if (target.length <= CACHEABLE_TARGET && (accept ?? '').length <= CACHEABLE_ACCEPT && rt.notReady() === null) {
      try {
        const height = guarded(() => rt.store.head())?.height;
        if (height !== undefined) {
          cached = { height, key: `${accept ?? ''}\n${target}` };
          const hit = cache.get(height, cached.key);
          if (hit) return send(reply, hit);
        }
      } catch {
        // The store cannot be read: the uncached path below answers the error.
      }
    }
    const qi = target.indexOf('?');
    const http = didUrlFromHttp(qi < 0 ? target : target.slice(0, qi), qi < 0 ? null : target.slice(qi + 1));
    if (!http.ok) return send(reply, serialise(errorAnswer(http.error, accept, '?')));
    const parsed = parseDidRequest(http.value.didUrl, http.value.options);
    if (!parsed.ok) return send(reply, serialise(errorAnswer(parsed.error, accept, http.value.didUrl)));
    let state: DidStateView;
    try {
      requireReady(rt);
      state = readState(rt, parsed.value);
    } catch (e) {
      // DID Resolution §4.4: an unexpected error is INTERNAL_ERROR (500), with the Urbis code.
      const err: DidError = isUrbisError(e)
        ? didError('INTERNAL_ERROR', e.message, e.code)
        : didError('INTERNAL_ERROR', 'the node cannot read its store', 'STORE_UNAVAILABLE');
      const retry = isUrbisError(e) && typeof e.details?.retryAfterMs === 'number' ? e.details.retryAfterMs : undefined;
      return send(reply, serialise(errorAnswer(err, accept, parsed.value.didUrl)), retry);
    }
    const out = serialise(answerDidRequest(parsed.value, state, accept, { urlHost: rt.urlHost }));
    // Read at the height the cache was asked at (the same synchronous turn): cacheable under it.
    if (cached) cache.set(cached.height, cached.key, out);
    return send(reply, out);
  });
}

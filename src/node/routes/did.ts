/**
 * W3C DID Resolution HTTP binding, as the Universal Resolver calls a driver:
 * `GET /1.0/identifiers/{did}`.
 *
 * - `Accept: application/did-resolution` (or ld+json with the did-resolution profile, or none):
 *   the full resolution result: didDocument, didResolutionMetadata, didDocumentMetadata (created,
 *   updated, versionId, deactivated, and the Merkle proof with its certified header).
 * - `Accept: application/did+json` / `application/did+ld+json`: the document alone.
 * - Anything else: 406.
 * Status: 400 invalid DID, 404 not found, 410 deactivated (the result still carries the metadata).
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { isUrbisError } from '../../core/errors.js';
import { buildDidDocument, buildDidDocumentMetadata } from '../../core/api/did.js';
import { parseDid } from '../../core/ids/index.js';
import { keyOfText } from '../../core/ledger/names.js';
import { idKey, nsKey } from '../../core/ledger/state.js';
import type { IdEntry, NsEntry } from '../../core/ledger/types.js';
import { proofToJson } from '../../core/merkle/index.js';
import { requireReady } from '../guards.js';
import type { NodeRuntime } from '../types.js';

const RESULT_TYPE = 'application/did-resolution';
const LD_RESULT = 'application/ld+json;profile="https://w3id.org/did-resolution"';
const DOC_TYPES = ['application/did+json', 'application/did+ld+json', 'application/did'];

type Representation = 'result' | 'document';

/** Picks the representation from the Accept header (first acceptable media range wins). */
function negotiate(accept: string | undefined): Representation | null {
  if (!accept || accept.trim() === '') return 'result';
  for (const part of accept.split(',')) {
    const media = part.split(';')[0]!.trim().toLowerCase();
    if (media === RESULT_TYPE || (media === 'application/ld+json' && part.includes('did-resolution'))) return 'result';
    if (DOC_TYPES.includes(media) || media === 'application/json' || media === 'application/ld+json') return 'document';
    if (media === '*/*' || media === 'application/*') return 'result';
  }
  return null;
}

function resolutionError(reply: FastifyReply, status: number, error: string, message: string): FastifyReply {
  return reply
    .code(status)
    .type(RESULT_TYPE)
    .header('cache-control', 'public, max-age=1')
    .send(
      JSON.stringify({
        '@context': 'https://w3id.org/did-resolution/v1',
        didDocument: null,
        didResolutionMetadata: { error, errorMessage: message, contentType: RESULT_TYPE },
        didDocumentMetadata: {},
      }),
    );
}

export function registerDidRoutes(app: FastifyInstance, rt: NodeRuntime): void {
  app.get(
    '/1.0/identifiers/:did',
    { schema: { params: { type: 'object', properties: { did: { type: 'string', maxLength: 512 } }, required: ['did'] } } },
    async (req, reply) => {
      requireReady(rt);
      const rep = negotiate(req.headers.accept);
      if (!rep) return resolutionError(reply, 406, 'representationNotSupported', `cannot produce ${req.headers.accept}`);
      const didParam = (req.params as { did: string }).did;
      let id;
      try {
        id = parseDid(didParam);
      } catch (e) {
        if (isUrbisError(e)) return resolutionError(reply, 400, 'invalidDid', e.message);
        throw e;
      }
      const key = id.local === null ? nsKey(id.namespace.join('.')) : idKey(keyOfText(id.text));
      const p = rt.ledger.prove(key);
      if (!p.entry) {
        return resolutionError(reply, 404, 'notFound', `${didParam} is not registered`);
      }
      const entry = p.entry as IdEntry | NsEntry;
      const doc = buildDidDocument(entry, { urlHost: rt.urlHost });
      const deactivated = entry.status === 'deactivated';
      const status = deactivated ? 410 : 200;
      reply.header('cache-control', 'public, max-age=5');
      if (rep === 'document') return reply.code(status).type('application/did+json').send(doc);
      return reply
        .code(status)
        .type(RESULT_TYPE)
        .send(
          // application/did-resolution is JSON, but fastify serialises only "json" media types.
          JSON.stringify({
            '@context': 'https://w3id.org/did-resolution/v1',
            didDocument: doc,
            didResolutionMetadata: { contentType: 'application/did+json', retrieved: new Date().toISOString() },
            didDocumentMetadata: {
              ...buildDidDocumentMetadata(entry, {
                chainId: rt.chainId,
                height: p.header.height,
                stateRoot: p.header.stateRoot,
                headerHash: p.cert.headerHash,
              }),
              // The proof material itself, so a client can verify without a second request.
              urbis: { key: p.key, entry, proof: proofToJson(p.proof), header: p.header, cert: p.cert },
            },
          }),
        );
    },
  );
}

export { LD_RESULT };

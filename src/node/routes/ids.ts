/**
 * Identifier routes: `GET /v1/ids/<id>` (proven resolution, cached per block), its `?version=` and
 * `?at=` forms and `/history`. docs/api.md "Identifiers".
 */
import type { FastifyInstance } from 'fastify';
import { UrbisError } from '../../core/errors.js';
import { formatDid, formatUrl, parseIdentifier } from '../../core/ids/index.js';
import { keyOfText, parseIdLenient } from '../../core/ledger/names.js';
import { idKey } from '../../core/ledger/state.js';
import type { BlockHeader, Certificate, IdEntry } from '../../core/ledger/types.js';
import { guarded, requireReady } from '../guards.js';
import { problem } from '../problem.js';
import type { NodeRuntime } from '../types.js';
import { AnswerCache, CACHE_NEGATIVE, CACHE_POSITIVE, provenJson, sendCached, tail } from './common.js';
import { grantsAnswer } from './grants.js';

/** Used by the OpenAPI document: the reason a `/v1/ids` lookup can fail before reaching the store. */
export const ID_PARSE_FAILURES = ['ID_CHECK_MISMATCH', 'ID_CHECK_MISSING', 'ID_CHAR_INVALID'];

export function registerIdRoutes(app: FastifyInstance, rt: NodeRuntime): void {
  const cache = new AnswerCache();
  let head: { header: BlockHeader; cert: Certificate; text: string } | null = null;
  /** `"header":…,"cert":…` of the answers of one block, serialised once. */
  const headText = (header: BlockHeader, cert: Certificate): string => {
    if (head?.header !== header || head.cert !== cert) head = { header, cert, text: `"header":${JSON.stringify(header)},"cert":${JSON.stringify(cert)}` };
    return head.text;
  };

  app.get(
    '/v1/ids/*',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            version: { type: 'integer', minimum: 1 },
            at: { type: 'string', maxLength: 40 },
            grantee: { type: 'string', minLength: 1, maxLength: 300 },
            cursor: { type: 'string', maxLength: 700 },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      requireReady(rt);
      let input = tail(req);
      let history = false;
      let grants = false;
      if (input.endsWith('/history')) {
        history = true;
        input = input.slice(0, -'/history'.length);
      } else if (input.endsWith('/grants')) {
        grants = true;
        input = input.slice(0, -'/grants'.length);
      }
      // A typo is answered as a typo (400 with its code), never as "not found".
      const id = parseIdentifier(input);
      if (id.local === null) throw new UrbisError('ID_LOCAL_INVALID', `${id.text} is a namespace; ask /v1/ns/${id.namespace.join('.')}`);
      const key = keyOfText(id.text);
      const q = req.query as { version?: number; at?: string; grantee?: string; cursor?: string; limit?: number };
      if (grants) {
        const a = grantsAnswer(rt, id, q);
        reply.header('cache-control', a.status === 200 ? CACHE_POSITIVE : CACHE_NEGATIVE);
        return reply
          .code(a.status)
          .type(a.status === 200 ? 'application/json; charset=utf-8' : 'application/problem+json')
          .send(a.body);
      }
      if (q.grantee !== undefined || q.cursor !== undefined || q.limit !== undefined) {
        throw new UrbisError('HTTP_BAD_REQUEST', 'grantee, cursor and limit apply to /v1/ids/<id>/grants only');
      }
      if (history) {
        const versions = guarded(() => rt.store.idHistory(key));
        if (versions.length === 0) throw new UrbisError('ID_NOT_FOUND', `${id.text} is not registered`);
        reply.header('cache-control', CACHE_POSITIVE);
        return reply.send({ id: id.text, versions });
      }
      if (q.version !== undefined || q.at !== undefined) {
        const versions = guarded(() => rt.store.idHistory(key));
        let entry: IdEntry | undefined;
        if (q.version !== undefined) entry = versions.find((v) => v.version === q.version);
        else {
          const t = Date.parse(q.at!);
          if (Number.isNaN(t)) throw new UrbisError('HTTP_BAD_REQUEST', '"at" must be an ISO 8601 time');
          for (const v of versions) if (v.updated <= t) entry = v;
        }
        if (!entry) throw new UrbisError('ID_NOT_FOUND', `${id.text} has no such version`);
        return reply.send({ id: id.text, entry, current: guarded(() => provenJson<IdEntry>(rt, idKey(key))) });
      }
      const head = guarded(() => rt.store.head())!;
      const ck = idKey(key);
      const hit = cache.get(head.height, ck);
      if (hit) return sendCached(req, reply, head.height, hit);
      const proven = guarded(() => provenJson<IdEntry>(rt, ck));
      let out: { status: number; body: string };
      if (proven.entry) {
        const e = proven.entry;
        const parsed = parseIdLenient(e.id);
        // Hand-assembled IdAnswer: the header and certificate are serialised once per block, not
        // once per answer (they are most of an answer's bytes).
        out = {
          status: 200,
          body:
            `{"key":${JSON.stringify(proven.key)},"entry":${JSON.stringify(e)},"proof":${JSON.stringify(proven.proof)},${headText(proven.header, proven.cert)},` +
            `"id":${JSON.stringify(e.id)},"did":${JSON.stringify(formatDid(parsed))},"url":${JSON.stringify(formatUrl(parsed, rt.urlHost))},` +
            `"status":${JSON.stringify(e.status)},"version":${e.version}}`,
        };
      } else {
        out = { status: 404, body: JSON.stringify(problem('ID_NOT_FOUND', `${id.text} is not registered`, { proven })) };
      }
      cache.set(head.height, ck, out);
      return sendCached(req, reply, head.height, out);
    },
  );
}

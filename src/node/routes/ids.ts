/**
 * Identifier routes: `GET /v1/ids/<id>` (proven resolution, cached per block), its `?version=` and
 * `?at=` forms and `/history`. docs/api.md "Identifiers".
 */
import type { FastifyInstance } from 'fastify';
import { UrbisError } from '../../core/errors.js';
import { parseIdentifier } from '../../core/ids/index.js';
import { keyOfText } from '../../core/ledger/names.js';
import { idKey } from '../../core/ledger/state.js';
import type { IdEntry } from '../../core/ledger/types.js';
import type { IdHistoryAnswer, TxInclusionProof } from '../../core/api/types.js';
import { guarded, requireReady } from '../guards.js';
import type { NodeRuntime } from '../types.js';
import {
  blockTxProofs,
  CACHE_NEGATIVE,
  CACHE_POSITIVE,
  HeightTexts,
  PROOFS_PARAM,
  pastAnswerText,
  preferredMedia,
  provenJson,
  sendCached,
  tail,
} from './common.js';
import { grantsAnswer } from './grants.js';
import { serveCodeImage, type CodeImageQuery } from './codes.js';
import { idAnswers, type IdRepresentation } from './id-answer.js';
import { LINKSET_JSON } from '../../core/api/linkset.js';
import { NGSI_LD_JSON } from '../../core/api/ngsi-ld.js';

/** What `GET /v1/ids/<id>` can answer, by `Accept` (the first is the default). */
const ID_MEDIA = ['application/json', LINKSET_JSON, NGSI_LD_JSON] as const;
const REPRESENTATION: Record<(typeof ID_MEDIA)[number], IdRepresentation> = {
  'application/json': 'json',
  [LINKSET_JSON]: 'linkset',
  [NGSI_LD_JSON]: 'ngsi-ld',
};

/** Used by the OpenAPI document: the reason a `/v1/ids` lookup can fail before reaching the store. */
export const ID_PARSE_FAILURES = ['ID_CHECK_MISMATCH', 'ID_CHECK_MISSING', 'ID_CHAR_INVALID'];

export function registerIdRoutes(app: FastifyInstance, rt: NodeRuntime): void {
  const answers = idAnswers(rt);
  // Past answers splice the header and certificate of their height, serialised once per height.
  const heightTexts = new HeightTexts();
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
            // Only for /history (docs/api.md "Verifiable listings").
            proofs: PROOFS_PARAM,
            // Only for /code.svg and /code.png (docs/api.md "Codes").
            serial: { type: 'integer', minimum: 0, maximum: 4294967295 },
            fields: { type: 'string', maxLength: 1100 },
            expires: { type: 'string', maxLength: 40 },
            form: { type: 'string', enum: ['text', 'url'] },
          },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      requireReady(rt);
      let input = tail(req);
      const image = /\/code\.(svg|png)$/.exec(input);
      if (image) return serveCodeImage(rt, parseIdentifier(input.slice(0, image.index)), image[1] as 'svg' | 'png', req.query as CodeImageQuery, reply);
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
      const q = req.query as { version?: number; at?: string; grantee?: string; cursor?: string; limit?: number; proofs?: number };
      if (grants) {
        const a = grantsAnswer(rt, id, q);
        reply.header('cache-control', a.status === 200 ? CACHE_POSITIVE : CACHE_NEGATIVE);
        return reply
          .code(a.status)
          .type(a.status === 200 ? 'application/json; charset=utf-8' : 'application/problem+json')
          .send(a.body);
      }
      if (q.proofs !== undefined && !history) throw new UrbisError('HTTP_BAD_REQUEST', 'proofs applies to /v1/ids/<id>/history only');
      if (q.grantee !== undefined || q.cursor !== undefined || q.limit !== undefined) {
        throw new UrbisError('HTTP_BAD_REQUEST', 'grantee, cursor and limit apply to /v1/ids/<id>/grants only');
      }
      if (history) {
        const versions = guarded(() => rt.store.idHistory(key));
        if (versions.length === 0) throw new UrbisError('ID_NOT_FOUND', `${id.text} is not registered`);
        reply.header('cache-control', CACHE_POSITIVE);
        if (q.proofs !== 1) return reply.send({ id: id.text, versions } satisfies IdHistoryAnswer);
        const proven = guarded(() => ({
          proofs: versions.map((v): TxInclusionProof => {
            const b = blockTxProofs(rt, v.height, [v.tx]);
            return { height: v.height, ...b.txs[0]!, header: b.header, cert: b.cert };
          }),
          current: provenJson<IdEntry>(rt, idKey(key)),
        }));
        return reply.send({ id: id.text, versions, ...proven } satisfies IdHistoryAnswer);
      }
      if (q.version !== undefined || q.at !== undefined) {
        if (q.version !== undefined && q.at !== undefined) throw new UrbisError('HTTP_BAD_REQUEST', 'give either version or at, not both');
        const a = guarded(() => pastAnswerText(rt, heightTexts, id.text, idKey(key), q));
        // A past height's answer never changes: cacheable for long (until pruned).
        reply.header('cache-control', a.status === 200 ? 'public, max-age=3600' : CACHE_NEGATIVE);
        return reply
          .code(a.status)
          .type(a.status === 200 ? 'application/json; charset=utf-8' : 'application/problem+json')
          .send(a.body);
      }
      const media = preferredMedia(req.headers.accept, ID_MEDIA);
      const rep = REPRESENTATION[media];
      const { height, answer } = answers(id, rep);
      reply.header('vary', 'Accept');
      return sendCached(req, reply, height, answer, rep === 'json' ? undefined : { name: rep, type: media });
    },
  );
}

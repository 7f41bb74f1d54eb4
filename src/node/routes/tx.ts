/**
 * Transaction routes: `POST /v1/tx` (admission), `POST /v1/tx/check` (admission's dry run: who has
 * signed, who else may, nothing admitted) and `GET /v1/tx/:hash` (outcome, with an optional wait).
 * docs/api.md "Transactions".
 */
import type { FastifyInstance } from 'fastify';
import { UrbisError, isUrbisError } from '../../core/errors.js';
import type { TxCheckAnswer, TxStatus } from '../../core/api/types.js';
import type { Submission } from '../../ordering/types.js';
import { guarded, requireReady } from '../guards.js';
import { checkCanonicalTxText } from '../../core/ledger/tx.js';
import { SignerLimits } from '../signer-limits.js';
import type { NodeRuntime, RawBodyRequest } from '../types.js';
import { NO_QUERY } from './common.js';

const HASH_PARAM = { type: 'object', properties: { hash: { type: 'string', pattern: '^[0-9a-f]{64}$' } }, required: ['hash'] } as const;
const MAX_WAIT_MS = 30_000;
/** A transaction as `POST /v1/tx` takes it (its fields are checked by the ledger's own parser). */
const TX_BODY = { type: 'object', required: ['body', 'sigs'], properties: { body: { type: 'object' }, sigs: { type: 'array', maxItems: 32 } } } as const;

/** The distinct signing keys a transaction names (already shape-checked by the route schema). */
function signerKeys(body: unknown): string[] {
  const sigs = (body as { sigs?: unknown }).sigs;
  if (!Array.isArray(sigs)) return [];
  return [...new Set(sigs.map((s) => (s as { key?: unknown })?.key).filter((k): k is string => typeof k === 'string'))];
}

export function registerTxRoutes(app: FastifyInstance, rt: NodeRuntime, limits: SignerLimits = new SignerLimits()): void {
  app.post('/v1/tx', { schema: { body: TX_BODY } }, async (req, reply) => {
    requireReady(rt);
    if (!rt.orderer) throw new UrbisError('NODE_NOT_READY', 'this node is a read replica; submit to a validator node');
    let sub: Submission;
    const keys = signerKeys(req.body);
    try {
      // Admission, in order: one encoding of what was signed, the signers' allowance, then the
      // orderer's checks (schema, signatures, authority at the head).
      const raw = (req as RawBodyRequest).rawBody;
      if (raw === undefined) throw new UrbisError('HTTP_UNSUPPORTED_MEDIA', 'send the transaction as application/json');
      checkCanonicalTxText(raw, req.body);
      limits.check(keys);
      sub = await rt.orderer.submit(req.body);
      limits.charge(keys);
    } catch (e) {
      if (isUrbisError(e)) rt.metrics.txRejected.inc({ code: e.code });
      throw e;
    }
    sub.done.catch(() => {}); // outcome is read through GET /v1/tx; never an unhandled rejection
    if (sub.accepted) {
      try {
        await sub.accepted; // network: durably ordered before we say 202
      } catch (e) {
        if (isUrbisError(e)) rt.metrics.txRejected.inc({ code: e.code });
        throw e;
      }
    }
    rt.metrics.txSubmitted.inc();
    const known = guarded(() => rt.store.tx(sub.hash));
    if (known?.result.ok) {
      const body: TxStatus = { hash: sub.hash, status: 'committed', height: known.height, index: known.index, result: known.result };
      return reply.code(200).send(body);
    }
    reply.header('location', `/v1/tx/${sub.hash}`);
    return reply.code(202).send({ hash: sub.hash, status: 'pending' } satisfies TxStatus);
  });

  // Admission's dry run (docs/api.md "Checking a transaction"): read-only, on any node kind, never
  // charged to the signers' allowance. The same bytes rule as admission, so the hash is the one a
  // submission of the same file gets.
  app.post('/v1/tx/check', { schema: { body: TX_BODY, ...NO_QUERY } }, async (req, reply) => {
    requireReady(rt);
    const raw = (req as RawBodyRequest).rawBody;
    if (raw === undefined) throw new UrbisError('HTTP_UNSUPPORTED_MEDIA', 'send the transaction as application/json');
    checkCanonicalTxText(raw, req.body);
    const answer: TxCheckAnswer = guarded(() => rt.ledger.checkTx(req.body, Date.now()));
    return reply.header('cache-control', 'no-store').send(answer);
  });

  app.get(
    '/v1/tx/:hash',
    {
      schema: {
        params: HASH_PARAM,
        querystring: { type: 'object', properties: { wait: { type: 'integer', minimum: 0, maximum: MAX_WAIT_MS } }, additionalProperties: false },
      },
    },
    async (req, reply) => {
      const { hash } = req.params as { hash: string };
      const wait = (req.query as { wait?: number }).wait ?? 0;
      const committed = (): TxStatus | null => {
        const t = guarded(() => rt.store.tx(hash));
        return t ? { hash, status: 'committed', height: t.height, index: t.index, result: t.result } : null;
      };
      const now = committed();
      if (now) return reply.send(now);
      const waiter = rt.orderer?.waiter(hash) ?? null;
      if (!waiter) throw new UrbisError('TX_NOT_FOUND', `no transaction ${hash} is known to this node`);
      if (wait > 0) {
        let timer: NodeJS.Timeout | undefined;
        const timeout = new Promise<null>((res) => (timer = setTimeout(() => res(null), wait)));
        const done = await Promise.race([waiter.catch(() => null), timeout]);
        clearTimeout(timer);
        if (done) return reply.send(committed() ?? { hash, status: 'committed', height: done.height, index: done.index, result: done.result });
      }
      return reply.send({ hash, status: 'pending' } satisfies TxStatus);
    },
  );
}

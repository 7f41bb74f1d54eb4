/**
 * Block and checkpoint routes: `GET /v1/blocks/:height`, `/v1/blocks/latest`, `/v1/checkpoint`, the
 * checkpoint note and its cosignatures, consistency proofs and fork evidence. docs/api.md "Blocks".
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { UrbisError } from '../../core/errors.js';
import { checkForkEvidence } from '../../core/ledger/consistency.js';
import { guarded, requireReady } from '../guards.js';
import type { NodeRuntime } from '../types.js';
import { NO_QUERY } from './common.js';

export function registerBlockRoutes(app: FastifyInstance, rt: NodeRuntime): void {
  const sendBlock = (reply: FastifyReply, height: number) => {
    const block = guarded(() => rt.store.block(height));
    const cert = guarded(() => rt.store.cert(height));
    if (!block || !cert) throw new UrbisError('HTTP_NOT_FOUND', `no block at height ${height}`);
    reply.header('cache-control', 'public, max-age=3600, immutable');
    return reply.send({ header: block.header, headerHash: cert.headerHash, txs: block.txs, results: block.results, cert });
  };
  app.get('/v1/blocks/latest', { schema: NO_QUERY }, async (_req, reply) => {
    const head = guarded(() => rt.store.head());
    if (!head) throw new UrbisError('NODE_NOT_READY', 'no blocks yet');
    sendBlock(reply, head.height);
    return reply.header('cache-control', 'no-cache');
  });
  app.get(
    '/v1/blocks/:height',
    { schema: { params: { type: 'object', properties: { height: { type: 'integer', minimum: 0 } }, required: ['height'] } } },
    async (req, reply) => sendBlock(reply, (req.params as { height: number }).height),
  );
  app.get('/v1/checkpoint', { schema: NO_QUERY }, async (_req, reply) => {
    requireReady(rt);
    const head = guarded(() => rt.store.head());
    if (!head) throw new UrbisError('NODE_NOT_READY', 'no blocks yet');
    reply.header('cache-control', 'no-cache');
    return reply.send({
      chainId: rt.chainId,
      header: head.header,
      headerHash: head.headerHash,
      cert: guarded(() => rt.store.cert(head.height)),
      ...(rt.network ? { faults: rt.network.status().faults } : {}),
    });
  });

  // Consistency between heads (docs/protocol.md "Consistency between heads").
  app.get(
    '/v1/consistency',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { from: { type: 'integer', minimum: 0 }, to: { type: 'integer', minimum: 0 } },
          required: ['from'],
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      requireReady(rt);
      const q = req.query as { from: number; to?: number };
      const answer = guarded(() => rt.ledger.consistency(q.from, q.to));
      reply.header('cache-control', q.to === undefined ? 'no-cache' : 'public, max-age=3600, immutable');
      return reply.send(answer);
    },
  );
  // The checkpoint as a C2SP signed note, and witness cosignatures (docs/api.md "Checkpoint note").
  app.get(
    '/v1/checkpoint/note',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            size: { type: 'integer', minimum: 0 },
            cosigned: { type: 'string', enum: ['1', 'true'] },
            // Witness ids (name+keyId), separated by spaces (key names hold none), and how many must have cosigned.
            witnesses: { type: 'string', maxLength: 4096 },
            k: { type: 'integer', minimum: 1, maximum: 64 },
          },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      requireReady(rt);
      const q = req.query as { size?: number; cosigned?: string; witnesses?: string; k?: number };
      const by = q.witnesses?.split(' ').filter((w) => w.length > 0);
      const cosigned = q.cosigned !== undefined ? { ...(by ? { witnesses: by.slice(0, 64) } : {}), k: q.k ?? 1 } : undefined;
      const cp = guarded(() => rt.ledger.checkpointNote(q.size, cosigned));
      reply.header('cache-control', 'no-cache');
      reply.header('content-type', 'text/plain; charset=utf-8');
      reply.header('urbis-checkpoint-size', String(cp.size));
      return reply.send(cp.note);
    },
  );
  app.post(
    '/v1/checkpoint/cosignatures',
    {
      schema: {
        body: {
          type: 'object',
          required: ['size', 'witness', 'cosignature'],
          properties: { size: { type: 'integer', minimum: 0 }, witness: { type: 'string', maxLength: 512 }, cosignature: { type: 'string', maxLength: 512 } },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      requireReady(rt);
      const b = req.body as { size: number; witness: string; cosignature: string };
      const r = guarded(() => rt.ledger.addCosignature(b.size, b.witness, b.cosignature, Math.floor(Date.now() / 1000)));
      if (r.stored) req.log.info({ size: b.size, witness: r.witness }, 'witness cosignature kept');
      return reply.code(r.stored ? 201 : 200).send({ stored: r.stored, size: b.size, witness: r.witness, time: r.time });
    },
  );

  // Fork evidence: two certified headers of the same height (docs/api.md "Fork evidence").
  app.get('/v1/evidence', { schema: NO_QUERY }, async (_req, reply) => {
    reply.header('cache-control', 'no-cache');
    return reply.send({ items: guarded(() => rt.store.evidence()) });
  });
  app.post(
    '/v1/evidence',
    { schema: { body: { type: 'object', required: ['a', 'b'], properties: { a: { type: 'object' }, b: { type: 'object' } } } } },
    async (req, reply) => {
      const chain = guarded(() => rt.ledger.chain());
      // Both certificates must reach a quorum of the validators in force (PROOF_INVALID otherwise).
      const checked = checkForkEvidence(req.body, { chainId: chain.chainId, validators: chain.validators });
      const fresh = guarded(() => rt.store.putEvidence(checked.evidence, checked.hashes, Date.now()));
      if (fresh) req.log.warn({ height: checked.evidence.height, hashes: checked.hashes }, 'fork evidence: two certified headers at one height');
      return reply.code(fresh ? 201 : 200).send({ stored: fresh, height: checked.evidence.height, hashes: checked.hashes });
    },
  );
}

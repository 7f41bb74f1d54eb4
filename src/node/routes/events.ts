/**
 * `GET /v1/events`: the change feed as Server-Sent Events, resumable with Last-Event-ID; with
 * `proofs=1`, a `proof` event per block carries what the reader needs to verify its change events.
 * docs/api.md "Change feed".
 *
 * Refusals are problem documents, never a silent gap or an unbounded number of open streams: a
 * resume point older than the node's earliest held event is 410 EVENTS_GONE (with
 * `details.earliestHeight`), a client address over its share 429 EVENTS_CLIENT_LIMIT, a node at its
 * total 503 EVENTS_BUSY; each counts in `urbis_events_refused_total{reason}`. The stream's headers
 * are the reply's (CORS from the node's configured policy, X-Request-Id) though the reply is hijacked.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UrbisError } from '../../core/errors.js';
import type { ChangeEvent, EventBlockProof } from '../../core/api/types.js';
import { canonicalNsPath } from '../../core/ledger/names.js';
import { eventMatches, parseEventId, type EventFilter } from '../events.js';
import type { NodeRuntime } from '../types.js';
import { blockTxProofs, PROOFS_PARAM } from './common.js';

/** Caps on change-feed connections (`urbis node start --events-max`, `--events-max-per-client`). */
export interface EventFeedLimits {
  /** Open feeds in total (default 2000). */
  maxClients?: number;
  /** Open feeds per client address (default 20). */
  maxPerClient?: number;
}

export function registerEventRoutes(app: FastifyInstance, rt: NodeRuntime, limits: EventFeedLimits = {}): void {
  const maxClients = limits.maxClients ?? 2000;
  const maxPerClient = limits.maxPerClient ?? 20;
  const perClient = new Map<string, number>();
  const refuse = (reason: 'total' | 'per_client' | 'gone', e: UrbisError): never => {
    rt.metrics.eventsRefused.inc({ reason });
    throw e;
  };
  app.get(
    '/v1/events',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            ns: { type: 'string', maxLength: 200 },
            type: { type: 'string', maxLength: 32 },
            kind: { type: 'string', enum: ['id', 'ns', 'chain', 'grant'] },
            lastEventId: { type: 'string', maxLength: 32 },
            proofs: PROOFS_PARAM,
          },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const q = req.query as { ns?: string; type?: string; kind?: 'id' | 'ns' | 'chain' | 'grant'; lastEventId?: string; proofs?: number };
      const filter: EventFilter = {};
      if (q.ns) filter.ns = canonicalNsPath(q.ns, 'ns');
      if (q.type) filter.type = q.type;
      if (q.kind) filter.kind = q.kind;
      const lastRaw = req.headers['last-event-id'] ?? q.lastEventId;
      const last = parseEventId(Array.isArray(lastRaw) ? lastRaw[0] : lastRaw);
      if (lastRaw !== undefined && last === null) throw new UrbisError('HTTP_BAD_REQUEST', 'Last-Event-ID must look like <height>.<seq>');
      const earliest = rt.events.earliest();
      if (last && last.height < earliest) {
        refuse(
          'gone',
          new UrbisError(
            'EVENTS_GONE',
            `this node holds events from height ${earliest} on (it started from a snapshot); resume from another node, or start again without Last-Event-ID`,
            { earliestHeight: earliest, lastEventId: `${last.height}.${last.seq}` },
          ),
        );
      }
      const ip = req.ip;
      const mine = perClient.get(ip) ?? 0;
      if (mine >= maxPerClient) {
        refuse(
          'per_client',
          new UrbisError('EVENTS_CLIENT_LIMIT', `this address holds ${mine} change-feed connections, the most allowed`, {
            limit: maxPerClient,
            retryAfterMs: 30_000,
          }),
        );
      }
      if (rt.events.size() >= maxClients) {
        refuse(
          'total',
          new UrbisError('EVENTS_BUSY', `this node serves ${rt.events.size()} change-feed connections, the most it allows`, {
            limit: maxClients,
            retryAfterMs: 30_000,
          }),
        );
      }
      perClient.set(ip, mine + 1);
      req.raw.once('close', () => {
        const n = (perClient.get(ip) ?? 1) - 1;
        if (n <= 0) perClient.delete(ip);
        else perClient.set(ip, n);
      });
      streamEvents(req, reply, rt, filter, last, q.proofs === 1);
      return reply;
    },
  );
}

/**
 * Streams events: first the past after `last` from the store, then live blocks. Live events that
 * arrive while the past is being sent are buffered and sent after it, skipping what the replay
 * already covered, so there is neither a gap nor a duplicate.
 */
function streamEvents(
  req: FastifyRequest,
  reply: FastifyReply,
  rt: NodeRuntime,
  filter: EventFilter,
  last: { height: number; seq: number } | null,
  proofs: boolean,
): void {
  reply.hijack();
  const res = reply.raw;
  // Headers the hooks set on the reply (CORS as configured, X-Request-Id) go out with the stream.
  const hooked: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(reply.getHeaders())) if (v !== undefined) hooked[k] = Array.isArray(v) ? v : String(v);
  res.writeHead(200, {
    ...hooked,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  let closed = false;
  let sentUpTo = last ? last.height : (rt.events.published as number);
  let lastSeq = last ? last.seq : Number.MAX_SAFE_INTEGER;
  const buffer: Array<{ height: number; events: ChangeEvent[] }> = [];
  let replaying = true;

  const write = (height: number, events: ChangeEvent[]) => {
    const due = events.filter((ev) => !(height < sentUpTo || (height === sentUpTo && ev.seq <= lastSeq)) && eventMatches(ev, filter));
    if (proofs && due.length > 0) {
      // The block's certified header and the transactions the events name, before the events
      // (docs/api.md "Change feed"); no SSE id, so Last-Event-ID stays on change events.
      const proof: EventBlockProof = blockTxProofs(rt, height, [...new Set(due.map((ev) => ev.tx))]);
      res.write(`event: proof\ndata: ${JSON.stringify(proof)}\n\n`);
    }
    for (const ev of due) res.write(`id: ${ev.height}.${ev.seq}\nevent: change\ndata: ${JSON.stringify(ev)}\n\n`);
    sentUpTo = height;
    lastSeq = Number.MAX_SAFE_INTEGER;
  };
  const unsubscribe = rt.events.subscribe((height, events) => {
    if (closed) return;
    if (replaying) buffer.push({ height, events });
    else {
      try {
        write(height, events);
      } catch {
        // A proof the store cannot give ends this stream, never the publisher's loop.
        cleanup();
        res.end();
      }
    }
  });
  const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
  const cleanup = () => {
    closed = true;
    clearInterval(heartbeat);
    unsubscribe();
  };
  req.raw.on('close', cleanup);
  res.write('retry: 2000\n\n');

  void (async () => {
    try {
      const top = rt.events.published;
      // Replay block by block, yielding to the event loop and honouring back-pressure.
      for (let h = last ? last.height : top + 1; h <= top && !closed; h++) {
        write(h, rt.events.past(h));
        if (res.writableNeedDrain) await new Promise((r) => res.once('drain', r));
        if (h % 100 === 0) await new Promise((r) => setImmediate(r));
      }
      replaying = false;
      for (const b of buffer.splice(0)) write(b.height, b.events);
    } catch {
      cleanup();
      res.end();
    }
  })();
}

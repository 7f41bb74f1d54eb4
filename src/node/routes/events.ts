/**
 * `GET /v1/events`: the change feed as Server-Sent Events, resumable with Last-Event-ID.
 * docs/api.md "Change feed".
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UrbisError } from '../../core/errors.js';
import type { ChangeEvent } from '../../core/api/types.js';
import { canonicalNsPath } from '../../core/ledger/names.js';
import { eventMatches, parseEventId, type EventFilter } from '../events.js';
import type { NodeRuntime } from '../types.js';

export function registerEventRoutes(app: FastifyInstance, rt: NodeRuntime): void {
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
          },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const q = req.query as { ns?: string; type?: string; kind?: 'id' | 'ns' | 'chain' | 'grant'; lastEventId?: string };
      const filter: EventFilter = {};
      if (q.ns) filter.ns = canonicalNsPath(q.ns, 'ns');
      if (q.type) filter.type = q.type;
      if (q.kind) filter.kind = q.kind;
      const lastRaw = req.headers['last-event-id'] ?? q.lastEventId;
      const last = parseEventId(Array.isArray(lastRaw) ? lastRaw[0] : lastRaw);
      if (lastRaw !== undefined && last === null) throw new UrbisError('HTTP_BAD_REQUEST', 'Last-Event-ID must look like <height>.<seq>');
      streamEvents(req, reply, rt, filter, last);
      return reply;
    },
  );
}

/**
 * Streams events: first the past after `last` from the store, then live blocks. Live events that
 * arrive while the past is being sent are buffered and sent after it, skipping what the replay
 * already covered, so there is neither a gap nor a duplicate.
 */
function streamEvents(req: FastifyRequest, reply: FastifyReply, rt: NodeRuntime, filter: EventFilter, last: { height: number; seq: number } | null): void {
  reply.hijack();
  const res = reply.raw;
  const origin = req.headers.origin;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
    ...(origin ? { 'access-control-allow-origin': '*' } : {}),
  });
  let closed = false;
  let sentUpTo = last ? last.height : (rt.events.published as number);
  let lastSeq = last ? last.seq : Number.MAX_SAFE_INTEGER;
  const buffer: Array<{ height: number; events: ChangeEvent[] }> = [];
  let replaying = true;

  const write = (height: number, events: ChangeEvent[]) => {
    for (const ev of events) {
      if (height < sentUpTo || (height === sentUpTo && ev.seq <= lastSeq)) continue;
      if (!eventMatches(ev, filter)) continue;
      res.write(`id: ${ev.height}.${ev.seq}\nevent: change\ndata: ${JSON.stringify(ev)}\n\n`);
    }
    sentUpTo = height;
    lastSeq = Number.MAX_SAFE_INTEGER;
  };
  const unsubscribe = rt.events.subscribe((height, events) => {
    if (closed) return;
    if (replaying) buffer.push({ height, events });
    else write(height, events);
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

/**
 * `/v1` routes: transactions, resolution with proofs, namespaces, blocks, checkpoint, search and the
 * change feed. docs/api.md describes each; src/core/api/types.ts fixes the answer shapes.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { UrbisError, isUrbisError } from '../../core/errors.js';
import type { ChangeEvent, NsAnswer, ProvenJson, TxStatus } from '../../core/api/types.js';
import { formatDid, formatUrl, parseIdentifier } from '../../core/ids/index.js';
import { canonicalNsPath, keyOfText, parseIdLenient } from '../../core/ledger/names.js';
import type { BlockHeader, Certificate, IdEntry, NsEntry, StateEntry } from '../../core/ledger/types.js';
import { proofToJson } from '../../core/merkle/index.js';
import type { SearchQuery } from '../../storage/types.js';
import { eventMatches, parseEventId, type EventFilter } from '../events.js';
import type { NodeRuntime, Submission } from '../runtime.js';
import { problem, requireReady, sendProblem } from '../server.js';

const HASH_PARAM = { type: 'object', properties: { hash: { type: 'string', pattern: '^[0-9a-f]{64}$' } }, required: ['hash'] } as const;
const MAX_WAIT_MS = 30_000;
/** Positive answers may be cached a few seconds; negative ones only briefly (docs/api.md "Caching"). */
const CACHE_POSITIVE = 'public, max-age=5';
const CACHE_NEGATIVE = 'public, max-age=1';

/** Answers cached per block height: the proof of an entry only changes when a block commits. */
class AnswerCache {
  private height = -1;
  private readonly map = new Map<string, { status: number; body: string }>();
  constructor(private readonly max = 20_000) {}
  get(height: number, key: string): { status: number; body: string } | undefined {
    if (height !== this.height) {
      this.map.clear();
      this.height = height;
      return undefined;
    }
    return this.map.get(key);
  }
  set(height: number, key: string, v: { status: number; body: string }): void {
    if (height !== this.height) return;
    if (this.map.size >= this.max) this.map.clear();
    this.map.set(key, v);
  }
}

/** Reads the store, turning a storage failure into 503 (never into "not found"). */
function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isUrbisError(e)) throw e;
    throw new UrbisError('STORE_UNAVAILABLE', 'the node cannot read its store', { retryAfterMs: 2000 }, { cause: e });
  }
}

function provenJson<E extends StateEntry>(rt: NodeRuntime, key: string): ProvenJson<E> {
  const p = rt.ledger.prove(key);
  return { key: p.key, entry: p.entry as E | null, proof: proofToJson(p.proof), header: p.header, cert: p.cert };
}

/** Sends a cached JSON string with ETag and Cache-Control tied to the block height. */
function sendCached(req: FastifyRequest, reply: FastifyReply, height: number, hit: { status: number; body: string }): FastifyReply {
  const etag = `"h${height}"`;
  reply.header('etag', etag);
  reply.header('cache-control', hit.status === 200 ? CACHE_POSITIVE : CACHE_NEGATIVE);
  if (hit.status === 200 && req.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply
    .code(hit.status)
    .type(hit.status === 200 ? 'application/json; charset=utf-8' : 'application/problem+json')
    .send(hit.body);
}

/** Decodes a wildcard path tail (identifiers contain `/` and `:`; clients may or may not encode them). */
function tail(req: FastifyRequest): string {
  const raw = (req.params as Record<string, string>)['*'] ?? '';
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new UrbisError('HTTP_BAD_REQUEST', 'malformed percent-encoding in the path');
  }
}

export function registerApiRoutes(app: FastifyInstance, rt: NodeRuntime): void {
  const cache = new AnswerCache();
  let head: { header: BlockHeader; cert: Certificate; text: string } | null = null;
  /** `"header":…,"cert":…` of the answers of one block, serialised once. */
  const headText = (header: BlockHeader, cert: Certificate): string => {
    if (head?.header !== header || head.cert !== cert) head = { header, cert, text: `"header":${JSON.stringify(header)},"cert":${JSON.stringify(cert)}` };
    return head.text;
  };

  // --- transactions ---------------------------------------------------------------------------
  app.post(
    '/v1/tx',
    { schema: { body: { type: 'object', required: ['body', 'sigs'], properties: { body: { type: 'object' }, sigs: { type: 'array', maxItems: 32 } } } } },
    async (req, reply) => {
      requireReady(rt);
      if (!rt.orderer) throw new UrbisError('NODE_NOT_READY', 'this node is a read replica; submit to a validator node');
      let sub: Submission;
      try {
        sub = await rt.orderer.submit(req.body);
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
    },
  );

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

  // --- identifiers ------------------------------------------------------------------------------
  app.get(
    '/v1/ids/*',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { version: { type: 'integer', minimum: 1 }, at: { type: 'string', maxLength: 40 } },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      requireReady(rt);
      let input = tail(req);
      let history = false;
      if (input.endsWith('/history')) {
        history = true;
        input = input.slice(0, -'/history'.length);
      }
      // A typo is answered as a typo (400 with its code), never as "not found".
      const id = parseIdentifier(input);
      if (id.local === null) throw new UrbisError('ID_LOCAL_INVALID', `${id.text} is a namespace; ask /v1/ns/${id.namespace.join('.')}`);
      const key = keyOfText(id.text);
      const q = req.query as { version?: number; at?: string };
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
        return reply.send({ id: id.text, entry, current: guarded(() => provenJson<IdEntry>(rt, `id:${key}`)) });
      }
      const head = guarded(() => rt.store.head())!;
      const ck = `id:${key}`;
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

  // --- namespaces -------------------------------------------------------------------------------
  app.get(
    '/v1/ns/*',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: { cursor: { type: 'string', maxLength: 200 }, limit: { type: 'integer', minimum: 1, maximum: 1000 } },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      requireReady(rt);
      const ns = canonicalNsPath(tail(req), 'ns');
      const q = req.query as { cursor?: string; limit?: number };
      const proven = guarded(() => provenJson<NsEntry>(rt, `ns:${ns}`));
      if (!proven.entry) {
        return sendProblem(reply.header('cache-control', CACHE_NEGATIVE), problem('NS_NOT_FOUND', `namespace ${ns} does not exist`, { proven }));
      }
      const children = guarded(() => rt.store.children(ns, q.cursor ?? null, q.limit ?? 100));
      const ans: NsAnswer = { ...proven, ns, children };
      reply.header('cache-control', CACHE_POSITIVE);
      return reply.send(ans);
    },
  );

  app.get('/v1/ns', async (_req, reply) => {
    const children = guarded(() => rt.store.children(null, null, 1000));
    return reply.send({ ns: null, children });
  });

  // --- blocks and checkpoint ------------------------------------------------------------------
  const sendBlock = (reply: FastifyReply, height: number) => {
    const block = guarded(() => rt.store.block(height));
    const cert = guarded(() => rt.store.cert(height));
    if (!block || !cert) throw new UrbisError('HTTP_NOT_FOUND', `no block at height ${height}`);
    reply.header('cache-control', 'public, max-age=3600, immutable');
    return reply.send({ header: block.header, headerHash: cert.headerHash, txs: block.txs, results: block.results, cert });
  };
  app.get('/v1/blocks/latest', async (_req, reply) => {
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
  app.get('/v1/checkpoint', async (_req, reply) => {
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

  // --- search -----------------------------------------------------------------------------------
  app.get(
    '/v1/search',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            type: { type: 'string', maxLength: 32 },
            ns: { type: 'string', maxLength: 200 },
            linkedTo: { type: 'string', maxLength: 300 },
            status: { type: 'string', enum: ['active', 'suspended', 'deactivated'] },
            cursor: { type: 'string', maxLength: 300 },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          },
          patternProperties: { '^attr\\.[A-Za-z0-9_.-]{1,64}$': { type: 'string', maxLength: 256 } },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      requireReady(rt);
      const raw = req.query as Record<string, string | number | undefined>;
      const q: SearchQuery = { limit: (raw.limit as number | undefined) ?? 100, cursor: (raw.cursor as string | undefined) ?? null };
      if (raw.type !== undefined) q.type = String(raw.type);
      if (raw.status !== undefined) q.status = String(raw.status);
      if (raw.ns !== undefined) q.ns = canonicalNsPath(String(raw.ns), 'ns');
      if (raw.linkedTo !== undefined) q.linkedTo = parseIdLenient(String(raw.linkedTo)).text;
      for (const [k, v] of Object.entries(raw)) {
        if (k.startsWith('attr.') && v !== undefined) (q.attrs ??= {})[k.slice(5)] = String(v);
      }
      const page = guarded(() => rt.store.search(q));
      reply.header('cache-control', CACHE_NEGATIVE);
      return reply.send(page);
    },
  );

  // --- change feed (Server-Sent Events) -------------------------------------------------------
  app.get(
    '/v1/events',
    {
      schema: {
        querystring: {
          type: 'object',
          properties: {
            ns: { type: 'string', maxLength: 200 },
            type: { type: 'string', maxLength: 32 },
            kind: { type: 'string', enum: ['id', 'ns', 'chain'] },
            lastEventId: { type: 'string', maxLength: 32 },
          },
          additionalProperties: false,
        },
      },
    },
    async (req, reply) => {
      const q = req.query as { ns?: string; type?: string; kind?: 'id' | 'ns' | 'chain'; lastEventId?: string };
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

/** Used by the OpenAPI document: the reason a `/v1/ids` lookup can fail before reaching the store. */
export const ID_PARSE_FAILURES = ['ID_CHECK_MISMATCH', 'ID_CHECK_MISSING', 'ID_CHAR_INVALID'];
export { sendProblem };

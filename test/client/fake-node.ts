/**
 * Test double of an Urbis node for the SDK: a `fetch` function that answers the docs/api.md routes
 * from a real in-memory {@link Ledger} (test/helpers/chain.ts), with the exact JSON shapes of
 * src/core/api/types.ts. No sockets. Hooks let a test play a hostile or overloaded node: `tamper`
 * rewrites any answer, `busy` answers 503 NODE_BUSY, `pendingMode` makes submissions wait.
 */
import { ERROR_CODES, UrbisError, type ErrorCode } from '../../src/core/errors.js';
import { canonicalKey, formatDid, formatUrl, parseIdentifier, parseNamespacePath } from '../../src/core/ids/index.js';
import { headerHash } from '../../src/core/ledger/block.js';
import { idKey, nsKey } from '../../src/core/ledger/state.js';
import type { IdEntry, NsEntry } from '../../src/core/ledger/types.js';
import { proofToJson } from '../../src/core/merkle/index.js';
import type { ChangeEvent, ProvenJson } from '../../src/core/api/types.js';
import type { Ledger } from '../../src/engine/ledger.js';
import { pastAnswer } from '../../src/node/routes/common.js';
import type { TestChain } from '../helpers/chain.js';

export interface FakeNode {
  fetch: (input: string, init?: RequestInit) => Promise<Response>;
  /** Rewrites the JSON of an answer before it is sent (status and path given). */
  tamper: ((path: string, json: any, status: number) => any) | null;
  /** Number of upcoming requests to refuse with 503 NODE_BUSY. */
  busy: number;
  /** Retry-After value sent with 503 (seconds, as a string). */
  retryAfter: string;
  /** When true, POST /v1/tx answers 202 pending; the block is cut on the next GET /v1/tx?wait. */
  pendingMode: boolean;
  /** The engine answering (replaceable, e.g. by one signing with a new validator key). */
  ledger: Ledger;
  /** Change events served by /v1/events. */
  events: ChangeEvent[];
  /** Close an event stream after this many events (tests reconnection); 0 = keep open. */
  closeStreamAfter: number;
  /** Requests seen, `METHOD path?query`. */
  log: string[];
  /** Last-Event-ID headers received. */
  lastEventIds: string[];
}

function json(status: number, body: unknown, type = 'application/json', headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': type, ...headers } });
}

function problem(e: UrbisError, extra: Record<string, unknown> = {}, headers: Record<string, string> = {}): Response {
  return json(
    e.status,
    { type: `https://urbis.city/errors/${e.code}`, title: ERROR_CODES[e.code].description, status: e.status, detail: e.message, code: e.code, ...extra },
    'application/problem+json',
    headers,
  );
}

function proven(l: Ledger, key: string): ProvenJson {
  const p = l.prove(key);
  return { key: p.key, entry: p.entry, proof: proofToJson(p.proof), header: p.header, cert: p.cert };
}

export function fakeNode(chain: TestChain): FakeNode {
  const pending: unknown[] = [];
  const node: FakeNode = {
    tamper: null,
    busy: 0,
    retryAfter: '0',
    pendingMode: false,
    ledger: chain.ledger,
    events: [],
    closeStreamAfter: 0,
    log: [],
    lastEventIds: [],
    fetch: async (input, init = {}) => {
      const u = new URL(input);
      const method = init.method ?? 'GET';
      node.log.push(`${method} ${u.pathname}${u.search}`);
      if (node.busy > 0) {
        node.busy--;
        return problem(new UrbisError('NODE_BUSY', 'busy'), {}, { 'retry-after': node.retryAfter });
      }
      let status = 200;
      let body: unknown;
      try {
        if (u.pathname === '/v1/events') return events(node, init);
        ({ status, body } = route(node, pending, method, u, init));
      } catch (e) {
        if (e instanceof UrbisError) {
          const extra = (e as UrbisError & { proven?: unknown }).proven;
          const resp = {
            type: `https://urbis.city/errors/${e.code}`,
            title: '',
            status: e.status,
            detail: e.message,
            code: e.code,
            ...(extra ? { proven: extra } : {}),
          };
          const out = node.tamper ? node.tamper(u.pathname, resp, e.status) : resp;
          return json(e.status, out, 'application/problem+json');
        }
        throw e;
      }
      const out = node.tamper ? node.tamper(u.pathname, body, status) : body;
      return json(status, out);
    },
  };
  return node;
}

function notFound(code: ErrorCode, msg: string, p: ProvenJson): never {
  const e = new UrbisError(code, msg) as UrbisError & { proven?: unknown };
  e.proven = p;
  throw e;
}

function commitPending(node: FakeNode, pending: unknown[]): void {
  if (pending.length === 0) return;
  node.ledger.commitBlock(pending.splice(0), Date.now());
}

function route(node: FakeNode, pending: unknown[], method: string, u: URL, init: RequestInit): { status: number; body: unknown } {
  const l = node.ledger;
  const path = u.pathname;
  const seg = path.split('/').slice(1).map(decodeURIComponent);
  if (method === 'POST' && path === '/v1/tx') {
    const raw = JSON.parse(String(init.body));
    const { hash } = l.precheck(raw, Date.now());
    const known = l.store.tx(hash);
    if (known) return { status: 200, body: { hash, status: 'committed', height: known.height, index: known.index, result: known.result } };
    if (node.pendingMode) {
      pending.push(raw);
      return { status: 202, body: { hash, status: 'pending' } };
    }
    l.commitBlock([raw], Date.now());
    const loc = l.store.tx(hash)!;
    return { status: 200, body: { hash, status: 'committed', height: loc.height, index: loc.index, result: loc.result } };
  }
  if (seg[0] !== 'v1') throw new UrbisError('HTTP_NOT_FOUND', 'no route');
  if (seg[1] === 'tx' && seg.length === 3) {
    if (u.searchParams.has('wait')) commitPending(node, pending);
    const loc = l.store.tx(seg[2]!);
    if (loc) return { status: 200, body: { hash: loc.hash, status: 'committed', height: loc.height, index: loc.index, result: loc.result } };
    throw new UrbisError('TX_NOT_FOUND', 'unknown transaction');
  }
  if (seg[1] === 'ids' && seg.length >= 3) {
    const ident = parseIdentifier(seg[2]!);
    const key = canonicalKey(ident);
    if (seg[3] === 'history') return { status: 200, body: { id: ident.text, versions: l.store.idHistory(key) } };
    const v = u.searchParams.get('version');
    const at = u.searchParams.get('at');
    // Past heights: the node's own code (src/node/routes/common.ts) over this ledger.
    if (v !== null || at !== null) {
      const q = v !== null ? { version: Number(v) } : { at: at! };
      return pastAnswer({ ledger: l, store: l.store }, ident.text, idKey(key), q) as { status: number; body: unknown };
    }
    const p = proven(l, idKey(key));
    if (!p.entry) notFound('ID_NOT_FOUND', `${ident.text} does not exist`, p);
    const e = p.entry as IdEntry;
    return { status: 200, body: { ...p, id: ident.text, did: formatDid(ident), url: formatUrl(ident), status: e.status, version: e.version } };
  }
  if (seg[1] === 'ns' && seg.length === 3) {
    const ns = parseNamespacePath(seg[2]!).join('.');
    const p = proven(l, nsKey(ns));
    if (!p.entry) notFound('NS_NOT_FOUND', `${ns} does not exist`, p);
    return { status: 200, body: { ...p, ns, children: l.store.children(ns, null, 100) } };
  }
  if (seg[1] === 'blocks' && seg.length === 3) {
    const h = seg[2] === 'latest' ? l.height() : Number(seg[2]);
    const b = l.store.block(h);
    if (!b) throw new UrbisError('HTTP_NOT_FOUND', 'no such block');
    return { status: 200, body: { header: b.header, headerHash: headerHash(b.header), txs: b.txs, results: b.results, cert: l.store.cert(h) } };
  }
  if (seg[1] === 'consistency') {
    const to = u.searchParams.get('to');
    return { status: 200, body: l.consistency(Number(u.searchParams.get('from')), to === null ? undefined : Number(to)) };
  }
  if (seg[1] === 'checkpoint') {
    const head = l.store.head()!;
    return { status: 200, body: { chainId: l.chain().chainId, header: head.header, headerHash: head.headerHash, cert: l.store.cert(head.height) } };
  }
  if (seg[1] === 'search') {
    const attrs: Record<string, string> = {};
    for (const [k, v] of u.searchParams) if (k.startsWith('attr.')) attrs[k.slice(5)] = v;
    const q = u.searchParams;
    const page = l.store.search({
      ...(q.get('type') ? { type: q.get('type')! } : {}),
      ...(q.get('ns') ? { ns: q.get('ns')! } : {}),
      ...(q.get('linkedTo') ? { linkedTo: q.get('linkedTo')! } : {}),
      ...(q.get('status') ? { status: q.get('status')! } : {}),
      ...(Object.keys(attrs).length ? { attrs } : {}),
      cursor: q.get('cursor'),
      limit: Number(q.get('limit') ?? 50),
    });
    return { status: 200, body: page };
  }
  throw new UrbisError('HTTP_NOT_FOUND', 'no route');
}

/** SSE: every event after Last-Event-ID, then (optionally) the stream closes. */
function events(node: FakeNode, init: RequestInit): Response {
  const h = new Headers(init.headers);
  const last = h.get('last-event-id') ?? '';
  node.lastEventIds.push(last);
  const after = (e: ChangeEvent) => {
    if (!last) return true;
    const [lh, ls] = last.split('.').map(Number) as [number, number];
    return e.height > lh || (e.height === lh && e.seq > ls);
  };
  const list = node.events.filter(after);
  const n = node.closeStreamAfter > 0 ? Math.min(node.closeStreamAfter, list.length) : list.length;
  const enc = new TextEncoder();
  const signal = init.signal;
  const stream = new ReadableStream<Uint8Array>({
    start(ctl) {
      ctl.enqueue(enc.encode(': hello\r\nretry: 10\r\n\r\n'));
      for (const e of list.slice(0, n)) {
        // Split each event across chunks to exercise the parser.
        const text = `id: ${e.height}.${e.seq}\ndata: ${JSON.stringify(e)}\n\n`;
        ctl.enqueue(enc.encode(text.slice(0, 7)));
        ctl.enqueue(enc.encode(text.slice(7)));
      }
      if (node.closeStreamAfter > 0) ctl.close();
      else signal?.addEventListener('abort', () => ctl.error(new DOMException('aborted', 'AbortError')));
    },
  });
  return new Response(stream, { status: 200, headers: { 'content-type': 'text/event-stream' } });
}

export type { NsEntry };

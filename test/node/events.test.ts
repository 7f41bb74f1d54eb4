/**
 * The change feed over a real socket: filters, and resumption with Last-Event-ID without gaps or
 * duplicates; CORS from the node's policy; caps on open feeds per client and in total, refused
 * with problem documents (docs/api.md "Change feed").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { expectOk, withCity } from '../helpers/chain.js';
import { newTestNode, type TestNode } from '../helpers/node.js';

interface Ev {
  id: string;
  data: { key: string; height: number; seq: number; type?: string };
}

/** Reads SSE events until `count` arrived or `ms` passed, then aborts. */
async function collect(url: string, count: number, ms: number, headers: Record<string, string> = {}): Promise<Ev[]> {
  const ac = new AbortController();
  const timer = setTimeout(() => ac.abort(), ms);
  const out: Ev[] = [];
  try {
    const res = await fetch(url, { headers, signal: ac.signal });
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const reader = res.body!.getReader();
    const dec = new TextDecoder();
    let buf = '';
    while (out.length < count) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += dec.decode(value, { stream: true });
      let i: number;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const chunk = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const id = /^id: (.*)$/m.exec(chunk)?.[1];
        const data = /^data: (.*)$/m.exec(chunk)?.[1];
        if (id && data) out.push({ id, data: JSON.parse(data) });
      }
    }
  } catch (e) {
    if ((e as Error).name !== 'AbortError') throw e;
  } finally {
    clearTimeout(timer);
    ac.abort();
  }
  return out;
}

let node: TestNode | null = null;
afterEach(async () => {
  await node?.app.close();
  node = null;
});

describe('GET /v1/events', () => {
  it('streams changes live, filters them, and resumes after Last-Event-ID without gaps or duplicates', async () => {
    node = newTestNode();
    const n = node;
    const city = withCity(n.chain);
    n.runtime.events.publish(n.chain.store.head()!.height);
    const base = await n.app.listen({ port: 0, host: '127.0.0.1' });
    const submit = async (local: string, type: string) => {
      const tx = n.chain.tx('id.register', { id: `156.130100/${local}`, record: { type } }, [city]);
      const r = await fetch(`${base}/v1/tx`, { method: 'POST', body: JSON.stringify(tx), headers: { 'content-type': 'application/json' } });
      const { hash } = (await r.json()) as { hash: string };
      const done = await (await fetch(`${base}/v1/tx/${hash}?wait=5000`)).json();
      expectOk((done as { result: { ok: true } }).result);
    };
    // Live: open the feed, then write.
    const live = collect(`${base}/v1/events?kind=id`, 3, 5000);
    await new Promise((r) => setTimeout(r, 100));
    await submit('A-1', 'lamp');
    await submit('A-2', 'camera');
    await submit('A-3', 'lamp');
    const got = await live;
    expect(got.map((e) => e.data.key)).toEqual(['id:156.130100/A-1', 'id:156.130100/A-2', 'id:156.130100/A-3']);
    // More writes while nobody listens; then resume after A-1.
    await submit('A-4', 'lamp');
    await submit('A-5', 'meter');
    const resumed = await collect(`${base}/v1/events?kind=id`, 4, 3000, { 'last-event-id': got[0]!.id });
    expect(resumed.map((e) => e.data.key)).toEqual(['id:156.130100/A-2', 'id:156.130100/A-3', 'id:156.130100/A-4', 'id:156.130100/A-5']);
    // Filters: only lamps, from the beginning of history.
    const lamps = await collect(`${base}/v1/events?type=lamp`, 3, 3000, { 'last-event-id': '0.0' });
    expect(lamps.map((e) => e.data.key)).toEqual(['id:156.130100/A-1', 'id:156.130100/A-3', 'id:156.130100/A-4']);
    // Every event id is strictly increasing.
    const all = await collect(`${base}/v1/events`, 100, 1500, { 'last-event-id': '0.0' });
    const ids = all.map((e) => [e.data.height, e.data.seq] as const);
    for (let i = 1; i < ids.length; i++) expect(ids[i]![0] > ids[i - 1]![0] || (ids[i]![0] === ids[i - 1]![0] && ids[i]![1] > ids[i - 1]![1])).toBe(true);
    const bad = await fetch(`${base}/v1/events`, { headers: { 'last-event-id': 'yesterday' } });
    expect(bad.status).toBe(400);
  });
});

/** Opens a feed and returns the response once its headers arrived (the body stays open). */
async function open(url: string, headers: Record<string, string> = {}): Promise<{ res: Response; close: () => void }> {
  const ac = new AbortController();
  const res = await fetch(url, { headers, signal: ac.signal });
  return { res, close: () => ac.abort() };
}

describe('GET /v1/events: CORS and connection caps', () => {
  it('answers CORS as the node is configured: the allowed origin only, none for another', async () => {
    node = newTestNode({ rateLimit: 0, cors: ['https://city.example'] });
    const base = await node.app.listen({ port: 0, host: '127.0.0.1' });
    const ok = await open(`${base}/v1/events`, { origin: 'https://city.example' });
    expect(ok.res.status).toBe(200);
    expect(ok.res.headers.get('access-control-allow-origin')).toBe('https://city.example');
    expect(ok.res.headers.get('x-request-id')).toBeTruthy();
    ok.close();
    const other = await open(`${base}/v1/events`, { origin: 'https://evil.example' });
    expect(other.res.status).toBe(200);
    expect(other.res.headers.get('access-control-allow-origin')).toBeNull();
    other.close();
  });

  it('with CORS off, sends no CORS header at all', async () => {
    node = newTestNode({ rateLimit: 0, cors: false });
    const base = await node.app.listen({ port: 0, host: '127.0.0.1' });
    const f = await open(`${base}/v1/events`, { origin: 'https://city.example' });
    expect(f.res.headers.get('access-control-allow-origin')).toBeNull();
    f.close();
  });

  it('refuses feeds beyond the per-client cap (429) and the total cap (503), counts them, and frees slots on close', async () => {
    node = newTestNode({ rateLimit: 0, events: { maxClients: 3, maxPerClient: 2 } });
    const n = node;
    const base = await n.app.listen({ port: 0, host: '127.0.0.1' });
    const a = await open(`${base}/v1/events`);
    const b = await open(`${base}/v1/events`);
    expect([a.res.status, b.res.status]).toEqual([200, 200]);
    const c = await fetch(`${base}/v1/events`);
    expect(c.status).toBe(429);
    expect(c.headers.get('content-type')).toContain('application/problem+json');
    expect(c.headers.get('retry-after')).toBeTruthy();
    expect(((await c.json()) as { code: string }).code).toBe('EVENTS_CLIENT_LIMIT');
    // The total cap: two feeds of other clients (subscribers of the node's hub) fill it up once one
    // of this address's feeds closes.
    const others = [n.runtime.events.subscribe(() => {}), n.runtime.events.subscribe(() => {})];
    a.close();
    await new Promise((r) => setTimeout(r, 300));
    const e = await fetch(`${base}/v1/events`);
    expect(e.status).toBe(503);
    expect(((await e.json()) as { code: string }).code).toBe('EVENTS_BUSY');
    for (const u of others) u();
    b.close();
    await new Promise((r) => setTimeout(r, 300));
    const f = await open(`${base}/v1/events`);
    expect(f.res.status).toBe(200);
    f.close();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^urbis_events_refused_total\{reason="per_client"\} 1$/m);
    expect(metrics).toMatch(/^urbis_events_refused_total\{reason="total"\} 1$/m);
  });
});

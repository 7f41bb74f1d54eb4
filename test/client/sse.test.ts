// Server-sent events: the parser (WHATWG HTML §9.2 stream format) and the client's change feed with
// reconnection after Last-Event-ID.
import { describe, expect, it } from 'vitest';
import { SseParser } from '../../src/client/sse.js';
import { UrbisClient } from '../../src/client/index.js';
import { UrbisError } from '../../src/core/errors.js';
import { newChain } from '../helpers/chain.js';
import { fakeNode } from './fake-node.js';
import type { ChangeEvent } from '../../src/core/api/types.js';

describe('SseParser', () => {
  it('parses events in any chunking and line ending', () => {
    const text = ': comment\r\nretry: 1500\r\nid: 1.0\nevent: change\ndata: {"a":\ndata: 1}\n\ndata: x\r\rid: 2.0\r\n\r\n';
    for (const size of [1, 2, 3, 7, text.length]) {
      const p = new SseParser();
      const out = [];
      for (let i = 0; i < text.length; i += size) out.push(...p.push(text.slice(i, i + size)));
      expect(out).toEqual([
        { id: '1.0', event: 'change', data: '{"a":\n1}' },
        { id: '1.0', event: 'message', data: 'x' },
      ]);
      expect(p.lastEventId).toBe('2.0'); // an id without data changes the buffer, dispatches nothing
      expect(p.retryMs).toBe(1500);
    }
  });

  it('bounds lines', () => {
    const p = new SseParser('', 100);
    expect(() => p.push('data: ' + 'x'.repeat(200))).toThrow(UrbisError);
  });
});

const ev = (height: number, seq: number): ChangeEvent => ({ height, seq, key: `id:1/A${height}${seq}`, kind: 'id', version: 1, tx: 'ab'.repeat(32), time: 1 });

describe('UrbisClient.events', () => {
  it('delivers events, reconnects after Last-Event-ID, skips unusable ones', async () => {
    const c = newChain();
    const node = fakeNode(c);
    const bad = { ...ev(2, 1), version: 'x' } as unknown as ChangeEvent; // malformed: skipped, reported
    node.events = [ev(1, 0), ev(1, 1), ev(2, 0), bad, ev(3, 0)];
    node.closeStreamAfter = 2; // every connection ends after two events
    const client = new UrbisClient({ url: 'http://node.test', anchor: { chainId: c.chainId, validators: [c.validator.id] }, fetch: node.fetch });
    const got: string[] = [];
    const errors: string[] = [];
    await new Promise<void>((resolve) => {
      const close = client.events({ retryMs: 1, onError: (e) => errors.push(e.code), filter: { ns: '1' } }, (e, id) => {
        got.push(id);
        if (e.height === 3) {
          close();
          resolve();
        }
      });
    });
    expect(got).toEqual(['1.0', '1.1', '2.0', '3.0']);
    expect(errors).toContain('CLIENT_HTTP');
    expect(node.lastEventIds.slice(0, 3)).toEqual(['', '1.1', '2.1']);
    expect(node.log[0]).toContain('/v1/events?ns=1');
  });

  it('stops on a 4xx answer', async () => {
    const c = newChain();
    const node = fakeNode(c);
    const fetch = async () => new Response(JSON.stringify({ code: 'HTTP_BAD_REQUEST', status: 400, detail: 'bad' }), { status: 400 });
    const client = new UrbisClient({ url: 'http://node.test', anchor: { chainId: c.chainId, validators: [c.validator.id] }, fetch });
    const err = await new Promise<UrbisError>((resolve) => client.events({ onError: resolve }, () => {}));
    expect(err.code).toBe('HTTP_BAD_REQUEST');
    void node;
  });
});

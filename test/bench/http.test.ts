/**
 * The benchmarks' HTTP helpers (bench/http.ts) wait out a busy node: answers 503/429, answers
 * without the fields asked for (`/v1/blocks/latest` without a header while a node applies a large
 * block) and refused connections are retried, for a bounded time, and then reported as an error.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { getJson, head, post, runPart } from '../../bench/http.js';

type Answer = { status: number; body?: unknown; headers?: Record<string, string> };

let server: Server | undefined;
afterEach(() => {
  server?.close();
  server = undefined;
});

/** A server answering `answers` in turn (the last one again once they run out); counts requests. */
async function scripted(answers: Answer[]): Promise<{ url: string; hits: () => number }> {
  let n = 0;
  server = createServer((req, res) => {
    req.resume();
    const a = answers[Math.min(n++, answers.length - 1)]!;
    res.writeHead(a.status, { 'content-type': 'application/json', ...a.headers });
    res.end(a.body === undefined ? '' : JSON.stringify(a.body));
  });
  await new Promise<void>((r) => server!.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits: () => n };
}

const problem = { type: 'about:blank', code: 'NODE_NOT_READY', status: 503 };

describe('benchmark HTTP helpers', () => {
  it('head() waits through 503, 429 and an answer without a header, then returns the head', async () => {
    const s = await scripted([
      { status: 503, body: problem, headers: { 'retry-after': '0' } },
      { status: 429, body: { code: 'HTTP_RATE_LIMITED' } },
      { status: 200, body: { cert: {} } },
      { status: 200, body: 'not json at all' },
      { status: 200, body: { header: { height: 42 }, headerHash: 'ab' } },
    ]);
    expect(await head(s.url, 20_000)).toEqual({ height: 42, hash: 'ab' });
    expect(s.hits()).toBe(5);
  });

  it('gives up after the bounded wait, naming the last answer', async () => {
    const s = await scripted([{ status: 503, body: problem }]);
    const t0 = Date.now();
    await expect(head(s.url, 1000)).rejects.toThrow(/no usable answer within 1000 ms \(last: HTTP 503\)/);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(s.hits()).toBeGreaterThan(1);
  });

  it('getJson waits for a node that is not listening yet', async () => {
    const s = await scripted([{ status: 200, body: { entry: { ids: 7 } } }]);
    const url = s.url;
    server!.close();
    await new Promise((r) => setTimeout(r, 50));
    const port = Number(new URL(url).port);
    setTimeout(() => {
      server = createServer((_q, r) => r.writeHead(200, { 'content-type': 'application/json' }).end('{"entry":{"ids":7}}'));
      server.listen(port, '127.0.0.1');
    }, 600);
    expect(await getJson(`${url}/v1/ns/156`, (b) => (b as { entry?: { ids?: number } }).entry?.ids, 20_000)).toBe(7);
  });

  it('post() resubmits on 503/429 until accepted, and fails at once on a refusal', async () => {
    const s = await scripted([{ status: 503, body: problem, headers: { 'retry-after': '0' } }, { status: 429 }, { status: 202, body: { hash: 'h' } }]);
    expect(await post(`${s.url}/v1/tx`, '{}', 20_000)).toBe(202);
    expect(s.hits()).toBe(3);
    server!.close();
    const bad = await scripted([{ status: 400, body: { code: 'TX_SCHEMA_INVALID' } }]);
    await expect(post(`${bad.url}/v1/tx`, '{}', 20_000)).rejects.toThrow(/HTTP 400/);
    expect(bad.hits()).toBe(1);
  });

  it('post() is bounded on a node that stays busy', async () => {
    const s = await scripted([{ status: 503, body: problem }]);
    await expect(post(`${s.url}/v1/tx`, '{}', 800)).rejects.toThrow(/not accepted within 800 ms \(last: HTTP 503\)/);
  });

  it('runPart reports a failed part as a JSON line and lets the caller go on', async () => {
    const lines: string[] = [];
    const write = process.stdout.write.bind(process.stdout);
    const errWrite = process.stderr.write.bind(process.stderr);
    const code = process.exitCode;
    process.stdout.write = ((l: string) => (lines.push(l), true)) as typeof process.stdout.write;
    process.stderr.write = (() => true) as typeof process.stderr.write;
    let ok: boolean;
    try {
      ok = await runPart('network-catchup', { cores: 2 }, async () => {
        throw new Error("Cannot read properties of undefined (reading 'height')");
      });
    } finally {
      process.stdout.write = write;
      process.stderr.write = errWrite;
    }
    expect(ok).toBe(false);
    expect(process.exitCode).toBe(1);
    process.exitCode = code;
    const r = JSON.parse(lines[0]!) as Record<string, unknown>;
    expect(r.bench).toBe('network-catchup');
    expect(r.error).toMatch(/reading 'height'/);
    expect(await runPart('x', {}, async () => {})).toBe(true);
  });
});

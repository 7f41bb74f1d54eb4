/**
 * A lying HTTP proxy in front of a real node, for attacks on the SDK and the CLI (`--node`): every
 * request is forwarded; JSON answers pass through `json(path, body)`, and the change feed's
 * server-sent events pass frame by frame through `frame(text)`. Either hook may return the body or
 * frame as received, a forged one, or (for frames) '' to drop it. Loopback only, port 0.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LyingProxy {
  url: string;
  /** Rewrites a JSON answer (path with query). */
  json: ((path: string, body: any) => any) | null;
  /** Rewrites one SSE frame (its text without the blank line that ends it). */
  frame: ((text: string) => string) | null;
  close(): Promise<void>;
}

export async function startLyingProxy(target: string): Promise<LyingProxy> {
  const p: LyingProxy = { url: '', json: null, frame: null, close: async () => undefined };
  const server: Server = createServer((req, res) => {
    void (async () => {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const ctl = new AbortController();
      res.on('close', () => ctl.abort());
      try {
        const headers: Record<string, string> = {};
        for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' && k !== 'host' && k !== 'connection') headers[k] = v;
        const up = await fetch(target + req.url, {
          method: req.method ?? 'GET',
          headers,
          ...(chunks.length > 0 ? { body: Buffer.concat(chunks) } : {}),
          signal: ctl.signal,
        });
        const type = up.headers.get('content-type') ?? '';
        if (type.startsWith('text/event-stream') && up.body) {
          res.writeHead(up.status, { 'content-type': type, 'cache-control': 'no-store' });
          const dec = new TextDecoder();
          let buf = '';
          for await (const chunk of up.body as unknown as AsyncIterable<Uint8Array>) {
            buf += dec.decode(chunk, { stream: true });
            let i: number;
            while ((i = buf.indexOf('\n\n')) >= 0) {
              const text = buf.slice(0, i);
              buf = buf.slice(i + 2);
              const out = p.frame ? p.frame(text) : text;
              if (out !== '') res.write(`${out}\n\n`);
            }
          }
          res.end();
          return;
        }
        const body = await up.text();
        let outBody = body;
        if (p.json && type.includes('json') && body.length > 0) outBody = JSON.stringify(p.json(req.url ?? '', JSON.parse(body)));
        res.writeHead(up.status, { 'content-type': type });
        res.end(outBody);
      } catch {
        if (!res.headersSent) res.writeHead(502);
        res.end();
      }
    })();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  p.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  p.close = () =>
    new Promise<void>((r) => {
      server.closeAllConnections();
      server.close(() => r());
    });
  return p;
}

// The node serves the web app (src/node/web.ts) for browsers, with the genesis embedded as the
// trust anchor, and leaves API clients to the API. Accept negotiation: RFC 9110 §12.5.1.
import { describe, expect, it } from 'vitest';
import { findWebApp, indexWithGenesis, loadWebApp, wantsHtml, WEB_APP_CSP, type WebApp } from '../../src/node/web.js';
import { newTestNode } from '../helpers/node.js';
import type { Tx } from '../../src/core/ledger/types.js';

const HTML = 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8';

function genesisFromPage(html: string): unknown {
  const m = /<script type="application\/json" id="urbis-genesis">([\s\S]*?)<\/script>/.exec(html);
  return m ? JSON.parse(m[1]!) : undefined;
}

describe('web app serving', () => {
  const web = loadWebApp();

  it('finds the built app (npm run build puts it in dist/web)', () => {
    expect(findWebApp()).not.toBeNull();
    expect(web).not.toBeNull();
    expect([...web!.assets.keys()].some((n) => n.endsWith('.js'))).toBe(true);
  });

  it('prefers HTML only when the client asks for it at least as much as for JSON', () => {
    expect(wantsHtml(HTML)).toBe(true);
    expect(wantsHtml('text/html')).toBe(true);
    expect(wantsHtml(undefined)).toBe(false);
    expect(wantsHtml('*/*')).toBe(false);
    expect(wantsHtml('application/json')).toBe(false);
    expect(wantsHtml('application/json, text/html;q=0.5')).toBe(false);
    expect(wantsHtml('text/html;q=0, */*')).toBe(false);
    expect(wantsHtml('application/ld+json;q=0.4, text/html;q=0.9')).toBe(true);
  });

  it('embeds the genesis so that it cannot end the data block', () => {
    const fake: WebApp = { dir: '', index: '<head><script type="application/json" id="urbis-genesis">\n  null\n</script></head>', assets: new Map() };
    const g = { body: { type: 'genesis', payload: { chainId: '</script><script>alert(1)</script>$&' } }, sigs: [] } as unknown as Tx<'genesis'>;
    const html = indexWithGenesis(fake, g);
    expect(html.match(/<\/script>/g)).toHaveLength(1);
    expect(genesisFromPage(html)).toEqual(g);
  });

  it('serves the page at / and at label URLs, with the genesis and a strict CSP; JSON clients get the API', async () => {
    const n = newTestNode({ rateLimit: 0, webApp: web });
    for (const url of ['/', '/id/156.130100.42%2FLAMP-000017%3AF', '/id/156.130100.42/LAMP-000017:F', '/ns/156', '/ledger/3', '/manage', '/trust', '/scan']) {
      const r = await n.app.inject({ url, headers: { accept: HTML } });
      expect(r.statusCode, url).toBe(200);
      expect(r.headers['content-type']).toMatch(/^text\/html/);
      expect(r.headers['content-security-policy']).toBe(WEB_APP_CSP);
      expect(genesisFromPage(r.body)).toEqual(n.genesis);
    }
    const api = await n.app.inject({ url: '/', headers: { accept: 'application/json' } });
    expect(api.statusCode).toBe(404);
    expect(api.headers['content-type']).toMatch(/problem\+json/);
    const asset = [...web!.assets.keys()].find((k) => k.endsWith('.js'))!;
    const a = await n.app.inject({ url: `/assets/${asset}` });
    expect(a.statusCode).toBe(200);
    expect(a.headers['content-type']).toMatch(/javascript/);
    expect(a.headers['cache-control']).toMatch(/immutable/);
    for (const url of ['/assets/nope.js', '/assets/..%2Findex.html', '/assets/%2e%2e%2f%2e%2e%2fpackage.json']) {
      expect((await n.app.inject({ url })).statusCode, url).toBe(404);
    }
  });

  it('serves no page when the app is not built (webApp: null)', async () => {
    const n = newTestNode({ rateLimit: 0, webApp: null });
    const r = await n.app.inject({ url: '/', headers: { accept: HTML } });
    expect(r.statusCode).toBe(404);
    expect(r.headers['content-type']).toMatch(/problem\+json/);
  });
});

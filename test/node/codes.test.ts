// Code routes through inject() (docs/api.md "Codes", "Label URLs"): make → PNG → an independent
// decoder (ZXing) → verify VALID; REVOKED online at once after id.deactivate; linkset (RFC 9264
// §4.2) and content negotiation of /id/{id}; trust bundle; image limits; bad input.
import { describe, expect, it } from 'vitest';
import { newTestNode } from '../helpers/node.js';
import { expectOk, newSigner, OPEN_POLICY, withCity } from '../helpers/chain.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import { readQrCodes } from '../../src/codes/image.js';
import { openTrustBundle, parseCode } from '../../src/core/codes/index.js';
import type { WebApp } from '../../src/node/web.js';

function setup(withIssuer = true, webApp: WebApp | null = null) {
  const issuer = newSigner();
  const n = newTestNode({ rateLimit: 0, webApp }, withIssuer ? { issuer, publicUrl: 'https://id.example.org' } : {});
  const city = withCity(n.chain);
  expectOk(n.chain.run('ns.update', { ns: '156.130100', policy: { ...OPEN_POLICY, issuers: [issuer.id] } }, [city]));
  const id = objectIdText('156.130100', 'LAMP-1');
  expectOk(
    n.chain.run(
      'id.register',
      { id, record: { type: 'lamp', attributes: { kind: 'led', h: 8 }, links: [{ rel: 'located-in', target: objectIdText('156.130100', 'BLDG-1') }] } },
      [city],
    ),
  );
  return { ...n, issuer, city, id };
}
const enc = encodeURIComponent;

describe('code routes', () => {
  it('makes a PNG code that an independent decoder reads and the node verifies VALID; REVOKED at once after id.deactivate', async () => {
    const n = setup();
    const png = await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(n.id)}/code.png?serial=42&fields=kind` });
    expect(png.statusCode).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    expect(png.headers['urbis-label-serial']).toBe('42');
    expect(Number(png.headers['urbis-qr-version'])).toBeLessThanOrEqual(10);
    const [text] = await readQrCodes(new Uint8Array(png.rawPayload));
    expect(parseCode(text!).claims).toMatchObject({ id: n.id, serial: 42, fields: ['kind'], chain: n.chain.chainId });
    const v = await n.app.inject({ method: 'POST', url: '/v1/codes/verify', payload: { code: text } });
    expect(v.json()).toMatchObject({ verdict: 'VALID', reason: 'ok', evidence: { issuer: n.issuer.id, fieldsChecked: true } });
    const byImage = await n.app.inject({ method: 'POST', url: '/v1/codes/verify', payload: { image: png.rawPayload.toString('base64') } });
    expect(byImage.json()).toMatchObject({ verdict: 'VALID', decoded: text });

    // ALTERED when a vouched attribute changes; an unrelated one changes nothing.
    expectOk(n.chain.run('id.update', { id: n.id, record: { type: 'lamp', attributes: { kind: 'led', h: 9 } } }, [n.city]));
    expect((await n.app.inject({ method: 'POST', url: '/v1/codes/verify', payload: { code: text } })).json().verdict).toBe('VALID');
    expectOk(n.chain.run('label.revoke', { id: n.id, serial: 43 }, [n.issuer]));
    expect((await n.app.inject({ method: 'POST', url: '/v1/codes/verify', payload: { code: text } })).json().verdict).toBe('VALID');

    expectOk(n.chain.run('id.deactivate', { id: n.id }, [n.city]));
    const after = await n.app.inject({ method: 'POST', url: '/v1/codes/verify', payload: { code: text } });
    expect(after.json()).toMatchObject({ verdict: 'REVOKED', reason: 'identifier-deactivated' });
    // No new codes for a deactivated identifier.
    expect((await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(n.id)}/code.svg` })).json().code).toBe('ID_DEACTIVATED');
  });

  it('serves SVG and the URL form; refuses without an issuer key or without authority', async () => {
    const n = setup();
    const svg = await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(n.id)}/code.svg?form=url` });
    expect(svg.headers['content-type']).toContain('image/svg+xml');
    expect(svg.body).toContain('<svg');
    const other = objectIdText('156', 'X-1');
    expectOk(n.chain.run('id.register', { id: other, record: { type: 'device' } }, [n.chain.root]));
    expect((await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(other)}/code.svg` })).json()).toMatchObject({
      status: 403,
      code: 'CODE_ISSUER_NOT_AUTHORISED',
    });
    expect((await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(objectIdText('156.130100', 'NXNE'))}/code.png` })).statusCode).toBe(404);
    const bare = setup(false);
    expect((await bare.app.inject({ method: 'GET', url: `/v1/ids/${enc(bare.id)}/code.png` })).json()).toMatchObject({
      status: 409,
      code: 'CODE_ISSUER_NOT_CONFIGURED',
    });
  });

  it('/id/{id}: HTML by default with the verdict of ?c=, JSON and RFC 9264 linkset by Accept, 406 otherwise', async () => {
    const n = setup();
    const svg = await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(n.id)}/code.svg?form=url` });
    expect(svg.statusCode).toBe(200);
    const html = await n.app.inject({ method: 'GET', url: `/id/${n.id}`, headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.body).toContain(n.id);
    expect(html.body).not.toContain('<script');
    const json = await n.app.inject({ method: 'GET', url: `/id/${n.id}`, headers: { accept: 'application/json' } });
    expect(json.json()).toMatchObject({ id: n.id, status: 'active', entry: { kind: 'id' } });
    const ls = await n.app.inject({ method: 'GET', url: `/id/${n.id}`, headers: { accept: 'application/linkset+json' } });
    expect(ls.headers['content-type']).toContain('application/linkset+json');
    const set = ls.json().linkset[0];
    expect(set.anchor).toBe(`https://id.example.org/id/${n.id}`);
    expect(set.describedby[0].type).toBe('application/json');
    expect(set['https://urbis.city/rel/located-in'][0].href).toContain('BLDG-1');
    expect((await n.app.inject({ method: 'GET', url: `/id/${n.id}`, headers: { accept: 'image/gif' } })).statusCode).toBe(406);
    expect((await n.app.inject({ method: 'GET', url: `/id/156.130100%2FLAMP-1%3AZ`, headers: { accept: 'application/json' } })).json().code).toMatch(
      /^ID_CHECK/,
    );

    // A URL code opened by a phone: the page shows the verdict.
    const code = (await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(n.id)}/code.png?serial=7` })).rawPayload;
    const [text] = await readQrCodes(new Uint8Array(code));
    const b64 = Buffer.from(parseCode(text!).bytes).toString('base64url');
    const page = await n.app.inject({ method: 'GET', url: `/id/${n.id}?c=${b64}` });
    expect(page.body).toContain('VALID');
    const tampered = await n.app.inject({ method: 'GET', url: `/id/${n.id}?c=${b64.slice(0, -4)}AAAA` });
    expect(tampered.body).toContain('FORGED');
    expect(tampered.body).not.toContain('>VALID<');
  });

  it('beside the web app, /id/{id} gives browsers the app and everyone else the JSON and linkset', async () => {
    const fake: WebApp = { dir: '', index: '<head><script type="application/json" id="urbis-genesis">null</script></head><body>APP</body>', assets: new Map() };
    const n = setup(true, fake);
    const page = await n.app.inject({ method: 'GET', url: `/id/${n.id}`, headers: { accept: 'text/html' } });
    expect(page.body).toContain('APP');
    const json = await n.app.inject({ method: 'GET', url: `/id/${n.id}`, headers: { accept: 'application/json' } });
    expect(json.json()).toMatchObject({ id: n.id, status: 'active' });
    const ls = await n.app.inject({ method: 'GET', url: `/id/${n.id}`, headers: { accept: 'application/linkset+json' } });
    expect(ls.json().linkset[0].anchor).toBe(`https://id.example.org/id/${n.id}`);
    expect((await n.app.inject({ method: 'GET', url: `/id/${n.id}?c=${'A'.repeat(5000)}`, headers: { accept: '*/*' } })).statusCode).toBe(400);
    // The app's other paths still answer 404 to JSON clients.
    expect((await n.app.inject({ method: 'GET', url: '/ns/156', headers: { accept: 'application/json' } })).statusCode).toBe(404);
  });

  it('serves a trust bundle signed by its validator key, verifiable against genesis', async () => {
    const n = setup();
    const r = await n.app.inject({ method: 'GET', url: '/v1/trust/bundle' });
    expect(r.headers['content-type']).toContain('application/cose');
    const b = await openTrustBundle(new Uint8Array(r.rawPayload), n.runtime.anchor);
    expect(b.signer).toBe(n.chain.validator.id);
    expect(b.content.issuers).toEqual([{ ns: '156.130100', active: [n.issuer.id], retired: [] }]);
  });

  it('refuses oversized and malformed images with typed errors, and bad bodies', async () => {
    const n = setup();
    // A PNG header announcing 20000 × 20000 pixels: refused before decoding.
    const ihdr = Buffer.from('89504e470d0a1a0a0000000d4948445200004e2000004e200806000000', 'hex');
    const big = await n.app.inject({ method: 'POST', url: '/v1/codes/verify', payload: { image: ihdr.toString('base64') } });
    expect(big.json()).toMatchObject({ status: 413, code: 'CODE_IMAGE_TOO_LARGE' });
    const junk = await n.app.inject({ method: 'POST', url: '/v1/codes/verify', payload: { image: Buffer.from('not an image at all').toString('base64') } });
    expect(junk.json()).toMatchObject({ status: 400, code: 'CODE_IMAGE_INVALID' });
    const bytesTooMany = await n.app.inject({ method: 'POST', url: '/v1/codes/verify', payload: { image: 'A'.repeat(12 * 1024 * 1024) } });
    expect(bytesTooMany.statusCode).toBe(413);
    expect((await n.app.inject({ method: 'POST', url: '/v1/codes/verify', payload: { code: 'hello' } })).json().code).toBe('CODE_NOT_URBIS');
    expect((await n.app.inject({ method: 'POST', url: '/v1/codes/verify', payload: { code: 'UC1:%%%' } })).json()).toMatchObject({
      verdict: 'FORGED',
      reason: 'malformed',
    });
    expect((await n.app.inject({ method: 'POST', url: '/v1/codes/verify', payload: {} })).statusCode).toBe(400);
    expect((await n.app.inject({ method: 'POST', url: '/v1/codes/verify', payload: { code: 'x', image: 'y' } })).statusCode).toBe(400);
  });
});

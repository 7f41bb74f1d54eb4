// Codes through the SDK (docs/sdk.md "Codes"): make from the verified record, verify online against
// proven answers — a lying node cannot turn REVOKED into VALID — and offline against a trust bundle,
// with the WebCrypto provider and with its @noble fallback (docs/codes.md §7.3).
import { afterEach, describe, expect, it } from 'vitest';
import { expectOk, newChain, newSigner, OPEN_POLICY, withCity } from '../helpers/chain.js';
import { fakeNode } from './fake-node.js';
import { UrbisClient, checkIssuer, makeCodeFor, verifyCodeOffline, verifyCodeOnline } from '../../src/client/index.js';
import { createWebCryptoProvider, generateSeed, getCryptoProvider, setCryptoProvider } from '../../src/core/crypto/index.js';
import { signerFromSeed } from '../../src/core/ledger/tx.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import { exportTrustBundle } from '../../src/engine/trust-bundle.js';

const before = getCryptoProvider();
afterEach(() => setCryptoProvider(before));

function setup() {
  const c = newChain();
  const city = withCity(c);
  const seed = generateSeed();
  const issuer = signerFromSeed(seed);
  expectOk(c.run('ns.update', { ns: '156.130100', policy: { ...OPEN_POLICY, issuers: [issuer.id] } }, [city]));
  const id = objectIdText('156.130100', 'LAMP-1');
  expectOk(c.run('id.register', { id, record: { type: 'lamp', attributes: { kind: 'led' } } }, [city]));
  const node = fakeNode(c);
  const anchor = UrbisClient.anchorFromGenesis(c.store.block(0)!.txs[0]);
  // The test chain runs on its own clock (T0): the client's freshness rule reads that clock too.
  const client = new UrbisClient({ url: 'http://node.test/', anchor, fetch: node.fetch, retry: { baseDelayMs: 1, maxDelayMs: 5 }, now: () => c.time });
  return { c, city, seed, issuer, id, node, anchor, client };
}

describe('SDK codes', () => {
  it('makes a code from the verified record and verifies it online; REVOKED at once after deactivation', async () => {
    const s = setup();
    const made = await makeCodeFor(s.client, s.id, { seed: s.seed, serial: 3, fields: ['kind'], baseUrl: 'https://id.example.org' });
    expect(made.url.startsWith(`https://id.example.org/id/${s.id}?c=`)).toBe(true);
    expect((await verifyCodeOnline(s.client, made.text)).verdict).toBe('VALID');
    expect((await verifyCodeOnline(s.client, made.url)).verdict).toBe('VALID');
    expect((await verifyCodeOnline(s.client, made.bytes)).evidence).toMatchObject({ fieldsChecked: true, source: 'ledger' });
    expectOk(s.c.run('id.deactivate', { id: s.id }, [s.city]));
    expect((await verifyCodeOnline(s.client, made.text)).verdict).toBe('REVOKED');
    await expect(makeCodeFor(s.client, s.id, { seed: s.seed })).rejects.toMatchObject({ code: 'ID_DEACTIVATED' });
  });

  it('makes a code with a loaded signer; refuses a key that is not among the namespace issuers (its code would be FORGED)', async () => {
    const s = setup();
    const made = await makeCodeFor(s.client, s.id, { signer: s.issuer, serial: 4 });
    expect((await verifyCodeOnline(s.client, made.text)).verdict).toBe('VALID');
    // The city controls the namespace but is not one of its issuers.
    await expect(makeCodeFor(s.client, s.id, { signer: s.city })).rejects.toMatchObject({ code: 'CODE_ISSUER_NOT_AUTHORISED' });
    await expect(checkIssuer(s.client, '156.130100', s.city.id)).rejects.toThrow(/would verify as FORGED/);
    await expect(checkIssuer(s.client, '156.130100', s.issuer.id)).resolves.toBeUndefined();
    await expect(checkIssuer(s.client, '156.999999', s.issuer.id)).rejects.toMatchObject({ code: 'NS_NOT_FOUND' });
  });

  it('a lying node (identifier shown active after deactivation) is caught, never VALID', async () => {
    const s = setup();
    const made = await makeCodeFor(s.client, s.id, { seed: s.seed });
    expectOk(s.c.run('id.deactivate', { id: s.id }, [s.city]));
    s.node.tamper = (path, json) => {
      if (path.startsWith('/v1/ids/') && json?.entry?.status === 'deactivated') json.entry.status = 'active';
      return json;
    };
    await expect(verifyCodeOnline(s.client, made.text)).rejects.toMatchObject({ code: 'PROOF_INVALID' });
    // A node that drops the issuer from the namespace answer is caught the same way.
    s.node.tamper = (path, json) => {
      if (path.startsWith('/v1/ns/') && json?.entry?.policy) json.entry.policy.issuers = [newSigner().id];
      return json;
    };
    await expect(verifyCodeOnline(s.client, made.text)).rejects.toMatchObject({ code: 'PROOF_INVALID' });
  });

  it('verifies offline with a trust bundle: WebCrypto provider, and its @noble fallback', async () => {
    const s = setup();
    const made = await makeCodeFor(s.client, s.id, { seed: s.seed, serial: 9 });
    const bundle = exportTrustBundle(s.c.store, s.c.validator, Date.now()).bytes;
    const web = createWebCryptoProvider();
    setCryptoProvider(web);
    expect((await verifyCodeOffline(made.text, bundle, { anchor: s.anchor })).verdict).toBe('VALID');
    expect(web.webCryptoUsable()).toBe(true);
    const noWeb = createWebCryptoProvider({
      importKey: () => Promise.reject(new DOMException('no Ed25519', 'NotSupportedError')),
      verify: () => Promise.resolve(true),
    });
    setCryptoProvider(noWeb);
    expect((await verifyCodeOffline(made.text, bundle, { anchor: s.anchor })).verdict).toBe('VALID');
    expect(noWeb.webCryptoUsable()).toBe(false);
    // A forged code still fails on the fallback path (the stub's verify() would say yes: it is never used).
    const forged = made.text.slice(0, -3) + (made.text.endsWith('A') ? 'B' : 'A') + made.text.slice(-2);
    expect((await verifyCodeOffline(forged, bundle, { anchor: s.anchor })).verdict).not.toBe('VALID');
    expect((await verifyCodeOffline(made.text, bundle, { anchor: s.anchor, now: Date.now() + 2 * 86_400_000 })).verdict).toBe('STALE');
  });
});

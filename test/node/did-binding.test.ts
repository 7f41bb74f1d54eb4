// The DID Resolution HTTP(S) binding at its edges, through inject(): W3C DID Resolution v1.0 (CR
// 2026) §3, §4.4, §5.4, §11, §12.1, §13.4 and W3C DID Core 1.0 §3.1, §3.2, §6, §7.1.3, §7.3. The
// same sections against a real node process: test/integration/did-conformance.test.ts.
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOk, newSigner, withCity } from '../helpers/chain.js';
import { newTestNode, type TestNode } from '../helpers/node.js';
import { formatDid, parseIdentifier } from '../../src/core/ids/index.js';
import { documentHashlink } from '../../src/core/api/did-resolution.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import type { Signer } from '../../src/core/ledger/tx.js';

const E = 'https://www.w3.org/ns/did#';
let n: TestNode;
let city: Signer;
let owner: Signer;
let cam: string; // did of an identifier with its own key and a service, updated twice
let lamp: string; // did of a keyless identifier, deactivated
let nsDid: string;
const times: number[] = [];

const get = (path: string, accept?: string) =>
  n.app.inject({ method: 'GET', url: `/1.0/identifiers/${path}`, headers: accept === undefined ? {} : { accept } });
/** Every value a string, map, list or boolean, all the way down (DID Core §7.3: no numbers). */
function metadataTypesOk(v: unknown): boolean {
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return true;
  if (Array.isArray(v)) return v.every(metadataTypesOk);
  if (typeof v === 'object') return Object.values(v as object).every(metadataTypesOk);
  return false;
}

beforeAll(() => {
  n = newTestNode();
  city = withCity(n.chain);
  owner = newSigner();
  const camText = objectIdText('156.130100', 'CAM-9');
  expectOk(
    n.chain.run(
      'id.register',
      {
        id: camText,
        record: { type: 'camera', services: [{ id: '#feed', type: 'VideoFeed', serviceEndpoint: 'https://v.example/cams/9' }] },
        controllers: { keys: [owner.id], threshold: 1 },
      },
      [city],
    ),
  );
  times.push(n.chain.time);
  expectOk(
    n.chain.run(
      'id.update',
      { id: camText, record: { type: 'camera', services: [{ id: '#feed', type: 'VideoFeed', serviceEndpoint: 'https://v.example/cams/9b/' }] } },
      [owner],
    ),
  );
  times.push(n.chain.time);
  expectOk(
    n.chain.run(
      'id.update',
      {
        id: camText,
        record: { type: 'camera', attributes: { zone: 'Z1' }, services: [{ id: '#feed', type: 'VideoFeed', serviceEndpoint: 'https://v.example/cams/9b/' }] },
      },
      [owner],
    ),
  );
  times.push(n.chain.time);
  cam = formatDid(parseIdentifier(camText));
  const lampText = objectIdText('156.130100', 'LAMP-1');
  expectOk(n.chain.run('id.register', { id: lampText, record: { type: 'lamp' } }, [city]));
  expectOk(n.chain.run('id.deactivate', { id: lampText }, [city]));
  lamp = formatDid(parseIdentifier(lampText));
  nsDid = formatDid(parseIdentifier(n.chain.store.ns('156.130100')!.id));
});

describe('DID Resolution §12.1: resolve over HTTP', () => {
  it('serves the resolution result by default, and each representation with its own content type (DID Core §6.2, §6.3)', async () => {
    const r = await get(cam);
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/did-resolution/);
    const body = r.json();
    // Without a document type in Accept, the result holds the document as application/did (DID
    // Resolution §12.2 examples), the JSON-LD form.
    expect(body.didResolutionMetadata).toEqual({ contentType: 'application/did' });
    expect(body.didDocument['@context'][0]).toBe('https://www.w3.org/ns/did/v1');
    const ld = await get(cam, 'application/did+ld+json');
    expect(ld.headers['content-type']).toMatch(/^application\/did\+ld\+json/);
    expect(ld.json()['@context']).toEqual(['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1', { '@vocab': 'urn:urbis:vocab:' }]); // a vocabulary for the service types
    expect((await get(nsDid, 'application/did+ld+json')).json()['@context']).toEqual(['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1']);
    const json = await get(cam, 'application/did+json');
    expect(json.headers['content-type']).toMatch(/^application\/did\+json/);
    expect(json.json()['@context']).toBeUndefined();
    expect({ ...json.json(), '@context': ld.json()['@context'] }).toEqual(ld.json());
    // The result's contentType names the representation inside it (§4.2).
    const inner = (await get(cam, 'application/did-resolution, application/did+json')).json();
    expect(inner.didResolutionMetadata.contentType).toBe('application/did+json');
    expect(inner.didDocument['@context']).toBeUndefined();
  });

  it('honours q-values (RFC 9110 §12.5.1) and answers 406 with REPRESENTATION_NOT_SUPPORTED', async () => {
    const r = await get(cam, 'application/did-resolution;q=0.1, application/did+json');
    expect(r.headers['content-type']).toMatch(/^application\/did\+json/);
    const no = await get(cam, 'text/html, image/png');
    expect(no.statusCode).toBe(406);
    expect(no.json().didResolutionMetadata.error.type).toBe(`${E}REPRESENTATION_NOT_SUPPORTED`);
    expect((await get(cam, 'application/did+json;q=0')).statusCode).toBe(406);
  });

  it('writes controllers as Multikey verification methods with their relationships (DID Core §5.2, §5.3)', async () => {
    const d = (await get(cam, 'application/did+ld+json')).json();
    const vm = { id: `${cam}#key-1`, type: 'Multikey', controller: cam, publicKeyMultibase: owner.id };
    expect(d.verificationMethod).toEqual([vm]);
    for (const rel of ['authentication', 'assertionMethod', 'capabilityInvocation']) expect(d[rel]).toEqual([vm.id]);
    expect(d.capabilityDelegation).toBeUndefined();
    expect(d.controller).toEqual([`did:key:${owner.id}`]);
    // A namespace resolves as a DID; its keys also delegate (they create sub-namespaces and identifiers).
    const ns = (await get(nsDid, 'application/did+ld+json')).json();
    expect(ns.id).toBe(nsDid);
    expect(ns.verificationMethod[0].publicKeyMultibase).toBe(city.id);
    expect(ns.capabilityDelegation).toEqual([`${nsDid}#key-1`]);
  });

  it('writes metadata with the value types DID Core §7.3 allows, all the way down', async () => {
    const md = (await get(cam)).json().didDocumentMetadata;
    expect(metadataTypesOk(md)).toBe(true);
    expect(md).toMatchObject({ versionId: '3', urbis: { status: 'active', proven: true } });
    expect(md.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(md.proof).toHaveLength(1);
    expect(md.proof[0]).toMatchObject({ type: 'UrbisStateProof', stateKey: 'id:156.130100/CAM-9', height: String(n.chain.ledger.height()) });
    expect(JSON.parse(md.proof[0].proofValue).entry.version).toBe(3);
  });

  it('resolves a deactivated DID to no document, deactivated metadata and 410 (§4.4 step 5.2)', async () => {
    const r = await get(lamp);
    expect(r.statusCode).toBe(410);
    expect(r.json().didDocument).toBeNull();
    expect(r.json().didDocumentMetadata).toMatchObject({ deactivated: true, versionId: '2' });
    expect((await get(lamp, 'application/did+json')).statusCode).toBe(410);
    // The version before deactivation still resolves, with its keys (§13.4).
    const v1 = await get(`${lamp}?versionId=1`);
    expect(v1.statusCode).toBe(200);
    expect(v1.json().didDocumentMetadata).toMatchObject({ versionId: '1', nextVersionId: '2', urbis: { proven: true } });
    // Proven at the block that wrote version 1, not against the head.
    const proof = v1.json().didDocumentMetadata.proof[0];
    expect(JSON.parse(proof.proofValue).entry.version).toBe(1);
    expect(proof.height).toBe(String(JSON.parse(proof.proofValue).entry.height));
  });

  it('keeps the DID as written in the document id, and names the canonical form (§4, DID Core §7.1.3 canonicalId)', async () => {
    const lower = cam.replace('CAM', 'cam');
    const r = (await get(lower)).json();
    expect(r.didDocument.id).toBe(lower);
    expect(r.didDocument.verificationMethod[0].id).toBe(`${lower}#key-1`);
    expect(r.didDocumentMetadata.canonicalId).toBe(cam);
    expect((await get(cam)).json().didDocumentMetadata.canonicalId).toBeUndefined();
  });
});

describe('DID Resolution §4.4, §11: errors', () => {
  const errorOf = async (path: string, accept?: string) => {
    const r = await get(path, accept);
    const b = r.json();
    const meta = b.didResolutionMetadata ?? b.dereferencingMetadata;
    return { status: r.statusCode, type: meta.error.type as string, error: meta.error, body: b };
  };

  it('answers INVALID_DID (400) with an RFC 9457 object, no document and empty metadata', async () => {
    for (const bad of ['did:urbis:nope', 'did:urbis:', 'DID:urbis:156.130100:7', 'did:URBIS:156:1', 'notadid', 'did:urbis:156.130100.42:LAMP%201:F']) {
      const e = await errorOf(encodeURIComponent(bad));
      expect(e.status, bad).toBe(400);
      expect(e.type, bad).toBe(`${E}INVALID_DID`);
      expect(typeof e.error.title).toBe('string');
      expect(typeof e.error.detail).toBe('string');
      expect(e.body.didDocument).toBeNull();
      expect(e.body.didDocumentMetadata).toEqual({});
    }
    // The did input is REQUIRED (§4).
    for (const url of ['/1.0/identifiers/', '/1.0/identifiers']) {
      const r = await n.app.inject({ method: 'GET', url });
      expect([r.statusCode, r.json().didResolutionMetadata.error.type]).toEqual([400, `${E}INVALID_DID`]);
    }
    const typo = cam.slice(0, -1) + (cam.endsWith('A') ? 'B' : 'A');
    expect((await errorOf(typo)).error).toMatchObject({ type: `${E}INVALID_DID`, code: 'ID_CHECK_MISMATCH' });
  });

  it('answers METHOD_NOT_SUPPORTED (501) for another method, NOT_FOUND (404) for an absent DID', async () => {
    const other = await errorOf('did:example:123456789abcdefghi');
    expect([other.status, other.type]).toEqual([501, `${E}METHOD_NOT_SUPPORTED`]);
    expect((await errorOf('did:web:example.com')).status).toBe(501);
    const absent = formatDid(parseIdentifier(objectIdText('156.130100', 'NXNE-1')));
    const nf = await errorOf(absent);
    expect([nf.status, nf.type]).toEqual([404, `${E}NOT_FOUND`]);
    expect(nf.body.didDocumentMetadata).toEqual({});
  });

  it('answers INVALID_DID_URL for a malformed DID URL, and treats duplicate parameters as invalid (§3.2.2)', async () => {
    expect((await errorOf(`${cam}?versionId=1&versionId=2`)).type).toBe(`${E}INVALID_DID_URL`);
    expect((await errorOf(`${cam}?versionId=x`)).type).toBe(`${E}INVALID_DID_URL`);
    expect((await errorOf(`${cam}?versionId=0`)).type).toBe(`${E}INVALID_DID_URL`);
    expect((await errorOf(`${cam}?versionTime=2026-02-30T00:00:00Z`)).type).toBe(`${E}INVALID_DID_URL`);
    expect((await errorOf(`${cam}?versionTime=yesterday`)).type).toBe(`${E}INVALID_DID_URL`);
    expect((await errorOf(`${cam}?versionId=1&versionTime=2026-01-01T00:00:00Z`)).type).toBe(`${E}INVALID_DID_URL`); // §13.4
    expect((await errorOf(encodeURIComponent(`${cam}?service=%ZZ`))).type).toBe(`${E}INVALID_DID_URL`);
    expect((await get('%E0%A4%A')).statusCode).toBe(400);
  });

  it('answers FEATURE_NOT_SUPPORTED (501) for an unknown option, INVALID_OPTIONS (400) for a bad one', async () => {
    expect((await errorOf(`${encodeURIComponent(cam)}?frobnicate=1`)).type).toBe(`${E}FEATURE_NOT_SUPPORTED`);
    const bad = await errorOf(`${encodeURIComponent(cam)}?versionId=abc`);
    expect([bad.status, bad.type]).toEqual([400, `${E}INVALID_OPTIONS`]);
    expect((await get(`${encodeURIComponent(cam)}?versionId=2&noCache=true`)).json().didDocumentMetadata.versionId).toBe('2');
  });
});

describe('DID Resolution §3, §13.4: versions', () => {
  it('returns the version named by versionId, with nextVersionId / nextUpdate, proven at its own block', async () => {
    const r = await get(`${cam}?versionId=1`, 'application/did-resolution');
    expect(r.statusCode).toBe(200);
    const md = r.json().didDocumentMetadata;
    expect(md).toMatchObject({ versionId: '1', nextVersionId: '2', urbis: { status: 'active', proven: true } });
    expect(md.urbis.provenVersionId).toBeUndefined();
    expect(md.nextUpdate).toBe(new Date(Math.floor(times[1]! / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
    expect(md.updated).toBeUndefined(); // version 1: no Update operation yet (§4.3)
    // The proof is of version 1 at the block that wrote it (docs/protocol.md (State map) §10).
    const proven = JSON.parse(md.proof[0].proofValue);
    expect(proven.entry.version).toBe(1);
    expect(md.proof[0].height).toBe(String(proven.entry.height));
    expect(r.json().didDocument.service[0].serviceEndpoint).toBe('https://v.example/cams/9');
    const cur = (await get(`${cam}?versionId=3`)).json().didDocumentMetadata;
    expect(cur.urbis.proven).toBe(true);
    expect(cur.nextVersionId).toBeUndefined();
    expect((await get(`${cam}?versionId=4`)).statusCode).toBe(404);
  });

  it('returns the version in force at versionTime, and NOT_FOUND before the DID existed', async () => {
    const at = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
    expect((await get(`${cam}?versionTime=${at(times[1]!)}`)).json().didDocumentMetadata.versionId).toBe('2');
    expect((await get(`${cam}?versionTime=${at(times[1]! - 1000)}`)).json().didDocumentMetadata.versionId).toBe('1');
    expect((await get(`${cam}?versionTime=2099-01-01T00:00:00Z`)).json().didDocumentMetadata.versionId).toBe('3');
    expect((await get(`${cam}?versionTime=2000-01-01T00:00:00Z`)).statusCode).toBe(404);
    // Version parameters are resolution options too, after an encoded DID (§12.1).
    expect((await get(`${encodeURIComponent(cam)}?versionTime=${at(times[0]!)}`)).json().didDocumentMetadata.versionId).toBe('1');
  });

  it('serves only the current version of a namespace DID', async () => {
    expect((await get(`${nsDid}?versionId=1`)).json().didDocumentMetadata.versionId).toBe('1');
    expect((await get(`${nsDid}?versionId=9`)).statusCode).toBe(404);
  });
});

describe('DID Resolution §5.4: dereferencing', () => {
  it('dereferences a fragment to the verification method (§5.4.2), encoded or not', async () => {
    const r = await get(encodeURIComponent(`${cam}#key-1`));
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/did\+ld\+json/);
    expect(r.json()).toEqual({
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1', { '@vocab': 'urn:urbis:vocab:' }],
      id: `${cam}#key-1`,
      type: 'Multikey',
      controller: cam,
      publicKeyMultibase: owner.id,
    });
    expect((await get(`${cam}%23key-1`, 'application/did+json')).json()['@context']).toBeUndefined();
    const full = (await get(encodeURIComponent(`${cam}#feed`), 'application/did-url-dereferencing')).json();
    expect(full.content.serviceEndpoint).toBe('https://v.example/cams/9b/');
    expect(full.dereferencingMetadata.contentType).toBe('application/did');
    expect(full.contentStream).toEqual(full.content);
    expect(full.contentMetadata.versionId).toBe('3');
    const nf = await get(encodeURIComponent(`${cam}#key-2`));
    expect(nf.statusCode).toBe(404);
    expect(nf.json().dereferencingMetadata.error.type).toBe(`${E}NOT_FOUND`);
    // The fragment of an earlier version's key.
    expect((await get(encodeURIComponent(`${lamp}?versionId=1#key-1`))).statusCode).toBe(404);
  });

  it('redirects service + relativeRef to the endpoint with 303 and Location (§5.4.1, §12.1)', async () => {
    const r = await get(`${cam}?service=feed&relativeRef=live`);
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('https://v.example/cams/9b/live');
    expect(r.body).toBe('');
    // RFC 3986 §5.2: an absolute-path reference replaces the endpoint's path.
    expect((await get(`${cam}?service=feed&relativeRef=%2Fp%3Fq%3D1`)).headers.location).toBe('https://v.example/p?q=1');
    expect((await get(encodeURIComponent(`${cam}?service=feed&relativeRef=%2Fp#frag`))).headers.location).toBe('https://v.example/p#frag');
    expect((await get(`${cam}?service=${encodeURIComponent(`${cam}#feed`)}`)).headers.location).toBe('https://v.example/cams/9b/');
    expect((await get(`${cam}?serviceType=VideoFeed`, 'text/uri-list')).headers.location).toBe('https://v.example/cams/9b/');
    // The endpoint of the version named.
    expect((await get(`${cam}?service=feed&versionId=1`)).headers.location).toBe('https://v.example/cams/9');
    // A text/uri-list result is a 303 even when the dereferencing result was asked for (§12.1).
    const deref = await get(encodeURIComponent(`${cam}?service=feed`), 'application/did-url-dereferencing');
    expect([deref.statusCode, deref.headers.location, deref.body]).toEqual([303, 'https://v.example/cams/9b/', '']);
    const doc = (await get(`${cam}?service=feed`, 'application/did+json')).json();
    expect(doc.service).toHaveLength(1);
  });

  it('refuses relativeRef values that would leave the endpoint, and unknown services', async () => {
    for (const ref of ['https://evil.example/x', '//evil.example/x', 'javascript:alert(1)', '%0d%0aSet-Cookie:x']) {
      const r = await get(`${cam}?service=feed&relativeRef=${encodeURIComponent(ref)}`);
      expect(r.statusCode, ref).toBe(400);
      expect(r.headers.location).toBeUndefined();
    }
    expect((await get(`${cam}?service=nope`)).statusCode).toBe(404);
    expect((await get(`${cam}?relativeRef=/x`)).statusCode).toBe(400);
    // Another DID's service.
    expect((await get(`${cam}?service=${encodeURIComponent(`${nsDid}#feed`)}`)).statusCode).toBe(404);
  });

  it('writes an endpoint with characters RFC 3986 does not allow percent-encoded in Location (RFC 3987 §3.1), never a 500', async () => {
    const text = objectIdText('156.130100', 'KXSK-1');
    const endpoint = 'https://städte.example/päth/\u0001x|y';
    expectOk(n.chain.run('id.register', { id: text, record: { type: 'device', services: [{ id: '#ui', type: 'Kiosk', serviceEndpoint: endpoint }] } }, [city]));
    const r = await get(`${formatDid(parseIdentifier(text))}?service=ui`);
    expect(r.statusCode).toBe(303);
    expect(r.headers.location).toBe('https://st%C3%A4dte.example/p%C3%A4th/%01x%7Cy');
  });

  it('resolves hl (DID Core §3.2.1) only to the document with that hash', async () => {
    const doc = (await get(cam, 'application/did+json')).json();
    const hl = documentHashlink(doc);
    expect(hl).toMatch(/^zQm[1-9A-HJ-NP-Za-km-z]{44}$/);
    const r = await get(`${cam}?hl=${hl}`);
    expect([r.statusCode, r.json().didDocument.id]).toEqual([200, cam]);
    const v1 = (await get(`${cam}?versionId=1`, 'application/did+json')).json();
    expect((await get(`${cam}?versionId=1&hl=${documentHashlink(v1)}`)).statusCode).toBe(200);
    const wrong = await get(`${cam}?hl=${documentHashlink(v1)}`);
    expect([wrong.statusCode, wrong.json().didResolutionMetadata.error.type]).toEqual([404, `${E}NOT_FOUND`]);
    expect((await get(encodeURIComponent(`${cam}?hl=${hl}#key-1`))).statusCode).toBe(200);
  });

  it('answers NOT_FOUND for a DID path or an unknown parameter', async () => {
    expect((await get(`${cam}/whois`)).statusCode).toBe(404);
    const unknown = await get(`${cam}?transformKey=JsonWebKey`);
    expect(unknown.statusCode).toBe(404);
    expect(unknown.json().dereferencingMetadata.error.detail).toContain('transformKey');
    // Asked as a resolution, an unknown parameter is an unsupported option, not a silent current document.
    expect((await get(`${cam}?versionid=2`, 'application/did-resolution')).statusCode).toBe(501);
  });

  it('dereferences a deactivated DID to 410 with its metadata', async () => {
    const r = await get(encodeURIComponent(`${lamp}#key-1`));
    expect(r.statusCode).toBe(410);
    expect(r.json()).toMatchObject({ content: null, contentMetadata: { deactivated: true } });
  });
});

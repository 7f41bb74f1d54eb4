/**
 * did:urbis conformance, section by section, against a node process with the demo data:
 * W3C Decentralized Identifiers (DIDs) v1.0 (Recommendation, 2022) and W3C DID Resolution v1.0
 * (Candidate Recommendation, 2026). Each `describe` names the section it checks; every assertion is
 * a MUST (or the behaviour a MAY chose) of that section. Then the SDK's did-resolver plugin, used
 * through a stock `did-resolver`, is checked to answer exactly as the HTTP(S) binding.
 *
 * The W3C test suites (w3c/did-test-suite, the DID Resolution mocha suite) are not published on npm
 * and were not run; the edge cases are in test/node/did-binding.test.ts.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resolver } from 'did-resolver';
import jsonld from 'jsonld';
import { contexts as didContexts } from 'did-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/platform/node.js';
import { UrbisClient, dereferenceUrbisDid, getResolver } from '../../src/client/index.js';
import { formatDid, parseIdentifier } from '../../src/core/ids/index.js';
import { nsIdText, objectIdText } from '../../src/core/ledger/names.js';
import type { Tx } from '../../src/core/ledger/types.js';
import { startNodeProcess, type NodeProcess } from '../helpers/processes.js';

const E = 'https://www.w3.org/ns/did#';
const dir = mkdtempSync(join(tmpdir(), 'urbis-did-conf-'));
let node: NodeProcess;
let client: UrbisClient;
const did = (text: string) => formatDid(parseIdentifier(text));
const CITY = did(nsIdText('156.130100'));
const ORG = did(nsIdText('156.130100.42'));
const CAM = did(objectIdText('156.130100.42', 'CAM-0001'));
const LAMP = did(objectIdText('156.130100.42', 'LAMP-000001'));
const GONE = did(objectIdText('156.130100.42', 'LAMP-000003'));
const ABSENT = did(objectIdText('156.130100.42', 'LAMP-999999'));
const ALL = [CITY, ORG, CAM, LAMP];

/** DID Core §3.1 `did` rule. */
const DID_ABNF = /^did:[a-z0-9]+:(?:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})*:)*(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+$/;
/** RFC 3986 URI (scheme ":" hier-part), enough to reject relative references and junk. */
const URI = /^[A-Za-z][A-Za-z0-9+.-]*:[^\s]+$/;

async function get(path: string, accept?: string) {
  const r = await fetch(`${node.url}/1.0/identifiers/${path}`, { headers: accept === undefined ? {} : { accept }, redirect: 'manual' });
  const text = await r.text();
  let json: any = null;
  try {
    json = text === '' ? null : JSON.parse(text);
  } catch {
    /* not JSON */
  }
  return { status: r.status, type: r.headers.get('content-type') ?? '', location: r.headers.get('location'), text, json };
}

/** DID Core §7.3 / DID Resolution §7: strings, maps, lists, booleans, null — no numbers. */
function metadataValuesOk(v: unknown): boolean {
  if (typeof v === 'string' || typeof v === 'boolean' || v === null) return true;
  if (Array.isArray(v)) return v.every(metadataValuesOk);
  if (typeof v === 'object') return Object.values(v as object).every(metadataValuesOk);
  return false;
}
const DATETIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

beforeAll(async () => {
  node = await startNodeProcess(['node', 'start', '--dir', dir, '--port', '0', '--rate-limit', '0', '--json']);
  const genesis = JSON.parse(readFileSync(join(dir, 'genesis.json'), 'utf8')) as Tx<'genesis'>;
  client = new UrbisClient({ url: node.url, anchor: UrbisClient.anchorFromGenesis(genesis) });
}, 120_000);

afterAll(async () => {
  node?.kill('SIGTERM');
  await node?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe('DID Core §3.1 DID syntax, §3.2 DID URL syntax', () => {
  it('every DID in every document conforms to the did rule; the method name is lowercase', async () => {
    for (const d of ALL) {
      const doc = (await get(d, 'application/did+ld+json')).json;
      expect(doc.id).toMatch(DID_ABNF);
      for (const c of doc.controller) expect(c).toMatch(DID_ABNF);
      for (const vm of doc.verificationMethod ?? []) expect(vm.controller).toMatch(DID_ABNF);
    }
    for (const bad of ['did:URBIS:156:1', 'did:urbis', 'did::x', 'urbis:156:1']) {
      const r = await get(encodeURIComponent(bad));
      expect([r.status, r.json.didResolutionMetadata.error.type], bad).toEqual([400, `${E}INVALID_DID`]);
    }
  });

  it('DID URLs: path, query and fragment after the DID (§3.2); fragments and queries are not part of the DID', async () => {
    expect((await get(encodeURIComponent(`${CAM}#feed`), 'application/did+json')).json.id).toBe(`${CAM}#feed`);
    expect((await get(`${CAM}?versionId=1`)).json.didDocument.id).toBe(CAM);
    expect((await get(`${CAM}/path`)).status).toBe(404);
    expect((await get(encodeURIComponent(`${CAM}#a b`))).json.dereferencingMetadata.error.type).toBe(`${E}INVALID_DID_URL`);
  });
});

describe('DID Core §5 core properties', () => {
  it('§5.1 id, controller, alsoKnownAs; §5.2 verification methods; §5.3 relationships; §5.4 services', async () => {
    for (const d of ALL) {
      const doc = (await get(d, 'application/did+json')).json;
      expect(doc.id).toBe(d);
      expect(Array.isArray(doc.controller)).toBe(true);
      for (const a of doc.alsoKnownAs) expect(a).toMatch(URI);
      const ids = new Set<string>();
      for (const vm of doc.verificationMethod ?? []) {
        expect(Object.keys(vm).sort()).toEqual(['controller', 'id', 'publicKeyMultibase', 'type']);
        expect(vm.type).toBe('Multikey');
        expect(vm.id.startsWith(`${d}#`)).toBe(true);
        expect(vm.publicKeyMultibase).toMatch(/^z6Mk[1-9A-HJ-NP-Za-km-z]+$/);
        ids.add(vm.id);
      }
      for (const rel of ['authentication', 'assertionMethod', 'keyAgreement', 'capabilityInvocation', 'capabilityDelegation']) {
        if (doc[rel] === undefined) continue;
        expect(doc[rel].length, `${d} ${rel}`).toBeGreaterThan(0); // a set of one or more methods
        for (const ref of doc[rel]) expect(ids.has(ref), `${d} ${rel} ${ref}`).toBe(true);
      }
      const sids = new Set<string>();
      for (const s of doc.service ?? []) {
        expect(s.id).toMatch(URI);
        expect(typeof s.type).toBe('string');
        expect(s.serviceEndpoint).toMatch(URI);
        expect(sids.has(s.id)).toBe(false); // ids are unique
        sids.add(s.id);
      }
    }
    // Namespaces with keys have all relationships, and delegate; a keyless object has none.
    const city = (await get(CITY, 'application/did+json')).json;
    expect(city.verificationMethod).toHaveLength(1);
    expect(city.capabilityDelegation).toEqual([`${CITY}#key-1`]);
    const lamp = (await get(LAMP, 'application/did+json')).json;
    expect(lamp.verificationMethod).toBeUndefined();
    expect(lamp.controller).toEqual([ORG]);
  });
});

/** JSON-LD 1.1 expansion in safe mode, with the two published contexts from local copies only. */
async function expandSafe(doc: unknown): Promise<unknown[]> {
  const local = new Map([...didContexts, ...multikeyContexts]);
  const documentLoader = async (url: string) => {
    if (!local.has(url)) throw new Error(`no local copy of ${url}`);
    return { contextUrl: null, documentUrl: url, document: local.get(url) };
  };
  return jsonld.expand(doc, { documentLoader, safe: true });
}

describe('DID Core §6 representations', () => {
  it('§6.3.1: every JSON-LD document and fragment is valid JSON-LD that expands without loss (jsonld, safe mode)', async () => {
    for (const d of [...ALL, `${CAM}#feed`, `${CITY}#key-1`, did(objectIdText('156.110000.3', 'DS-001'))]) {
      const r = await get(encodeURIComponent(d), 'application/did+ld+json');
      const expanded = (await expandSafe(r.json)) as Array<Record<string, unknown>>;
      expect(expanded, d).toHaveLength(1);
      expect(expanded[0]!['@id']).toBe(d);
    }
    const cam = (await expandSafe((await get(CAM, 'application/did+ld+json')).json)) as Array<Record<string, any>>;
    expect(cam[0]!['https://www.w3.org/ns/did#service'][0]['@type']).toEqual(['urn:urbis:vocab:VideoFeed']);
    expect(cam[0]!['https://w3id.org/security#verificationMethod']).toBeUndefined(); // keyless: governed by its namespace
  });

  it('§6.2 JSON: application/did+json, no @context; §6.3 JSON-LD: application/did+ld+json, @context first did/v1', async () => {
    for (const d of ALL) {
      const json = await get(d, 'application/did+json');
      expect(json.type).toMatch(/^application\/did\+json/);
      expect(json.json['@context']).toBeUndefined();
      const ld = await get(d, 'application/did+ld+json');
      expect(ld.type).toMatch(/^application\/did\+ld\+json/);
      expect(ld.json['@context'][0]).toBe('https://www.w3.org/ns/did/v1');
      expect(ld.json['@context']).toContain('https://w3id.org/security/multikey/v1'); // defines Multikey
      const { '@context': _c, ...rest } = ld.json;
      expect(rest).toEqual(json.json); // the same data model in both
    }
  });
});

describe('DID Core §7.1 / DID Resolution §4 resolution', () => {
  it('§4: didDocument.id equals the DID resolved; errors give no document and empty metadata', async () => {
    for (const d of ALL) expect((await get(d, 'application/did-resolution')).json.didDocument.id).toBe(d);
    for (const [d, type, status] of [
      [ABSENT, 'NOT_FOUND', 404],
      ['did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', 'METHOD_NOT_SUPPORTED', 501],
      ['not-a-did', 'INVALID_DID', 400],
      ['', 'INVALID_DID', 400],
    ] as const) {
      const r = await get(d, 'application/did-resolution');
      expect(r.status, d).toBe(status);
      expect(r.json.didResolutionMetadata.error).toMatchObject({ type: `${E}${type}` });
      expect(typeof r.json.didResolutionMetadata.error.title).toBe('string');
      expect(r.json.didDocument).toBeNull();
      expect(r.json.didDocumentMetadata).toEqual({});
    }
  });

  it('§4.4 step 5.2: a deactivated DID resolves to no document and deactivated: true (HTTP 410)', async () => {
    const r = await get(GONE);
    expect(r.status).toBe(410);
    expect(r.json.didDocument).toBeNull();
    expect(r.json.didDocumentMetadata.deactivated).toBe(true);
  });

  it('§4.2 contentType is the representation inside; DID Core §7.1.3 / §7.3 metadata values and formats', async () => {
    for (const [accept, inner] of [
      ['application/did-resolution', 'application/did'],
      ['application/did-resolution, application/did+json', 'application/did+json'],
      ['application/did-resolution, application/did+ld+json', 'application/did+ld+json'],
    ]) {
      const r = await get(CAM, accept);
      expect(r.json.didResolutionMetadata.contentType).toBe(inner);
      expect(r.json.didDocument['@context'] === undefined).toBe(inner === 'application/did+json');
    }
    for (const d of [...ALL, GONE]) {
      const md = (await get(d)).json.didDocumentMetadata;
      expect(metadataValuesOk(md), d).toBe(true);
      expect(md.created).toMatch(DATETIME);
      if (md.updated !== undefined) expect(md.updated).toMatch(DATETIME);
      expect(md.versionId).toMatch(/^[1-9][0-9]*$/);
      if (md.deactivated !== undefined) expect(md.deactivated).toBe(true);
      expect(Array.isArray(md.proof)).toBe(true); // DID Resolution §4.3: a set of maps
    }
  });

  it('DID Resolution §7.1.3 canonicalId for an equivalent DID written in lowercase', async () => {
    const lower = CAM.replace('CAM', 'cam');
    const r = (await get(lower)).json;
    expect([r.didDocument.id, r.didDocumentMetadata.canonicalId]).toEqual([lower, CAM]);
  });
});

describe('DID Resolution §5 DID URL dereferencing', () => {
  it('§5.4.2: a fragment dereferences to the verification method or service', async () => {
    const vm = await get(encodeURIComponent(`${CITY}#key-1`), 'application/did+ld+json');
    expect(vm.status).toBe(200);
    expect(vm.json).toMatchObject({ id: `${CITY}#key-1`, type: 'Multikey', controller: CITY });
    const full = await get(encodeURIComponent(`${CITY}#key-1`), 'application/did-url-dereferencing');
    expect(full.type).toMatch(/^application\/did-url-dereferencing/);
    expect(full.json.contentStream).toEqual(vm.json);
    expect(full.json.dereferencingMetadata.contentType).toBe('application/did');
    expect(full.json.contentMetadata.versionId).toBe('1');
  });

  it('§5.4.1: service + relativeRef select the endpoint, answered 303 with Location and an empty body (§12.1)', async () => {
    const r = await get(`${CAM}?service=feed&relativeRef=%2Flive%3Fq%3D1`);
    expect([r.status, r.location, r.text]).toEqual([303, 'https://video.sjz.example/live?q=1', '']);
    const withFragment = await get(encodeURIComponent(`${CAM}?service=feed#t=10`), 'text/uri-list');
    expect(withFragment.location).toBe('https://video.sjz.example/cams/1#t=10');
    expect((await get(`${CAM}?service=nope`)).status).toBe(404);
  });
});

describe('DID Resolution §12.1 HTTP(S) binding', () => {
  it('accepts the DID percent-encoded, with options in the query', async () => {
    const r = await get(`${encodeURIComponent(CAM)}?versionId=1`, 'application/did-resolution');
    expect([r.status, r.json.didDocumentMetadata.versionId]).toEqual([200, '1']);
    expect((await get(encodeURIComponent(CAM))).json.didDocument.id).toBe(CAM);
  });

  it('maps each error type to its status', async () => {
    const cases: Array<[string, number, string]> = [
      ['not-a-did', 400, 'INVALID_DID'],
      [`${CAM}?versionId=x`, 400, 'INVALID_DID_URL'],
      [`${encodeURIComponent(CAM)}?versionId=x`, 400, 'INVALID_OPTIONS'],
      [ABSENT, 404, 'NOT_FOUND'],
      ['did:web:example.com', 501, 'METHOD_NOT_SUPPORTED'],
      [`${encodeURIComponent(CAM)}?frobnicate=1`, 501, 'FEATURE_NOT_SUPPORTED'],
    ];
    for (const [path, status, type] of cases) {
      const r = await get(path);
      const meta = r.json.didResolutionMetadata ?? r.json.dereferencingMetadata;
      expect([r.status, meta.error.type], path).toEqual([status, `${E}${type}`]);
    }
    const na = await get(CAM, 'image/png');
    expect([na.status, na.json.didResolutionMetadata.error.type]).toEqual([406, `${E}REPRESENTATION_NOT_SUPPORTED`]);
  });
});

describe('DID Resolution §3, §13.4 versions', () => {
  it('versionId and versionTime return that version with nextVersionId / nextUpdate, proven at its own block', async () => {
    const cur = (await get(GONE)).json.didDocumentMetadata;
    const v1 = (await get(`${GONE}?versionId=1`)).json;
    expect(v1.didDocument.id).toBe(GONE);
    expect(v1.didDocumentMetadata).toMatchObject({
      versionId: '1',
      nextVersionId: '2',
      nextUpdate: cur.updated,
      urbis: { proven: true },
    });
    expect(JSON.parse(v1.didDocumentMetadata.proof[0].proofValue).entry.version).toBe(1);
    // versionTime names the latest version at or before it, in whole seconds: version 1, unless the
    // demo wrote both versions within the same second.
    const at = await get(`${GONE}?versionTime=${v1.didDocumentMetadata.created}`);
    const same = cur.updated === v1.didDocumentMetadata.created;
    expect([at.status, at.json.didDocumentMetadata.versionId]).toEqual(same ? [410, '2'] : [200, '1']);
    expect((await get(`${GONE}?versionTime=2000-01-01T00:00:00Z`)).status).toBe(404);
    expect((await get(`${CAM}?versionTime=2999-01-01T00:00:00Z`)).json.didDocumentMetadata).toMatchObject({ versionId: '1', urbis: { proven: true } });
  });
});

describe('the SDK plugin answers as the binding (issue #11 point 4)', () => {
  const strip = (x: unknown) => JSON.parse(JSON.stringify(x)) as unknown;

  it('a stock did-resolver with getResolver() returns the binding resolution result, parameters included', async () => {
    const resolver = new Resolver(getResolver({ client }));
    const urls = [
      CITY,
      ORG,
      CAM,
      LAMP,
      GONE,
      ABSENT,
      `${CAM}?versionId=1`,
      `${GONE}?versionId=1`,
      CAM.replace('CAM', 'cam'),
      `${CAM}?versionId=9`,
      `${CAM}?frob=1`,
    ];
    for (const u of urls) {
      for (const accept of [undefined, 'application/did+json', 'application/did+ld+json']) {
        const mine = strip(await resolver.resolve(u, accept === undefined ? {} : { accept }));
        const header = accept === undefined ? 'application/did-resolution' : `application/did-resolution, ${accept}`;
        const theirs = (await get(u, header)).json;
        expect(mine, `${u} ${accept}`).toEqual(theirs);
      }
    }
  });

  it('dereferenceUrbisDid() answers every DID URL as the binding: status, type, Location, body', async () => {
    const urls = [
      `${CITY}#key-1`,
      `${CAM}#feed`,
      `${CAM}?service=feed&relativeRef=live`,
      `${CAM}?service=nope`,
      `${LAMP}#key-1`,
      `${GONE}#key-1`,
      CAM,
      `${CAM}/x`,
    ];
    for (const u of urls) {
      for (const accept of [undefined, 'application/did-url-dereferencing', 'application/did+json', 'application/did+ld+json', 'text/uri-list']) {
        const mine = await dereferenceUrbisDid(client, u, accept);
        const theirs = await get(encodeURIComponent(u), accept);
        expect(mine.status, `${u} ${accept}`).toBe(theirs.status);
        expect(mine.location ?? null).toBe(theirs.location);
        if (mine.contentType !== null) expect(theirs.type.startsWith(mine.contentType)).toBe(true);
        expect(mine.body === null ? '' : JSON.stringify(mine.body)).toBe(theirs.text);
      }
    }
  });
});

// The other representations of `GET /v1/ids/{id}` (docs/api.md "Identifiers"), through inject():
// the RFC 9264 linkset (§4.2), the RFC 8288 Link field, and the NGSI-LD entity (ETSI GS CIM 009
// V1.8.1); content negotiation per RFC 9110 §12.5.1 with an entity tag per representation.
import { describe, expect, it } from 'vitest';
import { newTestNode } from '../helpers/node.js';
import { expectOk, newSigner, OPEN_POLICY, withCity } from '../helpers/chain.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import { ngsiLdEntity } from '../../src/core/api/ngsi-ld.js';
import { linkHeader } from '../../src/core/api/linkset.js';
import type { IdEntry } from '../../src/core/ledger/types.js';
import { formatDid, parseIdentifier } from '../../src/core/ids/forms.js';

const didOf = (id: string) => formatDid(parseIdentifier(id));

const BASE = 'https://id.example.org';
const enc = encodeURIComponent;
const LAMP = objectIdText('156.130100', 'LAMP-1');
const BLDG = objectIdText('156.130100', 'BLDG-1');
const DEPOT = objectIdText('156.130200', 'DEPT-3'); // in another city
const GHOST = objectIdText('156.130200', 'NEVR-9'); // linked, never registered

function setup() {
  const n = newTestNode({ rateLimit: 0 }, { publicUrl: BASE });
  const city = withCity(n.chain);
  const cityB = newSigner();
  expectOk(
    n.chain.run('ns.create', { ns: '156.130200', controllers: { keys: [cityB.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } }, [
      n.chain.root,
    ]),
  );
  expectOk(n.chain.run('id.register', { id: BLDG, record: { type: 'building' } }, [city]));
  expectOk(n.chain.run('id.register', { id: DEPOT, record: { type: 'x-depot' } }, [cityB]));
  expectOk(
    n.chain.run(
      'id.register',
      {
        id: LAMP,
        record: {
          type: 'lamp',
          attributes: { kind: 'led', h: 8, location: 'north gate', spec: { watts: 40 } },
          links: [
            { rel: 'located-in', target: BLDG },
            { rel: 'x-served-by', target: DEPOT },
            { rel: 'x-served-by', target: GHOST },
          ],
          services: [{ id: '#feed', type: 'LightFeed', serviceEndpoint: 'https://feeds.city-a.example/lamps/1' }],
        },
      },
      [city],
    ),
  );
  return n;
}

/** RFC 9264 §4.2: the structural rules a linkset document must follow. */
function assertLinksetShape(doc: unknown): void {
  expect(Object.keys(doc as object)).toEqual(['linkset']); // §4.2.1: one member, "linkset"
  const set = (doc as { linkset: unknown }).linkset;
  expect(Array.isArray(set)).toBe(true); // §4.2.1: an array of link context objects
  for (const ctx of set as Record<string, unknown>[]) {
    expect(typeof ctx.anchor).toBe('string'); // §4.2.2: anchor, absolute (§5 recommends it)
    expect(ctx.anchor as string).toMatch(/^https:\/\//);
    for (const [rel, targets] of Object.entries(ctx)) {
      if (rel === 'anchor') continue;
      expect(Array.isArray(targets)).toBe(true); // §4.2.3: each relation type names an array of target objects
      for (const t of targets as Record<string, unknown>[]) {
        expect(typeof t.href).toBe('string'); // §4.2.4: href is mandatory
        expect(t.href as string).toMatch(/^[a-z][a-z0-9+.-]*:/); // and absolute (§5)
        for (const k of ['type', 'title']) if (k in t) expect(typeof t[k]).toBe('string'); // §4.2.4.1
      }
      // §4.2.3: a relation type is a registered name or an absolute URI (RFC 8288 §2.1.2).
      expect(rel).toMatch(/^([a-z][a-z0-9.-]*|https:\/\/\S+)$/);
    }
  }
}

describe('GET /v1/ids/{id} representations', () => {
  it('answers an RFC 9264 linkset by Accept, with its own entity tag; JSON stays the default', async () => {
    const n = setup();
    const r = await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(LAMP)}`, headers: { accept: 'application/linkset+json' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/linkset\+json(;|$)/);
    expect(r.headers.vary).toContain('Accept');
    const doc = r.json();
    assertLinksetShape(doc);
    const ctx = doc.linkset[0];
    expect(ctx.anchor).toBe(`${BASE}/id/${LAMP}`);
    expect(ctx.describedby).toEqual([{ href: `${BASE}/v1/ids/${enc(LAMP)}`, type: 'application/json' }]);
    expect(ctx.alternate[0].href).toMatch(/^did:urbis:156\.130100:LAMP-1:/);
    expect(ctx['https://urbis.city/rel/located-in']).toEqual([{ href: `${BASE}/id/${BLDG}` }]);
    expect(ctx['https://urbis.city/rel/x-served-by'].map((t: { href: string }) => t.href)).toEqual([`${BASE}/id/${DEPOT}`, `${BASE}/id/${GHOST}`]);
    expect(ctx.service).toEqual([{ href: 'https://feeds.city-a.example/lamps/1', title: 'LightFeed #feed' }]);
    // The same builder as the label URL: one list of links.
    const label = await n.app.inject({ method: 'GET', url: `/id/${LAMP}`, headers: { accept: 'application/linkset+json' } });
    expect(label.json()).toEqual(doc);

    // q-values decide (RFC 9110 §12.5.1), and each representation has its own tag (§8.8.3).
    const json = await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(LAMP)}`, headers: { accept: 'application/linkset+json;q=0.5, application/json' } });
    expect(json.headers['content-type']).toContain('application/json');
    expect(json.json().entry.kind).toBe('id');
    expect(json.headers.etag).not.toBe(r.headers.etag);
    expect((await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(LAMP)}`, headers: { accept: 'text/csv' } })).json().entry.kind).toBe('id');
    expect((await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(LAMP)}` })).json().entry.kind).toBe('id');
    const again = await n.app.inject({
      method: 'GET',
      url: `/v1/ids/${enc(LAMP)}`,
      headers: { accept: 'application/linkset+json', 'if-none-match': json.headers.etag as string },
    });
    expect(again.statusCode).toBe(200); // the JSON's tag does not validate the linkset

    // Not registered: the 404 with its proof of absence, whatever the representation.
    const missing = await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(GHOST)}`, headers: { accept: 'application/linkset+json' } });
    expect(missing.statusCode).toBe(404);
    expect(missing.json()).toMatchObject({ code: 'ID_NOT_FOUND', proven: { entry: null } });
  });

  it('sends the links in an RFC 8288 Link field on every representation', async () => {
    const n = setup();
    const r = await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(LAMP)}` });
    const link = r.headers.link as string;
    // RFC 8288 §3: link-value = "<" URI-Reference ">" *( OWS ";" OWS link-param ), comma-separated.
    const values = link.split(/,\s*(?=<)/);
    for (const v of values) expect(v).toMatch(/^<[^<>\s]+>(\s*;\s*[a-z*]+=("([^"\\]|\\.)*"|[^;,\s]+))+$/);
    expect(values[0]).toBe(`<${BASE}/v1/ids/${enc(LAMP)}>; rel="linkset"; type="application/linkset+json"`);
    expect(link).toContain(`<${BASE}/id/${BLDG}>; rel="https://urbis.city/rel/located-in"; anchor="${BASE}/id/${LAMP}"`);
    expect(link).toContain(`<https://feeds.city-a.example/lamps/1>; rel="service"; anchor="${BASE}/id/${LAMP}"; title="LightFeed #feed"`);
    const ls = await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(LAMP)}`, headers: { accept: 'application/linkset+json' } });
    expect(ls.headers.link).toBe(link);
    // Too many links for one field: it stops whole, the linkset link first.
    const set = ls.json();
    const small = linkHeader(set, [{ href: 'https://x.example/ls', rel: 'linkset' }], 200);
    expect(small.length).toBeLessThanOrEqual(200);
    expect(small.startsWith('<https://x.example/ls>; rel="linkset"')).toBe(true);
    // Titles that are not ASCII are left out of the field (it is not UTF-8), quotes are escaped.
    const odd = linkHeader({ linkset: [{ anchor: 'https://a.example/', service: [{ href: 'https://b.example/', title: 'caf\u00e9 "x"' }] }] });
    expect(odd).toBe('<https://b.example/>; rel="service"; anchor="https://a.example/"');
    const quoted = linkHeader({ linkset: [{ anchor: 'https://a.example/', service: [{ href: 'https://b.example/', title: 'a "b" \\c' }] }] });
    expect(quoted).toContain('title="a \\"b\\" \\\\c"');
  });

  it('exports an NGSI-LD entity (ETSI GS CIM 009): URN id, Properties, and Relationships to other cities', async () => {
    const n = setup();
    const r = await n.app.inject({ method: 'GET', url: `/v1/ids/${enc(LAMP)}`, headers: { accept: 'application/ld+json' } });
    expect(r.statusCode).toBe(200);
    expect(r.headers['content-type']).toMatch(/^application\/ld\+json(;|$)/);
    expect(r.headers.link).toContain('rel="linkset"');
    const e = r.json();
    // Clause 4.5.1: an entity has an id that is a URI and a type; the @context travels in the body
    // for application/ld+json, the core context last. The id is the identifier's DID (a URI, RFC 3986).
    expect(e.id).toBe(didOf(LAMP));
    expect(e.id).toMatch(/^did:urbis:[A-Za-z0-9._:%-]+$/);
    expect(e.type).toBe('lamp');
    expect(e['@context'].at(-1)).toBe('https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld');
    // Clause 4.5.2: every Property has type "Property" and a non-null value.
    expect(e.kind).toEqual({ type: 'Property', value: 'led' });
    expect(e.h).toEqual({ type: 'Property', value: 8 });
    expect(e.spec).toEqual({ type: 'Property', value: { watts: 40 } });
    expect(e.status).toEqual({ type: 'Property', value: 'active' });
    // A name NGSI-LD reserves (location is a GeoProperty there) moves under the urbis: prefix.
    expect(e.location).toBeUndefined();
    expect(e['urbis:location']).toEqual({ type: 'Property', value: 'north gate' });
    expect(e['@context'][0]).toEqual({ urbis: 'https://urbis.city/ns/ngsi-ld#' });
    // Clause 4.5.3: a typed link is a Relationship whose object is the target entity's URI (its
    // DID); the depot is in another city (156.130200) and is a Relationship like any other.
    expect(e['located-in']).toEqual({ type: 'Relationship', object: didOf(BLDG) });
    const served = e['x-served-by'];
    expect(served[0]).toEqual({ type: 'Relationship', object: didOf(DEPOT) });
    // Clause 4.5.5: instances of a multi-attribute after the default one carry a datasetId (a URI);
    // an unregistered target is named by its DID too.
    expect(served[1].type).toBe('Relationship');
    expect(served[1].object).toMatch(/^did:urbis:156\.130200:NEVR-9:/);
    expect(served[1].datasetId).toMatch(/^urn:ngsi-ld:Dataset:/);
    expect(e.services.value[0]).toMatchObject({ id: '#feed', serviceEndpoint: 'https://feeds.city-a.example/lamps/1' });
    // Every attribute is a Property or a Relationship with its mandatory member (clauses 4.5.2, 4.5.3).
    for (const [k, v] of Object.entries(e)) {
      if (k === 'id' || k === 'type' || k === '@context') continue;
      for (const a of Array.isArray(v) ? v : [v]) {
        if (a.type === 'Property') expect(a.value).not.toBeNull();
        else expect(a).toMatchObject({ type: 'Relationship', object: expect.stringMatching(/^[a-z][a-z0-9+.-]*:/) });
      }
    }
  });

  it('keeps a link apart from an attribute of the same name, and leaves null values out', () => {
    const entry = {
      kind: 'id',
      id: LAMP,
      record: { type: 'lamp', attributes: { 'located-in': 'hall', gone: null }, links: [{ rel: 'located-in', target: BLDG }] },
      status: 'active',
    } as unknown as IdEntry;
    const e = ngsiLdEntity(entry);
    expect(e['located-in']).toEqual({ type: 'Property', value: 'hall' });
    expect(e['urbis:located-in']).toEqual({ type: 'Relationship', object: didOf(BLDG) });
    expect('gone' in e).toBe(false);
  });
});

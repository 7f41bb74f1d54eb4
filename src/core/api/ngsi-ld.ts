/**
 * An identifier's record as an NGSI-LD entity (ETSI GS CIM 009 V1.8.1, "NGSI-LD API"), so a FIWARE
 * Context Broker can hold the live data of an object while Urbis holds its identity, links and
 * access (docs/sharing.md "NGSI-LD"). Pure.
 *
 * Mapping (clauses of GS CIM 009):
 * - clause 4.5.1 (Entity, normalized representation): `id` a URI, here the identifier's DID
 *   (`did:urbis:…`, docs/did-method.md), so the broker's entity and the ledger's identifier are one
 *   name; `type` the record type, `@context`;
 * - clause 4.5.2 (Property): each attribute of the record is `{type: "Property", value}`; a `null`
 *   value has no NGSI-LD form and is left out; `status` is a Property too;
 * - clause 4.5.3 (Relationship): each typed link is `{type: "Relationship", object}`, `object` the
 *   DID of the target entity, in whichever city it is; several links of one relation are a
 *   multi-attribute (clause 4.5.5) whose instances after the first carry a `datasetId`;
 * - names: attribute names that NGSI-LD reserves at entity level (`id`, `type`, `scope`,
 *   `location`, …: members with fixed meanings, `location` a GeoJSON GeoProperty) are exported under
 *   the `urbis:` prefix, defined in the entity's `@context` before the core context (given last, so
 *   its protected terms keep their meaning); so is a link whose relation name an attribute took.
 */
import { formatDid, parseIdentifier } from '../ids/index.js';
import type { IdEntry, NsEntry } from '../ledger/types.js';

/** The NGSI-LD core context. */
export const NGSI_LD_CORE_CONTEXT = 'https://uri.etsi.org/ngsi-ld/v1/ngsi-ld-core-context.jsonld';
/** Where the `urbis:` prefix of exported names points. */
export const URBIS_NGSI_VOCAB = 'https://urbis.city/ns/ngsi-ld#';
/** Media type of the export: JSON-LD, the `@context` in the body. */
export const NGSI_LD_JSON = 'application/ld+json';

/** Member names an entity's attributes may not take: the core context's entity members with fixed meanings, and the two this export sets. */
const RESERVED = new Set([
  'id',
  'type',
  '@context',
  'scope',
  'location',
  'observationSpace',
  'operationSpace',
  'createdAt',
  'modifiedAt',
  'deletedAt',
  'observedAt',
  'datasetId',
  'value',
  'object',
  'unitCode',
  'did',
  'status',
]);

export interface NgsiProperty {
  type: 'Property';
  value: unknown;
  datasetId?: string;
}
export interface NgsiRelationship {
  type: 'Relationship';
  object: string;
  datasetId?: string;
}
export type NgsiAttribute = NgsiProperty | NgsiRelationship;

/** An NGSI-LD entity in the normalized representation (GS CIM 009 clause 4.5.1). */
export interface NgsiLdEntity {
  '@context': Array<string | Record<string, string>>;
  id: string;
  type: string;
  [attribute: string]: unknown;
}

/** The entity id of an identifier or namespace: its DID. */
export function ngsiLdId(id: string): string {
  return formatDid(parseIdentifier(id));
}

/** The NGSI-LD entity of an identifier or namespace record. */
export function ngsiLdEntity(entry: IdEntry | NsEntry): NgsiLdEntity {
  const out: NgsiLdEntity = {
    '@context': [{ urbis: URBIS_NGSI_VOCAB }, NGSI_LD_CORE_CONTEXT],
    id: ngsiLdId(entry.id),
    type: entry.record.type,
    status: { type: 'Property', value: entry.status } satisfies NgsiProperty,
  };
  const put = (name: string, attr: NgsiAttribute) => {
    let key = RESERVED.has(name) ? `urbis:${name}` : name;
    let had = out[key] as NgsiAttribute | NgsiAttribute[] | undefined;
    // A multi-attribute holds instances of one attribute type: a link named like an attribute moves aside.
    if (had !== undefined && (Array.isArray(had) ? had[0]! : had).type !== attr.type) {
      key = `urbis:${name}`;
      had = out[key] as NgsiAttribute | NgsiAttribute[] | undefined;
    }
    if (had === undefined) out[key] = attr;
    else {
      const list = Array.isArray(had) ? had : [had];
      list.push({ ...attr, datasetId: `urn:ngsi-ld:Dataset:${key.replace(/[^A-Za-z0-9._-]/g, '-')}:${list.length}` });
      out[key] = list;
    }
  };
  for (const [name, value] of Object.entries(entry.record.attributes ?? {})) {
    if (value !== null) put(name, { type: 'Property', value });
  }
  for (const l of entry.record.links ?? []) {
    put(l.rel, { type: 'Relationship', object: ngsiLdId(l.target) });
  }
  if (entry.record.services?.length) {
    put('services', { type: 'Property', value: entry.record.services.map((s) => ({ id: s.id, type: s.type, serviceEndpoint: s.serviceEndpoint })) });
  }
  return out;
}

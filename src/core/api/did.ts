/**
 * DID documents of did:urbis identifiers, built from a ledger entry. Specs: W3C DID Core 1.0
 * (§5 "Core Properties", §7.3 "DID Document Metadata"), W3C Controlled Identifiers 1.0 (Multikey),
 * did:key (controller keys), docs/protocol.md (Identifiers) §6.2 (the did:urbis form).
 *
 * The node's DID route and the client SDK's resolver both call {@link buildDidDocument}, so a
 * document served by a node and one rebuilt by a reader from a verified entry are identical: a
 * reader never needs to trust a server-built document. Pure (no clock: times come from the entry).
 */
import { formatDid, formatUrl, makeIdentifier, DEFAULT_URL_HOST } from '../ids/index.js';
import type { IdEntry, NsEntry } from '../ledger/types.js';

/** JSON-LD contexts of every Urbis DID document. */
export const DID_CONTEXTS: readonly string[] = ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'];

/** Media type of a DID document with its JSON-LD context (DID Core §6.3). */
export const DID_LD_JSON = 'application/did+ld+json';

/** A DID Core verification method of type Multikey (Ed25519, `z6Mk…`). */
export interface DidVerificationMethod {
  id: string;
  type: 'Multikey';
  controller: string;
  publicKeyMultibase: string;
}

/** A DID Core service (the entry's `record.services`, with absolute ids). */
export interface DidService {
  id: string;
  type: string;
  serviceEndpoint: string;
}

/** A DID document as Urbis builds it. Structurally a `DIDDocument` of the did-resolver package. */
export interface DidDocument {
  '@context': string[];
  id: string;
  /** DIDs that may change the document: the controller keys as did:key, or the namespace's DID. */
  controller: string[];
  alsoKnownAs: string[];
  verificationMethod: DidVerificationMethod[];
  authentication: string[];
  assertionMethod: string[];
  service?: DidService[];
}

/** Where the entry was proven; copied into the metadata when the caller verified it. */
export interface DidProofInfo {
  chainId: string;
  height: number;
  stateRoot: string;
  headerHash: string;
}

/** DID Core §7.3 document metadata, plus where the entry was proven. */
export interface DidDocumentMetadata {
  created: string;
  updated: string;
  versionId: string;
  /** Present (true) only when the identifier is deactivated (DID Core §7.3.2.1). */
  deactivated?: true;
  /** Urbis status (`active`, `suspended`, `deactivated`), beside the standard fields. */
  status: string;
  proof?: DidProofInfo;
}

/** Options of {@link buildDidDocument}. */
export interface DidDocumentOptions {
  /** Host (or origin) of the label URL listed in `alsoKnownAs`; default `id.urbis.city`. */
  urlHost?: string;
}

/** The did:key DID of an Ed25519 Multikey (`z6Mk…` → `did:key:z6Mk…`). */
export function didKeyOf(multikey: string): string {
  return `did:key:${multikey}`;
}

/** did:urbis DID of an entry (an identifier, or a namespace itself). */
export function didOfEntry(entry: IdEntry | NsEntry): string {
  return formatDid(identifierOf(entry));
}

function identifierOf(entry: IdEntry | NsEntry) {
  return entry.kind === 'id' ? makeIdentifier(entry.ns.split('.'), entry.local) : makeIdentifier(entry.ns.split('.'), null);
}

/**
 * Builds the DID document of a verified ledger entry.
 *
 * - `verificationMethod`: one Multikey per key of the entry's own controller set (`<did>#key-1`, …,
 *   in the set's order), referenced from `authentication` and `assertionMethod`. DID Core has no
 *   notion of a threshold: a document lists the keys; the ledger alone enforces m-of-n.
 * - `controller`: the controller keys as did:key DIDs; for an identifier without its own controllers
 *   (`controllers: null`, governed by its namespace) the namespace's did:urbis DID, and no
 *   verification methods, because no key speaks for the identifier itself.
 * - `service`: `record.services`, with fragment ids made absolute (`#api` → `<did>#api`).
 * - `alsoKnownAs`: the label URL of the identifier.
 *
 * @throws UrbisError ID_* if the entry's namespace or local part is not a valid identifier (never
 *   for entries produced by the ledger).
 * @example buildDidDocument(entry).id // 'did:urbis:156.130100.42:LAMP-000017:F'
 */
export function buildDidDocument(entry: IdEntry | NsEntry, opts: DidDocumentOptions = {}): DidDocument {
  const ident = identifierOf(entry);
  const did = formatDid(ident);
  const keys = entry.controllers?.keys ?? [];
  const verificationMethod: DidVerificationMethod[] = keys.map((k, i) => ({
    id: `${did}#key-${i + 1}`,
    type: 'Multikey',
    controller: did,
    publicKeyMultibase: k,
  }));
  const refs = verificationMethod.map((m) => m.id);
  const controller = entry.controllers ? keys.map(didKeyOf) : [formatDid(makeIdentifier(entry.ns.split('.'), null))];
  const doc: DidDocument = {
    '@context': [...DID_CONTEXTS],
    id: did,
    controller,
    alsoKnownAs: [formatUrl(ident, opts.urlHost ?? DEFAULT_URL_HOST)],
    verificationMethod,
    authentication: refs,
    assertionMethod: [...refs],
  };
  const services = entry.record.services ?? [];
  if (services.length > 0) {
    doc.service = services.map((s) => ({
      id: s.id.startsWith('#') ? `${did}${s.id}` : `${did}#${s.id}`,
      type: s.type,
      serviceEndpoint: s.serviceEndpoint,
    }));
  }
  return doc;
}

/** DID Core §7.3.2.3: an XML Schema dateTime in UTC, without sub-second precision. */
function didTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/**
 * DID document metadata of an entry: `created` / `updated` from the entry's times, `versionId` the
 * entry version, `deactivated: true` for a deactivated identifier, and the proof's coordinates when
 * the caller verified the entry against a certified header.
 */
export function buildDidDocumentMetadata(entry: IdEntry | NsEntry, proof?: DidProofInfo): DidDocumentMetadata {
  const md: DidDocumentMetadata = {
    created: didTime(entry.created),
    updated: didTime(entry.updated),
    versionId: String(entry.version),
    status: entry.status,
  };
  if (entry.status === 'deactivated') md.deactivated = true;
  if (proof) md.proof = { ...proof };
  return md;
}

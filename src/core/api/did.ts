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

/**
 * The inline context of a document with services (DID Core §6.3.1 allows maps after the URLs):
 * service types are the controllers' own words (`VideoFeed`), defined by no published context, so
 * without a vocabulary a JSON-LD processor would read them as relative IRIs (and refuse them in
 * safe mode). With it they expand to `urn:urbis:vocab:VideoFeed`.
 */
export const DID_SERVICE_VOCAB: Readonly<Record<string, string>> = { '@vocab': 'urn:urbis:vocab:' };

/** A JSON-LD context entry: a URL or an inline map. */
export type DidContext = string | Readonly<Record<string, string>>;

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
  /** JSON-LD only (DID Core §6.3.1); absent in the plain JSON representation (§6.2). */
  '@context'?: DidContext[];
  id: string;
  /** DIDs that may change the document: the controller keys as did:key, or the namespace's DID. */
  controller: string[];
  alsoKnownAs: string[];
  /** Absent, like the relationships, when no key speaks for the subject (`controllers: null`). */
  verificationMethod?: DidVerificationMethod[];
  authentication?: string[];
  assertionMethod?: string[];
  capabilityInvocation?: string[];
  /** Namespaces only: their keys delegate sub-namespaces and identifiers. */
  capabilityDelegation?: string[];
  service?: DidService[];
}

/**
 * The Merkle proof of a current entry, as an item of the DID Resolution §4.3 `proof` set of the
 * document metadata. Only strings (DID Core §7.3 allows no numbers): `height` is decimal and
 * `proofValue` is the RFC 8785 JSON of the answer `{ key, entry, proof, header, cert }` that
 * `GET /v1/ids/{id}` serves, which a reader re-verifies against the genesis keys.
 */
export interface DidProofItem {
  type: 'UrbisStateProof';
  chainId: string;
  stateKey: string;
  height: string;
  stateRoot: string;
  headerHash: string;
  proofValue: string;
}

/**
 * The `urbis` extension of the document metadata: Urbis status of the resolved version and whether
 * that version is proven by a state root (the current version against the head; a past version
 * against the block that wrote it, when the resolver fetched that proof; otherwise it is only
 * consistent with the proven current entry).
 */
export interface DidUrbisMetadata {
  status: string;
  proven: boolean;
  /** For an unproven past version: the version that is proven (the current one). */
  provenVersionId?: string;
}

/** DID Core §7.1.3 / DID Resolution §4.3 document metadata, every value a string, map, list or boolean. */
export interface DidDocumentMetadata {
  created: string;
  /** Omitted for version 1: no Update operation has been performed (DID Resolution §4.3). */
  updated?: string;
  versionId: string;
  nextVersionId?: string;
  nextUpdate?: string;
  /** Present (true) only when the resolved version is deactivated (DID Core §7.1.3). */
  deactivated?: true;
  /** The canonical DID when the DID was written in another equivalent form (DID Core §7.1.3). */
  canonicalId?: string;
  proof?: DidProofItem[];
  urbis: DidUrbisMetadata;
}

/** Options of {@link buildDidDocument}. */
export interface DidDocumentOptions {
  /** Host (or origin) of the label URL listed in `alsoKnownAs`; default `id.urbis.city`. */
  urlHost?: string;
  /**
   * The DID as the caller wrote it, when it is an equivalent but non-canonical form of the entry's
   * DID (lowercase letters): DID Resolution §4 requires `id` to equal the DID that was resolved,
   * and every `#fragment` id is built on it. The caller checks the equivalence.
   */
  did?: string;
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
 *   in the set's order), referenced from `authentication`, `assertionMethod` and
 *   `capabilityInvocation` (the keys that sign the entry's updates), and for a namespace also from
 *   `capabilityDelegation` (its keys create sub-namespaces and identifiers). DID Core has no notion
 *   of a threshold: a document lists the keys; the ledger alone enforces m-of-n.
 * - `controller`: the controller keys as did:key DIDs; for an identifier without its own controllers
 *   (`controllers: null`, governed by its namespace) the namespace's did:urbis DID, and no
 *   verification methods nor relationships, because no key speaks for the identifier itself.
 * - `service`: `record.services`, with fragment ids made absolute (`#api` → `<did>#api`).
 * - `alsoKnownAs`: the label URL of the identifier.
 *
 * @throws UrbisError ID_* if the entry's namespace or local part is not a valid identifier (never
 *   for entries produced by the ledger).
 * @example buildDidDocument(entry).id // 'did:urbis:156.130100.42:LAMP-000017:F'
 */
export function buildDidDocument(entry: IdEntry | NsEntry, opts: DidDocumentOptions = {}): DidDocument {
  const ident = identifierOf(entry);
  const did = opts.did ?? formatDid(ident);
  const keys = entry.controllers?.keys ?? [];
  const verificationMethod: DidVerificationMethod[] = keys.map((k, i) => ({
    id: `${did}#key-${i + 1}`,
    type: 'Multikey',
    controller: did,
    publicKeyMultibase: k,
  }));
  const refs = verificationMethod.map((m) => m.id);
  const controller = entry.controllers ? keys.map(didKeyOf) : [formatDid(makeIdentifier(entry.ns.split('.'), null))];
  const services = entry.record.services ?? [];
  const context: DidContext[] = services.length > 0 ? [...DID_CONTEXTS, { ...DID_SERVICE_VOCAB }] : [...DID_CONTEXTS];
  const doc: DidDocument = { '@context': context, id: did, controller, alsoKnownAs: [formatUrl(ident, opts.urlHost ?? DEFAULT_URL_HOST)] };
  // DID Core §5.2, §5.3: present only with members (a relationship is a set of one or more methods).
  if (verificationMethod.length > 0) {
    doc.verificationMethod = verificationMethod;
    doc.authentication = refs;
    doc.assertionMethod = [...refs];
    doc.capabilityInvocation = [...refs];
    if (entry.kind === 'ns') doc.capabilityDelegation = [...refs];
  }
  if (services.length > 0) {
    doc.service = services.map((s) => ({
      id: s.id.startsWith('#') ? `${did}${s.id}` : `${did}#${s.id}`,
      type: s.type,
      serviceEndpoint: s.serviceEndpoint,
    }));
  }
  return doc;
}

/** DID Core §7.1.3: an XML Schema dateTime normalized to UTC, without sub-second precision. */
export function didTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** What {@link buildDidDocumentMetadata} needs besides the entry. */
export interface DidMetadataOptions {
  /** The proof of the entry: of the current entry, or of a past version at its own height. */
  proof?: DidProofItem;
  /** The next version, when the entry is a past one (`nextVersionId`, `nextUpdate`). */
  next?: IdEntry | NsEntry;
  /** The proven current version, when the entry is a past, unproven one. */
  provenVersion?: number;
  canonicalId?: string;
}

/**
 * DID document metadata of one version of an entry: `created`, `updated` (from version 2 on),
 * `versionId`, `nextVersionId` / `nextUpdate` for a past version, `deactivated: true` for a
 * deactivated version, `canonicalId`, the Merkle `proof` of a current entry, and the `urbis`
 * extension (status; proven or not).
 */
export function buildDidDocumentMetadata(entry: IdEntry | NsEntry, opts: DidMetadataOptions = {}): DidDocumentMetadata {
  const md: DidDocumentMetadata = {
    created: didTime(entry.created),
    versionId: String(entry.version),
    urbis: { status: entry.status, proven: opts.proof !== undefined },
  };
  if (entry.version > 1) md.updated = didTime(entry.updated);
  if (opts.next) {
    md.nextVersionId = String(opts.next.version);
    md.nextUpdate = didTime(opts.next.updated);
  }
  if (entry.status === 'deactivated') md.deactivated = true;
  if (opts.canonicalId !== undefined) md.canonicalId = opts.canonicalId;
  if (opts.proof) md.proof = [{ ...opts.proof }];
  if (opts.provenVersion !== undefined && !opts.proof) md.urbis.provenVersionId = String(opts.provenVersion);
  return md;
}

/**
 * did:urbis method resolver for the `did-resolver` package (v4): W3C DID Core 1.0 §7.1 "DID
 * Resolution", DID Resolution v0.3 (error values `invalidDid`, `notFound`, `internalError`).
 *
 * The document is never taken from a node: the resolver fetches the identifier's entry with its
 * proof, verifies it like {@link UrbisClient.resolve}, and builds the document itself with
 * {@link buildDidDocument} — the same function the node's DID route uses, so both agree.
 *
 * @example
 * import { Resolver } from 'did-resolver';
 * const resolver = new Resolver(getResolver({ url: 'https://node.example', anchor }));
 * const { didDocument, didDocumentMetadata } = await resolver.resolve('did:urbis:156.130100.42:LAMP-000017:F');
 */
import type { DIDResolutionOptions, DIDResolutionResult, DIDResolver, ParsedDID, Resolvable } from 'did-resolver';
import { UrbisError } from '../core/errors.js';
import { parseDid } from '../core/ids/index.js';
import type { TrustAnchor } from '../core/ledger/verify.js';
import { DID_LD_JSON, buildDidDocument, buildDidDocumentMetadata } from '../core/api/did.js';
import type { FetchLike } from './http.js';
import { UrbisClient, type UrbisClientOptions } from './client.js';

const RESOLUTION_CONTEXT = 'https://w3id.org/did-resolution/v1';

/** Options of {@link getResolver}: a node and the anchor, or an existing client. */
export type ResolverOptions =
  ({ url: string; anchor: TrustAnchor; fetch?: FetchLike; client?: undefined } & Partial<UrbisClientOptions>) | { client: UrbisClient; urlHost?: string };

function failure(error: string, message: string, code?: string): DIDResolutionResult {
  return {
    '@context': RESOLUTION_CONTEXT,
    didResolutionMetadata: { error, message, ...(code ? { code } : {}) },
    didDocument: null,
    didDocumentMetadata: {},
  };
}

/**
 * Resolves one did:urbis DID with proof. Never throws: faults become resolution errors
 * (`invalidDid` for a malformed DID or bad check character, `notFound` for a proven absence,
 * `internalError` with the Urbis `code` for a failed verification or an unreachable node).
 * A deactivated identifier resolves with its document and `didDocumentMetadata.deactivated: true`.
 */
export async function resolveUrbisDid(client: UrbisClient, did: string, opts: { accept?: string; urlHost?: string } = {}): Promise<DIDResolutionResult> {
  try {
    parseDid(did);
  } catch (e) {
    return failure('invalidDid', e instanceof Error ? e.message : String(e), e instanceof UrbisError ? e.code : undefined);
  }
  const accept = opts.accept;
  const contentType = accept === 'application/did+json' ? accept : DID_LD_JSON;
  if (accept !== undefined && accept !== DID_LD_JSON && accept !== 'application/did+json' && accept !== '*/*') {
    return failure('representationNotSupported', `cannot represent a DID document as ${accept}`);
  }
  let r;
  try {
    r = await client.resolve(did);
  } catch (e) {
    if (e instanceof UrbisError && e.code.startsWith('ID_')) return failure('invalidDid', e.message, e.code);
    return failure('internalError', e instanceof Error ? e.message : String(e), e instanceof UrbisError ? e.code : 'INTERNAL');
  }
  if (!r.present) {
    return { ...failure('notFound', `${r.did} is proven absent at block ${r.height}`), didDocumentMetadata: { proof: { ...r.proof } } };
  }
  const { chainId, height, stateRoot, headerHash } = r.proof;
  return {
    '@context': RESOLUTION_CONTEXT,
    didResolutionMetadata: { contentType },
    didDocument: buildDidDocument(r.entry, opts.urlHost !== undefined ? { urlHost: opts.urlHost } : {}),
    didDocumentMetadata: buildDidDocumentMetadata(r.entry, { chainId, height, stateRoot, headerHash }),
  };
}

/**
 * The `did-resolver` registry entry for the `urbis` method.
 *
 * @throws UrbisError CERT_INVALID if the anchor is malformed.
 */
export function getResolver(opts: ResolverOptions): { urbis: DIDResolver } {
  const client = opts.client ?? new UrbisClient(opts as UrbisClientOptions);
  const urlHost = opts.urlHost;
  const urbis: DIDResolver = (did: string, _parsed: ParsedDID, _resolver: Resolvable, options: DIDResolutionOptions) =>
    resolveUrbisDid(client, did, { ...(options?.accept !== undefined ? { accept: options.accept } : {}), ...(urlHost !== undefined ? { urlHost } : {}) });
  return { urbis };
}

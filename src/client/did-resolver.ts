/**
 * did:urbis for the `did-resolver` package (v4), and DID URL dereferencing with the answers of the
 * node's HTTP(S) binding: W3C DID Resolution v1.0 (§4.4 resolution, §5.4 dereferencing, §11
 * errors, §12.1 binding), DID Core 1.0 (§7.1.3, §7.3 metadata).
 *
 * Nothing is taken from a node on trust: the plugin fetches the identifier's entry with its Merkle
 * proof, verifies it against the genesis anchor like {@link UrbisClient.resolve}, and then runs the
 * very functions the node's `/1.0/identifiers/` route runs (src/core/api/did-resolution.ts) on the
 * verified state. So for the same DID URL the plugin returns what the binding serves — document,
 * metadata, error objects, versions, services, fragments — only verified.
 *
 * @example
 * import { Resolver } from 'did-resolver';
 * const resolver = new Resolver(getResolver({ url: 'https://node.example', anchor }));
 * const { didDocument, didDocumentMetadata } = await resolver.resolve('did:urbis:156.130100.42:LAMP-000017:F');
 */
import type { DIDResolutionOptions, DIDResolutionResult, DIDResolver, ParsedDID, Resolvable } from 'did-resolver';
import { isUrbisError } from '../core/errors.js';
import {
  MEDIA_DID,
  MEDIA_DID_JSON,
  MEDIA_DID_LD_JSON,
  MEDIA_RESOLUTION,
  answerDidRequest,
  didError,
  didProofItem,
  errorAnswer,
  needsHistory,
  parseDidRequest,
  resolveDidRequest,
  selectedPastVersion,
  type DidAnswer,
  type DidDocMediaType,
  type DidError,
  type DidRequest,
  type DidResolutionResult,
  type DidStateView,
} from '../core/api/did-resolution.js';
import type { TrustAnchor } from '../core/ledger/verify.js';
import type { BlockHeader, Certificate, IdEntry, NsEntry } from '../core/ledger/types.js';
import type { FetchLike } from './http.js';
import { UrbisClient, type UrbisClientOptions } from './client.js';

/** Options of {@link getResolver}: a node and the anchor, or an existing client. */
export type ResolverOptions =
  ({ url: string; anchor: TrustAnchor; fetch?: FetchLike; client?: undefined } & Partial<UrbisClientOptions>) | { client: UrbisClient; urlHost?: string };

/** Options of {@link resolveUrbisDid} and {@link dereferenceUrbisDid}. */
export interface UrbisDidOptions {
  /** Host (or origin) of the label URL in `alsoKnownAs`; the node's `--url-host` (default `id.urbis.city`). */
  urlHost?: string;
}

type Read = { ok: true; state: DidStateView } | { ok: false; error: DidError };

/** Reads and verifies the state a request needs: the proven entry, and the history for a version. */
async function readVerified(client: UrbisClient, req: DidRequest): Promise<Read> {
  try {
    if (needsHistory(req)) {
      const h = await client.history(req.canonicalDid, { prove: false });
      const r = h.current;
      if (!r.present) return { ok: true, state: { entry: null } };
      const state: DidStateView = { entry: r.entry, proof: proofOf(r.proof.chainId, r.answer), history: h.versions };
      // The selected past version, proven at the block that wrote it (docs/protocol.md (State map) §10).
      const past = selectedPastVersion(req, state);
      if (past !== null) {
        try {
          state.versionProof = proofOf(r.proof.chainId, (await client.resolveVersion(req.canonicalDid, past.version)).resolution.answer);
        } catch (e) {
          // A pruned height (or a version replaced within its block): answered, but not proven.
          if (!isUrbisError(e) || (e.code !== 'STATE_NOT_PROVABLE' && e.code !== 'ID_NOT_FOUND')) throw e;
        }
      }
      return { ok: true, state };
    }
    const r = await client.resolve(req.canonicalDid);
    if (!r.present) return { ok: true, state: { entry: null } };
    return { ok: true, state: { entry: r.entry as IdEntry | NsEntry, proof: proofOf(r.proof.chainId, r.answer) } };
  } catch (e) {
    // A failed verification, a lying or unreachable node: DID Resolution §4.4 INTERNAL_ERROR, with the Urbis code.
    if (isUrbisError(e)) return { ok: false, error: didError(e.code.startsWith('ID_') ? 'INVALID_DID' : 'INTERNAL_ERROR', e.message, e.code) };
    return { ok: false, error: didError('INTERNAL_ERROR', e instanceof Error ? e.message : String(e), 'INTERNAL') };
  }
}

/** The `proof` item of a verified answer (the node's JSON, whose fields the client checked). */
function proofOf(chainId: string, answer: unknown) {
  const a = answer as { key: string; entry: unknown; proof: string; header: BlockHeader; cert: Certificate };
  return didProofItem(chainId, a);
}

const DOC_TYPES: readonly string[] = [MEDIA_DID_LD_JSON, MEDIA_DID_JSON, MEDIA_DID];

/**
 * Resolves a did:urbis DID (or the DID of a DID URL, honouring `versionId` / `versionTime`) with
 * proof: the DID Resolution §9 result that `GET /1.0/identifiers/{did}` with
 * `Accept: application/did-resolution` serves, the document in representation `accept` (default
 * `application/did`, the JSON-LD form, as the binding's). Never throws: faults are error objects (`type`
 * `https://www.w3.org/ns/did#…`, Urbis `code`): INVALID_DID for a malformed DID or a bad check
 * character, METHOD_NOT_SUPPORTED for another method, NOT_FOUND for a proven absence,
 * INTERNAL_ERROR for a failed verification or an unreachable node. A deactivated DID resolves to
 * no document and `deactivated: true`. A fragment or service parameter is the caller's to apply
 * to the document (client-side dereferencing, DID Resolution §8.2.3); {@link dereferenceUrbisDid}
 * does it as the binding does.
 */
export async function resolveUrbisDid(client: UrbisClient, didUrl: string, opts: UrbisDidOptions & { accept?: string } = {}): Promise<DidResolutionResult> {
  const parsed = parseDidRequest(didUrl);
  const failure = (error: DidError): DidResolutionResult => ({
    '@context': 'https://w3id.org/did-resolution/v1',
    didDocument: null,
    didResolutionMetadata: { error },
    didDocumentMetadata: {},
  });
  if (!parsed.ok) return failure(parsed.error);
  const accept = opts.accept;
  if (accept !== undefined && !DOC_TYPES.includes(accept) && accept !== MEDIA_RESOLUTION && accept !== '*/*') {
    return failure(didError('REPRESENTATION_NOT_SUPPORTED', `cannot represent a DID document as ${accept}`));
  }
  const read = await readVerified(client, parsed.value);
  if (!read.ok) return failure(read.error);
  const type = accept !== undefined && DOC_TYPES.includes(accept) ? (accept as DidDocMediaType) : MEDIA_DID;
  return resolveDidRequest(parsed.value, read.state, type, opts.urlHost !== undefined ? { urlHost: opts.urlHost } : {});
}

/**
 * Dereferences a did:urbis DID URL (DID Resolution §5.4) with proof, answering exactly as the
 * node's HTTP(S) binding answers `GET /1.0/identifiers/{didUrl}` with this `Accept` header:
 * `{ status, contentType, body }`, or `{ status: 303, location }` for a service endpoint.
 *
 * @example
 * await dereferenceUrbisDid(client, `${did}#key-1`, 'application/did+json'); // the verification method
 * await dereferenceUrbisDid(client, `${did}?service=feed&relativeRef=/live`);  // { status: 303, location }
 */
export async function dereferenceUrbisDid(client: UrbisClient, didUrl: string, accept?: string, opts: UrbisDidOptions = {}): Promise<DidAnswer> {
  const parsed = parseDidRequest(didUrl);
  if (!parsed.ok) return errorAnswer(parsed.error, accept, didUrl);
  const read = await readVerified(client, parsed.value);
  if (!read.ok) return errorAnswer(read.error, accept, didUrl);
  return answerDidRequest(parsed.value, read.state, accept, opts.urlHost !== undefined ? { urlHost: opts.urlHost } : {});
}

/**
 * The `did-resolver` registry entry for the `urbis` method: `Resolver.resolve(didUrl, { accept })`
 * returns {@link resolveUrbisDid}'s result for the whole DID URL (parameters included).
 *
 * @throws UrbisError CERT_INVALID if the anchor is malformed.
 */
export function getResolver(opts: ResolverOptions): { urbis: DIDResolver } {
  const client = opts.client ?? new UrbisClient(opts as UrbisClientOptions);
  const urlHost = opts.urlHost;
  const urbis: DIDResolver = async (_did: string, parsed: ParsedDID, _resolver: Resolvable, options: DIDResolutionOptions) => {
    const r = await resolveUrbisDid(client, parsed.didUrl, {
      ...(options?.accept !== undefined ? { accept: options.accept } : {}),
      ...(urlHost !== undefined ? { urlHost } : {}),
    });
    // The error is an RFC 9457 object (DID Resolution §11), where did-resolver's type says string.
    return r as unknown as DIDResolutionResult;
  };
  return { urbis };
}

/**
 * The Urbis client SDK (docs/sdk.md): transactions built and signed locally, answers verified
 * against a trust anchor. Browser-safe: no `node:` imports, global `fetch`.
 */
export {
  UrbisClient,
  type UrbisClientOptions,
  type TxOptions,
  type WriteOptions,
  type CommittedTx,
  type CommittedTxStatus,
  type Resolution,
  type ResolutionBase,
  type NsResolution,
  type IdHistory,
  type IdVersion,
  type SearchQuery as ClientSearchQuery,
  type EventsOptions,
} from './client.js';
export {
  AnswerVerifier,
  checkAnchor,
  checkCertShape,
  checkHeaderShape,
  type ProofInfo,
  type VerifiedBlock,
  type VerifiedEntry,
  type VerifiedHeader,
  type VerifierOptions,
} from './verify.js';
export { getResolver, resolveUrbisDid, dereferenceUrbisDid, type ResolverOptions, type UrbisDidOptions } from './did-resolver.js';
export {
  parseDidRequest,
  answerDidRequest,
  resolveDidRequest,
  DID_ERRORS,
  DID_ERROR_BASE,
  type DidAnswer,
  type DidError,
  type DidRequest,
  type DidResolutionResult,
  type DidDereferencingResult,
} from '../core/api/did-resolution.js';
export { SseParser, type SseMessage } from './sse.js';
export { retryAfterMs, type FetchLike, type RetryOptions } from './http.js';
export {
  buildDidDocument,
  buildDidDocumentMetadata,
  didKeyOf,
  didOfEntry,
  DID_CONTEXTS,
  DID_LD_JSON,
  type DidDocument,
  type DidDocumentMetadata,
  type DidDocumentOptions,
  type DidProofItem,
  type DidUrbisMetadata,
  type DidService,
  type DidVerificationMethod,
} from '../core/api/did.js';
export type { TrustAnchor } from '../core/ledger/verify.js';
export type { Signer } from '../core/ledger/tx.js';
export { signerFromSeed, cosignTx } from '../core/ledger/tx.js';

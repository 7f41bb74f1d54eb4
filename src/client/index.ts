/**
 * The Urbis client SDK (docs/sdk.md): transactions built and signed locally, answers verified
 * against a trust anchor. Browser-safe: no `node:` imports, global `fetch`.
 */
import { createWebCryptoProvider, getCryptoProvider, nobleCryptoProvider, setCryptoProvider } from '../core/crypto/index.js';

// In a browser, verify signatures with WebCrypto Ed25519 where it exists (about 17 times faster than
// pure JavaScript), @noble as the fallback. Node entry points install node:crypto instead (and a
// provider chosen by the application is left alone).
if (getCryptoProvider() === nobleCryptoProvider && (globalThis as { crypto?: { subtle?: unknown } }).crypto?.subtle !== undefined) {
  setCryptoProvider(createWebCryptoProvider());
}

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
export {
  EventChecker,
  verifyHistoryAnswer,
  verifyNsAnswer,
  verifySearchAnswer,
  type EventProofInfo,
  type VerifiedHistory,
  type VerifiedListing,
  type VerifiedNsListing,
} from './listings.js';
export {
  TrustState,
  memoryTrustStore,
  storageTrustStore,
  parseTrustedHead,
  trustKey,
  DEFAULT_MAX_AGE_MS,
  type TrustStore,
  type TrustedHead,
  type TrustStateOptions,
  type AnswerKind,
  type ForkSide,
  type AdvanceListener,
  type ForkListener,
  type StorageLike,
} from './trust-state.js';
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
export {
  checkForkEvidence,
  forkEvidenceOf,
  verifyExtends,
  type ConsistencyAnswer,
  type ForkEvidence,
  type CertifiedHeader,
} from '../core/ledger/consistency.js';
export {
  checkpointOrigin,
  checkpointText,
  checkWitnessPolicy,
  parseWitnesses,
  verifyCheckpointNote,
  type VerifiedCheckpoint,
  type VerifiedCosignature,
  type WitnessPolicy,
} from '../core/ledger/checkpoint.js';
export {
  cosigner,
  cosignerOf,
  openNote,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  type Checkpoint,
  type Cosigner,
  type NoteVerifier,
} from '../core/note/index.js';
export type { TrustAnchor } from '../core/ledger/verify.js';
export type { Signer } from '../core/ledger/tx.js';
export { signerFromSeed, cosignTx } from '../core/ledger/tx.js';
export {
  makeCodeFor,
  checkIssuer,
  verifyCodeOnline,
  verifyCodeOffline,
  onlineFacts,
  DEFAULT_OFFLINE_MAX_AGE_MS,
  type MakeCodeOptions,
  type MakeCodeDetails,
  type CodeIssuer,
  type MadeCodeForms,
  type VerifyOptions as CodeVerifyOptions,
} from './codes.js';
export {
  parseCode,
  makeCode,
  codeUrl,
  recordDigest,
  openTrustBundle,
  decodeTrustBundle,
  verifyCode,
  verifyParsedCode,
  CODE_PREFIX,
  type CodeVerdict,
  type Verdict,
  type VerdictReason,
  type CodeFacts,
  type LabelClaims,
  type ParsedCode,
  type VerifiedBundle,
} from '../core/codes/index.js';
export { createWebCryptoProvider } from '../core/crypto/index.js';
export { signedFetch, signHttpRequest, requestKeyid, type RequestSigner, type SignedRequestOptions } from './signed-fetch.js';

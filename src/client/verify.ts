/**
 * The SDK's verifier is the core's (src/core/ledger/verify.ts): one reader verifier for the SDK,
 * the CLI, the did-resolver plugin and the snapshot import. Re-exported here for the SDK's users.
 */
export {
  AnswerVerifier,
  checkAnchor,
  checkCertShape,
  checkHeaderShape,
  proofInfo,
  sameJson,
  verifyProvenEntry,
  type ProofInfo,
  type ProvenJsonAnswer,
  type TrustAnchor,
  type VerifiedBlock,
  type VerifiedEntry,
  type VerifiedHeader,
  type VerifierOptions,
} from '../core/ledger/verify.js';

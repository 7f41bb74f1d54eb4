/**
 * The Urbis state map: a compact sparse Merkle tree over SHA-256 with inclusion and non-inclusion
 * proofs. Spec: docs/protocol.md (State map). And the RFC 9162 list trees (`log.ts`): transaction
 * roots, receipt batches, audit paths. Pure.
 */
export { EMPTY_HASH, HASH_LENGTH, SMT_MAX_DEPTH, leafHash, nodeHash, rfc6962LeafHash } from './hash.js';
export { MemorySmtNodeStore, NODE_RECORD_LENGTH, encodeNodePath, type SmtNodeStore, type SmtWrite, type VersionedSmtNodeStore } from './store.js';
export { SparseMerkleTree, proveAt, storeReproducesRoot, type SmtChange, type SmtOptions, type SmtUpdate } from './tree.js';
export {
  PROOF_MAX_BYTES,
  PROOF_VERSION,
  decodeProof,
  encodeProof,
  proofFromJson,
  proofToJson,
  verifyProof,
  type SmtProof,
  type SmtProofTerminal,
} from './proof.js';
export { logTree, merkleTreeHash, mthLeaf, mthNode, verifyInclusion, type LogTree } from './log.js';

/**
 * Reader-side verification of an answer: docs/protocol.md "Proofs". Pure: runs in Node and in a
 * browser. A reader trusts nothing but its anchor (the genesis validator keys); everything else in
 * the answer (entry, proof, header, certificate) is attacker-controlled until checked here.
 */
import { UrbisError } from '../errors.js';
import { fromHex } from '../encoding/index.js';
import { verifyProof, type SmtProof } from '../merkle/index.js';
import { verifyCertificate } from './block.js';
import { entryHash, merkleKey, stateKey } from './state.js';
import type { BlockHeader, Certificate, StateEntry } from './types.js';

/** What a reader trusts. */
export interface TrustAnchor {
  chainId: string;
  /** Validator Multikeys in force (from genesis, or from a verified validator-set change). */
  validators: string[];
}

/** An answer to verify. */
export interface ProvenAnswer {
  key: string;
  entry: StateEntry | null;
  proof: SmtProof;
  header: BlockHeader;
  cert: Certificate;
}

/** What a successful verification establishes. */
export interface VerifiedAnswer {
  /** True for an inclusion proof, false for a proof that the key is absent. */
  present: boolean;
  height: number;
  stateRoot: string;
  /** Validators whose signatures counted. */
  signers: number;
  validators: number;
}

/**
 * Verifies header certificate, then the Merkle proof of `entry` (or of absence) under the header's
 * state root.
 *
 * @throws UrbisError CERT_INVALID, PROOF_INVALID, TX_CHAIN_MISMATCH.
 */
export function verifyProvenEntry(a: ProvenAnswer, anchor: TrustAnchor): VerifiedAnswer {
  if (a.header.chain !== anchor.chainId) {
    throw new UrbisError('TX_CHAIN_MISMATCH', `answer is from chain "${a.header.chain}", expected "${anchor.chainId}"`);
  }
  verifyCertificate(a.header, a.cert, anchor.validators);
  if (a.entry !== null && stateKey(a.entry) !== a.key) {
    throw new UrbisError('PROOF_INVALID', `entry is for ${stateKey(a.entry)}, not ${a.key}`);
  }
  let root: Uint8Array;
  try {
    root = fromHex(a.header.stateRoot, 32);
  } catch {
    throw new UrbisError('PROOF_INVALID', 'header state root is malformed');
  }
  verifyProof(root, merkleKey(a.key), a.entry === null ? null : entryHash(a.entry), a.proof);
  const signers = new Set(a.cert.sigs.map((s) => s.key).filter((k) => anchor.validators.includes(k))).size;
  return { present: a.entry !== null, height: a.header.height, stateRoot: a.header.stateRoot, signers, validators: anchor.validators.length };
}

/**
 * Tamper-resistant codes: deterministic CBOR, base45, COSE_Sign1 labels, verdicts, the compact
 * revocation set and trust bundles. Spec: docs/codes.md. Pure: runs in a browser unchanged.
 */
export { encodeCbor, decodeCbor, CborTag, type CborValue, type CborMap, type CborDecodeOptions } from './cbor.js';
export { base45Encode, base45Decode, BASE45_ALPHABET } from './base45.js';
export {
  signCoseSign1,
  parseCoseSign1,
  verifyCoseSign1,
  sigStructure1,
  coseKid,
  COSE_ALG_EDDSA,
  COSE_SIGN1_TAG,
  type CoseSign1,
  type Ed25519Signing,
} from './cose.js';
export * from './label.js';
export * from './revocation.js';
export * from './verify.js';
export * from './bundle.js';
export * from './proof-code.js';

/**
 * Urbis encodings: canonical JSON (RFC 8785), byte encodings (UTF-8, hex, base64url, base58btc) and
 * Multikey public keys. Spec: docs/protocol.md (Encoding). Pure.
 */
export { canonicalJson, canonicalBytes, firstDuplicateKey, CANONICAL_JSON_MAX_DEPTH } from './canonical-json.js';
export { utf8Encode, utf8Decode, toHex, fromHex, toBase64url, fromBase64url, toBase64, fromBase64, concatBytes, bytesEqual } from './bytes.js';
export { base58btcEncode, base58btcDecode } from './base58.js';
export { publicKeyToMultikey, multikeyToPublicKey, ED25519_PUBLIC_KEY_LENGTH } from './multikey.js';

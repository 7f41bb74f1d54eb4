/**
 * The Urbis Ed25519 acceptance rules that sit in front of every provider (RFC 8032 §5.1.7 plus two
 * key-encoding rules), so that the noble and the OpenSSL implementations accept exactly the same
 * (signature, message, key) triples.
 *
 * Spec: docs/protocol.md (Encoding) §4.2. Pure.
 *
 * Why these rules: OpenSSL decodes a public key whose y coordinate is ≥ p (reducing it) and one that
 * encodes x = 0 with the sign bit set, and accepts small-order keys; @noble/curves in strict mode
 * refuses all three. Refusing them here, before any provider runs, removes the disagreement (a
 * consensus fault if two validators judged one signature differently). Small-order keys are refused
 * because a signature under such a key can verify for many messages (no non-repudiation).
 */

/** L = 2^252 + 27742317777372353535851937790883648493, little-endian, the order of the base point. */
const L_LE = Uint8Array.from([
  0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7, 0xa2, 0xde, 0xf9, 0xde, 0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
  0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
]);

/** True iff the 32 little-endian bytes at `b[offset..offset+32)` are a number < L. */
export function isScalarCanonical(b: Uint8Array, offset = 0): boolean {
  for (let i = 31; i >= 0; i--) {
    const x = b[offset + i]!;
    const l = L_LE[i]!;
    if (x < l) return true;
    if (x > l) return false;
  }
  return false; // equal to L
}

/**
 * True iff the 32-byte point encoding has y < p = 2^255 − 19 and is not one of the two encodings of
 * x = 0 with the sign bit set (y = 1 and y = p − 1). Says nothing about being on the curve.
 */
export function isPointEncodingCanonical(b: Uint8Array): boolean {
  // y ≥ p  ⇔  bytes 1..30 are 0xff, byte 31 (sign cleared) is 0x7f and byte 0 ≥ 0xed.
  let allFF = (b[31]! & 0x7f) === 0x7f;
  for (let i = 1; i < 31 && allFF; i++) if (b[i] !== 0xff) allFF = false;
  if (allFF && b[0]! >= 0xed) return false;
  if (b[31]! & 0x80) {
    // x = 0 only for y = 1 and y = p − 1 = 0x7fff…ffec.
    let rest0 = true;
    for (let i = 1; i < 31; i++) if (b[i] !== 0) rest0 = false;
    if (rest0 && b[0] === 0x01 && b[31] === 0x80) return false;
    if (allFF && b[0] === 0xec) return false;
  }
  return true;
}

/**
 * Canonical encodings of the eight points of small order (the 8-torsion subgroup of edwards25519).
 * Computed as [L]Q for arbitrary curve points Q; test/core/crypto checks the list against noble's
 * `isSmallOrder`.
 */
const SMALL_ORDER_ENCODINGS: readonly Uint8Array[] = [
  '0000000000000000000000000000000000000000000000000000000000000000',
  '0000000000000000000000000000000000000000000000000000000000000080',
  '0100000000000000000000000000000000000000000000000000000000000000',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05',
  '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc85',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a',
  'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac03fa',
  'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f',
].map((h) => Uint8Array.from(h.match(/../g)!, (x) => parseInt(x, 16)));

/** True iff the (canonical) encoding is one of the eight small-order points. */
export function isSmallOrderEncoding(b: Uint8Array): boolean {
  outer: for (const s of SMALL_ORDER_ENCODINGS) {
    for (let i = 0; i < 32; i++) if (b[i] !== s[i]) continue outer;
    return true;
  }
  return false;
}

/**
 * The checks every Ed25519 verification passes before a provider is asked: sizes, S < L, canonical
 * non-small-order public key. Cheap byte comparisons only.
 */
export function ed25519Precheck(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  return (
    signature instanceof Uint8Array &&
    message instanceof Uint8Array &&
    publicKey instanceof Uint8Array &&
    signature.length === 64 &&
    publicKey.length === 32 &&
    isScalarCanonical(signature, 32) &&
    isPointEncodingCanonical(publicKey) &&
    !isSmallOrderEncoding(publicKey)
  );
}

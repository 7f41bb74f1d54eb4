// RFC 9421 HTTP Message Signatures with Ed25519 (§3.3.6) and RFC 9530 Content-Digest, against the
// RFC's own vectors (test/vectors/http-signatures-rfc9421.json: B.1.4 key, B.2 request, B.2.3 and
// B.2.6 signature bases, B.2.6 signature), then the policy checks and hostile input.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  contentDigest,
  fromBase64,
  parseDictionary,
  signatureBase,
  signRequest,
  targetParts,
  toBase64,
  verifyContentDigest,
  verifyRequest,
  type HttpRequestParts,
  type InnerList,
} from '../../../src/core/httpsig/index.js';
import { ed25519PublicKey, ed25519SignerFor, generateSeed } from '../../../src/core/crypto/index.js';
import { fromBase64url, fromHex, toBase64url, utf8Encode } from '../../../src/core/encoding/bytes.js';
import { isUrbisError, type ErrorCode } from '../../../src/core/errors.js';

const V = JSON.parse(readFileSync(new URL('../../vectors/http-signatures-rfc9421.json', import.meta.url), 'utf8'));
const req: HttpRequestParts = { method: V.testRequest.method, url: V.testRequest.url, headers: V.testRequest.headers };
const seed = fromHex(V.testKeyEd25519.seedHex);
const pub = fromBase64url(V.testKeyEd25519.publicKeyBase64url);

function code(f: () => unknown): ErrorCode | 'none' {
  try {
    f();
    return 'none';
  } catch (e) {
    if (isUrbisError(e)) return e.code;
    throw e;
  }
}

function inputOf(field: string, label: string): InnerList {
  const m = parseDictionary(field).get(label);
  if (m?.kind !== 'inner') throw new Error('not an inner list');
  return m.list;
}

describe('RFC 9421 Appendix B vectors', () => {
  it('B.1.4: the test key seed gives the published public key', () => {
    expect(toBase64url(ed25519PublicKey(seed))).toBe(V.testKeyEd25519.publicKeyBase64url);
    // The seed is the last 32 octets of the PKCS#8 document.
    expect(fromBase64(V.testKeyEd25519.privateKeyPkcs8Base64).slice(16)).toEqual(seed);
  });

  it('B.2.3: signature base with @query and content-digest (§2.5)', () => {
    const input = inputOf(V.b23.signatureInput, 'sig-b23');
    expect(signatureBase(req, input)).toBe(V.b23.signatureBase);
  });

  it('B.2.6: Ed25519 signature base, Signature-Input and Signature are reproduced exactly (§3.3.6)', () => {
    const fields = signRequest(req, {
      sign: ed25519SignerFor(seed),
      keyid: V.b26.keyid,
      created: V.b26.created,
      components: V.b26.components,
      label: V.b26.label,
    });
    expect(fields['signature-input']).toBe(V.b26.signatureInput);
    expect(fields.signature).toBe(V.b26.signature);
    expect(signatureBase(req, inputOf(V.b26.signatureInput, 'sig-b26'))).toBe(V.b26.signatureBase);
  });

  it('B.2.6: the published signature verifies, and a changed covered field does not', () => {
    const signed = { ...req, headers: { ...req.headers, 'signature-input': V.b26.signatureInput, signature: V.b26.signature } };
    const v = verifyRequest(signed, { now: V.b26.created + 10, keyFor: (k) => (k === V.b26.keyid ? pub : undefined) });
    expect(v).toMatchObject({ label: 'sig-b26', keyid: 'test-key-ed25519', created: 1618884473 });
    const tampered = { ...signed, headers: { ...signed.headers, 'content-length': '19' } };
    expect(code(() => verifyRequest(tampered, { now: V.b26.created, keyFor: () => pub }))).toBe('HTTPSIG_INVALID');
    const otherMethod = { ...signed, method: 'PUT' };
    expect(code(() => verifyRequest(otherMethod, { now: V.b26.created, keyFor: () => pub }))).toBe('HTTPSIG_INVALID');
    // An uncovered field may change (the query is not covered by sig-b26).
    const otherQuery = { ...signed, url: 'https://example.com/foo?param=Other' };
    expect(code(() => verifyRequest(otherQuery, { now: V.b26.created, keyFor: () => pub }))).toBe('none');
  });

  it('RFC 9530 B.1: sha-256 Content-Digest of the test body', () => {
    expect(contentDigest(utf8Encode(V.contentDigestSha256.body))).toBe(V.contentDigestSha256.field);
    expect(code(() => verifyContentDigest(V.contentDigestSha256.field, utf8Encode(V.contentDigestSha256.body)))).toBe('none');
    expect(code(() => verifyContentDigest(V.contentDigestSha256.field, utf8Encode('{"hello": "World"}')))).toBe('HTTPSIG_DIGEST_MISMATCH');
    // The sha-512 digest alone is not accepted: the profile requires sha-256.
    expect(code(() => verifyContentDigest(V.testRequest.headers['content-digest'], utf8Encode(V.testRequest.body)))).toBe('HTTPSIG_MALFORMED');
    expect(code(() => verifyContentDigest(undefined, new Uint8Array()))).toBe('HTTPSIG_MISSING');
  });

  it('§2.2.3, §2.2.6, §2.2.7: derived components', () => {
    for (const c of V.derived.cases) {
      const t = targetParts(c.url);
      const value = { '@authority': t.authority, '@path': t.path, '@query': t.query }[c.component as '@path'];
      expect(value, `${c.component} of ${c.url}`).toBe(c.value);
    }
    expect(targetParts('https://example.com').path).toBe('/');
  });
});

describe('Urbis profile: sign and verify', () => {
  const s = generateSeed();
  const key = ed25519PublicKey(s);
  const body = utf8Encode('{"q":1}');
  const base = (): HttpRequestParts => ({
    method: 'POST',
    url: 'http://127.0.0.1:8080/v1/data/../x?limit=5',
    headers: { 'content-digest': contentDigest(body) },
  });
  const now = 1_800_000_000;
  const opts = { now, maxAge: 60, requireNonce: true, required: ['@method', '@authority', '@path', '@query', 'content-digest'], keyFor: () => key };

  function signed(p: Partial<Parameters<typeof signRequest>[1]> = {}): HttpRequestParts {
    const r = base();
    return {
      ...r,
      headers: { ...r.headers, ...signRequest(r, { sign: ed25519SignerFor(s), keyid: 'did:urbis:x#k', created: now, expires: now + 30, nonce: 'n1', ...p }) },
    };
  }

  it('round trip keeps the raw path (no dot-segment normalisation) and reports the parameters', () => {
    const r = signed();
    expect(r.headers['signature-input']).toBe(
      'sig1=("@method" "@authority" "@path" "@query" "content-digest");created=1800000000;expires=1800000030;nonce="n1";keyid="did:urbis:x#k"',
    );
    const v = verifyRequest(r, opts);
    expect(v).toMatchObject({ keyid: 'did:urbis:x#k', nonce: 'n1', created: now, expires: now + 30 });
    expect(targetParts(r.url).path).toBe('/v1/data/../x');
  });

  it('§3.2.1: refuses what the verifier policy does not accept', () => {
    expect(code(() => verifyRequest(signed({ components: ['@method', '@path'] }), opts))).toBe('HTTPSIG_COVERAGE');
    expect(code(() => verifyRequest(signed({ nonce: undefined }), opts))).toBe('HTTPSIG_COVERAGE');
    expect(code(() => verifyRequest(signed({ keyid: undefined }), opts))).toBe('HTTPSIG_COVERAGE');
    expect(code(() => verifyRequest(signed({ created: now - 61 }), opts))).toBe('HTTPSIG_EXPIRED');
    expect(code(() => verifyRequest(signed({ created: now + 60 }), opts))).toBe('HTTPSIG_EXPIRED');
    expect(code(() => verifyRequest(signed({ expires: now - 6 }), opts))).toBe('HTTPSIG_EXPIRED');
    expect(code(() => verifyRequest(signed({ alg: 'rsa-pss-sha512' }), opts))).toBe('HTTPSIG_MALFORMED');
    expect(code(() => verifyRequest(signed({ alg: 'ed25519' }), opts))).toBe('none');
    expect(code(() => verifyRequest(signed(), { ...opts, keyFor: () => undefined }))).toBe('HTTPSIG_KEY_UNKNOWN');
    expect(code(() => verifyRequest(signed(), { ...opts, keyFor: () => ed25519PublicKey(generateSeed()) }))).toBe('HTTPSIG_INVALID');
    expect(code(() => verifyRequest(signed(), { ...opts, label: 'sig2' }))).toBe('HTTPSIG_MISSING');
  });

  it('a forged signature, a changed target or a changed body digest do not verify', () => {
    const r = signed();
    const sig = r.headers.signature as string;
    const bytes = fromBase64(sig.slice(6, -1));
    bytes[10]! ^= 1;
    expect(code(() => verifyRequest({ ...r, headers: { ...r.headers, signature: `sig1=:${toBase64(bytes)}:` } }, opts))).toBe('HTTPSIG_INVALID');
    expect(code(() => verifyRequest({ ...r, url: 'http://127.0.0.1:8080/v1/data/../x?limit=6' }, opts))).toBe('HTTPSIG_INVALID');
    expect(code(() => verifyRequest({ ...r, url: 'http://127.0.0.1:8081/v1/data/../x?limit=5' }, opts))).toBe('HTTPSIG_INVALID');
    expect(code(() => verifyRequest({ ...r, headers: { ...r.headers, 'content-digest': contentDigest(utf8Encode('{}')) } }, opts))).toBe('HTTPSIG_INVALID');
  });

  it('hostile fields fail with typed errors, never a crash', () => {
    const r = signed();
    const bad = [
      '',
      'sig1',
      'sig1=(',
      'sig1=("@method" "@method");created=1',
      'sig1=("@method";req);created=1;keyid="k"',
      'sig1=("@request-response");keyid="k"',
      'sig1=(1 2);keyid="k"',
      'Sig1=("@method")',
      'sig1=("@method");created=1.5;keyid="k"',
      'sig1=("@method");created="x";keyid="k"',
      'sig1=("@method"),',
      `sig1=("@method");keyid="${'x'.repeat(9000)}"`,
      'sig1=("a\u00e9")',
    ];
    for (const b of bad) {
      const c = code(() => verifyRequest({ ...r, headers: { ...r.headers, 'signature-input': b } }, { now, keyFor: () => key }));
      expect(['HTTPSIG_MALFORMED', 'HTTPSIG_MISSING', 'HTTPSIG_COVERAGE', 'HTTPSIG_INVALID'], b.slice(0, 40)).toContain(c);
    }
    for (const b of ['sig1=:!!:', 'sig1=:AAA:', 'sig1="x"', 'sig1=:QQ=:']) {
      const c = code(() => verifyRequest({ ...r, headers: { ...r.headers, signature: b } }, opts));
      expect(['HTTPSIG_MALFORMED', 'HTTPSIG_INVALID']).toContain(c);
    }
    expect(code(() => verifyRequest({ ...r, headers: { ...r.headers, signature: undefined } }, opts))).toBe('HTTPSIG_MISSING');
    // A covered header that is missing from the message (§2.5).
    expect(code(() => verifyRequest({ ...r, headers: { ...r.headers, 'content-digest': undefined } }, opts))).toBe('HTTPSIG_MALFORMED');
    // A line break smuggled into a covered value cannot forge another base line.
    expect(code(() => signRequest({ ...base(), method: 'GET\n"@path": /' }, { sign: ed25519SignerFor(s), keyid: 'k' }))).toBe('HTTPSIG_MALFORMED');
  });

  it('RFC 8941 byte sequences: strict base64 round trip', () => {
    for (let n = 0; n < 8; n++) {
      const b = new Uint8Array(n).map((_, i) => i * 37 + n);
      expect(fromBase64(toBase64(b))).toEqual(b);
    }
    expect(code(() => fromBase64('QR=='))).toBe('HTTPSIG_MALFORMED');
  });
});

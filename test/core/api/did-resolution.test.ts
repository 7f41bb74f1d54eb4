// The pure parts of did:urbis resolution (src/core/api/did-resolution.ts): DID URL syntax (DID Core
// 1.0 §3.1, §3.2), the HTTP(S) binding's DID URL and options (DID Resolution v1.0 §12.1), and
// RFC 3986 §5.2 reference resolution checked against the examples of RFC 3986 §5.4.
import { describe, expect, it } from 'vitest';
import { didUrlFromHttp, parseDidRequest, removeDotSegments, resolveReference } from '../../../src/core/api/did-resolution.js';
import { formatDid } from '../../../src/core/ids/index.js';
import { makeIdentifier } from '../../../src/core/ids/index.js';

const E = 'https://www.w3.org/ns/did#';
const did = formatDid(makeIdentifier(['156', '130100', '42'], 'LAMP-000017'));

describe('RFC 3986 §5.4: reference resolution examples (base http://a/b/c/d;p?q)', () => {
  const base = 'http://a/b/c/d;p?q';
  // RFC 3986 §5.4.1 "Normal Examples" and §5.4.2 "Abnormal Examples" (strict parser).
  const cases: Array<[string, string]> = [
    ['g:h', 'g:h'],
    ['g', 'http://a/b/c/g'],
    ['./g', 'http://a/b/c/g'],
    ['g/', 'http://a/b/c/g/'],
    ['/g', 'http://a/g'],
    ['//g', 'http://g'],
    ['?y', 'http://a/b/c/d;p?y'],
    ['g?y', 'http://a/b/c/g?y'],
    ['#s', 'http://a/b/c/d;p?q#s'],
    ['g#s', 'http://a/b/c/g#s'],
    ['g?y#s', 'http://a/b/c/g?y#s'],
    [';x', 'http://a/b/c/;x'],
    ['g;x', 'http://a/b/c/g;x'],
    ['g;x?y#s', 'http://a/b/c/g;x?y#s'],
    ['', 'http://a/b/c/d;p?q'],
    ['.', 'http://a/b/c/'],
    ['./', 'http://a/b/c/'],
    ['..', 'http://a/b/'],
    ['../', 'http://a/b/'],
    ['../g', 'http://a/b/g'],
    ['../..', 'http://a/'],
    ['../../', 'http://a/'],
    ['../../g', 'http://a/g'],
    ['../../../g', 'http://a/g'],
    ['../../../../g', 'http://a/g'],
    ['/./g', 'http://a/g'],
    ['/../g', 'http://a/g'],
    ['g.', 'http://a/b/c/g.'],
    ['.g', 'http://a/b/c/.g'],
    ['g..', 'http://a/b/c/g..'],
    ['..g', 'http://a/b/c/..g'],
    ['./../g', 'http://a/b/g'],
    ['./g/.', 'http://a/b/c/g/'],
    ['g/./h', 'http://a/b/c/g/h'],
    ['g/../h', 'http://a/b/c/h'],
    ['g;x=1/./y', 'http://a/b/c/g;x=1/y'],
    ['g;x=1/../y', 'http://a/b/c/y'],
    ['g?y/./x', 'http://a/b/c/g?y/./x'],
    ['g?y/../x', 'http://a/b/c/g?y/../x'],
    ['g#s/./x', 'http://a/b/c/g#s/./x'],
    ['g#s/../x', 'http://a/b/c/g#s/../x'],
    ['http:g', 'http:g'],
  ];
  for (const [ref, want] of cases) it(`"${ref}" → ${want}`, () => expect(resolveReference(base, ref)).toBe(want));
  it('removes dot segments as §5.2.4 shows', () => expect(removeDotSegments('/a/b/c/./../../g')).toBe('/a/g'));
});

describe('DID Core §3.1 / §3.2: DID URL syntax', () => {
  it('splits a DID URL into DID, path, query and fragment, decoding the parameters', () => {
    const r = parseDidRequest(`${did}?service=feed&relativeRef=%2Fa%2Fb%3Fc%3D1#frag`);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.value).toMatchObject({ did, service: 'feed', relativeRef: '/a/b?c=1', fragment: 'frag', path: null, stateKey: 'id:156.130100.42/LAMP-000017' });
    expect(parseDidRequest(`${did}/a/b`).ok && (parseDidRequest(`${did}/a/b`) as { value: { path: string } }).value.path).toBe('/a/b');
  });

  it('classifies faults in the order of DID Resolution §4.4 / §5.4.1', () => {
    const typeOf = (s: string, opts: Array<[string, string]> = []) => {
      const r = parseDidRequest(s, opts);
      return r.ok ? 'ok' : r.error.type.slice(E.length);
    };
    expect(typeOf('')).toBe('INVALID_DID');
    expect(typeOf('did:urbis')).toBe('INVALID_DID');
    expect(typeOf('did:Urbis:156:1')).toBe('INVALID_DID'); // method names are lowercase
    expect(typeOf('did:urbis:156 1')).toBe('INVALID_DID');
    expect(typeOf('did:urbis:156:1#a b')).toBe('INVALID_DID_URL');
    expect(typeOf('did:key:z6Mk')).toBe('METHOD_NOT_SUPPORTED');
    expect(typeOf('did:urbis:156.130100:LAMP-1:0')).toBe('INVALID_DID'); // check character
    expect(typeOf(`${did}?a=1&a=2`)).toBe('INVALID_DID_URL');
    expect(typeOf(`${did}?service=`)).toBe('INVALID_DID_URL');
    expect(typeOf(`${did}?versionId=01`)).toBe('INVALID_DID_URL');
    expect(typeOf(`${did}?versionId=99999999999999999`)).toBe('INVALID_DID_URL');
    expect(typeOf(`${did}?versionTime=2026-01-01T00:00:00.5Z`)).toBe('INVALID_DID_URL');
    expect(typeOf(`${did}?versionTime=2026-01-01T23:59:60Z`)).toBe('INVALID_DID_URL');
    expect(typeOf(did, [['versionId', 'x']])).toBe('INVALID_OPTIONS');
    expect(typeOf(`${did}?versionId=1`, [['versionId', '2']])).toBe('INVALID_OPTIONS');
    expect(
      typeOf(did, [
        ['versionId', '1'],
        ['versionTime', '2026-01-01T00:00:00Z'],
      ]),
    ).toBe('INVALID_OPTIONS');
    expect(typeOf(did, [['frobnicate', 'x']])).toBe('FEATURE_NOT_SUPPORTED');
    expect(typeOf(did, [['accept', 'application/did+json']])).toBe('ok');
    expect(typeOf(did, [['accept', 'application/dïd']])).toBe('INVALID_OPTIONS');
    expect(typeOf('x'.repeat(5000))).toBe('INVALID_DID_URL');
  });
});

describe('DID Resolution §12.1: the DID URL of an HTTP request', () => {
  it('takes the HTTP query as the DID query after a plain DID, and as options after an encoded one', () => {
    expect(didUrlFromHttp(did, 'service=feed&relativeRef=/x')).toEqual({ ok: true, value: { didUrl: `${did}?service=feed&relativeRef=/x`, options: [] } });
    expect(didUrlFromHttp(encodeURIComponent(did), 'versionId=2')).toEqual({ ok: true, value: { didUrl: did, options: [['versionId', '2']] } });
    expect(didUrlFromHttp(encodeURIComponent(`${did}?service=feed#x`), null)).toEqual({ ok: true, value: { didUrl: `${did}?service=feed#x`, options: [] } });
    expect(didUrlFromHttp(`${did}%23key-1`, null)).toEqual({ ok: true, value: { didUrl: `${did}#key-1`, options: [] } });
    expect(didUrlFromHttp('%E0%A4%A', null).ok).toBe(false);
  });
});

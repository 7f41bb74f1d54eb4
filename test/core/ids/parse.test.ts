// Grammar, error codes/positions and the three forms of src/core/ids (docs/protocol.md (Identifiers)).
import { describe, expect, it } from 'vitest';
import {
  CHECK_ALPHABET,
  DEFAULT_URL_HOST,
  canonicalKey,
  formatDid,
  formatText,
  formatUrl,
  fromCanonicalKey,
  isNamespaceId,
  makeIdentifier,
  namespaceString,
  parentNamespace,
  parseDid,
  parseIdentifier,
  parseNamespacePath,
  parseText,
  parseUrl,
  validateLocal,
  validateSegment,
  identifierCheckChar,
  type Identifier,
} from '../../../src/core/ids/index.js';
import { UrbisError, type ErrorCode } from '../../../src/core/errors.js';

/** Runs `f`, expects an UrbisError with `code` at `position`; returns it. */
function fault(f: () => unknown, code: ErrorCode, position?: number): UrbisError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(UrbisError);
    const u = e as UrbisError;
    expect({ code: u.code, message: u.message }).toMatchObject({ code });
    expect(typeof u.details?.['position']).toBe('number');
    if (position !== undefined) expect(u.details?.['position']).toBe(position);
    return u;
  }
  throw new Error(`expected ${code}, got no error`);
}

/** A body plus its correct check character. */
const withCheck = (body: string): string => `${body}:${identifierCheckChar(body)}`;

const LAMP = '156.130100.42/LAMP-000017:F';
const CITY = '156.130100:7';

describe('text form', () => {
  it('parses the spec examples (check characters as in docs/protocol.md (Identifiers))', () => {
    expect(parseText(LAMP)).toEqual({ namespace: ['156', '130100', '42'], local: 'LAMP-000017', check: 'F', text: LAMP });
    expect(parseText(CITY)).toEqual({ namespace: ['156', '130100'], local: null, check: '7', text: CITY });
    expect(parseText('156.130100.42/LAMP-000578:L').local).toBe('LAMP-000578');
  });

  it('is case-insensitive with an uppercase canonical form', () => {
    expect(parseText(LAMP.toLowerCase())).toEqual(parseText(LAMP));
    expect(parseText('156.130100.42/Lamp-000017:f').text).toBe(LAMP);
  });

  // docs/protocol.md (Identifiers) §2: check values 18, 24 and 26 (I, O, Q in the ISO alphabet) are
  // written '-', '.' and '_', so no check character reads like 1 or 0.
  it.each([
    ['156.130100/LAMP-5', '-'],
    ['156.130100/LAMP-2', '.'],
    ['156.130100/LAMP-1', '_'],
  ])('writes the check character of %s as %s, and parses it back in every form', (body, c) => {
    expect(identifierCheckChar(body)).toBe(c);
    const id = makeIdentifier(body.split('/')[0]!.split('.'), body.split('/')[1]!);
    expect(id.check).toBe(c);
    expect(id.text).toBe(`${body}:${c}`);
    expect(parseText(id.text)).toEqual(id);
    expect(parseText(id.text.toLowerCase())).toEqual(id);
    expect(parseDid(formatDid(id))).toEqual(id);
    expect(parseUrl(formatUrl(id))).toEqual(id);
    expect(parseUrl(formatUrl(id).replace(/:(.)$/, '%3A$1'))).toEqual(id);
    expect(fromCanonicalKey(body)).toEqual(id);
  });

  it('never writes I, O or Q as a check character', () => {
    const seen = new Set<string>();
    for (let n = 0; n < 2000; n++) seen.add(identifierCheckChar(`156.130100/B-${n}`));
    expect(seen.size).toBe(36);
    for (const c of 'IOQ/') expect(seen.has(c)).toBe(false);
    for (const c of '-._') expect(seen.has(c)).toBe(true);
  });

  it.each(['I', 'i', 'O', 'o', 'Q', 'q'])('refuses %s in the check position with ID_CHAR_EXCLUDED and its position', (c) => {
    // LAMP-5 has check value 18 (I in the ISO alphabet), LAMP-2 24 (O), LAMP-1 26 (Q): even the
    // value the letter stood for is refused when written with the letter.
    const body = { I: '156.130100/LAMP-5', O: '156.130100/LAMP-2', Q: '156.130100/LAMP-1' }[c.toUpperCase() as 'I' | 'O' | 'Q'];
    const e = fault(() => parseText(`${body}:${c}`), 'ID_CHAR_EXCLUDED', body.length + 1);
    expect(e.details).toMatchObject({ char: c, hint: c.toUpperCase() === 'I' ? 'write 1' : 'write 0' });
    expect(e.message).toMatch(/check character/);
    fault(() => parseDid(`did:urbis:${body.replace('/', ':')}:${c}`), 'ID_CHAR_EXCLUDED', 10 + body.length + 1);
    fault(() => parseUrl(`https://id.urbis.city/id/${body}%3A${c}`), 'ID_CHAR_EXCLUDED', 25 + body.length + 3);
  });

  it("accepts '_' only in the check position", () => {
    fault(() => parseText('156.130100/LAMP_1:_'), 'ID_CHAR_INVALID', 15);
    fault(() => parseText('156.130_100:7'), 'ID_CHAR_INVALID', 7);
    fault(() => parseDid('did:urbis:156.130100:LAMP_1:_'), 'ID_CHAR_INVALID', 25);
  });

  it('single-segment namespaces and single-character parts', () => {
    expect(parseText(withCheck('1')).namespace).toEqual(['1']);
    expect(parseText(withCheck('A/B')).local).toBe('B');
  });

  const cases: Array<[string, ErrorCode, number]> = [
    ['', 'ID_EMPTY', 0],
    ['156.130100', 'ID_CHECK_MISSING', 10],
    ['156.130100:', 'ID_CHECK_MISSING', 11],
    ['156.130100:77', 'ID_CHAR_INVALID', 12],
    ['156.130100:-', 'ID_CHECK_MISMATCH', 11],
    ['156.130100:/', 'ID_CHAR_INVALID', 11],
    ['156.130100:O', 'ID_CHAR_EXCLUDED', 11],
    ['156.130100:_7', 'ID_CHAR_INVALID', 12],
    ['156.130100:\u00e97', 'ID_CHAR_INVALID', 11],
    ['156.130100:7\u00e9', 'ID_CHAR_INVALID', 12],
    ['156.130100:8', 'ID_CHECK_MISMATCH', 11],
    ['156.13O100:7', 'ID_CHAR_EXCLUDED', 6],
    ['156.13o100:7', 'ID_CHAR_EXCLUDED', 6],
    ['156.1301QQ:7', 'ID_CHAR_EXCLUDED', 8],
    ['156.130100/LAMP-I:7', 'ID_CHAR_EXCLUDED', 16],
    ['156.130 100:7', 'ID_CHAR_INVALID', 7],
    ['156.130_100:7', 'ID_CHAR_INVALID', 7],
    ['156.13:0100:7', 'ID_CHAR_INVALID', 6],
    ['156.130100\u0131:7', 'ID_CHAR_INVALID', 10], // dotless i: no Unicode case folding
    ['156.\u{1F600}:7', 'ID_CHAR_INVALID', 4],
    ['\uFF21:7', 'ID_CHAR_INVALID', 0], // fullwidth A
    ['.156:7', 'ID_SEGMENT_INVALID', 0],
    ['156.:7', 'ID_SEGMENT_INVALID', 4],
    ['156..1:7', 'ID_SEGMENT_INVALID', 4],
    ['-156:7', 'ID_SEGMENT_INVALID', 0],
    ['156-:7', 'ID_SEGMENT_INVALID', 3],
    ['15--6:7', 'ID_SEGMENT_INVALID', 3],
    ['156.-A:7', 'ID_SEGMENT_INVALID', 4],
    ['/A:7', 'ID_SEGMENT_INVALID', 0],
    [':7', 'ID_SEGMENT_INVALID', 0],
    ['156/:7', 'ID_LOCAL_INVALID', 4],
    ['156/-A:7', 'ID_LOCAL_INVALID', 4],
    ['156/A-:7', 'ID_LOCAL_INVALID', 5],
    ['156/A--B:7', 'ID_LOCAL_INVALID', 6],
    ['156/A.B:7', 'ID_LOCAL_INVALID', 5],
    ['156/A/B:7', 'ID_LOCAL_INVALID', 5],
    ['1.2.3.4.5.6.7.8.9:7', 'ID_TOO_DEEP', 15],
    ['12345678901234567:7', 'ID_SEGMENT_INVALID', 16],
    ['1/' + '1'.repeat(65) + ':7', 'ID_LOCAL_INVALID', 66],
  ];
  it.each(cases)('%j → %s at %i', (input, code, position) => {
    fault(() => parseText(input), code, position);
  });

  it('reports segment, reason and hint details', () => {
    expect(fault(() => parseText('156..1:7'), 'ID_SEGMENT_INVALID').details).toEqual({ position: 4, reason: 'empty', segment: 1 });
    expect(fault(() => parseText('1I:7'), 'ID_CHAR_EXCLUDED').details).toEqual({ position: 1, char: 'I', hint: 'write 1' });
    expect(fault(() => parseText('1q:7'), 'ID_CHAR_EXCLUDED').details).toEqual({ position: 1, char: 'q', hint: 'write 0' });
    expect(fault(() => parseText('1/A-:7'), 'ID_LOCAL_INVALID').details).toEqual({ position: 3, reason: 'trailing-hyphen' });
  });

  it('reports the first fault from the left, and body faults before check faults', () => {
    fault(() => parseText('1O.I:Z'), 'ID_CHAR_EXCLUDED', 1);
    fault(() => parseText('1_:'), 'ID_CHAR_INVALID', 1);
    fault(() => parseText('1..'), 'ID_SEGMENT_INVALID', 2);
  });

  it('does not reveal the expected check character', () => {
    for (const wrong of CHECK_ALPHABET) {
      if (wrong === 'F') continue;
      const e = fault(() => parseText(`156.130100.42/LAMP-000017:${wrong}`), 'ID_CHECK_MISMATCH', 26);
      expect(e.message).toMatch(/typo or two swapped characters/);
      expect(e.message).not.toMatch(/'F'|\bF\b/);
      expect(JSON.stringify(e.details)).toBe('{"position":26}');
    }
  });

  it('limits: 8 levels, 16-char segments, 64-char local part, 200 characters in all', () => {
    const seg16 = 'ABCDEFGHJKLMNPRS';
    const ns8 = Array.from({ length: 8 }, () => seg16).join('.');
    expect(ns8.length).toBe(135);
    expect(parseText(withCheck(ns8)).namespace).toHaveLength(8);
    expect(parseText(withCheck('1/' + 'Z'.repeat(64))).local).toHaveLength(64);
    const max = withCheck(ns8 + '/' + 'Z'.repeat(62));
    expect(max.length).toBe(200);
    expect(parseText(max).text).toBe(max);
    const over = withCheck(ns8 + '/' + 'Z'.repeat(63));
    expect(fault(() => parseText(over), 'ID_TOO_LONG', 200).details).toEqual({ position: 200, max: 200 });
    fault(() => parseText('x'.repeat(100_000)), 'ID_TOO_LONG', 200);
  });

  it('rejects non-strings with a typed error', () => {
    for (const v of [undefined, null, 42, {}, ['1:2']]) {
      fault(() => parseText(v as unknown as string), 'ID_CHAR_INVALID', 0);
      fault(() => parseIdentifier(v as unknown as string), 'ID_CHAR_INVALID', 0);
    }
  });
});

describe('DID form', () => {
  it('formats and parses the spec examples', () => {
    const lamp = parseText(LAMP);
    expect(formatDid(lamp)).toBe('did:urbis:156.130100.42:LAMP-000017:F');
    expect(formatDid(parseText(CITY))).toBe('did:urbis:156.130100:7');
    expect(parseDid('did:urbis:156.130100.42:LAMP-000017:F')).toEqual(lamp);
    expect(parseDid('did:urbis:156.130100:7')).toEqual(parseText(CITY));
  });

  it('accepts the prefix in any case and the rest case-insensitively', () => {
    expect(parseDid('DID:URBIS:156.130100.42:LAMP-000017:F').text).toBe(LAMP);
    expect(parseDid('Did:Urbis:156.130100.42:lamp-000017:f').text).toBe(LAMP);
  });

  const cases: Array<[string, ErrorCode, number]> = [
    ['did:web:example.com', 'ID_DID_INVALID', 4],
    ['did:urbi', 'ID_DID_INVALID', 8],
    ['did:urbis:', 'ID_EMPTY', 10],
    ['did:urbis:156.130100', 'ID_CHECK_MISSING', 20],
    ['did:urbis:156.130100:LAMP-1', 'ID_CHAR_INVALID', 22], // object DID without its check character
    ['did:urbis:156.130100:8', 'ID_CHECK_MISMATCH', 21],
    ['did:urbis:156.130100:A:B:7', 'ID_DID_INVALID', 22],
    ['did:urbis:156.130100/LAMP-000017:F', 'ID_DID_INVALID', 20],
    ['did:urbis:156.130100#key-1:7', 'ID_DID_INVALID', 20],
    ['did:urbis:156.130100?x:7', 'ID_DID_INVALID', 20],
    ['did:urbis:156.13O100:7', 'ID_CHAR_EXCLUDED', 16],
    ['did:urbis::7', 'ID_SEGMENT_INVALID', 10],
    ['did:urbis:156::7', 'ID_LOCAL_INVALID', 14],
  ];
  it.each(cases)('%j → %s at %i', (input, code, position) => {
    fault(() => parseDid(input), code, position);
    fault(() => parseIdentifier(input), code, position);
  });

  it('limits the method-specific id to 200 characters', () => {
    const ns8 = Array.from({ length: 8 }, () => 'ABCDEFGHJKLMNPRS').join('.');
    const max = parseText(withCheck(ns8 + '/' + 'Z'.repeat(62)));
    expect(parseDid(formatDid(max))).toEqual(max);
    fault(() => parseDid(formatDid(max).replace('/', ':') + 'Z'), 'ID_TOO_LONG', 210);
  });
});

describe('URL form', () => {
  const lamp = parseText(LAMP);
  it('formats with the default or a given host', () => {
    expect(DEFAULT_URL_HOST).toBe('id.urbis.city');
    expect(formatUrl(lamp)).toBe('https://id.urbis.city/id/156.130100.42/LAMP-000017:F');
    expect(formatUrl(lamp, 'Resolver.Example:8443')).toBe('https://resolver.example:8443/id/156.130100.42/LAMP-000017:F');
    expect(formatUrl(lamp, 'http://localhost:8080')).toBe('http://localhost:8080/id/156.130100.42/LAMP-000017:F');
    expect(formatUrl(lamp, 'http://localhost:8080/')).toBe('http://localhost:8080/id/156.130100.42/LAMP-000017:F');
    fault(() => formatUrl(lamp, 'a@b'), 'ID_URL_INVALID', 1);
    fault(() => formatUrl(lamp, 'host/path'), 'ID_URL_INVALID');
    fault(() => formatUrl(lamp, ''), 'ID_URL_INVALID', 0);
  });

  it.each([
    'https://id.urbis.city/id/156.130100.42/LAMP-000017:F',
    'http://localhost:8080/id/156.130100.42/LAMP-000017:F',
    'https://[::1]:8443/id/156.130100.42/LAMP-000017:F',
    'https://other.example/id/156.130100.42/lamp-000017:f',
    'https://id.urbis.city/id/156.130100.42/LAMP-000017%3AF',
    'https://id.urbis.city/id/156.130100.42/LAMP-000017%3aF',
    'https://id.urbis.city/id/156.130100.42/LAMP-000017:F?src=label',
    'https://id.urbis.city/id/156.130100.42/LAMP-000017:F#HC1:6BFOXN',
    'https://id.urbis.city/id/156.130100.42/LAMP-000017%3AF?a=b#c',
    'HTTPS://ID.URBIS.CITY/ID/156.130100.42/LAMP-000017:F',
  ])('parses %s', (url) => {
    expect(parseUrl(url)).toEqual(lamp);
    expect(parseIdentifier(url)).toEqual(lamp);
  });

  const cases: Array<[string, ErrorCode, number]> = [
    ['https://', 'ID_URL_INVALID', 8],
    ['https:///id/156.130100:7', 'ID_URL_INVALID', 8],
    ['https://id.urbis.city@evil.example/id/156.130100:7', 'ID_URL_INVALID', 21],
    ['https://id.urbis.city', 'ID_URL_INVALID', 21],
    ['https://id.urbis.city/', 'ID_URL_INVALID', 22],
    ['https://id.urbis.city/x/156.130100:7', 'ID_URL_INVALID', 22],
    ['https://id.urbis.city/idx/156.130100:7', 'ID_URL_INVALID', 24],
    ['https://id.urbis.city/id/', 'ID_EMPTY', 25],
    ['https://id.urbis.city/id/?x', 'ID_EMPTY', 25],
    ['https://id.urbis.city/id/156.130100', 'ID_CHECK_MISSING', 35],
    ['https://id.urbis.city/id/156.130100?:7', 'ID_CHECK_MISSING', 35],
    ['https://id.urbis.city/id/156.130100%3A', 'ID_CHECK_MISSING', 38],
    ['https://id.urbis.city/id/156.130100:8', 'ID_CHECK_MISMATCH', 36],
    ['https://id.urbis.city/id/156.130100%3A8', 'ID_CHECK_MISMATCH', 38],
    ['https://id.urbis.city/id/156.130100:7/', 'ID_CHAR_INVALID', 37],
    ['https://id.urbis.city/id/156.1%33100:7', 'ID_URL_INVALID', 30],
    ['https://id.urbis.city/id/156.13O100:7', 'ID_CHAR_EXCLUDED', 31],
  ];
  it.each(cases)('%j → %s at %i', (input, code, position) => {
    fault(() => parseUrl(input), code, position);
    fault(() => parseIdentifier(input), code, position);
  });

  it('limits the identifier part to 200 characters and the URL to 4096', () => {
    const ns8 = Array.from({ length: 8 }, () => 'ABCDEFGHJKLMNPRS').join('.');
    const max = parseText(withCheck(ns8 + '/' + 'Z'.repeat(62)));
    const url = formatUrl(max);
    expect(parseUrl(url)).toEqual(max);
    expect(parseUrl(url.replace(/:(.)$/, '%3A$1'))).toEqual(max);
    const prefix = 'https://id.urbis.city/id/'.length;
    // One character too many, found in the body, at the ':' and at the check character.
    fault(() => parseUrl(url.replace('/ZZ', '/ZZZ')), 'ID_TOO_LONG', prefix + 200);
    const body199 = ns8 + '/' + 'Z'.repeat(63);
    fault(() => parseUrl(`https://h/id/${body199}:A`), 'ID_TOO_LONG', 13 + 200);
    fault(() => parseUrl(`https://h/id/${body199}%3AA`), 'ID_TOO_LONG', 13 + 199 + 3);
    fault(() => parseUrl(`https://h/id/${body199}Z%3AA`), 'ID_TOO_LONG', 13 + 199 + 1);
    fault(() => parseUrl(`https://h/id/${body199}ZZ`), 'ID_TOO_LONG', 13 + 200);
    fault(() => parseUrl(`https://h/id/1:7#${'x'.repeat(5000)}`), 'ID_TOO_LONG', 4096);
    expect(parseUrl(`https://h/id/156.130100:7#${'x'.repeat(3000)}`).text).toBe(CITY);
  });
});

describe('parseIdentifier', () => {
  it('detects the form', () => {
    const lamp = parseText(LAMP);
    for (const s of [LAMP, formatDid(lamp), formatUrl(lamp), formatUrl(lamp, 'http://127.0.0.1:3000')]) {
      expect(parseIdentifier(s)).toEqual(lamp);
    }
    fault(() => parseIdentifier('did:web:x'), 'ID_DID_INVALID', 4);
    // Not a URL prefix: read as text, whose check part is then '/x'.
    fault(() => parseIdentifier('http:/x'), 'ID_CHAR_INVALID', 5);
    // Wrong DID or URL prefixes: auto-detection reads them as text.
    fault(() => parseDid('dix:urbis:1:2'), 'ID_DID_INVALID', 2);
    fault(() => parseIdentifier('dix:urbis:1:2'), 'ID_CHAR_EXCLUDED', 1);
    fault(() => parseUrl('ftp://id.urbis.city/id/156.130100:7'), 'ID_URL_INVALID', 0);
    fault(() => parseIdentifier('ftp://id.urbis.city/id/156.130100:7'), 'ID_CHAR_INVALID', 3);
    fault(() => parseIdentifier(''), 'ID_EMPTY', 0);
  });
});

describe('makeIdentifier and helpers', () => {
  it('computes the check character and canonicalises', () => {
    const id = makeIdentifier(['156', '130100', '42'], 'lamp-000017');
    expect(id).toEqual(parseText(LAMP));
    expect(makeIdentifier(['156', '130100'], null)).toEqual(parseText(CITY));
    expect(isNamespaceId(makeIdentifier(['156'], null))).toBe(true);
    expect(isNamespaceId(id)).toBe(false);
  });

  it('refuses separators inside parts and reports positions in the joined form', () => {
    fault(() => makeIdentifier(['156.130100'], null), 'ID_SEGMENT_INVALID', 3);
    fault(() => makeIdentifier(['156', '1/2'], null), 'ID_SEGMENT_INVALID', 5);
    fault(() => makeIdentifier(['156'], 'A.B'), 'ID_LOCAL_INVALID', 5);
    fault(() => makeIdentifier(['156'], 'A:B'), 'ID_LOCAL_INVALID', 5);
    fault(() => makeIdentifier(['156', ''], null), 'ID_SEGMENT_INVALID', 4);
    fault(() => makeIdentifier(['156', 'A-'], null), 'ID_SEGMENT_INVALID', 5);
    fault(() => makeIdentifier(['156'], ''), 'ID_LOCAL_INVALID', 4);
    fault(() => makeIdentifier(['156', 'O'], null), 'ID_CHAR_EXCLUDED', 4);
    fault(() => makeIdentifier([], null), 'ID_EMPTY', 0);
    fault(
      () =>
        makeIdentifier(
          Array.from({ length: 9 }, () => '1'),
          null,
        ),
      'ID_TOO_DEEP',
    );
    fault(() => makeIdentifier('156' as unknown as string[], null), 'ID_SEGMENT_INVALID', 0);
    fault(() => makeIdentifier(['156', 7 as unknown as string], null), 'ID_SEGMENT_INVALID', 4);
    fault(() => makeIdentifier(['156'], 7 as unknown as string), 'ID_LOCAL_INVALID', 4);
    const ns8 = Array.from({ length: 8 }, () => 'ABCDEFGHJKLMNPRS');
    expect(makeIdentifier(ns8, 'Z'.repeat(62)).text).toHaveLength(200);
    fault(() => makeIdentifier(ns8, 'Z'.repeat(63)), 'ID_TOO_LONG');
  });

  it('validateSegment / validateLocal', () => {
    expect(validateSegment('abc-1')).toBe('ABC-1');
    expect(validateSegment('ABCDEFGHJKLMNPRS')).toBe('ABCDEFGHJKLMNPRS');
    fault(() => validateSegment('ABCDEFGHJKLMNPRST'), 'ID_SEGMENT_INVALID', 16);
    fault(() => validateSegment('a.b'), 'ID_SEGMENT_INVALID', 1);
    fault(() => validateSegment('a/b'), 'ID_SEGMENT_INVALID', 1);
    fault(() => validateSegment('a:b'), 'ID_CHAR_INVALID', 1);
    fault(() => validateSegment(''), 'ID_SEGMENT_INVALID', 0);
    fault(() => validateSegment('io'), 'ID_CHAR_EXCLUDED', 0);
    expect(validateLocal('lamp-000017')).toBe('LAMP-000017');
    expect(validateLocal('Z'.repeat(64))).toBe('Z'.repeat(64));
    fault(() => validateLocal('Z'.repeat(65)), 'ID_LOCAL_INVALID', 64);
    fault(() => validateLocal('a.b'), 'ID_LOCAL_INVALID', 1);
    fault(() => validateLocal('a/b'), 'ID_LOCAL_INVALID', 1);
    fault(() => validateLocal('a--b'), 'ID_LOCAL_INVALID', 2);
    fault(() => validateLocal(''), 'ID_LOCAL_INVALID', 0);
  });

  it('parseNamespacePath', () => {
    expect(parseNamespacePath('156.130100')).toEqual(['156', '130100']);
    expect(parseNamespacePath('156.abc')).toEqual(['156', 'ABC']);
    expect(parseNamespacePath('156.130100:7')).toEqual(['156', '130100']);
    fault(() => parseNamespacePath('156.130100:8'), 'ID_CHECK_MISMATCH', 11);
    fault(() => parseNamespacePath('156.130100:'), 'ID_CHECK_MISSING', 11);
    fault(() => parseNamespacePath('156.130100/A'), 'ID_SEGMENT_INVALID', 10);
    fault(() => parseNamespacePath(withCheck('156.130100/A')), 'ID_SEGMENT_INVALID', 10);
    fault(() => parseNamespacePath(''), 'ID_EMPTY', 0);
    fault(() => parseNamespacePath('1.2.3.4.5.6.7.8.9'), 'ID_TOO_DEEP', 15);
  });

  it('parentNamespace, namespaceString, canonicalKey, fromCanonicalKey', () => {
    expect(parentNamespace('156.130100.42')).toBe('156.130100');
    expect(parentNamespace('156.abc.42')).toBe('156.ABC');
    expect(parentNamespace('156')).toBeNull();
    fault(() => parentNamespace('156.130100:7'), 'ID_CHAR_INVALID', 10);
    fault(() => parentNamespace('156/A'), 'ID_SEGMENT_INVALID', 3);
    fault(() => parentNamespace(''), 'ID_EMPTY', 0);
    const lamp: Identifier = parseText(LAMP);
    expect(namespaceString(lamp)).toBe('156.130100.42');
    expect(canonicalKey(lamp)).toBe('156.130100.42/LAMP-000017');
    expect(canonicalKey(parseText(CITY))).toBe('156.130100');
    expect(fromCanonicalKey('156.130100.42/LAMP-000017')).toEqual(lamp);
    expect(fromCanonicalKey('156.130100')).toEqual(parseText(CITY));
    fault(() => fromCanonicalKey(LAMP), 'ID_CHAR_INVALID', 25);
    expect(formatText(lamp)).toBe(LAMP);
  });
});

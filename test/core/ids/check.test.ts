// Tests of ISO/IEC 7064 MOD 37,36 (src/core/ids/check.ts) against the published vectors, and the
// exact error-detection properties that docs/protocol.md (Identifiers) states.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  CHECK_ALPHABET,
  ISO_ALPHABET,
  ID_ALPHANUMERICS,
  ID_SEPARATORS,
  MOD3736_INITIAL_STATE,
  identifierCheckChar,
  mod3736Check,
  mod3736CheckFromState,
  mod3736Step,
  mod3736Valid,
  formatDid,
  formatUrl,
  parseDid,
  parseText,
  parseUrl,
} from '../../../src/core/ids/index.js';
import { isUrbisError } from '../../../src/core/errors.js';

interface Vec {
  input: string;
  check: string;
  full: string;
}
interface Bad {
  value: string;
}
const vectors = JSON.parse(readFileSync(new URL('../../vectors/iso7064-mod37-36.json', import.meta.url), 'utf8')) as {
  algorithm: { alphabet: string };
  published: Vec[];
  computed: Vec[];
  invalidPublished: Bad[];
  invalidComputed: Bad[];
};

const values = (s: string): number[] => [...s].map((ch) => ISO_ALPHABET.indexOf(ch));

describe('ISO/IEC 7064 MOD 37,36 (generic, standard alphabet)', () => {
  it('uses the alphabet of the vector file', () => {
    expect(vectors.algorithm.alphabet).toBe(ISO_ALPHABET);
  });

  it.each([...vectors.published, ...vectors.computed])('computes and validates $full', (v) => {
    expect(ISO_ALPHABET[mod3736Check(values(v.input))]).toBe(v.check);
    expect(mod3736Valid(values(v.input), ISO_ALPHABET.indexOf(v.check))).toBe(true);
    expect(v.full).toBe(v.input + v.check);
  });

  it.each([...vectors.invalidPublished, ...vectors.invalidComputed])('rejects $value', (v) => {
    const vals = values(v.value);
    expect(vals.every((x) => x >= 0)).toBe(true);
    expect(mod3736Valid(vals.slice(0, -1), vals[vals.length - 1]!)).toBe(false);
  });

  it('counts 9 published vectors (no silent empty list)', () => {
    expect(vectors.published.length).toBeGreaterThanOrEqual(9);
    expect(vectors.invalidPublished.length + vectors.invalidComputed.length).toBeGreaterThan(2);
  });

  it('rejects values outside 0..35 with a typed error', () => {
    for (const bad of [-1, 36, 1.5, Number.NaN]) {
      try {
        mod3736Check([1, bad]);
        expect.unreachable();
      } catch (e) {
        expect(isUrbisError(e, 'ID_CHAR_INVALID')).toBe(true);
        expect((e as { details: { position: number } }).details.position).toBe(1);
      }
    }
    expect(mod3736Valid([1, 2], 36)).toBe(false);
    expect(mod3736Valid([1, 2], -1)).toBe(false);
  });

  it('empty input: the check of nothing completes the initial state', () => {
    expect(mod3736Check([])).toBe(mod3736CheckFromState(MOD3736_INITIAL_STATE));
    expect(mod3736Valid([], mod3736Check([]))).toBe(true);
  });
});

describe('MOD 37,36 error detection over the state machine (exhaustive)', () => {
  const states = Array.from({ length: 36 }, (_, i) => i + 1);

  it('every step is a bijection on the states 1..36, for every value', () => {
    for (let a = 0; a < 36; a++) {
      const images = new Set(states.map((p) => mod3736Step(p, a)));
      expect(images.size).toBe(36);
      expect(Math.min(...images)).toBe(1);
      expect(Math.max(...images)).toBe(36);
    }
  });

  it('detects every single substitution: a ≠ b always leads to different states', () => {
    for (const p of states) {
      const after = new Set(Array.from({ length: 36 }, (_, a) => mod3736Step(p, a)));
      expect(after.size).toBe(36);
    }
  });

  it('misses exactly the transpositions (18−P, 19−P) mod 36: 72 of 45,360', () => {
    // A transposition ab → ba is undetected iff both orders reach the same state: the later
    // steps are bijections and the final test (P + c) mod 36 = 1 separates all states 1..36.
    const missed: Array<[number, number, number]> = [];
    let total = 0;
    for (const p of states) {
      for (let a = 0; a < 36; a++) {
        for (let b = 0; b < 36; b++) {
          if (a === b) continue;
          total++;
          if (mod3736Step(mod3736Step(p, a), b) === mod3736Step(mod3736Step(p, b), a)) missed.push([p, a, b]);
        }
      }
    }
    expect(total).toBe(45_360);
    const mod = (x: number): number => ((x % 36) + 36) % 36;
    const predicted = states.flatMap((p): Array<[number, number, number]> => [
      [p, mod(18 - p), mod(19 - p)],
      [p, mod(19 - p), mod(18 - p)],
    ]);
    const key = (t: [number, number, number]): string => t.join(',');
    expect(missed.map(key).sort()).toEqual(predicted.map(key).sort());
    expect(missed.length).toBe(72);
  });

  it('the final test separates all states: exactly one check value completes each state', () => {
    for (const p of states) {
      const ok = Array.from({ length: 36 }, (_, c) => c).filter((c) => (p + c) % 36 === 1);
      expect(ok).toEqual([mod3736CheckFromState(p)]);
    }
  });
});

describe('identifier value mapping', () => {
  it('maps the 36 identifier symbols onto 0..35 (a bijection)', () => {
    const symbols = ID_ALPHANUMERICS + ID_SEPARATORS;
    expect(symbols.length).toBe(36);
    // Single-character bodies: the check of x is distinct for each x iff the values are distinct.
    const checks = new Set([...symbols].map((s) => identifierCheckChar(s)));
    expect(checks.size).toBe(36);
  });

  it('gives the separators the values of I, O, Q and standard values to the rest', () => {
    const std = (s: string): string => CHECK_ALPHABET[mod3736Check(values(s))]!;
    expect(identifierCheckChar('156.130100.42/LAMP-000017')).toBe(std('156O130100O42QLAMPI000017'));
    expect(identifierCheckChar('156.130100')).toBe(std('156O130100'));
    expect(identifierCheckChar('abc-1')).toBe(std('ABCI1'));
  });

  it('rejects characters outside the alphabet with positions', () => {
    expect(() => identifierCheckChar('15:6')).toThrowError(expect.objectContaining({ code: 'ID_CHAR_INVALID', details: { position: 2 } }));
    expect(() => identifierCheckChar('1O')).toThrowError(expect.objectContaining({ code: 'ID_CHAR_EXCLUDED' }));
  });
});

// Urbis-specific vectors (test/vectors/urbis-check-characters.json, provenance in the file):
// docs/protocol.md (Identifiers) §2 writes check values 18, 24, 26 as '-', '.', '_'.
interface UrbisVec {
  body: string;
  value: number;
  check: string;
  isoCheck: string;
  text: string;
  did: string;
  url: string;
}
const urbisVectors = JSON.parse(readFileSync(new URL('../../vectors/urbis-check-characters.json', import.meta.url), 'utf8')) as {
  algorithm: { checkAlphabet: string };
  valid: UrbisVec[];
  invalid: Array<{ text: string; code: string; position: number }>;
};

describe('Urbis check characters (vectors)', () => {
  it('uses the check alphabet of the vector file: ISO order, no I, O, Q, DID- and URL-safe', () => {
    expect(urbisVectors.algorithm.checkAlphabet).toBe(CHECK_ALPHABET);
    expect(CHECK_ALPHABET).toHaveLength(36);
    expect(new Set(CHECK_ALPHABET).size).toBe(36);
    expect(CHECK_ALPHABET).not.toMatch(/[IOQ/]/);
    // W3C DID Core §3.1: idchar = ALPHA / DIGIT / "." / "-" / "_" / pct-encoded.
    expect(CHECK_ALPHABET).toMatch(/^[A-Za-z0-9._-]+$/);
    // RFC 3986 §2.3 unreserved characters need no percent-encoding in a URL path.
    for (const c of CHECK_ALPHABET) expect(encodeURIComponent(c)).toBe(c);
    expect([CHECK_ALPHABET[18], CHECK_ALPHABET[24], CHECK_ALPHABET[26]]).toEqual(['-', '.', '_']);
    for (let v = 0; v < 36; v++) if (![18, 24, 26].includes(v)) expect(CHECK_ALPHABET[v]).toBe(ISO_ALPHABET[v]);
  });

  it('covers the three special values', () => {
    for (const v of [18, 24, 26]) expect(urbisVectors.valid.some((x) => x.value === v)).toBe(true);
  });

  it.each(urbisVectors.valid)('$text', (v) => {
    expect(identifierCheckChar(v.body)).toBe(v.check);
    expect(ISO_ALPHABET[v.value]).toBe(v.isoCheck);
    const id = parseText(v.text);
    expect(id.check).toBe(v.check);
    expect(formatDid(id)).toBe(v.did);
    expect(formatUrl(id)).toBe(v.url);
    expect(parseDid(v.did)).toEqual(id);
    expect(parseUrl(v.url)).toEqual(id);
  });

  it.each(urbisVectors.invalid)('rejects $text with $code at $position', (v) => {
    try {
      parseText(v.text);
      expect.unreachable();
    } catch (e) {
      expect(isUrbisError(e)).toBe(true);
      expect((e as { code: string }).code).toBe(v.code);
      expect((e as { details: { position: number } }).details.position).toBe(v.position);
    }
  });
});

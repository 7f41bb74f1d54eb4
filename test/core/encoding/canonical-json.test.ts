// RFC 8785 (JCS) conformance: vectors from test/vectors/jcs-rfc8785.json (see its `source`) plus
// refusal of everything outside I-JSON, and fast-check properties.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { canonicalBytes, canonicalJson, CANONICAL_JSON_MAX_DEPTH } from '../../../src/core/encoding/canonical-json.js';
import { sha256 } from '../../../src/core/crypto/index.js';
import { toHex, utf8Encode } from '../../../src/core/encoding/bytes.js';
import { isUrbisError } from '../../../src/core/errors.js';

interface Case {
  name: string;
  input: string;
  expected: string;
  expectedHex: string;
}
const V = JSON.parse(readFileSync(new URL('../../vectors/jcs-rfc8785.json', import.meta.url), 'utf8')) as {
  canonicalization: { cases: Case[] };
  rfc8785Examples: Case[];
  numberSerialization: { samples: { ieee754: string; expected: string | null; error?: boolean }[] };
  es6NumberSamples: { samples: { ieee754: string; expected: string }[] };
  es6NumberSamples1000: { publishedSha256OfLines: string; pairs: [string, string][] };
};

function double(hex: string): number {
  const dv = new DataView(new ArrayBuffer(8));
  dv.setBigUint64(0, BigInt('0x' + hex));
  return dv.getFloat64(0);
}

function expectEncErr(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    expect(isUrbisError(e, 'ENC_JSON_INVALID')).toBe(true);
    return;
  }
  expect.unreachable('expected ENC_JSON_INVALID');
}

describe('canonicalJson: RFC 8785 vectors', () => {
  for (const c of [...V.canonicalization.cases, ...V.rfc8785Examples]) {
    it(c.name, () => {
      const out = canonicalJson(JSON.parse(c.input));
      expect(out).toBe(c.expected);
      expect(toHex(canonicalBytes(JSON.parse(c.input)))).toBe(c.expectedHex);
    });
  }

  it('Appendix B number serialization, NaN/Infinity refused', () => {
    for (const s of V.numberSerialization.samples) {
      const d = double(s.ieee754);
      if (s.error) expectEncErr(() => canonicalJson(d));
      else expect(canonicalJson(d)).toBe(s.expected);
    }
  });

  it('ES6 number samples', () => {
    for (const s of V.es6NumberSamples.samples) expect(canonicalJson(double(s.ieee754))).toBe(s.expected);
  });

  it('first 1000 es6testfile lines, whose SHA-256 is the published one', () => {
    let lines = '';
    for (const [hex, expected] of V.es6NumberSamples1000.pairs) {
      const got = canonicalJson(double(hex));
      expect(got).toBe(expected);
      lines += `${hex},${got}\n`;
    }
    expect(toHex(sha256(utf8Encode(lines)))).toBe(V.es6NumberSamples1000.publishedSha256OfLines);
  });
});

describe('canonicalJson: refusals', () => {
  class Thing {
    a = 1;
  }
  const bad: [string, unknown][] = [
    ['undefined', undefined],
    ['function', () => 1],
    ['symbol', Symbol('x')],
    ['bigint', 1n],
    ['NaN', NaN],
    ['Infinity', Infinity],
    ['-Infinity', [-Infinity]],
    ['Date', new Date(0)],
    ['Map', new Map()],
    ['Set', new Set()],
    ['Uint8Array', new Uint8Array(2)],
    ['class instance', new Thing()],
    ['boxed number', Object(1)],
    ['RegExp', /x/],
    ['undefined member', { a: undefined }],
    ['undefined element', [1, undefined]],
    ['array hole', [1, , 2]], // eslint-disable-line no-sparse-arrays
    ['lone high surrogate', 'a\uD800b'],
    ['lone low surrogate', '\uDC00'],
    ['reversed pair', '\uDC00\uD800'],
    ['lone surrogate in key', { '\uD800': 1 }],
    ['symbol key', { [Symbol('k')]: 1 }],
  ];
  for (const [name, v] of bad) it(name, () => expectEncErr(() => canonicalJson(v)));

  it('cycles', () => {
    const o: Record<string, unknown> = {};
    o.self = o;
    expectEncErr(() => canonicalJson(o));
    const a: unknown[] = [];
    a.push(a);
    expectEncErr(() => canonicalJson(a));
  });

  it('shared (non-cyclic) references are fine', () => {
    const x = { v: 1 };
    expect(canonicalJson({ a: x, b: [x, x] })).toBe('{"a":{"v":1},"b":[{"v":1},{"v":1}]}');
  });

  it('depth limit', () => {
    let v: unknown = 1;
    for (let i = 0; i < CANONICAL_JSON_MAX_DEPTH; i++) v = [v];
    expect(() => canonicalJson(v)).not.toThrow();
    expectEncErr(() => canonicalJson([v]));
    const deep = JSON.parse('['.repeat(100_000) + ']'.repeat(100_000));
    expectEncErr(() => canonicalJson(deep));
  });

  it('reports the path of the fault', () => {
    let path: unknown;
    try {
      canonicalJson({ a: [1, { b: NaN }] });
    } catch (e) {
      path = isUrbisError(e) ? e.details?.path : undefined;
    }
    expect(path).toBe('$.a[1].b');
  });
});

describe('canonicalJson: details', () => {
  it('surrogate pairs and null-prototype objects are accepted', () => {
    expect(canonicalJson({ '\uD83D\uDE00': 'x' })).toBe('{"😀":"x"}');
    const o = Object.create(null) as Record<string, unknown>;
    o.b = 2;
    o.a = 1;
    expect(canonicalJson(o)).toBe('{"a":1,"b":2}');
  });
  it('-0 is 0, control characters are escaped in lowercase', () => {
    expect(canonicalJson([-0, '\u001f\u007f\b'])).toBe('[0,"\\u001f\u007f\\b"]');
  });
  it('sorts by UTF-16 code units, not code points', () => {
    // U+FB01 (one unit 0xFB01) sorts after U+1F600 (units 0xD83D 0xDE00)
    expect(canonicalJson({ '\uFB01': 1, '\uD83D\uDE00': 2 })).toBe('{"😀":2,"ﬁ":1}');
  });
});

// fast-check's JSON arbitraries can produce -0 and lone surrogates; restrict to what JCS accepts.
const jsonValue = fc.jsonValue({ maxDepth: 4 }).filter((v) => {
  try {
    canonicalJson(v);
    return true;
  } catch {
    return false;
  }
});

function shuffleKeys(v: unknown, rnd: () => number): unknown {
  if (Array.isArray(v)) return v.map((x) => shuffleKeys(x, rnd));
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i > 0; i--) {
      const j = Math.floor(rnd() * (i + 1));
      [entries[i], entries[j]] = [entries[j]!, entries[i]!];
    }
    return Object.fromEntries(entries.map(([k, x]) => [k, shuffleKeys(x, rnd)]));
  }
  return v;
}

describe('canonicalJson: properties', () => {
  it('is a fixed point of parse ∘ canonicalJson', () => {
    fc.assert(
      fc.property(jsonValue, (v) => {
        const c = canonicalJson(v);
        expect(canonicalJson(JSON.parse(c))).toBe(c);
      }),
      { numRuns: 300 },
    );
  });
  it('does not depend on member order', () => {
    fc.assert(
      fc.property(jsonValue, fc.integer(), (v, seed) => {
        let s = seed >>> 0;
        const rnd = () => (s = (s * 1103515245 + 12345) >>> 0) / 2 ** 32;
        expect(canonicalJson(shuffleKeys(v, rnd))).toBe(canonicalJson(v));
      }),
      { numRuns: 300 },
    );
  });
  it('agrees with JSON.stringify on what JSON.stringify can express', () => {
    fc.assert(
      fc.property(jsonValue, (v) => {
        expect(JSON.parse(canonicalJson(v))).toEqual(JSON.parse(JSON.stringify(v)));
      }),
      { numRuns: 200 },
    );
  });
});

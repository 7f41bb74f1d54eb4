// Property tests (fast-check) for the identifier codec (docs/protocol.md (Identifiers)): lossless forms,
// canonical case, and typed errors only on arbitrary input.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  ID_ALPHANUMERICS,
  canonicalKey,
  formatDid,
  formatText,
  formatUrl,
  fromCanonicalKey,
  makeIdentifier,
  parentNamespace,
  parseDid,
  parseIdentifier,
  parseNamespacePath,
  parseText,
  parseUrl,
  validateLocal,
  validateSegment,
} from '../../../src/core/ids/index.js';
import { UrbisError } from '../../../src/core/errors.js';

const alnum = fc.constantFrom(...ID_ALPHANUMERICS);
/** A run of alphanumerics and single inner hyphens, at most `max` characters. */
const run = (max: number): fc.Arbitrary<string> =>
  fc
    .array(
      fc.array(alnum, { minLength: 1, maxLength: 6 }).map((a) => a.join('')),
      { minLength: 1, maxLength: 12 },
    )
    .map((parts) => parts.join('-').slice(0, max).replace(/-+$/, ''));

const parts = fc
  .record({
    namespace: fc.array(run(16), { minLength: 1, maxLength: 8 }),
    local: fc.option(run(64), { nil: null }),
  })
  .filter(({ namespace, local }) => namespace.join('.').length + (local === null ? 0 : local.length + 1) + 2 <= 200);

const ids = parts.map(({ namespace, local }) => makeIdentifier(namespace, local));

/** Randomly lower-cases letters. */
const mixCase = (s: string, mask: boolean[]): string => [...s].map((ch, i) => (mask[i % Math.max(1, mask.length)] ? ch.toLowerCase() : ch)).join('');

describe('properties', () => {
  it('text → DID → URL → text is lossless and parse(format(x)) = x', () => {
    fc.assert(
      fc.property(ids, (id) => {
        expect(parseText(formatText(id))).toEqual(id);
        expect(parseDid(formatDid(id))).toEqual(id);
        expect(parseUrl(formatUrl(id))).toEqual(id);
        expect(parseUrl(formatUrl(id, 'http://localhost:8080'))).toEqual(id);
        const viaAll = parseUrl(formatUrl(parseDid(formatDid(parseText(id.text)))));
        expect(formatText(viaAll)).toBe(id.text);
        for (const s of [formatText(id), formatDid(id), formatUrl(id)]) expect(parseIdentifier(s)).toEqual(id);
        expect(fromCanonicalKey(canonicalKey(id))).toEqual(id);
      }),
      { numRuns: 300 },
    );
  });

  it('makeIdentifier agrees with the parts validators and the namespace helpers', () => {
    fc.assert(
      fc.property(parts, ({ namespace, local }) => {
        const id = makeIdentifier(namespace, local);
        expect(id.namespace).toEqual(namespace.map(validateSegment));
        expect(id.local).toBe(local === null ? null : validateLocal(local));
        expect(parseNamespacePath(namespace.join('.'))).toEqual(id.namespace);
        const parent = parentNamespace(namespace.join('.'));
        expect(parent).toBe(namespace.length === 1 ? null : namespace.slice(0, -1).join('.'));
      }),
      { numRuns: 200 },
    );
  });

  it('lowercase input parses to the same canonical identifier, in every form', () => {
    fc.assert(
      fc.property(ids, fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }), (id, mask) => {
        expect(parseText(mixCase(id.text, mask))).toEqual(id);
        expect(parseText(id.text.toLowerCase())).toEqual(id);
        expect(parseIdentifier(mixCase(formatDid(id), mask))).toEqual(id);
        expect(parseIdentifier(mixCase(formatUrl(id), mask))).toEqual(id);
        expect(parseIdentifier(formatUrl(id).toUpperCase())).toEqual(id);
      }),
      { numRuns: 200 },
    );
  });

  const hostile = fc.oneof(
    fc.string({ maxLength: 80 }),
    fc.string({ unit: 'binary', maxLength: 40 }),
    fc.string({ unit: fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcioq-./:%3#?@'), maxLength: 60 }),
    fc
      .constantFrom('did:urbis:', 'https://h/id/', 'http://localhost/id/', 'did:', 'https://')
      .chain((p) => fc.string({ unit: fc.constantFrom(...'0125AZaioq-./:%3#?'), maxLength: 40 }).map((s) => p + s)),
    ids.chain((id) =>
      fc.tuple(fc.nat(), fc.constantFrom(...'0ZIOQ-./:%x')).map(([i, ch]) => {
        const t = formatUrl(id);
        const k = i % t.length;
        return t.slice(0, k) + ch + t.slice(k + 1);
      }),
    ),
  );

  it('arbitrary strings never throw anything but UrbisError with a position inside or at the end of the input', () => {
    const fns = [parseIdentifier, parseText, parseDid, parseUrl, parseNamespacePath, parentNamespace, validateSegment, validateLocal, fromCanonicalKey];
    fc.assert(
      fc.property(hostile, (s) => {
        for (const f of fns) {
          try {
            f(s);
          } catch (e) {
            expect(e).toBeInstanceOf(UrbisError);
            const pos = (e as UrbisError).details?.['position'];
            expect(typeof pos).toBe('number');
            expect(pos as number).toBeGreaterThanOrEqual(0);
            expect(pos as number).toBeLessThanOrEqual(s.length);
          }
        }
      }),
      { numRuns: 1500 },
    );
  });

  it('whatever parses is canonical and re-parses to itself', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        let id;
        try {
          id = parseIdentifier(s);
        } catch {
          return;
        }
        expect(id.text).toBe(id.text.toUpperCase());
        expect(parseText(id.text)).toEqual(id);
        expect(parseIdentifier(formatDid(id))).toEqual(id);
      }),
      { numRuns: 1000 },
    );
  });
});

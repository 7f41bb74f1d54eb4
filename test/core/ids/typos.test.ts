// Exhaustive typo detection on sample identifiers (docs/protocol.md (Identifiers) §"What the check catches"):
// every single substitution is rejected; adjacent transpositions are rejected except exactly the
// documented class (values 18−P and 19−P mod 36 in hybrid state P).
import { describe, expect, it } from 'vitest';
import {
  CHECK_ALPHABET,
  ID_ALPHANUMERICS,
  ID_SEPARATORS,
  MOD3736_INITIAL_STATE,
  formatDid,
  identifierCheckChar,
  mod3736Step,
  parseDid,
  parseText,
  type Identifier,
} from '../../../src/core/ids/index.js';
import { UrbisError, type ErrorCode } from '../../../src/core/errors.js';

const SAMPLES = [
  '156.130100.42/LAMP-000017',
  '156.130100',
  '156.130100.42/LAMP-000578', // contains an undetected transposition (78 ↔ 87), see the spec
  '840.NYC-1.DEP/CAM-2041-A',
  '276.BER.BVG/BUS-4711',
  '1',
  'Z/9',
  'A1.B2.C3.D4.E5.F6.G7.H8/ZYXWVUTSRPNMLKJHGFEDCBA9876543210',
].map((b) => `${b}:${identifierCheckChar(b)}`);

const SYNTAX: ReadonlySet<ErrorCode> = new Set([
  'ID_EMPTY',
  'ID_TOO_LONG',
  'ID_CHAR_INVALID',
  'ID_CHAR_EXCLUDED',
  'ID_SEGMENT_INVALID',
  'ID_TOO_DEEP',
  'ID_LOCAL_INVALID',
  'ID_CHECK_MISSING',
]);

// An oracle for the grammar written independently of the scanner (regular expressions are fine in a test).
const RUN = /^[0-9A-HJ-NPR-Z]+(?:-[0-9A-HJ-NPR-Z]+)*$/i;
function syntacticallyValid(t: string): boolean {
  if (t.length > 200) return false;
  const m = /^([^:]*):([0-9A-HJ-NPR-Z._-])$/i.exec(t);
  if (!m) return false;
  const [ns, ...rest] = m[1]!.split('/');
  if (rest.length > 1) return false;
  const segs = ns!.split('.');
  if (segs.length > 8 || !segs.every((s) => s.length <= 16 && RUN.test(s))) return false;
  return rest.length === 0 || (rest[0]!.length <= 64 && RUN.test(rest[0]!));
}

type Outcome = { ok: Identifier } | { code: ErrorCode };
function outcome(f: () => Identifier): Outcome {
  try {
    return { ok: f() };
  } catch (e) {
    if (!(e instanceof UrbisError)) throw e;
    expect(typeof e.details?.['position']).toBe('number');
    return { code: e.code };
  }
}

const value = (ch: string): number => (ch === '/' ? 26 : CHECK_ALPHABET.indexOf(ch));

const BODY_SYMBOLS = [...ID_ALPHANUMERICS, ...ID_SEPARATORS];
const SUBSTITUTES = [...BODY_SYMBOLS, ...ID_ALPHANUMERICS.replace(/[0-9]/g, '').toLowerCase(), ...'IOQioq:_ é\u0131'];

describe('single substitutions (every position, every symbol)', () => {
  it.each(SAMPLES)('%s', (original) => {
    expect(parseText(original).text).toBe(original);
    let mismatches = 0;
    for (let i = 0; i < original.length; i++) {
      const candidates = i === original.length - 1 ? [...CHECK_ALPHABET, ...CHECK_ALPHABET.toLowerCase(), ...'IOQioq/:'] : SUBSTITUTES;
      for (const ch of candidates) {
        if (ch.toUpperCase() === original[i]) continue; // same symbol, not a substitution
        const t = original.slice(0, i) + ch + original.slice(i + 1);
        const r = outcome(() => parseText(t));
        expect('ok' in r, `${t} was accepted`).toBe(false);
        const code = (r as { code: ErrorCode }).code;
        if (syntacticallyValid(t)) {
          expect(code, t).toBe('ID_CHECK_MISMATCH');
          mismatches++;
        } else {
          expect(SYNTAX.has(code), `${t}: ${code}`).toBe(true);
        }
      }
    }
    expect(mismatches).toBeGreaterThan(0);
  });
});

describe('adjacent transpositions', () => {
  it.each(SAMPLES)('%s: rejected except the documented class', (original) => {
    const colon = original.length - 2;
    let p = MOD3736_INITIAL_STATE;
    let undetected = 0;
    for (let i = 0; i + 1 < original.length; i++) {
      const a = original[i]!;
      const b = original[i + 1]!;
      const stateBefore = p;
      if (i < colon) p = mod3736Step(p, value(a));
      if (a === b) continue;
      const t = original.slice(0, i) + b + a + original.slice(i + 2);
      const r = outcome(() => parseText(t));
      if (i + 1 >= colon) {
        // The pair involves ':' or the check character: always a syntax fault.
        expect(syntacticallyValid(t)).toBe(false);
        expect('code' in r && SYNTAX.has(r.code), t).toBe(true);
        continue;
      }
      if (!syntacticallyValid(t)) {
        expect('code' in r && SYNTAX.has(r.code), `${t}: ${JSON.stringify(r)}`).toBe(true);
        continue;
      }
      const va = value(a);
      const vb = value(b);
      const inClass =
        (va === (((18 - stateBefore) % 36) + 36) % 36 && vb === (((19 - stateBefore) % 36) + 36) % 36) ||
        (vb === (((18 - stateBefore) % 36) + 36) % 36 && va === (((19 - stateBefore) % 36) + 36) % 36);
      if (inClass) {
        undetected++;
        expect('ok' in r && r.ok.text === t.toUpperCase(), t).toBe(true);
        expect(Math.abs(va - vb) === 1 || Math.abs(va - vb) === 35).toBe(true);
      } else {
        expect('code' in r && r.code, t).toBe('ID_CHECK_MISMATCH');
      }
    }
    if (original.startsWith('156.130100.42/LAMP-000578')) expect(undetected).toBe(1);
  });

  it('the documented example: LAMP-000578 and LAMP-000587 share the check character L', () => {
    expect(parseText('156.130100.42/LAMP-000578:L').text).toBe('156.130100.42/LAMP-000578:L');
    expect(parseText('156.130100.42/LAMP-000587:L').text).toBe('156.130100.42/LAMP-000587:L');
  });

  it.each(SAMPLES)('%s: the DID form behaves like the text form', (original) => {
    const did = formatDid(parseText(original));
    const msid = did.slice('did:urbis:'.length);
    // In the DID, the first ':' of an object id stands for '/': same values, same outcomes.
    const textOf = (m: string): string => {
      const parts = m.split(':');
      return parts.length === 3 ? `${parts[0]}/${parts[1]}:${parts[2]}` : m;
    };
    for (let i = 0; i + 1 < msid.length; i++) {
      if (msid[i] === msid[i + 1]) continue;
      const m = msid.slice(0, i) + msid[i + 1] + msid[i] + msid.slice(i + 2);
      const rd = outcome(() => parseDid('did:urbis:' + m));
      if (m.split(':').length > 3 || /:[^:]*\./.test(m.slice(0, m.lastIndexOf(':')))) {
        // Structure changed so that no text form corresponds (e.g. '.' moved into the local part).
        expect('code' in rd, m).toBe(true);
        continue;
      }
      const rt = outcome(() => parseText(textOf(m)));
      if ('ok' in rt) expect('ok' in rd && rd.ok.text, m).toBe(rt.ok.text);
      else expect('code' in rd, m).toBe(true);
    }
  });
});

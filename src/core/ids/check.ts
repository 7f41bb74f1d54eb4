/**
 * ISO/IEC 7064 MOD 37,36 (hybrid system) check character, and its use in Urbis identifiers.
 *
 * Spec: docs/protocol.md (Identifiers) §2 and §4. The generic functions work on values 0..35 and
 * reproduce the published ISO 7064 examples (GRid, ISAN) with the standard alphabet 0-9A-Z
 * (test/vectors/iso7064-mod37-36.json). The identifier mapping gives each of the 36 identifier symbols
 * (33 alphanumerics + `-` `.` `/`) a distinct value, so every single substitution is detected. Urbis
 * writes the check value with {@link CHECK_ALPHABET}, never with I, O or Q
 * (test/vectors/urbis-check-characters.json).
 */

import { fail } from '../errors.js';

/** Modulus M of MOD 37,36. */
const M = 36;

/** The standard ISO 7064 alphabet for M = 36: character i has value i (the generic functions' vectors). */
export const ISO_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

/**
 * How Urbis writes a check value 0..35 (docs/protocol.md (Identifiers) §2): the identifier symbol of
 * that value, except that 26 (Q) is `_`, not `/`: `/` is neither allowed in a DID's idchar
 * (W3C DID Core §3.1) nor unambiguous at the end of a URL path. So 18 → `-`, 24 → `.`, 26 → `_`, and
 * the check character is never one of the look-alikes I, O, Q.
 */
export const CHECK_ALPHABET = '0123456789ABCDEFGH-JKLMN.P_RSTUVWXYZ';

/** The 33 identifier alphanumerics: 0-9 and A-Z without I, O, Q (they read like 1 and 0). */
export const ID_ALPHANUMERICS = '0123456789ABCDEFGHJKLMNPRSTUVWXYZ';

/** The identifier separators; they take the values of the excluded letters I, O and Q. */
export const ID_SEPARATORS = '-./';

/**
 * Hybrid-system transition table: `NEXT[P * 36 + a]` is the state after value `a` in state `P`.
 * States are 1..36 (`2R mod 37` with R in 1..36 is never 0); row 0 is unused. A table keeps the
 * per-character cost of the hot parse path to one load.
 */
const NEXT = /* @__PURE__ */ (() => {
  const t = new Uint8Array((M + 1) * M);
  for (let p = 1; p <= M; p++) {
    for (let a = 0; a < M; a++) {
      const r = (p + a) % M || M;
      t[p * M + a] = (2 * r) % (M + 1);
    }
  }
  return t;
})();

/** State of the hybrid system before any character (P₀ = M). */
export const MOD3736_INITIAL_STATE = M;

/**
 * One step of the MOD 37,36 hybrid system: the state after value `a` in state `p`.
 * Exposed for tests and for documentation of the transposition limit; `p` in 1..36, `a` in 0..35.
 */
export function mod3736Step(p: number, a: number): number {
  return NEXT[p * M + a]!;
}

/**
 * The check value that completes state `p`: the c in 0..35 with (p + c) mod 36 = 1.
 */
export function mod3736CheckFromState(p: number): number {
  return (M + 1 - p) % M;
}

function runState(values: readonly number[]): number {
  let p = M;
  for (let i = 0; i < values.length; i++) {
    const a = values[i];
    if (typeof a !== 'number' || !Number.isInteger(a) || a < 0 || a >= M) {
      fail('ID_CHAR_INVALID', `value ${String(a)} at index ${i} is not an integer in 0..35`, { position: i });
    }
    p = NEXT[p * M + a]!;
  }
  return p;
}

/**
 * Computes the ISO/IEC 7064 MOD 37,36 check value of a sequence of values.
 *
 * @param values - character values, each an integer in 0..35, left to right
 * @returns the check value in 0..35 (the ISO alphabet prints it as {@link ISO_ALPHABET}[c]; Urbis
 *   identifiers as {@link CHECK_ALPHABET}[c])
 * @throws UrbisError `ID_CHAR_INVALID` (details.position = index) if a value is out of range
 * @example mod3736Check([...'A12425GABC1234002'].map((c) => ISO_ALPHABET.indexOf(c))) // 22 ('M')
 */
export function mod3736Check(values: readonly number[]): number {
  return mod3736CheckFromState(runState(values));
}

/**
 * Verifies a MOD 37,36 check value.
 *
 * @param values - character values before the check value, each an integer in 0..35
 * @param check - the check value; anything but an integer in 0..35 is simply invalid
 * @returns true if `check` is the check value of `values`
 * @throws UrbisError `ID_CHAR_INVALID` if one of `values` is out of range
 */
export function mod3736Valid(values: readonly number[], check: number): boolean {
  const p = runState(values);
  if (!Number.isInteger(check) || check < 0 || check >= M) return false;
  return (p + check) % M === 1;
}

/**
 * `ID_VALUE[c]`: MOD 37,36 value of an identifier symbol (either case), or 255 if c is not one.
 * Standard ISO values for 0-9A-Z, and `-` = 18 (I), `.` = 24 (O), `/` = 26 (Q): a bijection of the
 * 36 symbols onto 0..35.
 */
export const ID_VALUE = /* @__PURE__ */ (() => {
  const t = new Uint8Array(128).fill(255);
  for (const ch of ID_ALPHANUMERICS) {
    const v = ISO_ALPHABET.indexOf(ch);
    t[ch.charCodeAt(0)] = v;
    t[ch.toLowerCase().charCodeAt(0)] = v;
  }
  t[0x2d] = 18;
  t[0x2e] = 24;
  t[0x2f] = 26;
  return t;
})();

/**
 * `CHECK_VALUE[c]`: value of a check character of {@link CHECK_ALPHABET} (letters in either case), or
 * 255. I, O and Q are not check characters.
 */
export const CHECK_VALUE = /* @__PURE__ */ (() => {
  const t = new Uint8Array(128).fill(255);
  for (let v = 0; v < M; v++) {
    const ch = CHECK_ALPHABET[v]!;
    t[ch.charCodeAt(0)] = v;
    t[ch.toLowerCase().charCodeAt(0)] = v;
  }
  return t;
})();

/** Internal: the transition table, for the scanner's inner loop. */
export const MOD3736_NEXT: Uint8Array = NEXT;

/**
 * The check character of an identifier body (the text form before `:`).
 *
 * Only the alphabet is checked here, not the grammar: callers that allocate identifiers use
 * {@link makeIdentifier} instead, which validates the grammar first.
 *
 * @param body - e.g. `156.130100.42/LAMP-000017` (either case)
 * @returns one character of {@link CHECK_ALPHABET} (never I, O or Q)
 * @throws UrbisError `ID_CHAR_INVALID` / `ID_CHAR_EXCLUDED` with details.position
 */
export function identifierCheckChar(body: string): string {
  let p = M;
  for (let i = 0; i < body.length; i++) {
    const c = body.charCodeAt(i);
    const v = c < 128 ? ID_VALUE[c]! : 255;
    if (v === 255) {
      if (c === 0x49 || c === 0x4f || c === 0x51 || c === 0x69 || c === 0x6f || c === 0x71) {
        fail('ID_CHAR_EXCLUDED', `'${body[i]}' at position ${i} is not used in identifiers`, { position: i, char: body[i] });
      }
      fail('ID_CHAR_INVALID', `character at position ${i} is not in the identifier alphabet`, { position: i });
    }
    p = NEXT[p * M + v]!;
  }
  return CHECK_ALPHABET[mod3736CheckFromState(p)]!;
}

/**
 * JSON Canonicalization Scheme (RFC 8785, "JCS"), own implementation.
 *
 * Spec: docs/protocol.md (Encoding) §1. Pure.
 *
 * - Values are limited to the I-JSON data model (RFC 7493) that JCS builds on (RFC 8785 §3.1):
 *   null, booleans, finite numbers, strings without lone surrogates, arrays, plain objects.
 *   Anything else (undefined, functions, symbols, bigint, NaN/±Infinity, Date, Map, typed arrays,
 *   class instances, cycles) is refused rather than silently dropped or converted the way
 *   JSON.stringify would, because a signature over a lossy encoding signs something else than the
 *   caller thinks.
 * - Numbers: ECMAScript Number::toString (RFC 8785 §3.2.2.3), which is what JSON.stringify emits for
 *   finite numbers (-0 becomes 0).
 * - Strings: RFC 8785 §3.2.2.2, identical to ECMAScript JSON.stringify for well-formed strings
 *   (escapes only `"`, `\` and U+0000..U+001F, using \b \t \n \f \r or lowercase \u00xx).
 * - Object members sorted by their names as arrays of UTF-16 code units (RFC 8785 §3.2.3), which is
 *   the default order of Array.prototype.sort on strings.
 */
import { fail } from '../errors.js';
import { utf8Encode } from './bytes.js';

/**
 * Maximum nesting of arrays and objects. JSON.parse builds deep values from short hostile input;
 * this keeps the recursion far from the engine's stack limit.
 */
export const CANONICAL_JSON_MAX_DEPTH = 256;

// A high surrogate not followed by a low one, or a low surrogate not preceded by a high one.
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * Path of the value being serialised, as segments (`.name` or `[i]`). Kept as a stack and joined
 * only when an error is reported: building a path string for every member was a measurable share
 * of hashing a transaction.
 */
type Path = string[];

function at(path: Path): string {
  return '$' + path.join('');
}

function str(s: string, path: Path): string {
  if (LONE_SURROGATE.test(s)) {
    fail('ENC_JSON_INVALID', 'A string contains a lone surrogate (not valid Unicode, refused by I-JSON).', { path: at(path) });
  }
  return JSON.stringify(s);
}

function isPlainObject(v: object): boolean {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (typeof v !== 'object') return typeof v;
  const ctor = (v as { constructor?: { name?: unknown } }).constructor;
  return typeof ctor?.name === 'string' && ctor.name !== '' ? ctor.name : 'object';
}

function ser(v: unknown, path: Path, seen: Set<object>): string {
  switch (typeof v) {
    case 'string':
      return str(v, path);
    case 'number':
      if (!Number.isFinite(v)) fail('ENC_JSON_INVALID', `${String(v)} has no JSON representation.`, { path: at(path) });
      return JSON.stringify(v);
    case 'boolean':
      return v ? 'true' : 'false';
    case 'object': {
      if (v === null) return 'null';
      if (path.length >= CANONICAL_JSON_MAX_DEPTH) {
        fail('ENC_JSON_INVALID', `The value nests deeper than ${CANONICAL_JSON_MAX_DEPTH} levels.`, { path: at(path) });
      }
      if (seen.has(v)) fail('ENC_JSON_INVALID', 'The value contains a cycle.', { path: at(path) });
      if (Array.isArray(v)) {
        seen.add(v);
        let out = '[';
        for (let i = 0; i < v.length; i++) {
          const item: unknown = v[i];
          path.push(`[${i}]`);
          if (item === undefined) fail('ENC_JSON_INVALID', 'An array element is undefined (or a hole).', { path: at(path) });
          out += (i === 0 ? '' : ',') + ser(item, path, seen);
          path.pop();
        }
        seen.delete(v);
        return out + ']';
      }
      if (!isPlainObject(v)) {
        fail('ENC_JSON_INVALID', `A ${describe(v)} is not a plain JSON object.`, { path: at(path) });
      }
      if (Object.getOwnPropertySymbols(v).length > 0) {
        fail('ENC_JSON_INVALID', 'An object has symbol-keyed properties.', { path: at(path) });
      }
      seen.add(v);
      const rec = v as Record<string, unknown>;
      // Default sort compares UTF-16 code units, exactly RFC 8785 §3.2.3.
      const keys = Object.keys(rec).sort();
      let out = '{';
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i]!;
        const item = rec[k];
        path.push(`.${k}`);
        if (item === undefined) fail('ENC_JSON_INVALID', 'An object member is undefined.', { path: at(path) });
        out += (i === 0 ? '' : ',') + str(k, path) + ':' + ser(item, path, seen);
        path.pop();
      }
      seen.delete(v);
      return out + '}';
    }
    default:
      // undefined, function, symbol, bigint
      return fail('ENC_JSON_INVALID', `A ${typeof v} has no JSON representation.`, { path: at(path) });
  }
}

/**
 * The RFC 8785 canonical JSON text of a value.
 * @param value - null, boolean, finite number, string, array or plain object, recursively.
 * @returns the canonical text (no whitespace, sorted members, ECMAScript numbers).
 * @throws UrbisError ENC_JSON_INVALID (with `details.path`, e.g. `$.a[2]`) if the value contains
 *   anything outside the I-JSON model: undefined, a function, a symbol, a bigint, NaN or ±Infinity, a
 *   string with a lone surrogate, a non-plain object (Date, Map, typed array, class instance), a
 *   symbol-keyed property, a cycle, or nesting deeper than {@link CANONICAL_JSON_MAX_DEPTH}.
 * @example canonicalJson({ b: 1, a: [true, 'x'] }) // '{"a":[true,"x"],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  return ser(value, [], new Set());
}

/**
 * UTF-8 bytes of {@link canonicalJson}: the exact bytes that Urbis hashes and signs.
 * @throws UrbisError ENC_JSON_INVALID as {@link canonicalJson}.
 */
export function canonicalBytes(value: unknown): Uint8Array {
  return utf8Encode(canonicalJson(value));
}

/**
 * The first member name that occurs twice in one object of a JSON text, with its path, or null.
 * JSON.parse keeps the last of duplicate members (RFC 8259 §4 leaves the behaviour open), so two
 * parsers can read different values from the same bytes; a signed document must not have any
 * (RFC 7493 §2.3). `text` must be valid JSON (parse it first).
 */
export function firstDuplicateKey(text: string): string | null {
  let i = 0;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
  };
  const str = (): string => {
    const start = i;
    i++; // opening quote
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  // Iterative over a stack of open containers; depth is bounded by what JSON.parse accepted.
  const stack: Array<{ keys: Set<string> | null; path: string }> = [];
  let found: string | null = null;
  const value = (path: string): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      stack.push({ keys: c === '{' ? new Set() : null, path });
      i++;
      return;
    }
    if (c === '"') str();
    else while (i < text.length && !',]} \t\n\r'.includes(text[i]!)) i++;
  };
  value('$');
  while (stack.length > 0 && found === null) {
    ws();
    const top = stack[stack.length - 1]!;
    const c = text[i];
    if (c === '}' || c === ']') {
      i++;
      stack.pop();
      continue;
    }
    if (c === ',') i++;
    ws();
    if (text[i] === '}' || text[i] === ']') continue;
    if (top.keys) {
      const k = str();
      const path = `${top.path}.${k}`;
      if (top.keys.has(k)) found = path;
      top.keys.add(k);
      ws();
      i++; // colon
      value(path);
    } else {
      value(`${top.path}[]`);
    }
  }
  return found;
}

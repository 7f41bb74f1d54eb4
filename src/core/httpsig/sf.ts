/**
 * The part of RFC 8941 (Structured Field Values for HTTP) that RFC 9421 needs: Dictionaries whose
 * members are Inner Lists or Items, with Parameters; bare items of type Integer, Decimal, String,
 * Token, Byte Sequence and Boolean. Pure.
 *
 * Parsing follows RFC 8941 §4.2 strictly (a field that does not parse fails as a whole, §4.2), and
 * every input is attacker-controlled: sizes are bounded before any work is done.
 */
import { fail } from '../errors.js';
import { fromBase64 as decodeBase64, toBase64 } from '../encoding/bytes.js';

/** A bare item (RFC 8941 §3.3). Tokens are kept apart from strings: they serialise differently. */
export type BareItem = number | string | boolean | Uint8Array | { token: string };

/** Parameters (RFC 8941 §3.1.2), in order. */
export type Params = Array<[string, BareItem]>;

export interface Item {
  value: BareItem;
  params: Params;
}

export interface InnerList {
  items: Item[];
  params: Params;
}

export type Member = { kind: 'item'; item: Item } | { kind: 'inner'; list: InnerList };

/** Largest field value accepted, in characters. */
export const MAX_FIELD_LENGTH = 8192;

const KEY_RE = /^[a-z*][a-z0-9_\-.*]*$/;

function bad(message: string, at?: number): never {
  fail('HTTPSIG_MALFORMED', at === undefined ? message : `${message} (at character ${at})`, at === undefined ? undefined : { position: at });
}

// --- base64 (RFC 4648 §4, with padding), as Byte Sequences use it (RFC 8941 §3.3.5) -------------

/** Standard base64 (RFC 4648 §4) as Byte Sequences use it: the encoding module's. */
export { toBase64 };

/**
 * Decodes standard padded base64 strictly (length a multiple of 4, padding only at the end, zero
 * trailing bits).
 * @throws UrbisError HTTPSIG_MALFORMED.
 */
export function fromBase64(s: string): Uint8Array {
  try {
    return decodeBase64(s);
  } catch (e) {
    bad((e as Error).message.replace(/^A base64 string/, 'a byte sequence'));
  }
}

// --- serialisation (RFC 8941 §4.1) ----------------------------------------------------------------

/** Serialises a bare item (§4.1.3). @throws UrbisError HTTPSIG_MALFORMED for a value out of range. */
export function serializeBareItem(v: BareItem): string {
  if (typeof v === 'boolean') return v ? '?1' : '?0';
  if (typeof v === 'number') {
    if (!Number.isInteger(v) || Math.abs(v) > 999_999_999_999_999) bad('only integers of up to 15 digits are serialised');
    return String(v);
  }
  if (typeof v === 'string') {
    if (!/^[\x20-\x7e]*$/.test(v)) bad('a string item may hold only printable ASCII');
    return `"${v.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
  }
  if (v instanceof Uint8Array) return `:${toBase64(v)}:`;
  if (!/^[A-Za-z*][\x21-\x7e]*$/.test(v.token) || /[\s"(),;<=>?@[\\\]{}]/.test(v.token.replace(/[:/]/g, ''))) bad('malformed token');
  return v.token;
}

/** Serialises parameters (§4.1.1.2); a `true` boolean is written as the bare key. */
export function serializeParams(params: Params): string {
  let out = '';
  for (const [k, v] of params) {
    if (!KEY_RE.test(k)) bad(`malformed parameter key "${k.slice(0, 32)}"`);
    out += v === true ? `;${k}` : `;${k}=${serializeBareItem(v)}`;
  }
  return out;
}

/** Serialises an inner list (§4.1.1.1). */
export function serializeInnerList(l: InnerList): string {
  return `(${l.items.map((i) => serializeBareItem(i.value) + serializeParams(i.params)).join(' ')})${serializeParams(l.params)}`;
}

// --- parsing (RFC 8941 §4.2) ----------------------------------------------------------------------

class Parser {
  i = 0;
  constructor(readonly s: string) {}
  peek(): string {
    return this.s[this.i] ?? '';
  }
  sp(): void {
    while (this.s[this.i] === ' ') this.i++;
  }
  ows(): void {
    while (this.s[this.i] === ' ' || this.s[this.i] === '\t') this.i++;
  }
  key(): string {
    const start = this.i;
    if (!/[a-z*]/.test(this.peek())) bad('a key must start with a lowercase letter or "*"', this.i);
    while (/[a-z0-9_\-.*]/.test(this.peek())) this.i++;
    return this.s.slice(start, this.i);
  }
  params(): Params {
    const out: Params = [];
    while (this.peek() === ';') {
      this.i++;
      this.sp();
      const k = this.key();
      let v: BareItem = true;
      if (this.peek() === '=') {
        this.i++;
        v = this.bare();
      }
      const at = out.findIndex(([x]) => x === k);
      if (at >= 0) out.splice(at, 1); // §4.2.3.2: a later duplicate overwrites
      out.push([k, v]);
    }
    return out;
  }
  bare(): BareItem {
    const c = this.peek();
    if (c === '-' || (c >= '0' && c <= '9')) return this.number();
    if (c === '"') return this.string();
    if (c === ':') return this.bytes();
    if (c === '?') {
      this.i++;
      const b = this.peek();
      if (b !== '0' && b !== '1') bad('a boolean must be ?0 or ?1', this.i);
      this.i++;
      return b === '1';
    }
    if (/[A-Za-z*]/.test(c)) {
      const start = this.i;
      while (/[\x21-\x7e]/.test(this.peek()) && !/[\s"(),;<=>?@[\\\]{}]/.test(this.peek())) this.i++;
      return { token: this.s.slice(start, this.i) };
    }
    bad('expected an item', this.i);
  }
  number(): number {
    const m = /^-?(\d{1,15})(\.\d{1,3})?/.exec(this.s.slice(this.i, this.i + 20));
    if (!m) bad('malformed number', this.i);
    if (m[2] !== undefined && m[1]!.length > 12) bad('a decimal has more than 12 integer digits', this.i);
    this.i += m[0].length;
    if (/[0-9.]/.test(this.peek())) bad('malformed number', this.i);
    return Number(m[0]);
  }
  string(): string {
    this.i++;
    let out = '';
    for (;;) {
      const c = this.s[this.i++];
      if (c === undefined) bad('unterminated string', this.i);
      if (c === '\\') {
        const n = this.s[this.i++];
        if (n !== '"' && n !== '\\') bad('a string may escape only " and \\', this.i);
        out += n;
      } else if (c === '"') {
        return out;
      } else {
        const code = c.charCodeAt(0);
        if (code < 0x20 || code > 0x7e) bad('a string may hold only printable ASCII', this.i);
        out += c;
      }
    }
  }
  bytes(): Uint8Array {
    const end = this.s.indexOf(':', this.i + 1);
    if (end < 0) bad('unterminated byte sequence', this.i);
    const b = fromBase64(this.s.slice(this.i + 1, end));
    this.i = end + 1;
    return b;
  }
  innerList(): InnerList {
    this.i++; // '('
    const items: Item[] = [];
    for (;;) {
      this.sp();
      if (this.peek() === ')') {
        this.i++;
        return { items, params: this.params() };
      }
      const value = this.bare();
      items.push({ value, params: this.params() });
      const c = this.peek();
      if (c !== ' ' && c !== ')') bad('inner list items must be separated by spaces', this.i);
      if (items.length > 64) bad('too many items in an inner list');
    }
  }
}

/**
 * Parses a Dictionary field (RFC 8941 §4.2.2). Later duplicate keys overwrite earlier ones.
 * @throws UrbisError HTTPSIG_MALFORMED on any syntax error or an oversized field.
 */
export function parseDictionary(field: string): Map<string, Member> {
  if (field.length > MAX_FIELD_LENGTH) bad(`the field is longer than ${MAX_FIELD_LENGTH} characters`);
  const p = new Parser(field);
  const out = new Map<string, Member>();
  p.sp();
  while (p.i < field.length) {
    const k = p.key();
    let m: Member;
    if (p.peek() === '=') {
      p.i++;
      m = p.peek() === '(' ? { kind: 'inner', list: p.innerList() } : { kind: 'item', item: { value: p.bare(), params: p.params() } };
    } else {
      m = { kind: 'item', item: { value: true, params: p.params() } };
    }
    out.delete(k);
    out.set(k, m);
    if (out.size > 32) bad('too many dictionary members');
    p.ows();
    if (p.i >= field.length) break;
    if (p.peek() !== ',') bad('dictionary members must be separated by commas', p.i);
    p.i++;
    p.ows();
    if (p.i >= field.length) bad('trailing comma', p.i);
  }
  return out;
}

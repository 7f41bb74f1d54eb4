/**
 * Deterministic CBOR (RFC 8949 §4.2.1 "Core Deterministic Encoding Requirements"), the subset that
 * COSE_Sign1 labels and trust bundles need: unsigned and negative integers within the safe-integer
 * range, byte strings, text strings, arrays, maps with integer or text keys, tags, false, true, null.
 *
 * Spec: docs/codes.md §2. Pure.
 *
 * Why not a general library: the decoder must refuse every second encoding of a value (RFC 8949
 * §4.2.1: preferred serialisation of arguments, definite lengths only, map keys sorted bytewise by
 * their encoding, no duplicate keys) because label bytes are attacker-controlled and their unsigned
 * parts (the COSE unprotected header) must not be malleable. General decoders check some of these
 * (cborg's `strict` checks integer sizes) but not map key order; a 200-line decoder for the subset
 * checks all of them in one place and has no dependency to audit in the browser bundle.
 */
import { fail } from '../errors.js';
import { utf8Decode, utf8Encode } from '../encoding/index.js';

/** A tagged data item (RFC 8949 §3.4). */
export class CborTag {
  constructor(
    readonly tag: number,
    readonly value: CborValue,
  ) {}
}

/** Values of the supported subset. Maps are `Map`s so that integer keys stay integers. */
export type CborValue = number | string | boolean | null | Uint8Array | CborValue[] | CborMap | CborTag;
export type CborMap = Map<number | string, CborValue>;

/** Decoding limits; everything decoded is attacker-controlled. */
export interface CborDecodeOptions {
  /** Deepest nesting of arrays, maps and tags (default 16). */
  maxDepth?: number;
  /** Tags allowed anywhere in the item (default none). */
  tags?: readonly number[];
}

// --- encoding --------------------------------------------------------------------------------------

class Writer {
  private buf = new Uint8Array(256);
  len = 0;

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < this.len + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.len));
    this.buf = next;
  }

  byte(b: number): void {
    this.ensure(1);
    this.buf[this.len++] = b;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
  }

  /** The head of a data item: major type and argument in preferred (shortest) form, §4.2.1. */
  head(major: number, n: number): void {
    const m = major << 5;
    if (n < 24) this.byte(m | n);
    else if (n < 0x100) {
      this.byte(m | 24);
      this.byte(n);
    } else if (n < 0x10000) {
      this.byte(m | 25);
      this.byte(n >>> 8);
      this.byte(n & 0xff);
    } else if (n < 0x100000000) {
      this.byte(m | 26);
      for (let s = 24; s >= 0; s -= 8) this.byte((n >>> s) & 0xff);
    } else {
      this.byte(m | 27);
      const hi = Math.floor(n / 0x100000000);
      const lo = n >>> 0;
      for (let s = 24; s >= 0; s -= 8) this.byte((hi >>> s) & 0xff);
      for (let s = 24; s >= 0; s -= 8) this.byte((lo >>> s) & 0xff);
    }
  }

  result(): Uint8Array {
    return this.buf.slice(0, this.len);
  }
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function write(w: Writer, v: CborValue, depth: number): void {
  if (depth > 64) fail('CBOR_INVALID', 'CBOR value nested too deeply to encode.');
  if (typeof v === 'number') {
    if (!Number.isSafeInteger(v)) fail('CBOR_INVALID', `CBOR encoding supports safe integers only, got ${v}.`);
    if (v >= 0) w.head(0, v);
    else w.head(1, -1 - v);
  } else if (typeof v === 'string') {
    const b = utf8Encode(v);
    w.head(3, b.length);
    w.bytes(b);
  } else if (v instanceof Uint8Array) {
    w.head(2, v.length);
    w.bytes(v);
  } else if (Array.isArray(v)) {
    w.head(4, v.length);
    for (const x of v) write(w, x, depth + 1);
  } else if (v instanceof Map) {
    // §4.2.1: keys sorted by the bytewise lexicographic order of their deterministic encodings.
    const pairs = [...v.entries()].map(([k, x]) => {
      if (typeof k !== 'string' && !(typeof k === 'number' && Number.isSafeInteger(k))) fail('CBOR_INVALID', 'CBOR map keys must be integers or text.');
      return [encodeCbor(k), x] as const;
    });
    pairs.sort((a, b) => compareBytes(a[0], b[0]));
    w.head(5, pairs.length);
    for (const [k, x] of pairs) {
      w.bytes(k);
      write(w, x, depth + 1);
    }
  } else if (v instanceof CborTag) {
    w.head(6, v.tag);
    write(w, v.value, depth + 1);
  } else if (v === false) w.byte(0xf4);
  else if (v === true) w.byte(0xf5);
  else if (v === null) w.byte(0xf6);
  else fail('CBOR_INVALID', 'Value outside the supported CBOR subset.');
}

/**
 * Deterministic encoding (RFC 8949 §4.2.1) of a value.
 * @throws UrbisError CBOR_INVALID for values outside the subset (floats, unsafe integers, other keys)
 * @example encodeCbor(new Map([[1, -8]])) // a1 01 27
 */
export function encodeCbor(v: CborValue): Uint8Array {
  const w = new Writer();
  write(w, v, 0);
  return w.result();
}

// --- decoding --------------------------------------------------------------------------------------

function bad(message: string, offset: number): never {
  fail('CBOR_INVALID', `${message} (byte ${offset})`, { offset });
}

class Reader {
  pos = 0;
  constructor(
    readonly b: Uint8Array,
    readonly maxDepth: number,
    readonly tags: readonly number[],
  ) {}

  /** Reads a head; returns [major, argument]. Rejects non-preferred arguments and indefinite lengths. */
  head(): [number, number, number] {
    const start = this.pos;
    if (this.pos >= this.b.length) bad('unexpected end of CBOR data', start);
    const ib = this.b[this.pos++]!;
    const major = ib >> 5;
    const ai = ib & 31;
    if (ai < 24) return [major, ai, ib];
    if (ai > 27) bad(ai === 31 ? 'indefinite lengths are not deterministic CBOR' : 'reserved additional information', start);
    const size = 1 << (ai - 24);
    if (this.pos + size > this.b.length) bad('unexpected end of CBOR data', start);
    let n = 0;
    for (let i = 0; i < size; i++) n = n * 256 + this.b[this.pos++]!;
    if (major === 7) return [major, n, ib]; // simple values and floats: refused by the caller
    const min = size === 1 ? 24 : size === 2 ? 0x100 : size === 4 ? 0x10000 : 0x100000000;
    if (n < min) bad('integer or length not in its shortest form', start);
    if (n > Number.MAX_SAFE_INTEGER) bad('integer beyond the supported range', start);
    return [major, n, ib];
  }

  take(n: number): Uint8Array {
    if (n > this.b.length - this.pos) bad('length runs past the end of the CBOR data', this.pos);
    const out = this.b.slice(this.pos, this.pos + n);
    this.pos += n;
    return out;
  }

  item(depth: number): CborValue {
    if (depth > this.maxDepth) bad('CBOR nested too deeply', this.pos);
    const start = this.pos;
    const [major, n, ib] = this.head();
    switch (major) {
      case 0:
        return n;
      case 1:
        return -1 - n;
      case 2:
        return this.take(n);
      case 3:
        try {
          return utf8Decode(this.take(n));
        } catch {
          return bad('text string is not valid UTF-8', start);
        }
      case 4: {
        // Each item takes at least one byte: a length beyond what is left is a lie, caught before allocating.
        if (n > this.b.length - this.pos) bad('array longer than the data', start);
        const out: CborValue[] = [];
        for (let i = 0; i < n; i++) out.push(this.item(depth + 1));
        return out;
      }
      case 5: {
        if (n * 2 > this.b.length - this.pos) bad('map longer than the data', start);
        const out: CborMap = new Map();
        let prev: Uint8Array | null = null;
        for (let i = 0; i < n; i++) {
          const ks = this.pos;
          const k = this.item(depth + 1);
          if (typeof k !== 'number' && typeof k !== 'string') bad('map keys must be integers or text', ks);
          const kb = this.b.subarray(ks, this.pos);
          if (prev !== null) {
            const c = compareBytes(prev, kb);
            if (c === 0) bad('duplicate map key', ks);
            if (c > 0) bad('map keys not in deterministic (bytewise) order', ks);
          }
          prev = kb;
          out.set(k, this.item(depth + 1));
        }
        return out;
      }
      case 6:
        if (!this.tags.includes(n)) bad(`tag ${n} is not allowed here`, start);
        return new CborTag(n, this.item(depth + 1));
      default:
        if (ib === 0xf4) return false;
        if (ib === 0xf5) return true;
        if (ib === 0xf6) return null;
        return bad('floating-point and simple values are not supported', start);
    }
  }
}

/**
 * Decodes exactly one deterministic CBOR data item that spans all of `bytes`.
 *
 * Attacker-controlled input: every length is checked against the bytes left before anything is
 * allocated, nesting is bounded, and any second encoding of a value is refused.
 * @throws UrbisError CBOR_INVALID with `details.offset`
 */
export function decodeCbor(bytes: Uint8Array, opts: CborDecodeOptions = {}): CborValue {
  if (!(bytes instanceof Uint8Array)) fail('CBOR_INVALID', 'CBOR input must be bytes.');
  const r = new Reader(bytes, opts.maxDepth ?? 16, opts.tags ?? []);
  const v = r.item(0);
  if (r.pos !== bytes.length) bad('trailing bytes after the CBOR item', r.pos);
  return v;
}

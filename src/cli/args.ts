/**
 * Parsers of command arguments and flag values: identifiers, namespaces, keys, integers, dates,
 * links, services. Commander argument parsers throw InvalidArgumentError (exit 2).
 */
import { InvalidArgumentError } from 'commander';
import { parseIdentifier, parseNamespacePath, type Identifier } from '../core/ids/index.js';
import { type Link, type NameRule, type PrivateRef, type Service } from '../core/ledger/types.js';

import { idRef } from '../core/ledger/state.js';
import { UrbisError } from '../core/errors.js';
import { usage } from './failure.js';

/** Parses an identifier in any form, check character required (typos are caught, not "not found"). */
export function parseIdArg(input: string): Identifier {
  return parseIdentifier(input.trim());
}

/** Like {@link parseIdArg} but refuses namespace identifiers. Returns the id and its store reference (`<namespace>/<local>`). */
export function parseObjectIdArg(input: string): { id: Identifier; key: string } {
  const id = parseIdArg(input);
  if (id.local === null) usage(`${id.text} names a namespace; use "urbis ns show ${id.namespace.join('.')}"`);
  return { id, key: idRef(id.namespace.join('.'), id.local) };
}

/** Canonical namespace path from a path (`156.130100`, check character optional), DID or URL. */
export function parseNsArg(input: string): string {
  const s = input.trim();
  if (/^(did:|https?:\/\/)/i.test(s)) {
    const id = parseIdentifier(s);
    if (id.local !== null) usage(`${id.text} is an object identifier, not a namespace`);
    return id.namespace.join('.');
  }
  return parseNamespacePath(s).join('.');
}

/** A Multikey, also accepted as `did:key:<multikey>`. Validity is checked by the ledger's parser. */
export function keyArg(s: string): string {
  const t = s.trim();
  return t.startsWith('did:key:') ? t.slice('did:key:'.length) : t;
}

// Option parsers (commander argument parsers throw InvalidArgumentError → exit 2)

/**
 * A `--max-age` duration: `30s`, `15m`, `12h`, `7d` or plain milliseconds.
 * @throws UrbisError CLI_USAGE.
 */
export function parseDuration(s: string): number {
  const m = /^([0-9]{1,12})(ms|s|m|h|d)?$/.exec(s.trim());
  if (!m) throw new UrbisError('CLI_USAGE', `--max-age expects a duration like 30s, 15m, 12h or 7d, got "${s}"`);
  const unit = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 }[m[2] ?? 'ms']!;
  return Number(m[1]) * unit;
}

/** Integer option parser with a lower bound. */
export function intArg(min: number): (v: string) => number {
  return (v: string) => {
    if (!/^\d+$/.test(v.trim())) throw new InvalidArgumentError(`must be an integer ≥ ${min}`);
    const n = Number(v.trim());
    if (!Number.isSafeInteger(n) || n < min) throw new InvalidArgumentError(`must be an integer ≥ ${min}`);
    return n;
  };
}

/** Splits `name=value` at the first separator. */
export function splitPair(s: string, flag: string, sep = '='): [string, string] {
  const i = s.indexOf(sep);
  if (i <= 0) usage(`${flag} expects name${sep}value, got "${s}"`);
  return [s.slice(0, i).trim(), s.slice(i + 1)];
}

/** `rel=target` → Link (target as given; the ledger canonicalises and checks it). */
export function parseLink(s: string, flag = '--link'): Link {
  const [rel, target] = splitPair(s, flag);
  return { rel, target: target.trim() };
}

/** `#id,type,url` → Service. */
export function parseService(s: string): Service {
  const parts = s.split(',');
  if (parts.length !== 3) usage(`--service expects '#id,type,url', got "${s}"`);
  const [id, type, url] = parts.map((p) => p.trim()) as [string, string, string];
  return { id: id.startsWith('#') ? id : `#${id}`, type, serviceEndpoint: url };
}

/** `name=hexhash` → PrivateRef. */
export function parsePrivateRef(s: string): PrivateRef {
  const [name, hash] = splitPair(s, '--private-ref');
  return { name, hash: hash.trim().toLowerCase() };
}

/** `digits|alnum[:min[:max]]` or `none` → NameRule (undefined for none). */
export function parseNameRule(s: string, flag: string, defMax: number): NameRule | undefined {
  const t = s.trim().toLowerCase();
  if (t === 'none') return undefined;
  const m = /^(digits|alnum)(?::(\d+))?(?::(\d+))?$/.exec(t);
  if (!m) usage(`${flag} expects digits|alnum[:min[:max]] or none, got "${s}"`);
  const minLength = m[2] === undefined ? 1 : Number(m[2]);
  const maxLength = m[3] === undefined ? (m[2] === undefined ? defMax : Math.max(minLength, defMax)) : Number(m[3]);
  return { charset: m[1] as NameRule['charset'], minLength, maxLength };
}

/** ISO 8601 date/time → ms since epoch. */
export function parseDate(s: string, flag: string): number {
  const ms = Date.parse(s);
  if (!Number.isFinite(ms)) usage(`${flag} expects an ISO 8601 date, got "${s}"`);
  return ms;
}

/** A comma-separated list, blanks dropped. */
export function list(s: string): string[] {
  return s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x !== '');
}

/**
 * Identifier handling as the ledger needs it: canonical text with check character, state keys,
 * namespace parents. The syntax itself is src/core/ids (docs/protocol.md "Identifiers").
 */
import { isUrbisError, UrbisError } from '../errors.js';
import { makeIdentifier, parseIdentifier, parseNamespacePath, type Identifier } from '../ids/index.js';

/**
 * Parses an identifier in any form (text, DID, URL). The check character may be omitted when an
 * identifier is being registered or linked by its owner; if present it must match.
 *
 * @throws UrbisError ID_* with the position of the fault.
 */
export function parseIdLenient(input: string): Identifier {
  // Text form without a check character (the common case when registering): build it directly
  // rather than through a thrown and caught ID_CHECK_MISSING, which costs a stack trace per call.
  if (typeof input === 'string' && !input.includes(':') && !input.includes('%')) return fromText(input);
  try {
    return parseIdentifier(input);
  } catch (e) {
    if (!isUrbisError(e, 'ID_CHECK_MISSING') || /^(did:|https?:)/i.test(input)) throw e;
    return fromText(input);
  }
}

function fromText(body: string): Identifier {
  const slash = body.indexOf('/');
  if (slash < 0) return makeIdentifier(parseNamespacePath(body), null);
  return makeIdentifier(parseNamespacePath(body.slice(0, slash)), body.slice(slash + 1).toUpperCase());
}

/** Canonical text (with check character) of an identifier given in any form; prefixes errors with `path`. */
export function canonicalIdText(input: string, path: string): string {
  try {
    return parseIdLenient(input).text;
  } catch (e) {
    if (e instanceof UrbisError) throw new UrbisError(e.code, `${path}: ${e.message}`, { ...e.details, path });
    throw e;
  }
}

/** Canonical namespace path (`156.130100`) of a namespace given with or without check character. */
export function canonicalNsPath(input: string, path: string): string {
  try {
    return parseNamespacePath(input).join('.');
  } catch (e) {
    if (e instanceof UrbisError) throw new UrbisError(e.code, `${path}: ${e.message}`, { ...e.details, path });
    throw e;
  }
}

/** State key part of a canonical identifier text: everything before the check character. */
export function keyOfText(text: string): string {
  const i = text.lastIndexOf(':');
  return i < 0 ? text : text.slice(0, i);
}

/** Parent namespace path, or null for a top-level namespace. */
export function parentOf(ns: string): string | null {
  const i = ns.lastIndexOf('.');
  return i < 0 ? null : ns.slice(0, i);
}

/** Canonical text of the namespace identifier itself, with check character. */
export function nsIdText(ns: string): string {
  return makeIdentifier(ns.split('.'), null).text;
}

/** Canonical text of an object identifier, with check character. */
export function objectIdText(ns: string, local: string): string {
  return makeIdentifier(ns.split('.'), local).text;
}

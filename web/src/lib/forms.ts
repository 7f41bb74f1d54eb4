/**
 * Pure builders behind the Manage forms: text fields in, transaction payloads out, every mistake a
 * typed error naming the field and line. The payloads are then signed in the browser by the SDK and
 * checked again by every validator.
 */
import { UrbisError } from '../../../src/core/errors.js';
import { parseIdentifier, parseNamespacePath } from '../../../src/core/ids/index.js';
import { multikeyToPublicKey } from '../../../src/core/encoding/multikey.js';
import type { ControllerSet, Link, Payloads, RecordBody, Service, Tx, TxType } from '../../../src/core/ledger/types.js';
import { TX_TYPES } from '../../../src/core/ledger/types.js';
import { parseIdLenient } from '../../../src/core/ledger/names.js';

/** A form mistake, shown next to its field. */
export class FieldError extends UrbisError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super('HTTP_BAD_REQUEST', message, { field });
  }
}

function lines(text: string): Array<{ n: number; line: string }> {
  return text
    .split(/\r?\n/)
    .map((line, i) => ({ n: i + 1, line: line.trim() }))
    .filter((l) => l.line !== '' && !l.line.startsWith('#'));
}

/** `name=value` lines; numbers, true and false become JSON values, the rest stays text. */
export function parseAttributes(text: string): Record<string, unknown> | undefined {
  const out: Record<string, unknown> = {};
  for (const { n, line } of lines(text)) {
    const eq = line.indexOf('=');
    if (eq <= 0) throw new FieldError('attributes', `line ${n}: write name=value`);
    const k = line.slice(0, eq).trim();
    const v = line.slice(eq + 1).trim();
    if (Object.hasOwn(out, k)) throw new FieldError('attributes', `line ${n}: ${k} is given twice`);
    out[k] = /^-?(0|[1-9][0-9]{0,14})(\.[0-9]+)?$/.test(v) ? Number(v) : v === 'true' ? true : v === 'false' ? false : v;
  }
  return Object.keys(out).length ? out : undefined;
}

/** `relation target` lines; the target is any identifier form, stored in canonical text form. */
export function parseLinks(text: string): Link[] | undefined {
  const out: Link[] = [];
  for (const { n, line } of lines(text)) {
    const m = /^(\S+)\s+(\S+)$/.exec(line);
    if (!m) throw new FieldError('links', `line ${n}: write a relation and a target, e.g. located-in 156.130100:Y`);
    try {
      out.push({ rel: m[1]!, target: parseIdentifier(m[2]!).text });
    } catch (e) {
      throw new FieldError('links', `line ${n}: ${(e as Error).message}`);
    }
  }
  return out.length ? out : undefined;
}

/** `#id type endpoint` lines. */
export function parseServices(text: string): Service[] | undefined {
  const out: Service[] = [];
  for (const { n, line } of lines(text)) {
    const m = /^(#\S+)\s+(\S+)\s+(\S+)$/.exec(line);
    if (!m) throw new FieldError('services', `line ${n}: write #id type endpoint, e.g. #feed DataFeed https://data.city.example/lamp-17`);
    out.push({ id: m[1]!, type: m[2]!, serviceEndpoint: m[3]! });
  }
  return out.length ? out : undefined;
}

/** Controller keys (Multikeys, one per line or separated by spaces or commas) and a threshold. */
export function parseControllers(keysText: string, thresholdText: string, field = 'controllers'): ControllerSet {
  const keys = keysText.split(/[\s,]+/).filter(Boolean);
  if (keys.length === 0) throw new FieldError(field, 'give at least one public key (z6Mk…)');
  for (const k of keys) {
    try {
      multikeyToPublicKey(k);
    } catch {
      throw new FieldError(field, `${k.slice(0, 20)}… is not an Ed25519 public key (Multikey z6Mk…)`);
    }
  }
  if (new Set(keys).size !== keys.length) throw new FieldError(field, 'a key is listed twice');
  const threshold = thresholdText.trim() === '' ? 1 : Number(thresholdText);
  if (!Number.isInteger(threshold) || threshold < 1 || threshold > keys.length) {
    throw new FieldError('threshold', `the threshold is a whole number from 1 to ${keys.length}`);
  }
  return { keys, threshold };
}

/** The record fields of a form. */
export interface RecordFields {
  type: string;
  attributes: string;
  links: string;
  services: string;
}

export function buildRecord(f: RecordFields): RecordBody {
  const type = f.type.trim();
  if (!type) throw new FieldError('type', 'choose a type (lamp, camera, meter, … or x-custom)');
  const record: RecordBody = { type };
  const attributes = parseAttributes(f.attributes);
  const links = parseLinks(f.links);
  const services = parseServices(f.services);
  if (attributes) record.attributes = attributes;
  if (links) record.links = links;
  if (services) record.services = services;
  return record;
}

/** What the Manage page can write. */
export type Operation = 'ns.create' | 'id.register' | 'id.update' | 'id.transfer' | 'id.deactivate' | 'label.revoke';

export interface OperationFields extends RecordFields {
  /** Identifier (without or with check character) or namespace path. */
  target: string;
  controllers: string;
  threshold: string;
  /** Transfer: hand the identifier back to its namespace's controllers. */
  toNamespace: boolean;
  reason: string;
  /** Label revocation: the serial printed on (and signed into) the label. */
  serial: string;
}

/** Canonical text of an identifier; register also takes it without check character (it is computed). */
function idOf(target: string, requireCheck: boolean): string {
  const t = target.trim();
  if (!t) throw new FieldError('target', 'give the identifier, e.g. 156.130100.42/LAMP-000017');
  try {
    const id = requireCheck ? parseIdentifier(t) : parseIdLenient(t);
    if (id.local === null) throw new FieldError('target', 'this is a namespace; an identifier is <namespace>/<name>, e.g. 156.130100.42/LAMP-000017');
    return id.text;
  } catch (e) {
    if (e instanceof FieldError) throw e;
    throw new FieldError('target', (e as Error).message);
  }
}

/** Builds the payload of an operation from its form. @throws FieldError. */
export function buildPayload(op: Operation, f: OperationFields): { type: TxType; payload: Payloads[Operation] } {
  switch (op) {
    case 'ns.create': {
      const t = f.target.trim();
      if (!t) throw new FieldError('target', 'give the namespace path, e.g. 156.130100.99');
      let ns: string;
      try {
        ns = parseNamespacePath(t.includes(':') ? t.slice(0, t.indexOf(':')) : t).join('.');
      } catch (e) {
        throw new FieldError('target', (e as Error).message);
      }
      return {
        type: op,
        payload: {
          ns,
          controllers: parseControllers(f.controllers, f.threshold),
          record: buildRecord(f),
          policy: { ids: { charset: 'alnum', minLength: 1, maxLength: 32 }, serialWidth: 6 },
        },
      };
    }
    case 'id.register': {
      const payload: Payloads['id.register'] = { id: idOf(f.target, false), record: buildRecord(f) };
      if (f.controllers.trim()) payload.controllers = parseControllers(f.controllers, f.threshold);
      return { type: op, payload };
    }
    case 'id.update':
      return { type: op, payload: { id: idOf(f.target, true), record: buildRecord(f) } };
    case 'id.transfer':
      return { type: op, payload: { id: idOf(f.target, true), controllers: f.toNamespace ? null : parseControllers(f.controllers, f.threshold) } };
    case 'label.revoke': {
      const serial = Number(f.serial.trim());
      if (f.serial.trim() === '' || !Number.isInteger(serial) || serial < 0 || serial > 0xffffffff) {
        throw new FieldError('serial', 'the label serial is a whole number from 0 to 4294967295');
      }
      const payload: Payloads['label.revoke'] = { id: idOf(f.target, true), serial };
      if (f.reason.trim()) payload.reason = f.reason.trim();
      return { type: op, payload };
    }
    case 'id.deactivate': {
      const payload: Payloads['id.deactivate'] = { id: idOf(f.target, true) };
      if (f.reason.trim()) payload.reason = f.reason.trim();
      return { type: op, payload };
    }
  }
}

/** Reads a transaction passed between people (pasted or uploaded JSON). @throws FieldError. */
export function parseSharedTx(text: string): Tx {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch {
    throw new FieldError('shared', 'this is not JSON: paste the whole transaction as it was shared');
  }
  const o = v as Partial<Tx> | null;
  if (!o || typeof o !== 'object' || !o.body || typeof o.body !== 'object' || !Array.isArray(o.sigs)) {
    throw new FieldError('shared', 'a shared transaction has a body and a list of signatures');
  }
  if (!TX_TYPES.includes(o.body.type as TxType)) throw new FieldError('shared', `unknown transaction type ${String(o.body.type)}`);
  return o as Tx;
}

/** One line about what a transaction does, for lists. */
export function describeTx(tx: unknown): { type: string; target: string | null } {
  const body = (tx as { body?: { type?: unknown; payload?: Record<string, unknown> } } | null)?.body;
  const type = typeof body?.type === 'string' ? body.type : 'unknown';
  const p = body?.payload ?? {};
  let target = typeof p.id === 'string' ? p.id : typeof p.ns === 'string' ? p.ns : null;
  if (typeof p.id === 'string') {
    // Payloads may name an identifier without its check character: show (and link) the canonical form.
    try {
      target = parseIdLenient(p.id).text;
    } catch {
      // Left as written: the ledger rejected it anyway.
    }
  }
  return { type, target };
}

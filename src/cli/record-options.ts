/**
 * Flags that build payloads: records (--type, --attr, --link, …), controller sets, namespace
 * policies and limits, each with the function that turns the parsed flags into the ledger's shape.
 */
import { type Command } from 'commander';
import { RECORD_TYPES, type ControllerSet, type Limits, type Policy, type RecordBody } from '../core/ledger/types.js';

import { collect, given } from './options.js';
import { intArg, keyArg, list, parseDate, parseLink, parseNameRule, parsePrivateRef, parseService, splitPair } from './args.js';
import { usage } from './failure.js';

export interface RecordOpts {
  type?: string;
  attr?: string[];
  attrsJson?: string;
  link?: string[];
  service?: string[];
  privateRef?: string[];
}

/** --type, --attr, --attrs-json, --link, --service, --private-ref. */
export function recordOptions(cmd: Command): Command {
  return cmd
    .option('--type <type>', `record type: ${RECORD_TYPES.join(', ')}, or x-<custom>`)
    .option('--attr <name=value>', 'attribute with a string value (repeatable)', collect)
    .option('--attrs-json <json>', 'attributes as a JSON object (typed values); --attr entries are applied after it')
    .option('--link <rel=target>', 'typed link to another identifier, e.g. located-in=156.130100:7 (repeatable)', collect)
    .option('--service <#id,type,url>', 'service endpoint, e.g. "#api,Api,https://x.example" (repeatable)', collect)
    .option('--private-ref <name=sha256hex>', 'hash of off-ledger data (repeatable)', collect);
}

/** True when any record flag was given. */
export function hasRecordFlags(o: RecordOpts): boolean {
  return o.type !== undefined || o.attrsJson !== undefined || [o.attr, o.link, o.service, o.privateRef].some(given);
}

/**
 * A record from the flags. With `base`, starts from it: --type replaces the type, attributes are
 * merged, and each list flag given (--link, --service, --private-ref) replaces that whole list.
 */
export function recordFromOptions(o: RecordOpts, base?: RecordBody): RecordBody {
  const type = o.type ?? base?.type;
  if (type === undefined) usage('--type is required');
  const rec: RecordBody = { type };
  let attrs: Record<string, unknown> = { ...(base?.attributes ?? {}) };
  if (o.attrsJson !== undefined) {
    let v: unknown;
    try {
      v = JSON.parse(o.attrsJson);
    } catch {
      usage('--attrs-json is not valid JSON');
    }
    if (typeof v !== 'object' || v === null || Array.isArray(v)) usage('--attrs-json must be a JSON object');
    attrs = { ...attrs, ...(v as Record<string, unknown>) };
  }
  for (const a of o.attr ?? []) {
    const [k, v] = splitPair(a, '--attr');
    attrs[k] = v;
  }
  if (Object.keys(attrs).length > 0) rec.attributes = attrs;
  const links = given(o.link) ? o.link.map((l) => parseLink(l)) : base?.links;
  if (links && links.length > 0) rec.links = links;
  const services = given(o.service) ? o.service.map(parseService) : base?.services;
  if (services && services.length > 0) rec.services = services;
  const refs = given(o.privateRef) ? o.privateRef.map(parsePrivateRef) : base?.privateRefs;
  if (refs && refs.length > 0) rec.privateRefs = refs;
  return rec;
}

// ---------------------------------------------------------------------------------------------
// Controllers

export interface ControllerOpts {
  controller?: string[];
  threshold?: number;
}

/** --controller (repeatable) and --threshold. */
export function controllerOptions(cmd: Command): Command {
  return cmd
    .option('--controller <multikey>', 'controller public key, Multikey or did:key (repeatable)', collect)
    .option('--threshold <n>', 'signatures needed among the controllers (default 1)', intArg(1));
}

/**
 * A controller set from the flags; with no --controller, `fallback` (or undefined). --threshold
 * alone re-thresholds the fallback's keys.
 */
export function controllersFromOptions(o: ControllerOpts, fallback?: ControllerSet): ControllerSet | undefined {
  if (!given(o.controller)) {
    if (!fallback) {
      if (o.threshold !== undefined) usage('--threshold needs --controller');
      return undefined;
    }
    return { keys: fallback.keys, threshold: o.threshold ?? fallback.threshold };
  }
  const keys = o.controller.map(keyArg);
  const threshold = o.threshold ?? 1;
  if (threshold > keys.length) usage(`--threshold ${threshold} exceeds the ${keys.length} controller key(s)`);
  return { keys, threshold };
}

// ---------------------------------------------------------------------------------------------
// Namespace policy and limits

export interface PolicyOpts {
  children?: string;
  ids?: string;
  idPrefix?: string[];
  types?: string;
  reserved?: string;
  registrar?: string[];
  issuer?: string[];
  serialWidth?: number;
}

/** Policy flags of ns create / ns update. */
export function policyOptions(cmd: Command): Command {
  return cmd
    .option('--children <rule>', 'child segment format: digits|alnum[:min[:max]] or none (create default alnum:1:16)')
    .option('--ids <rule>', 'local part format: digits|alnum[:min[:max]] or none (create default alnum:1:64)')
    .option('--id-prefix <prefix>', 'local parts must start with one of these prefixes (repeatable)', collect)
    .option('--types <t1,t2>', 'allowed record types of identifiers ("any" for no restriction)')
    .option('--reserved <a,b>', 'names that may not be allocated ("none" to clear)')
    .option('--registrar <multikey>', 'key allowed to register identifiers alone (repeatable)', collect)
    .option('--issuer <multikey>', "key allowed to issue signed codes for the namespace's identifiers (repeatable; 'none' clears)", collect)
    .option('--serial-width <n>', 'zero-padded width of allocated serial numbers (1..12)', intArg(1));
}

/** True when any policy flag was given. */
export function hasPolicyFlags(o: PolicyOpts): boolean {
  return [o.children, o.ids, o.types, o.reserved, o.serialWidth].some((v) => v !== undefined) || given(o.idPrefix) || given(o.registrar) || given(o.issuer);
}

/** A policy from the flags, starting from `base` (each flag replaces its field). */
export function policyFromOptions(o: PolicyOpts, base: Policy): Policy {
  const p: Policy = { ...base };
  const set = <K extends keyof Policy>(k: K, v: Policy[K] | undefined) => {
    if (v === undefined) delete p[k];
    else p[k] = v;
  };
  if (o.children !== undefined) set('children', parseNameRule(o.children, '--children', 16));
  if (o.ids !== undefined) set('ids', parseNameRule(o.ids, '--ids', 64));
  if (given(o.idPrefix)) {
    if (!p.ids) usage('--id-prefix needs an --ids rule');
    p.ids = { ...p.ids, prefixes: o.idPrefix.map((x) => x.trim().toUpperCase()) };
  }
  if (o.types !== undefined) set('types', o.types.trim().toLowerCase() === 'any' ? undefined : list(o.types));
  if (o.reserved !== undefined) set('reserved', o.reserved.trim().toLowerCase() === 'none' ? undefined : list(o.reserved).map((r) => r.toUpperCase()));
  if (given(o.registrar)) p.registrars = o.registrar.map(keyArg);
  if (given(o.issuer)) set('issuers', o.issuer.length === 1 && o.issuer[0]!.trim().toLowerCase() === 'none' ? undefined : o.issuer.map(keyArg));
  if (o.serialWidth !== undefined) p.serialWidth = o.serialWidth;
  return p;
}

export interface LimitOpts {
  maxChildren?: number;
  maxIds?: number;
  expires?: string;
}

/** Limit flags (set by the parent authority). */
export function limitOptions(cmd: Command): Command {
  return cmd
    .option('--max-children <n>', 'maximum number of child namespaces', intArg(0))
    .option('--max-ids <n>', 'maximum number of identifiers', intArg(0))
    .option('--expires <iso-date>', 'writes are refused after this date ("never" to clear)');
}

export function hasLimitFlags(o: LimitOpts): boolean {
  return o.maxChildren !== undefined || o.maxIds !== undefined || o.expires !== undefined;
}

/** Limits from the flags, starting from `base`. */
export function limitsFromOptions(o: LimitOpts, base: Limits): Limits {
  const l: Limits = { ...base };
  if (o.maxChildren !== undefined) l.maxChildren = o.maxChildren;
  if (o.maxIds !== undefined) l.maxIds = o.maxIds;
  if (o.expires !== undefined) {
    if (o.expires.trim().toLowerCase() === 'never') delete l.expiresAt;
    else l.expiresAt = parseDate(o.expires, '--expires');
  }
  return l;
}

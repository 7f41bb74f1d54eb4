/**
 * Structural validation of transactions and records: docs/protocol.md "Transactions".
 *
 * Everything here treats its input as attacker-controlled JSON: it checks types, sizes and shapes,
 * and turns any fault into a typed {@link UrbisError}. Nothing malformed gets past `parseTx` into the
 * state machine. Stateful rules (authority, existence, quotas) live in apply.ts.
 */
import { fail, UrbisError, type ErrorCode } from '../errors.js';
import { canonicalJson, utf8Encode } from '../encoding/index.js';
import { multikeyToPublicKey } from '../encoding/index.js';
import { encodeTx, type TxEncoding } from './tx.js';
import {
  LINK_RELATIONS,
  RECORD_TYPES,
  TX_TYPES,
  type ChainParams,
  type ControllerSet,
  type GrantAccess,
  type GrantScope,
  type Limits,
  type Link,
  type NameRule,
  type Policy,
  type PrivateRef,
  type RecordBody,
  type Service,
  type Tx,
  type TxType,
} from './types.js';

type Json = Record<string, unknown>;

const MAX_KEYS_IN_SET = 32;
const MAX_LINKS = 64;
const MAX_SERVICES = 16;
const MAX_PRIVATE_REFS = 16;
const MAX_REASON = 256;
const NONCE_RE = /^[A-Za-z0-9_-]{1,64}$/;
const HASH_RE = /^[0-9a-f]{64}$/;
const SIG_RE = /^[A-Za-z0-9_-]{86}$/;
const CHAIN_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const TYPE_RE = /^[a-z][a-z0-9-]{0,31}$/;
const FRAGMENT_RE = /^#[A-Za-z0-9_-]{1,32}$/;
const ATTR_KEY_RE = /^[A-Za-z0-9_.-]{1,64}$/;
/** Canonical identifier characters (docs/protocol.md "Identifiers"): no I, O, Q. */
const ID_CHARS_RE = /^[0-9A-HJ-NPR-Z-]+$/;

function isObj(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function bad(code: ErrorCode, message: string, path: string): never {
  throw new UrbisError(code, `${path}: ${message}`, { path });
}

function obj(v: unknown, path: string, allowed: readonly string[], code: ErrorCode = 'TX_MALFORMED'): Json {
  if (!isObj(v)) bad(code, 'must be an object', path);
  for (const k of Object.keys(v)) if (!allowed.includes(k)) bad(code, `unknown field "${k}"`, path);
  return v;
}

function str(v: unknown, path: string, max: number, code: ErrorCode = 'TX_MALFORMED'): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) bad(code, `must be a string of 1..${max} characters`, path);
  return v;
}

function int(v: unknown, path: string, min: number, max: number, code: ErrorCode = 'TX_MALFORMED'): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) bad(code, `must be an integer in ${min}..${max}`, path);
  return v;
}

function arr(v: unknown, path: string, max: number, code: ErrorCode = 'TX_MALFORMED'): unknown[] {
  if (!Array.isArray(v) || v.length > max) bad(code, `must be an array of at most ${max} items`, path);
  return v;
}

/** Validates a Multikey string (Ed25519). */
export function parseKey(v: unknown, path: string, code: ErrorCode = 'CONTROLLERS_INVALID'): string {
  const s = str(v, path, 64, code);
  try {
    multikeyToPublicKey(s);
  } catch {
    bad(code, 'is not an Ed25519 Multikey', path);
  }
  return s;
}

/** Validates a controller set: distinct keys, 1 ≤ threshold ≤ n. Returns it with keys sorted. */
export function parseControllers(v: unknown, path: string): ControllerSet {
  const o = obj(v, path, ['keys', 'threshold'], 'CONTROLLERS_INVALID');
  const keys = arr(o.keys, `${path}.keys`, MAX_KEYS_IN_SET, 'CONTROLLERS_INVALID').map((k, i) => parseKey(k, `${path}.keys[${i}]`));
  if (keys.length === 0) bad('CONTROLLERS_INVALID', 'needs at least one key', `${path}.keys`);
  if (new Set(keys).size !== keys.length) bad('CONTROLLERS_INVALID', 'has duplicate keys', `${path}.keys`);
  const threshold = int(o.threshold, `${path}.threshold`, 1, keys.length, 'CONTROLLERS_INVALID');
  return { keys: [...keys].sort(), threshold };
}

/** Validates a validator list: 1..100 distinct Multikeys, returned sorted. */
export function parseValidators(v: unknown, path: string): string[] {
  const keys = arr(v, path, 100, 'VALIDATORS_INVALID').map((k, i) => parseKey(k, `${path}[${i}]`, 'VALIDATORS_INVALID'));
  if (keys.length === 0) bad('VALIDATORS_INVALID', 'needs at least one validator', path);
  if (new Set(keys).size !== keys.length) bad('VALIDATORS_INVALID', 'has duplicate keys', path);
  return [...keys].sort();
}

function parseNameRule(v: unknown, path: string): NameRule {
  const o = obj(v, path, ['charset', 'minLength', 'maxLength', 'prefixes'], 'POLICY_INVALID');
  if (o.charset !== 'digits' && o.charset !== 'alnum') bad('POLICY_INVALID', 'charset must be "digits" or "alnum"', `${path}.charset`);
  const minLength = int(o.minLength, `${path}.minLength`, 1, 64, 'POLICY_INVALID');
  const maxLength = int(o.maxLength, `${path}.maxLength`, minLength, 64, 'POLICY_INVALID');
  const rule: NameRule = { charset: o.charset, minLength, maxLength };
  if (o.prefixes !== undefined) {
    rule.prefixes = arr(o.prefixes, `${path}.prefixes`, 64, 'POLICY_INVALID').map((p, i) => {
      const s = str(p, `${path}.prefixes[${i}]`, 32, 'POLICY_INVALID');
      if (!ID_CHARS_RE.test(s))
        bad('POLICY_INVALID', 'prefix must be canonical identifier characters (0-9, A-Z without I, O, Q, and -)', `${path}.prefixes[${i}]`);
      return s;
    });
  }
  return rule;
}

/** Validates an allocation policy. */
export function parsePolicy(v: unknown, path: string): Policy {
  const o = obj(v, path, ['children', 'ids', 'types', 'reserved', 'registrars', 'serialWidth', 'issuers'], 'POLICY_INVALID');
  const p: Policy = {};
  if (o.children !== undefined) p.children = parseNameRule(o.children, `${path}.children`);
  if (o.ids !== undefined) p.ids = parseNameRule(o.ids, `${path}.ids`);
  if (o.types !== undefined) {
    p.types = arr(o.types, `${path}.types`, 64, 'POLICY_INVALID').map((t, i) => parseRecordType(t, `${path}.types[${i}]`, 'POLICY_INVALID'));
  }
  if (o.reserved !== undefined) {
    p.reserved = arr(o.reserved, `${path}.reserved`, 256, 'POLICY_INVALID').map((r, i) => str(r, `${path}.reserved[${i}]`, 64, 'POLICY_INVALID').toUpperCase());
  }
  if (o.registrars !== undefined) {
    p.registrars = arr(o.registrars, `${path}.registrars`, MAX_KEYS_IN_SET, 'POLICY_INVALID').map((k, i) =>
      parseKey(k, `${path}.registrars[${i}]`, 'POLICY_INVALID'),
    );
  }
  if (o.serialWidth !== undefined) p.serialWidth = int(o.serialWidth, `${path}.serialWidth`, 1, 12, 'POLICY_INVALID');
  if (o.issuers !== undefined) {
    const keys = arr(o.issuers, `${path}.issuers`, MAX_KEYS_IN_SET, 'POLICY_INVALID').map((k, i) => parseKey(k, `${path}.issuers[${i}]`, 'POLICY_INVALID'));
    if (new Set(keys).size !== keys.length) bad('POLICY_INVALID', 'has duplicate keys', `${path}.issuers`);
    p.issuers = [...keys].sort();
  }
  return p;
}

/** Validates parent-imposed limits. */
export function parseLimits(v: unknown, path: string): Limits {
  const o = obj(v, path, ['maxChildren', 'maxIds', 'expiresAt']);
  const l: Limits = {};
  if (o.maxChildren !== undefined) l.maxChildren = int(o.maxChildren, `${path}.maxChildren`, 0, Number.MAX_SAFE_INTEGER);
  if (o.maxIds !== undefined) l.maxIds = int(o.maxIds, `${path}.maxIds`, 0, Number.MAX_SAFE_INTEGER);
  if (o.expiresAt !== undefined) l.expiresAt = int(o.expiresAt, `${path}.expiresAt`, 0, Number.MAX_SAFE_INTEGER);
  return l;
}

function parseRecordType(v: unknown, path: string, code: ErrorCode = 'RECORD_INVALID'): string {
  const t = str(v, path, 32, code);
  if (!TYPE_RE.test(t) || !((RECORD_TYPES as readonly string[]).includes(t) || t.startsWith('x-'))) {
    bad(code, `"${t}" is not a record type of the vocabulary (${RECORD_TYPES.join(', ')}) nor a custom x- type`, path);
  }
  return t;
}

/**
 * Validates a record. `targetCheck` validates (and canonicalises) a link target identifier; it is
 * passed in so that this module does not depend on the identifier codec's details.
 */
export function parseRecord(v: unknown, path: string, params: ChainParams, canonicalTarget: (s: string, path: string) => string): RecordBody {
  const o = obj(v, path, ['type', 'attributes', 'links', 'services', 'privateRefs'], 'RECORD_INVALID');
  const rec: RecordBody = { type: parseRecordType(o.type, `${path}.type`) };
  if (o.attributes !== undefined) {
    if (!isObj(o.attributes)) bad('RECORD_INVALID', 'must be an object', `${path}.attributes`);
    for (const k of Object.keys(o.attributes)) {
      if (!ATTR_KEY_RE.test(k)) bad('RECORD_INVALID', `attribute name "${k.slice(0, 64)}" must match [A-Za-z0-9_.-]{1,64}`, `${path}.attributes`);
    }
    let size: number;
    try {
      size = utf8Encode(canonicalJson(o.attributes)).length;
    } catch (e) {
      bad('RECORD_INVALID', `is not canonical JSON: ${(e as Error).message}`, `${path}.attributes`);
    }
    if (size > params.maxAttrBytes) {
      throw new UrbisError('RECORD_TOO_LARGE', `${path}.attributes: ${size} bytes exceeds the limit of ${params.maxAttrBytes}`, {
        path: `${path}.attributes`,
        size,
        limit: params.maxAttrBytes,
      });
    }
    rec.attributes = o.attributes;
  }
  if (o.links !== undefined) {
    rec.links = arr(o.links, `${path}.links`, MAX_LINKS, 'RECORD_INVALID').map((l, i): Link => {
      const lp = `${path}.links[${i}]`;
      const lo = obj(l, lp, ['rel', 'target'], 'RECORD_INVALID');
      const rel = str(lo.rel, `${lp}.rel`, 32, 'RECORD_INVALID');
      if (!(LINK_RELATIONS as readonly string[]).includes(rel) && !(rel.startsWith('x-') && TYPE_RE.test(rel))) {
        bad('RECORD_INVALID', `"${rel}" is not a link relation of the vocabulary (${LINK_RELATIONS.join(', ')}) nor x-custom`, `${lp}.rel`);
      }
      return { rel, target: canonicalTarget(str(lo.target, `${lp}.target`, 256, 'RECORD_INVALID'), `${lp}.target`) };
    });
  }
  if (o.services !== undefined) {
    const ids = new Set<string>();
    rec.services = arr(o.services, `${path}.services`, MAX_SERVICES, 'RECORD_INVALID').map((s, i): Service => {
      const sp = `${path}.services[${i}]`;
      const so = obj(s, sp, ['id', 'type', 'serviceEndpoint'], 'RECORD_INVALID');
      const id = str(so.id, `${sp}.id`, 33, 'RECORD_INVALID');
      if (!FRAGMENT_RE.test(id)) bad('RECORD_INVALID', 'must be a fragment like "#api"', `${sp}.id`);
      if (ids.has(id)) bad('RECORD_INVALID', `duplicate service id "${id}"`, `${sp}.id`);
      ids.add(id);
      const type = str(so.type, `${sp}.type`, 64, 'RECORD_INVALID');
      const ep = str(so.serviceEndpoint, `${sp}.serviceEndpoint`, 512, 'RECORD_INVALID');
      if (!/^(https:\/\/[^\s]+|urn:[a-z0-9][a-z0-9-]{0,31}:[^\s]+)$/i.test(ep)) {
        bad('RECORD_INVALID', 'must be an https URL or a URN', `${sp}.serviceEndpoint`);
      }
      return { id, type, serviceEndpoint: ep };
    });
  }
  if (o.privateRefs !== undefined) {
    rec.privateRefs = arr(o.privateRefs, `${path}.privateRefs`, MAX_PRIVATE_REFS, 'RECORD_INVALID').map((r, i): PrivateRef => {
      const rp = `${path}.privateRefs[${i}]`;
      const ro = obj(r, rp, ['name', 'hash'], 'RECORD_INVALID');
      const name = str(ro.name, `${rp}.name`, 64, 'RECORD_INVALID');
      const hash = str(ro.hash, `${rp}.hash`, 64, 'RECORD_INVALID');
      if (!HASH_RE.test(hash)) bad('RECORD_INVALID', 'must be a lowercase hex SHA-256 of salt and value', `${rp}.hash`);
      return { name, hash };
    });
  }
  return rec;
}

function optStr(v: unknown, path: string, max: number): string | undefined {
  return v === undefined ? undefined : str(v, path, max);
}

/** Context the structural parser needs. */
export interface ParseContext {
  params: ChainParams;
  /** Canonicalises an identifier given in any form (text, DID, URL); throws ID_* errors. */
  canonicalId: (s: string, path: string) => string;
  /** Canonicalises a namespace path; throws ID_* errors. */
  canonicalNs: (s: string, path: string) => string;
}

/**
 * Parses an untrusted transaction object: shape, sizes, types. Does NOT check signatures, chain id,
 * time window or authority (see tx.ts and apply.ts).
 *
 * @throws UrbisError TX_MALFORMED, TX_TYPE_UNKNOWN, TX_TOO_LARGE, RECORD_*, CONTROLLERS_INVALID,
 *   POLICY_INVALID, VALIDATORS_INVALID, ID_* (identifier syntax).
 */
export function parseTx(input: unknown, ctx: ParseContext): Tx {
  return parseTxEncoded(input, ctx).tx;
}

/** A parsed transaction with its one serialisation ({@link TxEncoding}) and its hash. */
export interface ParsedTx {
  tx: Tx;
  hash: string;
  enc: TxEncoding;
}

/**
 * {@link parseTx}, keeping the canonical encoding computed for the size limit: the hash and the
 * transaction-root leaf are taken from it instead of serialising the transaction again.
 *
 * @throws UrbisError as {@link parseTx}.
 */
export function parseTxEncoded(input: unknown, ctx: ParseContext): ParsedTx {
  const o = obj(input, 'tx', ['body', 'sigs']);
  let enc: TxEncoding;
  try {
    enc = encodeTx(o);
  } catch (e) {
    bad('TX_MALFORMED', `is not canonical JSON: ${(e as Error).message}`, 'tx');
  }
  const size = enc.bytes.length;
  if (size > ctx.params.maxTxBytes) {
    throw new UrbisError('TX_TOO_LARGE', `transaction is ${size} bytes, the limit is ${ctx.params.maxTxBytes}`, { size, limit: ctx.params.maxTxBytes });
  }
  const b = obj(o.body, 'tx.body', ['v', 'chain', 'type', 'nonce', 'validFrom', 'validUntil', 'payload']);
  if (b.v !== 1) bad('TX_MALFORMED', 'protocol version must be 1', 'tx.body.v');
  const chain = str(b.chain, 'tx.body.chain', 63);
  if (!CHAIN_RE.test(chain)) bad('TX_MALFORMED', 'chain id must match [a-z0-9][a-z0-9-]*', 'tx.body.chain');
  if (typeof b.type !== 'string' || !(TX_TYPES as readonly string[]).includes(b.type)) {
    throw new UrbisError('TX_TYPE_UNKNOWN', `unknown transaction type "${String(b.type).slice(0, 40)}"`, { path: 'tx.body.type' });
  }
  const type = b.type as TxType;
  const nonce = str(b.nonce, 'tx.body.nonce', 64);
  if (!NONCE_RE.test(nonce)) bad('TX_MALFORMED', 'nonce must be 1..64 characters of [A-Za-z0-9_-]', 'tx.body.nonce');
  const validFrom = int(b.validFrom, 'tx.body.validFrom', 0, Number.MAX_SAFE_INTEGER);
  const validUntil = int(b.validUntil, 'tx.body.validUntil', validFrom, Number.MAX_SAFE_INTEGER);
  const payload = parsePayload(type, b.payload, ctx);
  const sigs = arr(o.sigs, 'tx.sigs', MAX_KEYS_IN_SET).map((s, i) => {
    const so = obj(s, `tx.sigs[${i}]`, ['key', 'sig']);
    const key = parseKey(so.key, `tx.sigs[${i}].key`, 'TX_MALFORMED');
    const sig = str(so.sig, `tx.sigs[${i}].sig`, 86);
    if (!SIG_RE.test(sig)) bad('TX_MALFORMED', 'signature must be 64 bytes in base64url', `tx.sigs[${i}].sig`);
    return { key, sig };
  });
  if (new Set(sigs.map((s) => s.key)).size !== sigs.length) {
    throw new UrbisError('TX_SIGNER_DUPLICATE', 'the same key signed twice', { path: 'tx.sigs' });
  }
  // A body that parsed has a hash (encodeTx gives null only without a body).
  return { tx: { body: { v: 1, chain, type, nonce, validFrom, validUntil, payload }, sigs } as Tx, hash: enc.hash!, enc };
}

function parsePayload(type: TxType, v: unknown, ctx: ParseContext): unknown {
  const P = 'tx.body.payload';
  const rec = (x: unknown, p: string) => parseRecord(x, p, ctx.params, ctx.canonicalId);
  switch (type) {
    case 'genesis': {
      const o = obj(v, P, ['chainId', 'time', 'root', 'validators', 'params']);
      const chainId = str(o.chainId, `${P}.chainId`, 63);
      if (!CHAIN_RE.test(chainId)) bad('TX_GENESIS_INVALID', 'chain id must match [a-z0-9][a-z0-9-]*', `${P}.chainId`);
      const out: Json = {
        chainId,
        time: int(o.time, `${P}.time`, 0, Number.MAX_SAFE_INTEGER),
        root: parseControllers(o.root, `${P}.root`),
        validators: parseValidators(o.validators, `${P}.validators`),
      };
      if (o.params !== undefined) {
        const po = obj(o.params, `${P}.params`, Object.keys(DEFAULT_PARAM_LIMITS));
        const params: Json = {};
        for (const [k, [min, max]] of Object.entries(DEFAULT_PARAM_LIMITS)) {
          if (po[k] !== undefined) params[k] = int(po[k], `${P}.params.${k}`, min, max);
        }
        out.params = params;
      }
      return out;
    }
    case 'ns.create': {
      const o = obj(v, P, ['ns', 'controllers', 'policy', 'limits', 'record']);
      const out: Json = {
        ns: ctx.canonicalNs(str(o.ns, `${P}.ns`, 200), `${P}.ns`),
        controllers: parseControllers(o.controllers, `${P}.controllers`),
        record: rec(o.record, `${P}.record`),
      };
      if (o.policy !== undefined) out.policy = parsePolicy(o.policy, `${P}.policy`);
      if (o.limits !== undefined) out.limits = parseLimits(o.limits, `${P}.limits`);
      return out;
    }
    case 'ns.update': {
      const o = obj(v, P, ['ns', 'policy', 'record', 'controllers']);
      const out: Json = { ns: ctx.canonicalNs(str(o.ns, `${P}.ns`, 200), `${P}.ns`) };
      if (o.policy !== undefined) out.policy = parsePolicy(o.policy, `${P}.policy`);
      if (o.record !== undefined) out.record = rec(o.record, `${P}.record`);
      if (o.controllers !== undefined) out.controllers = parseControllers(o.controllers, `${P}.controllers`);
      if (Object.keys(out).length === 1) bad('TX_MALFORMED', 'nothing to update', P);
      return out;
    }
    case 'ns.limits': {
      const o = obj(v, P, ['ns', 'limits']);
      return { ns: ctx.canonicalNs(str(o.ns, `${P}.ns`, 200), `${P}.ns`), limits: parseLimits(o.limits, `${P}.limits`) };
    }
    case 'ns.suspend': {
      const o = obj(v, P, ['ns', 'reason']);
      const out: Json = { ns: ctx.canonicalNs(str(o.ns, `${P}.ns`, 200), `${P}.ns`) };
      const reason = optStr(o.reason, `${P}.reason`, MAX_REASON);
      if (reason !== undefined) out.reason = reason;
      return out;
    }
    case 'ns.reinstate': {
      const o = obj(v, P, ['ns']);
      return { ns: ctx.canonicalNs(str(o.ns, `${P}.ns`, 200), `${P}.ns`) };
    }
    case 'ns.recover': {
      const o = obj(v, P, ['ns', 'controllers']);
      return {
        ns: ctx.canonicalNs(str(o.ns, `${P}.ns`, 200), `${P}.ns`),
        controllers: parseControllers(o.controllers, `${P}.controllers`),
      };
    }
    case 'id.register': {
      const o = obj(v, P, ['id', 'record', 'controllers']);
      const out: Json = { id: ctx.canonicalId(str(o.id, `${P}.id`, 256), `${P}.id`), record: rec(o.record, `${P}.record`) };
      if (o.controllers !== undefined) out.controllers = parseControllers(o.controllers, `${P}.controllers`);
      return out;
    }
    case 'id.registerBatch': {
      const o = obj(v, P, ['ns', 'items']);
      const items = arr(o.items, `${P}.items`, ctx.params.maxBatch);
      if (items.length === 0) bad('TX_MALFORMED', 'needs at least one item', `${P}.items`);
      return {
        ns: ctx.canonicalNs(str(o.ns, `${P}.ns`, 200), `${P}.ns`),
        items: items.map((it, i) => {
          const io = obj(it, `${P}.items[${i}]`, ['local', 'record']);
          return { local: str(io.local, `${P}.items[${i}].local`, 64), record: rec(io.record, `${P}.items[${i}].record`) };
        }),
      };
    }
    case 'id.allocate': {
      const o = obj(v, P, ['ns', 'prefix', 'count', 'record', 'controllers']);
      const prefix = typeof o.prefix === 'string' ? o.prefix.toUpperCase() : o.prefix;
      if (typeof prefix !== 'string' || prefix.length > 32 || (prefix !== '' && !ID_CHARS_RE.test(prefix))) {
        bad('TX_MALFORMED', 'prefix must be 0..32 identifier characters', `${P}.prefix`);
      }
      const out: Json = {
        ns: ctx.canonicalNs(str(o.ns, `${P}.ns`, 200), `${P}.ns`),
        prefix,
        count: int(o.count, `${P}.count`, 1, ctx.params.maxAllocate, 'SERIAL_INVALID'),
        record: rec(o.record, `${P}.record`),
      };
      if (o.controllers !== undefined) out.controllers = parseControllers(o.controllers, `${P}.controllers`);
      return out;
    }
    case 'id.update': {
      const o = obj(v, P, ['id', 'record', 'ifVersion']);
      const out: Json = { id: ctx.canonicalId(str(o.id, `${P}.id`, 256), `${P}.id`), record: rec(o.record, `${P}.record`) };
      if (o.ifVersion !== undefined) out.ifVersion = int(o.ifVersion, `${P}.ifVersion`, 1, Number.MAX_SAFE_INTEGER);
      return out;
    }
    case 'id.transfer':
    case 'id.recover': {
      const o = obj(v, P, ['id', 'controllers']);
      return {
        id: ctx.canonicalId(str(o.id, `${P}.id`, 256), `${P}.id`),
        controllers: o.controllers === null ? null : parseControllers(o.controllers, `${P}.controllers`),
      };
    }
    case 'id.deactivate': {
      const o = obj(v, P, ['id', 'reason']);
      const out: Json = { id: ctx.canonicalId(str(o.id, `${P}.id`, 256), `${P}.id`) };
      const reason = optStr(o.reason, `${P}.reason`, MAX_REASON);
      if (reason !== undefined) out.reason = reason;
      return out;
    }
    case 'label.revoke': {
      const o = obj(v, P, ['id', 'serial', 'reason']);
      const out: Json = {
        id: ctx.canonicalId(str(o.id, `${P}.id`, 256), `${P}.id`),
        serial: int(o.serial, `${P}.serial`, 0, 0xffffffff),
      };
      const reason = optStr(o.reason, `${P}.reason`, MAX_REASON);
      if (reason !== undefined) out.reason = reason;
      return out;
    }
    case 'chain.validators': {
      const o = obj(v, P, ['validators']);
      return { validators: parseValidators(o.validators, `${P}.validators`) };
    }
    case 'chain.root': {
      const o = obj(v, P, ['root']);
      return { root: parseControllers(o.root, `${P}.root`) };
    }
    case 'grant.issue': {
      const o = obj(v, P, ['subject', 'grantee', 'scope', 'purpose', 'expires']);
      return {
        subject: ctx.canonicalId(str(o.subject, `${P}.subject`, 256), `${P}.subject`),
        grantee: ctx.canonicalId(str(o.grantee, `${P}.grantee`, 256), `${P}.grantee`),
        scope: parseGrantScope(o.scope, `${P}.scope`),
        purpose: str(o.purpose, `${P}.purpose`, MAX_PURPOSE, 'GRANT_INVALID'),
        expires: int(o.expires, `${P}.expires`, 0, Number.MAX_SAFE_INTEGER),
      };
    }
    case 'grant.revoke': {
      const o = obj(v, P, ['subject', 'grantee', 'reason']);
      const out: Json = {
        subject: ctx.canonicalId(str(o.subject, `${P}.subject`, 256), `${P}.subject`),
        grantee: ctx.canonicalId(str(o.grantee, `${P}.grantee`, 256), `${P}.grantee`),
      };
      const reason = optStr(o.reason, `${P}.reason`, MAX_REASON);
      if (reason !== undefined) out.reason = reason;
      return out;
    }
    case 'receipts.anchor': {
      const o = obj(v, P, ['service', 'root', 'count', 'from', 'until']);
      const root = str(o.root, `${P}.root`, 64);
      if (!HASH_RE.test(root)) bad('TX_MALFORMED', 'must be a lowercase hex SHA-256', `${P}.root`);
      const from = int(o.from, `${P}.from`, 0, Number.MAX_SAFE_INTEGER);
      return {
        service: ctx.canonicalId(str(o.service, `${P}.service`, 256), `${P}.service`),
        root,
        count: int(o.count, `${P}.count`, 1, 10_000_000),
        from,
        until: int(o.until, `${P}.until`, from, Number.MAX_SAFE_INTEGER),
      };
    }
  }
}

const MAX_PURPOSE = 200;
const MAX_GRANT_PATHS = 32;
/** A path prefix: printable ASCII without spaces, query or fragment, and no dot segments. */
const GRANT_PATH_RE = /^\/[\x21-\x7e]{0,255}$/;

/**
 * Validates the scope of a grant (docs/sharing.md "Grants") and puts it in canonical form (access
 * sorted, no duplicates).
 * @throws UrbisError GRANT_INVALID.
 */
export function parseGrantScope(v: unknown, path: string): GrantScope {
  const o = obj(v, path, ['access', 'services', 'paths'], 'GRANT_INVALID');
  const access = arr(o.access, `${path}.access`, 2, 'GRANT_INVALID').map((a, i) => {
    if (a !== 'read' && a !== 'write') bad('GRANT_INVALID', 'must be "read" or "write"', `${path}.access[${i}]`);
    return a as GrantAccess;
  });
  if (access.length === 0 || new Set(access).size !== access.length) bad('GRANT_INVALID', 'must name read, write or both, once each', `${path}.access`);
  const scope: GrantScope = { access: access.sort() };
  if (o.services !== undefined) {
    const services = arr(o.services, `${path}.services`, MAX_SERVICES, 'GRANT_INVALID').map((f, i) => {
      const s = str(f, `${path}.services[${i}]`, 33, 'GRANT_INVALID');
      if (!FRAGMENT_RE.test(s)) bad('GRANT_INVALID', 'must be a service fragment like "#api"', `${path}.services[${i}]`);
      return s;
    });
    if (services.length === 0 || new Set(services).size !== services.length)
      bad('GRANT_INVALID', 'must list distinct services, or be left out', `${path}.services`);
    scope.services = services;
  }
  if (o.paths !== undefined) {
    const paths = arr(o.paths, `${path}.paths`, MAX_GRANT_PATHS, 'GRANT_INVALID').map((x, i) => {
      const s = str(x, `${path}.paths[${i}]`, 256, 'GRANT_INVALID');
      // A dot segment or an encoded one would let "/public/../private" pass a prefix check.
      if (!GRANT_PATH_RE.test(s) || /[?#]/.test(s) || /(^|\/)\.\.?(\/|$)/.test(s) || /%2e|%2f|%5c|\\/i.test(s)) {
        bad('GRANT_INVALID', 'must be a path prefix starting with "/", without query, fragment, dot segments or encoded slashes', `${path}.paths[${i}]`);
      }
      return s;
    });
    if (paths.length === 0 || new Set(paths).size !== paths.length) bad('GRANT_INVALID', 'must list distinct paths, or be left out', `${path}.paths`);
    scope.paths = paths;
  }
  return scope;
}

/** Bounds of each genesis parameter. */
const DEFAULT_PARAM_LIMITS: Record<keyof ChainParams, [number, number]> = {
  maxTxBytes: [1024, 16 * 1_048_576],
  maxAttrBytes: [64, 1_048_576],
  maxTxWindowMs: [1000, 365 * 24 * 3600 * 1000],
  maxAllocate: [1, 1_000_000],
  maxBatch: [1, 10_000],
};

/** Hash-string check used by other modules. */
export function isHashHex(s: unknown): s is string {
  return typeof s === 'string' && HASH_RE.test(s);
}

/** Re-exported so callers need one import for "fail with a path". */
export { fail };

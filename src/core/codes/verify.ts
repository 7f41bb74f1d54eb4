/**
 * Verdicts on a label: VALID, REVOKED, FORGED, ALTERED, EXPIRED or STALE, each with a reason and
 * the evidence it rests on.
 *
 * Spec: docs/codes.md §7. Pure: the facts (what the ledger or a trust bundle says about the
 * identifier, its namespace's issuer keys and revocations) and the time are passed in; the node,
 * the SDK and the CLI gather them (online from a verified resolution, offline from a verified trust
 * bundle).
 */
import { isUrbisError } from '../errors.js';
import { bytesEqual, multikeyToPublicKey, toHex } from '../encoding/index.js';
import { keyOfText } from '../ledger/names.js';
import type { IdEntry, NsEntry, RecordBody, Status } from '../ledger/types.js';
import { verifyCoseSign1 } from './cose.js';
import { claimsJson, isoTime, kidMatches, parseCode, recordDigest, type ParsedCode } from './label.js';
import { revokedIdItem, revokedLabelItem } from './revocation.js';

export type Verdict = 'VALID' | 'REVOKED' | 'FORGED' | 'ALTERED' | 'EXPIRED' | 'STALE';

/** Machine-readable reasons (docs/codes.md §7, table). */
export type VerdictReason =
  | 'ok'
  | 'malformed'
  | 'chain-unknown'
  | 'issuer-unknown'
  | 'signature-invalid'
  | 'issuer-withdrawn'
  | 'identifier-deactivated'
  | 'label-revoked'
  | 'expired'
  | 'identifier-unknown'
  | 'fields-changed'
  | 'data-too-old'
  | 'issued-after-data';

/** The answer of a verification. */
export interface CodeVerdict {
  verdict: Verdict;
  reason: VerdictReason;
  /** One sentence for a person. */
  message: string;
  /** What the verdict rests on: claims, key, heights, times, sources. Never secrets. */
  evidence: Record<string, unknown>;
}

/** Issuer keys of a namespace as the ledger (or a bundle) holds them. */
export interface IssuerKeys {
  ns: string;
  /** Multikeys allowed to issue now (`policy.issuers`). */
  active: readonly string[];
  /** Multikeys that were allowed and were withdrawn (`retiredIssuers`). */
  retired: readonly string[];
}

/** What the verifier knows, gathered by the caller. */
export interface CodeFacts {
  /** Where the facts come from: a verified resolution, a trust bundle, or a proof carried by the code. */
  source: 'ledger' | 'bundle' | 'proof';
  /** Chain id of the network the facts describe. */
  chainId: string;
  /** Time (ms) of the certified state the facts describe (header time; the bundle's checkpoint time). */
  asOf: number;
  /** Issuer keys of the identifier's namespace; undefined if the namespace is unknown to the facts. */
  issuers: IssuerKeys | undefined;
  /**
   * The identifier as the ledger holds it; null if it does not exist; undefined if the facts cannot
   * say (a trust bundle carries no records).
   */
  identifier?: { status: Status; record: RecordBody; revokedLabels?: readonly number[]; version: number } | null;
  /** Offline revocation lookup (a trust bundle's set); probabilistic false positives only. */
  revoked?: (item: string) => boolean;
  /** Extra evidence to attach (certified height, bundle issue time, ...). */
  evidence?: Record<string, unknown>;
}

export interface VerifyCodeOptions {
  /** Current time, ms since epoch (the core has no clock). */
  now: number;
  /** Oldest facts accepted, ms; older facts give STALE unless they already prove REVOKED or FORGED. */
  maxAgeMs: number;
}

/**
 * Facts from ledger entries: the identifier's (an identifier or namespace entry, null if absent) and
 * its namespace's (for the issuer keys).
 */
export function ledgerFacts(p: {
  chainId: string;
  asOf: number;
  entry: IdEntry | NsEntry | null | undefined;
  ns: NsEntry | null | undefined;
  evidence?: Record<string, unknown>;
}): CodeFacts {
  const e = p.entry ?? null;
  return {
    source: 'ledger',
    chainId: p.chainId,
    asOf: p.asOf,
    issuers: p.ns ? { ns: p.ns.ns, active: p.ns.policy.issuers ?? [], retired: p.ns.retiredIssuers ?? [] } : undefined,
    identifier: e
      ? {
          status: e.kind === 'id' ? e.status : 'active',
          record: e.record,
          version: e.version,
          ...(e.kind === 'id' && e.revokedLabels ? { revokedLabels: e.revokedLabels } : {}),
        }
      : null,
    ...(p.evidence ? { evidence: p.evidence } : {}),
  };
}

/** Namespace path of the identifier a code names (the identifier itself for a namespace identifier). */
export function codeNamespace(code: ParsedCode): string {
  const key = keyOfText(code.claims.id);
  const slash = key.indexOf('/');
  return slash < 0 ? key : key.slice(0, slash);
}

/** Raw public keys by Multikey: decoding base58 costs about as much as the rest of a lookup. Bounded. */
const KEY_CACHE_MAX = 4096;
const keyCache = new Map<string, Uint8Array | null>();

function rawKey(multikey: string): Uint8Array | null {
  let k = keyCache.get(multikey);
  if (k === undefined) {
    try {
      k = multikeyToPublicKey(multikey);
    } catch {
      k = null;
    }
    if (keyCache.size >= KEY_CACHE_MAX) keyCache.clear();
    keyCache.set(multikey, k);
  }
  return k;
}

function verdict(verdict: Verdict, reason: VerdictReason, message: string, evidence: Record<string, unknown>): CodeVerdict {
  return { verdict, reason, message, evidence };
}

/**
 * FORGED verdict for an input that is an Urbis code but damaged (any decoding fault).
 */
export function malformedVerdict(e: unknown): CodeVerdict {
  const code = isUrbisError(e) ? e.code : 'INTERNAL';
  const message = e instanceof Error ? e.message : 'malformed code';
  return verdict('FORGED', 'malformed', `The code is damaged or was not made by an Urbis issuer: ${message}`, { error: code });
}

/**
 * Decides the verdict for a decoded code. Order (docs/codes.md §7): authenticity (FORGED) first, then
 * revocation (REVOKED, final whatever the age of the facts), expiry, the age of the facts (STALE),
 * the identifier's existence and the vouched fields (ALTERED).
 */
export async function verifyParsedCode(code: ParsedCode, facts: CodeFacts, opts: VerifyCodeOptions): Promise<CodeVerdict> {
  const c = code.claims;
  const ev: Record<string, unknown> = { claims: claimsJson(c), kid: toHex(code.kid), source: facts.source, asOf: isoTime(facts.asOf), ...facts.evidence };
  if (c.chain !== facts.chainId) {
    return verdict('FORGED', 'chain-unknown', `The code names chain "${c.chain}", not this network ("${facts.chainId}").`, {
      ...ev,
      expectedChain: facts.chainId,
    });
  }
  const key = keyOfText(c.id);
  const ns = codeNamespace(code);
  const candidates: Array<{ key: string; retired: boolean }> = [];
  if (facts.issuers !== undefined && facts.issuers.ns === ns) {
    for (const k of facts.issuers.active) candidates.push({ key: k, retired: false });
    for (const k of facts.issuers.retired) if (!facts.issuers.active.includes(k)) candidates.push({ key: k, retired: true });
  }
  let signer: { key: string; retired: boolean } | undefined;
  for (const cand of candidates) {
    const pub = rawKey(cand.key);
    if (pub === null || !kidMatches(code.kid, pub)) continue;
    if (await verifyCoseSign1(code.cose, pub)) {
      signer = cand;
      break;
    }
  }
  if (signer === undefined) {
    const kidKnown = candidates.some((cand) => {
      const pub = rawKey(cand.key);
      return pub !== null && kidMatches(code.kid, pub);
    });
    if (kidKnown) return verdict('FORGED', 'signature-invalid', 'The signature does not verify with the issuer key the code names.', ev);
    if (facts.source === 'bundle' && c.issuedAt * 1000 > facts.asOf) {
      return verdict(
        'STALE',
        'issued-after-data',
        'The code was issued after the trust bundle was made, by a key the bundle does not know: refresh the bundle.',
        ev,
      );
    }
    return verdict('FORGED', 'issuer-unknown', `No key allowed to issue codes for namespace ${ns} made this code.`, {
      ...ev,
      namespaceKnown: facts.issuers !== undefined,
    });
  }
  ev.issuer = signer.key;
  if (signer.retired) return verdict('REVOKED', 'issuer-withdrawn', 'The key that issued this code was withdrawn from the namespace policy.', ev);
  const id = facts.identifier;
  if (id !== undefined && id !== null) {
    ev.identifier = { status: id.status, version: id.version };
    if (id.status === 'deactivated') return verdict('REVOKED', 'identifier-deactivated', `Identifier ${c.id} is deactivated.`, ev);
    if (id.revokedLabels?.includes(c.serial)) return verdict('REVOKED', 'label-revoked', `Label serial ${c.serial} of ${c.id} was revoked.`, ev);
  }
  if (facts.revoked !== undefined) {
    const probabilistic = { ...ev, probabilistic: true };
    if (facts.revoked(revokedIdItem(key)))
      return verdict('REVOKED', 'identifier-deactivated', `Identifier ${c.id} is deactivated (trust bundle).`, probabilistic);
    if (facts.revoked(revokedLabelItem(key, c.serial)))
      return verdict('REVOKED', 'label-revoked', `Label serial ${c.serial} of ${c.id} was revoked (trust bundle).`, probabilistic);
  }
  if (c.expiresAt !== undefined && opts.now >= c.expiresAt * 1000) {
    return verdict('EXPIRED', 'expired', `The code expired at ${isoTime(c.expiresAt * 1000)}.`, ev);
  }
  const age = opts.now - facts.asOf;
  if (age > opts.maxAgeMs) {
    return verdict(
      'STALE',
      'data-too-old',
      `The ${facts.source === 'bundle' ? 'trust bundle' : 'ledger data'} is ${Math.round(age / 1000)} s old; at most ${Math.round(opts.maxAgeMs / 1000)} s is accepted.`,
      {
        ...ev,
        ageMs: age,
        maxAgeMs: opts.maxAgeMs,
      },
    );
  }
  if (facts.source === 'bundle' && c.issuedAt * 1000 > facts.asOf) {
    // Signed by a key the bundle knows, but revocations after the bundle cannot be known either way;
    // within maxAge this is the accepted risk of offline verification (docs/codes.md §8).
    ev.issuedAfterBundle = true;
  }
  if (id === null) return verdict('FORGED', 'identifier-unknown', `Identifier ${c.id} does not exist on the ledger.`, ev);
  if (id !== undefined) {
    const now = recordDigest(id.record, c.fields);
    if (!bytesEqual(now, c.digest)) {
      return verdict(
        'ALTERED',
        'fields-changed',
        `The record of ${c.id} no longer matches what the label vouches for (type${c.fields.length ? ', ' + c.fields.join(', ') : ''}).`,
        {
          ...ev,
          recordDigest: toHex(now),
        },
      );
    }
    ev.fieldsChecked = true;
  } else {
    ev.fieldsChecked = false;
  }
  return verdict('VALID', 'ok', `Genuine code for ${c.id}, issued by an authorised key${id === undefined ? ' (record fields not checked offline)' : ''}.`, ev);
}

/**
 * Decodes any form of a code and decides its verdict with the facts `factsFor` gathers for the
 * identifier the code names. A damaged Urbis code is FORGED (reason `malformed`).
 * @throws UrbisError CODE_NOT_URBIS when the input is not an Urbis code at all; whatever `factsFor` throws
 */
export async function verifyCode(
  input: string | Uint8Array,
  factsFor: (code: ParsedCode) => Promise<CodeFacts> | CodeFacts,
  opts: VerifyCodeOptions,
): Promise<CodeVerdict> {
  let code: ParsedCode;
  try {
    code = parseCode(input);
  } catch (e) {
    if (isUrbisError(e, 'CODE_NOT_URBIS') || !isUrbisError(e)) throw e;
    return malformedVerdict(e);
  }
  return verifyParsedCode(code, await factsFor(code), opts);
}

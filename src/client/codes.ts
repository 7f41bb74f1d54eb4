/**
 * Codes in the SDK (docs/sdk.md "Codes"): make a label for an identifier from its verified record,
 * and verify any code online (against proven ledger answers) or offline (against a trust bundle).
 * Browser-safe: no `node:` imports; signatures are checked through the crypto provider, which in a
 * browser is WebCrypto Ed25519 with @noble as the fallback (src/client/index.ts installs it).
 *
 * Spec: docs/codes.md §7, §8.
 */
import { isUrbisError, UrbisError } from '../core/errors.js';
import { randomBytes } from '../core/crypto/index.js';
import { parseIdentifier } from '../core/ids/index.js';
import { signerFromSeed, type Signer } from '../core/ledger/tx.js';
import {
  codeNamespace,
  codeUrl,
  ledgerFacts,
  makeCode,
  normaliseFields,
  openTrustBundle,
  recordDigest,
  verifyCode,
  type CodeFacts,
  type CodeVerdict,
  type MadeCode,
  type ParsedCode,
  type VerifiedBundle,
} from '../core/codes/index.js';
import type { TrustAnchor } from '../core/ledger/verify.js';
import type { IdEntry, NsEntry } from '../core/ledger/types.js';
import type { UrbisClient } from './client.js';

/** Default maximum age of offline facts (a trust bundle): one day. */
export const DEFAULT_OFFLINE_MAX_AGE_MS = 24 * 3600 * 1000;

/**
 * The issuer of {@link makeCodeFor}: its 32-byte Ed25519 secret key (`seed`), or a signer (a key
 * loaded from a key file); its public key must be in the namespace's `policy.issuers`.
 */
export type CodeIssuer = { seed: Uint8Array; signer?: undefined } | { signer: Signer; seed?: undefined };

/** Options of {@link makeCodeFor}. */
export type MakeCodeOptions = CodeIssuer & MakeCodeDetails;

/** What a label says besides its issuer. */
export interface MakeCodeDetails {
  /** Label serial (default: 32 random bits). */
  serial?: number;
  /** Attribute names the label vouches for besides the type (default none). */
  fields?: string[];
  /** Expiry, ms since epoch (default none). */
  expiresAt?: number;
  /** Issue time, ms (default now). */
  now?: number;
  /** Public base URL of the URL form (default `https://<urlHost>`). */
  baseUrl?: string;
}

/** A made code in every form. */
export interface MadeCodeForms extends MadeCode {
  url: string;
  serial: number;
}

/**
 * Checks, against the verified namespace entry, that `issuer` may sign labels in namespace `ns`.
 * @throws UrbisError CODE_ISSUER_NOT_AUTHORISED (not in `policy.issuers`: its codes would verify as
 *   FORGED), NS_NOT_FOUND (proven absent), and as {@link UrbisClient.ns}
 */
export async function checkIssuer(client: UrbisClient, ns: string, issuer: string): Promise<void> {
  const n = await client.ns(ns);
  if (!n.present) throw new UrbisError('NS_NOT_FOUND', `namespace ${ns} is not registered (proven absent at block ${n.height})`);
  if (!n.entry.policy.issuers?.includes(issuer)) {
    throw new UrbisError('CODE_ISSUER_NOT_AUTHORISED', `${issuer} is not in policy.issuers of ${ns}: its codes would verify as FORGED`, { issuer, ns });
  }
}

/**
 * Makes a label for an identifier from its verified current record, after checking against the
 * verified namespace entry that the issuer is one of its `policy.issuers`.
 * @throws UrbisError ID_NOT_FOUND (proven absent), ID_DEACTIVATED, CODE_ISSUER_NOT_AUTHORISED, CODE_MALFORMED,
 *   and as {@link UrbisClient.resolve}
 */
export async function makeCodeFor(client: UrbisClient, id: string, o: MakeCodeOptions): Promise<MadeCodeForms> {
  const issuer = o.signer ?? signerFromSeed(o.seed);
  const r = await client.resolve(id);
  if (!r.present) throw new UrbisError('ID_NOT_FOUND', `${r.id} is not registered (proven absent at block ${r.height})`);
  if (r.entry.status === 'deactivated') throw new UrbisError('ID_DEACTIVATED', `${r.id} is deactivated; no code is made for it`);
  await checkIssuer(client, parseIdentifier(r.id).namespace.join('.'), issuer.id);
  const fields = normaliseFields(o.fields ?? []);
  const now = o.now ?? Date.now();
  const serial = o.serial ?? new DataView(randomBytes(4).buffer).getUint32(0);
  const claims = {
    id: r.id,
    serial,
    issuedAt: Math.floor(now / 1000),
    chain: client.anchor.chainId,
    digest: recordDigest(r.entry.record, fields),
    fields,
    ...(o.expiresAt === undefined ? {} : { expiresAt: Math.floor(o.expiresAt / 1000) }),
  };
  const made = makeCode(claims, issuer, issuer.publicKey);
  return { ...made, serial, url: codeUrl(o.baseUrl ?? `https://${r.url.split('/')[2]}`, r.id, made.bytes) };
}

/** Facts of the ledger for a code, from proven answers (identifier and namespace). */
export async function onlineFacts(client: UrbisClient, code: ParsedCode): Promise<CodeFacts> {
  const chainId = client.anchor.chainId;
  if (code.claims.chain !== chainId) return { source: 'ledger', chainId, asOf: Number.MAX_SAFE_INTEGER, issuers: undefined };
  const [r, ns] = await Promise.all([client.resolve(code.claims.id), client.ns(codeNamespace(code))]);
  return ledgerFacts({
    chainId,
    asOf: Math.min(r.time, ns.time),
    entry: r.present ? (r.entry as IdEntry | NsEntry) : null,
    ns: ns.present ? (ns.entry as NsEntry) : null,
    evidence: { ledger: { height: r.height, headerHash: r.headerHash, stateRoot: r.stateRoot, signers: r.signers, nsHeight: ns.height } },
  });
}

/** Options of the verifiers. */
export interface VerifyOptions {
  /** Now, ms (default `Date.now()`). */
  now?: number;
  /** Oldest facts accepted, ms: online default no limit (the node's head), offline default one day. */
  maxAgeMs?: number;
}

/**
 * Verifies a code (text, URL or bytes) against the ledger: the identifier and its namespace are
 * read with proofs and verified against the client's trust anchor.
 * @returns the verdict; a damaged code is FORGED
 * @throws UrbisError CODE_NOT_URBIS (not a code), and what {@link UrbisClient.resolve} throws when the
 *   node's answers do not verify (PROOF_INVALID, CERT_INVALID, …) or the node is unreachable
 */
export async function verifyCodeOnline(client: UrbisClient, input: string | Uint8Array, o: VerifyOptions = {}): Promise<CodeVerdict> {
  const now = o.now ?? Date.now();
  try {
    return await verifyCode(input, (code) => onlineFacts(client, code), { now, maxAgeMs: o.maxAgeMs ?? Number.POSITIVE_INFINITY });
  } catch (e) {
    if (isUrbisError(e, 'CLIENT_STALE')) {
      return { verdict: 'STALE', reason: 'data-too-old', message: e.message, evidence: { source: 'ledger', ...e.details } };
    }
    throw e;
  }
}

/**
 * Verifies a code with no network: against a trust bundle (bytes, or one already opened).
 * @param anchor what the verifier trusts (genesis validators); without it the bundle's own list
 * @throws UrbisError CODE_NOT_URBIS, BUNDLE_INVALID
 */
export async function verifyCodeOffline(
  input: string | Uint8Array,
  bundle: Uint8Array | VerifiedBundle,
  o: VerifyOptions & { anchor?: TrustAnchor } = {},
): Promise<CodeVerdict> {
  const b = bundle instanceof Uint8Array ? await openTrustBundle(bundle, o.anchor) : bundle;
  return verifyCode(input, (code) => b.factsFor(code), { now: o.now ?? Date.now(), maxAgeMs: o.maxAgeMs ?? DEFAULT_OFFLINE_MAX_AGE_MS });
}

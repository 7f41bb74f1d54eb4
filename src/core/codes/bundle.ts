/**
 * Trust bundles: what a verifier needs to decide on codes with no network at all — a certified
 * checkpoint (header + finality certificate), the validator keys, the issuer keys of every namespace,
 * a compact revocation set, and the bundle's issue time — signed as a COSE_Sign1 by a validator.
 *
 * Spec: docs/codes.md §8. Pure.
 *
 * Trust: the checkpoint is certified by more than two thirds of the validators the verifier trusts
 * (its anchor); the rest of the bundle (issuer keys, revocations) is vouched for by the one validator
 * that signed it, which must belong to that set. A verifier without an anchor trusts the validator
 * list the bundle carries (evidence `anchor: "bundle"`), which only checks the bundle's integrity.
 */
import { fail, isUrbisError, UrbisError } from '../errors.js';
import { canonicalBytes, multikeyToPublicKey, publicKeyToMultikey, utf8Decode } from '../encoding/index.js';
import { verifyCertificate } from '../ledger/block.js';
import type { TrustAnchor } from '../ledger/verify.js';
import type { BlockHeader, Certificate } from '../ledger/types.js';
import { decodeCbor, encodeCbor, type CborValue } from './cbor.js';
import { coseKid, parseCoseSign1, signCoseSign1, verifyCoseSign1 } from './cose.js';
import { isoTime, issuerKid, kidMatches, type ParsedCode } from './label.js';
import { openRevocationSet, type RevocationIndex, type RevocationSet } from './revocation.js';
import { codeNamespace, type CodeFacts, type IssuerKeys } from './verify.js';

/** Format version of the bundle payload. */
export const BUNDLE_VERSION = 1;
/** Largest bundle accepted (bytes). */
export const MAX_BUNDLE_BYTES = 16 * 1024 * 1024;

/** The content of a trust bundle. */
export interface TrustBundleContent {
  chain: string;
  /** When the bundle was made, ms since epoch: the time its facts are vouched for (`asOf`). */
  issuedAt: number;
  /** The certified checkpoint (the head when the bundle was issued). */
  header: BlockHeader;
  cert: Certificate;
  /** Validators in force at the checkpoint. */
  validators: string[];
  /** Issuer keys of every namespace that has or had any, sorted by namespace. */
  issuers: IssuerKeys[];
  revocations: RevocationSet;
}

/** A bundle whose signature and checkpoint verified. */
export interface VerifiedBundle {
  content: TrustBundleContent;
  /** Validator key that signed the bundle. */
  signer: string;
  /** Whose validator set certified the checkpoint: the caller's anchor, or the bundle's own list. */
  anchor: 'given' | 'bundle';
  revoked: RevocationIndex;
  /** Facts for one parsed code, for {@link verifyParsedCode}. */
  factsFor(code: ParsedCode): CodeFacts;
}

const P = { v: 1, chain: 2, issuedAt: 3, header: 4, cert: 5, validators: 6, issuers: 7, revocations: 8 } as const;

/**
 * Encodes and signs a bundle with a validator's key.
 * @throws UrbisError CBOR_INVALID
 */
export function makeTrustBundle(c: TrustBundleContent, signer: { publicKey: Uint8Array; sign(message: Uint8Array): Uint8Array }): Uint8Array {
  const issuers = [...c.issuers].sort((a, b) => (a.ns < b.ns ? -1 : a.ns > b.ns ? 1 : 0));
  const payload = encodeCbor(
    new Map<number, CborValue>([
      [P.v, BUNDLE_VERSION],
      [P.chain, c.chain],
      [P.issuedAt, c.issuedAt],
      [P.header, canonicalBytes(c.header)],
      [P.cert, canonicalBytes(c.cert)],
      [P.validators, [...c.validators]],
      [P.issuers, issuers.map((i) => [i.ns, [...i.active], [...i.retired]])],
      [P.revocations, [c.revocations.p, c.revocations.m, c.revocations.n, c.revocations.data]],
    ]),
  );
  return signCoseSign1(payload, signer, issuerKid(signer.publicKey));
}

function bad(message: string): never {
  fail('BUNDLE_INVALID', message);
}

function strings(v: CborValue | undefined, what: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) bad(`${what} must be an array of text`);
  return v as string[];
}

function json(v: CborValue | undefined, what: string): Record<string, unknown> {
  if (!(v instanceof Uint8Array)) bad(`${what} must be a byte string of JSON`);
  try {
    const o = JSON.parse(utf8Decode(v)) as unknown;
    if (typeof o !== 'object' || o === null || Array.isArray(o)) bad(`${what} must be a JSON object`);
    return o as Record<string, unknown>;
  } catch (e) {
    if (isUrbisError(e)) throw e;
    return bad(`${what} is not JSON`);
  }
}

/** Decodes the payload without checking signatures (for tools that only inspect a bundle). */
export function decodeTrustBundle(bytes: Uint8Array): { content: TrustBundleContent; kid: Uint8Array | undefined; message: ReturnType<typeof parseCoseSign1> } {
  if (!(bytes instanceof Uint8Array) || bytes.length > MAX_BUNDLE_BYTES) bad(`a trust bundle is at most ${MAX_BUNDLE_BYTES} bytes`);
  let message: ReturnType<typeof parseCoseSign1>;
  let m: CborValue;
  try {
    message = parseCoseSign1(bytes);
    m = decodeCbor(message.payload, { maxDepth: 5 });
  } catch (e) {
    if (isUrbisError(e)) throw new UrbisError('BUNDLE_INVALID', `not a trust bundle: ${e.message}`);
    throw e;
  }
  if (!(m instanceof Map)) bad('payload must be a map');
  if (m.get(P.v) !== BUNDLE_VERSION) bad(`unsupported bundle version ${String(m.get(P.v))}`);
  const chain = m.get(P.chain);
  const issuedAt = m.get(P.issuedAt);
  if (typeof chain !== 'string' || typeof issuedAt !== 'number') bad('chain and issue time are required');
  const header = json(m.get(P.header), 'header') as unknown as BlockHeader;
  const cert = json(m.get(P.cert), 'certificate') as unknown as Certificate;
  if (typeof header.time !== 'number' || typeof header.chain !== 'string' || typeof header.height !== 'number') bad('header lacks chain, height or time');
  if (!Array.isArray(cert.sigs)) bad('certificate lacks signatures');
  const validators = strings(m.get(P.validators), 'validators');
  const rawIssuers = m.get(P.issuers);
  if (!Array.isArray(rawIssuers)) bad('issuers must be an array');
  const issuers = rawIssuers.map((x): IssuerKeys => {
    if (!Array.isArray(x) || x.length !== 3 || typeof x[0] !== 'string') bad('an issuer entry is [namespace, active keys, retired keys]');
    return { ns: x[0], active: strings(x[1], 'active issuer keys'), retired: strings(x[2], 'retired issuer keys') };
  });
  const r = m.get(P.revocations);
  if (
    !Array.isArray(r) ||
    r.length !== 4 ||
    typeof r[0] !== 'number' ||
    typeof r[1] !== 'number' ||
    typeof r[2] !== 'number' ||
    !(r[3] instanceof Uint8Array)
  ) {
    bad('revocations must be [p, m, n, data]');
  }
  const revocations: RevocationSet = { p: r[0] as number, m: r[1] as number, n: r[2] as number, data: r[3] as Uint8Array };
  return { content: { chain, issuedAt, header, cert, validators, issuers, revocations }, kid: coseKid(message), message };
}

/**
 * Verifies a bundle: the signature by a validator of the trusted set, the checkpoint's certificate
 * under that set, the chain id; then opens the revocation set.
 * @param anchor the verifier's trust anchor (genesis validators, or a later verified set); without
 *   one, the bundle's own validator list is used and the result says `anchor: "bundle"`
 * @throws UrbisError BUNDLE_INVALID (with the reason), CERT_INVALID as BUNDLE_INVALID
 */
export async function openTrustBundle(bytes: Uint8Array, anchor?: TrustAnchor): Promise<VerifiedBundle> {
  const { content, kid, message } = decodeTrustBundle(bytes);
  if (anchor !== undefined && anchor.chainId !== content.chain) bad(`the bundle is for chain "${content.chain}", not "${anchor.chainId}"`);
  if (content.header.chain !== content.chain) bad('the checkpoint is from another chain');
  // The signer vouches that the checkpoint was the certified head when it issued the bundle.
  if (content.issuedAt < content.header.time) bad('the bundle claims to be older than its checkpoint');
  const trusted = anchor?.validators ?? content.validators;
  let signer: string | undefined;
  for (const v of trusted) {
    let pub: Uint8Array;
    try {
      pub = multikeyToPublicKey(v);
    } catch {
      continue;
    }
    if (kid !== undefined && kidMatches(kid, pub) && (await verifyCoseSign1(message, pub))) {
      signer = publicKeyToMultikey(pub);
      break;
    }
  }
  if (signer === undefined) bad('the bundle is not signed by a trusted validator');
  try {
    verifyCertificate(content.header, content.cert, trusted);
  } catch (e) {
    if (isUrbisError(e)) bad(`the checkpoint is not certified: ${e.message}`);
    throw e;
  }
  const revoked = openRevocationSet(content.chain, content.revocations);
  const byNs = new Map(content.issuers.map((i) => [i.ns, i]));
  const evidence = {
    bundle: {
      height: content.header.height,
      checkpointTime: isoTime(content.header.time),
      issuedAt: isoTime(content.issuedAt),
      signer,
      anchor: anchor ? 'given' : 'bundle',
    },
  };
  return {
    content,
    signer,
    anchor: anchor ? 'given' : 'bundle',
    revoked,
    factsFor(code: ParsedCode): CodeFacts {
      const ns = codeNamespace(code);
      return { source: 'bundle', chainId: content.chain, asOf: content.issuedAt, issuers: byNs.get(ns), revoked: (it) => revoked.has(it), evidence };
    },
  };
}

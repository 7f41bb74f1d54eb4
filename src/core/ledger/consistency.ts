/**
 * Consistency between certified heads and fork evidence: docs/protocol.md "Consistency between
 * heads". A reader that trusts certified header A and receives certified header B checks, with two
 * O(log n) RFC 9162 proofs over the history tree B commits to, that B's history holds A. When the
 * node's own header at A's height is certified and differs from A, the two headers with their
 * certificates are fork evidence that anyone holding the validator keys can check. Pure.
 */
import { UrbisError } from '../errors.js';
import { fromHex } from '../encoding/index.js';
import { verifyConsistency, verifyInclusion } from '../merkle/log.js';
import { headerHash, historyLeaf } from './block.js';
import { AnswerVerifier, checkHeaderShape, type TrustAnchor, type VerifiedHeader } from './verify.js';
import type { BlockHeader, Certificate } from './types.js';

/** `GET /v1/consistency?from=a&to=b`: header `to` and the proofs that it extends header `from`. */
export interface ConsistencyAnswer {
  from: number;
  to: number;
  /** The node's header at `from` and its certificate. */
  fromHeader: BlockHeader;
  fromCert: Certificate;
  /** The node's header at `to` and its certificate. */
  header: BlockHeader;
  cert: Certificate;
  /** RFC 9162 §2.1.4.1 consistency proof from tree size `from` to `to` (empty for `from` = 0 or `from` = `to`), hex. */
  consistency: string[];
  /** RFC 9162 §2.1.3.1 audit path of leaf `from` in the tree of size `to` (empty for `from` = `to`), hex. */
  inclusion: string[];
}

/** One side of a fork: a header and its certificate. */
export interface CertifiedHeader {
  header: BlockHeader;
  cert: Certificate;
}

/**
 * Two certified headers of the same chain and height with different hashes. Self-contained: a third
 * party checks it with the validator keys alone ({@link checkForkEvidence}).
 */
export interface ForkEvidence {
  chainId: string;
  height: number;
  a: CertifiedHeader;
  b: CertifiedHeader;
}

const MAX_PROOF = 64;

function hashes(v: unknown, what: string): Uint8Array[] {
  if (!Array.isArray(v) || v.length > MAX_PROOF || !v.every((h) => typeof h === 'string' && /^[0-9a-f]{64}$/.test(h))) {
    throw new UrbisError('PROOF_INVALID', `the ${what} proof is not a list of at most ${MAX_PROOF} hashes`);
  }
  return (v as string[]).map((h) => fromHex(h, 32));
}

/**
 * Checks that `next` extends `trusted` with the node's proofs in `answer` (whose `to` header must be
 * `next`). Both headers are already verified. Never trusts the answer's `fromHeader` beyond its
 * certificate.
 *
 * @returns nothing when `next` extends `trusted`.
 * @throws UrbisError CHAIN_FORKED (details.evidence: a {@link ForkEvidence}) when the node's certified
 *   header at `trusted`'s height, proven to be in `next`'s history, is another header;
 *   CHAIN_INCONSISTENT when the proofs do not hold (the node's answer proves nothing: B is refused).
 */
export function verifyExtends(verifier: AnswerVerifier, trusted: VerifiedHeader, next: VerifiedHeader, answer: unknown): void {
  const a = trusted.header.height;
  const b = next.header.height;
  if (a > b) throw new UrbisError('CHAIN_INCONSISTENT', `header ${b} is older than the trusted header ${a}`, { from: a, to: b });
  if (a === b) {
    if (trusted.headerHash === next.headerHash) return;
    throw forked(trusted, next);
  }
  const inconsistent = (why: string, cause?: unknown) =>
    new UrbisError('CHAIN_INCONSISTENT', `header ${b} is not proven to extend the trusted header ${a}: ${why}`, { from: a, to: b }, { cause });
  if (typeof answer !== 'object' || answer === null) throw inconsistent('no consistency answer');
  const j = answer as Record<string, unknown>;
  if (j.from !== a || j.to !== b) throw inconsistent(`the answer is for heights ${String(j.from)} → ${String(j.to)}`);
  // The answer's headers are the two the caller holds, verified already (perhaps under a validator
  // set since replaced), or another certified one at `a`: only that one needs its certificate checked.
  const hashOf = (h: unknown) => {
    try {
      return headerHash(checkHeaderShape(h));
    } catch (e) {
      throw inconsistent('a header in the answer is malformed', e);
    }
  };
  if (hashOf(j.header) !== next.headerHash) throw inconsistent('the answer is about another header at that height');
  let from: VerifiedHeader = trusted;
  if (hashOf(j.fromHeader) !== trusted.headerHash) {
    try {
      from = verifier.verifyHeader(j.fromHeader, j.fromCert, true);
    } catch (e) {
      throw inconsistent('a header in the answer is not certified', e);
    }
  }
  if (from.header.height !== a) throw inconsistent(`the answer's header is at height ${from.header.height}`);
  try {
    const root = fromHex(next.header.historyRoot, 32);
    verifyInclusion(historyLeaf(from.headerHash), a, b, hashes(j.inclusion, 'inclusion'), root);
    if (a > 0) verifyConsistency(a, b, hashes(j.consistency, 'consistency'), fromHex(from.header.historyRoot, 32), root);
  } catch (e) {
    throw inconsistent((e as Error).message, e);
  }
  // B's history holds the node's certified header at height a: if that is not the trusted one, the
  // validators certified two headers at height a.
  if (from.headerHash !== trusted.headerHash) throw forked(trusted, from);
}

/** The CHAIN_FORKED error carrying both certified headers. */
export function forked(x: VerifiedHeader, y: VerifiedHeader): UrbisError {
  const evidence: ForkEvidence = {
    chainId: x.header.chain,
    height: x.header.height,
    a: { header: x.header, cert: x.cert },
    b: { header: y.header, cert: y.cert },
  };
  return new UrbisError(
    'CHAIN_FORKED',
    `two certified headers at height ${x.header.height}: ${x.headerHash} and ${y.headerHash}; the validators signed two histories`,
    { evidence },
  );
}

/** The fork evidence an error carries, if it is CHAIN_FORKED. */
export function forkEvidenceOf(e: unknown): ForkEvidence | undefined {
  return e instanceof UrbisError && e.code === 'CHAIN_FORKED' ? (e.details?.evidence as ForkEvidence | undefined) : undefined;
}

/**
 * Checks fork evidence under `anchor`: both headers certified by a quorum of its validators, same
 * chain and height, different hashes.
 *
 * @returns the evidence with the verified headers and certificates (valid signatures only), `a`
 *   the one with the smaller hash, so the same fork is always stored the same way.
 * @throws UrbisError CHAIN_FORKED is not thrown; PROOF_INVALID when the evidence does not hold.
 */
export function checkForkEvidence(e: unknown, anchor: TrustAnchor): { evidence: ForkEvidence; hashes: [string, string] } {
  if (typeof e !== 'object' || e === null) throw new UrbisError('PROOF_INVALID', 'fork evidence is not an object');
  const j = e as Record<string, unknown>;
  const side = (v: unknown, name: string): VerifiedHeader => {
    const s = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
    try {
      return new AnswerVerifier(anchor, { certCacheSize: 0 }).verifyHeader(s.header, s.cert);
    } catch (err) {
      throw new UrbisError('PROOF_INVALID', `fork evidence header ${name} is not certified: ${(err as Error).message}`, undefined, { cause: err });
    }
  };
  const x = side(j.a, 'a');
  const y = side(j.b, 'b');
  if (x.header.height !== y.header.height) throw new UrbisError('PROOF_INVALID', 'the two headers of fork evidence are at different heights');
  if (x.headerHash === y.headerHash) throw new UrbisError('PROOF_INVALID', 'the two headers of fork evidence are the same header');
  const [p, q] = x.headerHash < y.headerHash ? [x, y] : [y, x];
  return {
    evidence: { chainId: anchor.chainId, height: p.header.height, a: { header: p.header, cert: p.cert }, b: { header: q.header, cert: q.cert } },
    hashes: [p.headerHash, q.headerHash],
  };
}

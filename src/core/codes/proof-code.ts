/**
 * Proof-carrying codes (docs/codes.md §9): a label together with the Merkle proofs of its
 * identifier's and namespace's entries and the certified header they lead to, so that a verifier
 * holding only the network's genesis anchor checks the label against the ledger state at issue time,
 * with no network and no trust bundle. Larger than a label: for byte-mode QR codes and NFC tags.
 *
 * Spec: docs/codes.md §9. Pure.
 */
import { fail, isUrbisError } from '../errors.js';
import { canonicalBytes, utf8Decode } from '../encoding/index.js';
import { decodeProof, encodeProof, type SmtProof } from '../merkle/index.js';
import { idKey, nsKey, stateKey } from '../ledger/state.js';
import { keyOfText } from '../ledger/names.js';
import { verifyProvenEntry, type TrustAnchor } from '../ledger/verify.js';
import type { BlockHeader, Certificate, IdEntry, NsEntry } from '../ledger/types.js';
import { base45Decode, base45Encode } from './base45.js';
import { decodeCbor, encodeCbor, type CborValue } from './cbor.js';
import { parseCode } from './label.js';
import { codeNamespace, ledgerFacts, malformedVerdict, verifyParsedCode, type CodeVerdict, type VerifyCodeOptions } from './verify.js';

/** Prefix of the text form of a proof-carrying code, format 1. */
export const PROOF_CODE_PREFIX = 'UP1:';
/** Largest proof-carrying code accepted, bytes. */
export const MAX_PROOF_CODE_BYTES = 16 * 1024;

/** What a proof-carrying code holds besides the label. */
export interface CodeProofs {
  header: BlockHeader;
  cert: Certificate;
  /** The identifier's entry (an identifier, or a namespace for a namespace label) and its proof. */
  entry: IdEntry | NsEntry;
  entryProof: SmtProof;
  /** The namespace's entry and its proof; null for a namespace label (the entry is the namespace). */
  ns: NsEntry | null;
  nsProof: SmtProof | null;
}

/**
 * Builds a proof-carrying code: CBOR `[label, header, cert, entry, entryProof, ns, nsProof]`
 * (JSON parts as RFC 8785 bytes, proofs in their binary form), as bytes and as `UP1:` + base45.
 */
export function makeProofCode(label: Uint8Array, p: CodeProofs): { bytes: Uint8Array; text: string } {
  const bytes = encodeCbor([
    label,
    canonicalBytes(p.header),
    canonicalBytes(p.cert),
    canonicalBytes(p.entry),
    encodeProof(p.entryProof),
    p.ns === null ? null : canonicalBytes(p.ns),
    p.nsProof === null ? null : encodeProof(p.nsProof),
  ] as CborValue[]);
  return { bytes, text: PROOF_CODE_PREFIX + base45Encode(bytes) };
}

function json(v: CborValue | undefined, what: string): Record<string, unknown> {
  if (!(v instanceof Uint8Array)) fail('CODE_MALFORMED', `${what} must be a byte string`);
  try {
    const o = JSON.parse(utf8Decode(v)) as unknown;
    if (typeof o === 'object' && o !== null && !Array.isArray(o)) return o as Record<string, unknown>;
  } catch {
    // fall through
  }
  return fail('CODE_MALFORMED', `${what} is not a JSON object`);
}

/** True if the input is (or claims to be) a proof-carrying code. */
export function isProofCode(input: string | Uint8Array): boolean {
  return typeof input === 'string' ? input.trim().startsWith(PROOF_CODE_PREFIX) : input.length > 0 && input[0] === 0x87;
}

/**
 * Decodes a proof-carrying code (text or bytes). Attacker-controlled.
 * @throws UrbisError CODE_MALFORMED, CBOR_INVALID, BASE45_INVALID, PROOF_MALFORMED
 */
export function decodeProofCode(input: string | Uint8Array): { label: Uint8Array; proofs: CodeProofs } {
  let bytes: Uint8Array;
  if (typeof input === 'string') {
    const s = input.trim();
    if (!s.startsWith(PROOF_CODE_PREFIX)) fail('CODE_NOT_URBIS', `a proof-carrying code starts with "${PROOF_CODE_PREFIX}"`);
    if (s.length > MAX_PROOF_CODE_BYTES * 2) fail('CODE_MALFORMED', 'the proof-carrying code is too long');
    bytes = base45Decode(s.slice(PROOF_CODE_PREFIX.length));
  } else bytes = input;
  if (bytes.length > MAX_PROOF_CODE_BYTES) fail('CODE_MALFORMED', `a proof-carrying code is at most ${MAX_PROOF_CODE_BYTES} bytes`);
  const v = decodeCbor(bytes, { maxDepth: 2 });
  if (!Array.isArray(v) || v.length !== 7) fail('CODE_MALFORMED', 'a proof-carrying code is an array of seven items');
  const [label, header, cert, entry, entryProof, ns, nsProof] = v;
  if (!(label instanceof Uint8Array) || !(entryProof instanceof Uint8Array)) fail('CODE_MALFORMED', 'label and entry proof must be byte strings');
  if ((ns === null) !== (nsProof === null) || (ns !== null && !(nsProof instanceof Uint8Array)))
    fail('CODE_MALFORMED', 'namespace entry and proof go together');
  return {
    label,
    proofs: {
      header: json(header, 'header') as unknown as BlockHeader,
      cert: json(cert, 'certificate') as unknown as Certificate,
      entry: json(entry, 'entry') as unknown as IdEntry | NsEntry,
      entryProof: decodeProof(entryProof),
      ns: ns === null ? null : (json(ns, 'namespace entry') as unknown as NsEntry),
      nsProof: nsProof === null ? null : decodeProof(nsProof as Uint8Array),
    },
  };
}

/**
 * Verifies a proof-carrying code with nothing but a trust anchor: the header's certificate under the
 * anchor's validators, both Merkle proofs under its state root, the entries being those of the
 * identifier the label names; then the label's verdict against that state (`source: "proof"`,
 * `asOf` the header's time). What happened after issue cannot be known from the code alone.
 * @returns the verdict; a code whose proofs do not verify is FORGED (`malformed`)
 * @throws UrbisError CODE_NOT_URBIS when the input is not a proof-carrying code
 */
export async function verifyProofCode(
  input: string | Uint8Array,
  anchor: TrustAnchor,
  opts: Partial<VerifyCodeOptions> & { now: number },
): Promise<CodeVerdict> {
  let decoded: ReturnType<typeof decodeProofCode>;
  let code: ReturnType<typeof parseCode>;
  try {
    decoded = decodeProofCode(input);
    code = parseCode(decoded.label);
    const p = decoded.proofs;
    const key = keyOfText(code.claims.id);
    const isNs = !key.includes('/');
    // The proofs must be about the identifier the label names, whatever the entries say.
    const entryKey = isNs ? nsKey(key) : idKey(key);
    const answer = (k: string, entry: IdEntry | NsEntry, proof: SmtProof) =>
      verifyProvenEntry({ key: k, entry, proof, header: p.header, cert: p.cert }, anchor);
    if (stateKey(p.entry) !== entryKey) fail('PROOF_INVALID', `the proof is for ${stateKey(p.entry)}, not ${entryKey}`);
    const v = answer(entryKey, p.entry, p.entryProof);
    if (!isNs) {
      if (p.ns === null || p.nsProof === null) fail('CODE_MALFORMED', 'the namespace entry and its proof are missing');
      answer(nsKey(codeNamespace(code)), p.ns, p.nsProof);
    }
    const facts = ledgerFacts({
      chainId: anchor.chainId,
      asOf: p.header.time,
      entry: p.entry,
      ns: isNs ? (p.entry as NsEntry) : p.ns,
      evidence: { proof: { height: v.height, stateRoot: v.stateRoot, signers: v.signers, validators: v.validators, stateAt: 'issue' } },
    });
    return await verifyParsedCode(code, { ...facts, source: 'proof' }, { now: opts.now, maxAgeMs: opts.maxAgeMs ?? Number.POSITIVE_INFINITY });
  } catch (e) {
    if (!isUrbisError(e) || isUrbisError(e, 'CODE_NOT_URBIS')) throw e;
    return malformedVerdict(e);
  }
}

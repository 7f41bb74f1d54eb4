/**
 * The chain's checkpoint as a C2SP signed note (docs/protocol.md "Checkpoints and witnesses"): the
 * history tree at size h (headers 0 … h−1) with the root that certified header h carries as
 * `historyRoot`, signed by the validators over the note text, cosigned by witnesses. Pure.
 *
 *     urbis/<chain id>
 *     <h>
 *     <base64 historyRoot of header h>
 *
 *     — urbis/<chain id> <base64(key ID ‖ Ed25519 signature of a validator)>   (one per validator)
 *     — <witness name> <base64(key ID ‖ time ‖ Ed25519 cosignature)>           (cosignature/v1)
 */
import { UrbisError } from '../errors.js';
import { fromBase64url, fromHex, multikeyToPublicKey, toBase64url, toHex, utf8Encode } from '../encoding/index.js';
import { isQuorum } from './block.js';
import {
  cosignatureTime,
  ed25519NoteVerifier,
  formatCheckpoint,
  NOTE_COSIGNATURE_V1,
  openNote,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  sameVerifier,
  signatureLine,
  type NoteVerifier,
  type ParsedNote,
} from '../note/index.js';
import type { BlockHeader } from './types.js';
import type { Signer } from './tx.js';
import type { TrustAnchor } from './verify.js';

/** A validator's signature of a checkpoint note text: its Multikey and the 64-byte signature, base64url. */
export interface NoteSig {
  key: string;
  sig: string;
}

/**
 * Origin line (and the validators' key name) of a chain's checkpoints. Chain ids match
 * `[a-z0-9][a-z0-9-]*`, so a note text (`urbis/<id>\n…`) never begins like a header's signing input
 * (`urbis/header/v1\n`) or a transaction's (`urbis/tx/v1\n`): one key may sign all three.
 */
export function checkpointOrigin(chainId: string): string {
  return `urbis/${chainId}`;
}

/** The note text of the checkpoint of header `h`: size `h.height`, root `h.historyRoot`. */
export function checkpointText(h: Pick<BlockHeader, 'chain' | 'height' | 'historyRoot'>): string {
  return formatCheckpoint({ origin: checkpointOrigin(h.chain), size: h.height, root: fromHex(h.historyRoot, 32) });
}

/** A validator's note signature of header `h`'s checkpoint. */
export function signCheckpoint(h: Pick<BlockHeader, 'chain' | 'height' | 'historyRoot'>, signer: Signer): NoteSig {
  return { key: signer.id, sig: toBase64url(signer.sign(utf8Encode(checkpointText(h)))) };
}

/** The note verifier of a validator (Ed25519, key name = the origin). @throws UrbisError NOTE_INVALID, ENC_*. */
export function validatorNoteVerifier(chainId: string, key: string): NoteVerifier {
  return ed25519NoteVerifier(checkpointOrigin(chainId), multikeyToPublicKey(key));
}

/** Whether `s` is `key`'s valid note signature of `text` (never throws). */
export function checkNoteSig(chainId: string, text: string, s: NoteSig): boolean {
  try {
    return validatorNoteVerifier(chainId, s.key).verify(text, fromBase64url(s.sig));
  } catch {
    return false;
  }
}

/** The signature line of a validator's note signature. */
export function validatorLine(chainId: string, s: NoteSig): string {
  const v = validatorNoteVerifier(chainId, s.key);
  return signatureLine(v.name, v.keyId, fromBase64url(s.sig));
}

/** The signed note: the text, a blank line, the validators' lines, then the witnesses' lines. */
export function checkpointNote(h: Pick<BlockHeader, 'chain' | 'height' | 'historyRoot'>, sigs: NoteSig[], cosignatureLines: string[] = []): string {
  return `${checkpointText(h)}\n${sigs.map((s) => validatorLine(h.chain, s)).join('')}${cosignatureLines.join('')}`;
}

/** A witness the client (or node) knows: its cosignature/v1 verifier. */
export type Witness = NoteVerifier;

/** Parses witness verifier keys (`name+id+base64(0x04 ‖ key)`). @throws UrbisError NOTE_INVALID. */
export function parseWitnesses(vkeys: readonly string[]): Witness[] {
  const out: Witness[] = [];
  for (const k of vkeys) {
    const v = parseVerifierKey(k);
    if (v.type !== NOTE_COSIGNATURE_V1) throw new UrbisError('NOTE_INVALID', `${v.name}: a witness key is a cosignature/v1 key (type 0x04)`);
    if (!out.some((w) => sameVerifier(w, v))) out.push(v);
  }
  return out;
}

/** A witness cosignature that verified. */
export interface VerifiedCosignature {
  witness: string;
  keyId: string;
  /** Cosignature time, POSIX seconds. */
  time: number;
  line: string;
}

/** A checkpoint note after {@link verifyCheckpointNote}. */
export interface VerifiedCheckpoint {
  origin: string;
  size: number;
  /** Hex root of the history tree at `size`. */
  root: string;
  text: string;
  /** Validators whose note signature verified. */
  validators: string[];
  /** Cosignatures of the witnesses given that verified. */
  cosignatures: VerifiedCosignature[];
}

/**
 * Verifies a checkpoint note under an anchor: C2SP note syntax, checkpoint body, origin of the
 * anchor's chain, note signatures of more than two thirds of the anchor's validators, and the
 * cosignatures of the `witnesses` given (a known key's bad signature rejects the note; other
 * lines are ignored).
 *
 * @throws UrbisError NOTE_INVALID.
 */
export function verifyCheckpointNote(note: string | Uint8Array | ParsedNote, anchor: TrustAnchor, witnesses: readonly Witness[] = []): VerifiedCheckpoint {
  const parsed = typeof note === 'object' && !(note instanceof Uint8Array) ? note : parseNote(note);
  const cp = parseCheckpoint(parsed.text);
  const origin = checkpointOrigin(anchor.chainId);
  if (cp.origin !== origin) throw new UrbisError('NOTE_INVALID', `the checkpoint is for "${cp.origin}", expected "${origin}"`);
  if (cp.extensions) throw new UrbisError('NOTE_INVALID', 'an Urbis checkpoint has no extension lines');
  const verifiers = anchor.validators.map((k) => validatorNoteVerifier(anchor.chainId, k));
  const opened = openNote(parsed, [...verifiers, ...witnesses]);
  const validators = new Set<string>();
  const cosignatures: VerifiedCosignature[] = [];
  for (const s of opened.verified) {
    const i = verifiers.indexOf(s.verifier);
    if (i >= 0) validators.add(anchor.validators[i]!);
    else if (!cosignatures.some((c) => c.witness === s.name && c.keyId === s.keyId)) {
      cosignatures.push({ witness: s.name, keyId: s.keyId, time: cosignatureTime(s.signature), line: s.line });
    }
  }
  if (!isQuorum(validators.size, anchor.validators.length)) {
    throw new UrbisError(
      'NOTE_INVALID',
      `the checkpoint of size ${cp.size} is signed by ${validators.size} of ${anchor.validators.length} validators; more than two thirds are needed`,
      { size: cp.size, signed: validators.size, validators: anchor.validators.length },
    );
  }
  return { origin, size: cp.size, root: toHex(cp.root), text: parsed.text, validators: [...validators], cosignatures };
}

/** A client's witness policy: at least `k` of the given witnesses cosigned. */
export interface WitnessPolicy {
  /** Witness verifier keys (`name+id+base64(0x04 ‖ key)`), c2sp.org/tlog-cosignature. */
  witnesses: readonly string[];
  /** How many distinct witnesses must have cosigned (1 ≤ k ≤ witnesses). */
  k: number;
  /** Oldest cosignature counted, seconds before the client's clock (default: any age). */
  maxAgeSeconds?: number;
}

/**
 * Counts the cosignatures of a verified checkpoint against a policy.
 *
 * @returns the counted cosignatures (at least `k`).
 * @throws UrbisError WITNESS_POLICY when fewer than `k` distinct witnesses cosigned (recently enough).
 */
export function checkWitnessPolicy(cp: VerifiedCheckpoint, policy: WitnessPolicy, witnesses: readonly Witness[], nowSeconds: number): VerifiedCosignature[] {
  const counted = cp.cosignatures.filter(
    (c) =>
      witnesses.some((w) => w.name === c.witness && w.keyId === c.keyId) && (policy.maxAgeSeconds === undefined || c.time >= nowSeconds - policy.maxAgeSeconds),
  );
  if (counted.length < policy.k) {
    throw new UrbisError(
      'WITNESS_POLICY',
      `the checkpoint of size ${cp.size} has ${counted.length} acceptable witness cosignatures; the policy requires ${policy.k} of ${witnesses.length}`,
      { size: cp.size, cosigned: counted.map((c) => c.witness), k: policy.k, n: witnesses.length },
    );
  }
  return counted;
}

/** Checks a policy's shape. @throws UrbisError NOTE_INVALID (a witness key), RangeError (k). */
export function parseWitnessPolicy(policy: WitnessPolicy): Witness[] {
  const ws = parseWitnesses(policy.witnesses);
  if (!Number.isSafeInteger(policy.k) || policy.k < 1 || policy.k > ws.length)
    throw new RangeError(`a witness policy needs 1 ≤ k ≤ ${ws.length} distinct witnesses`);
  if (policy.maxAgeSeconds !== undefined && !(policy.maxAgeSeconds >= 0)) throw new RangeError('maxAgeSeconds is a non-negative number');
  return ws;
}

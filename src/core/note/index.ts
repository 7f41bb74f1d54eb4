/**
 * C2SP signed notes (c2sp.org/signed-note), transparency-log checkpoints (c2sp.org/tlog-checkpoint)
 * and Ed25519 witness cosignatures (c2sp.org/tlog-cosignature, `cosignature/v1`). Spec:
 * docs/protocol.md "Checkpoints and witnesses". Pure and browser-safe.
 *
 * A note is a text ending in a newline, a blank line, and signature lines
 * `— <key name> <base64(4-byte key ID ‖ signature)>`. A verifier knows keys by (name, key ID):
 * signatures of unknown keys are ignored, a known key's signature that fails rejects the note, and a
 * note with no verified signature is rejected. Everything here is attacker-controlled input; every
 * fault is NOTE_INVALID.
 */
import { UrbisError } from '../errors.js';
import { ed25519PublicKey, ed25519Sign, ed25519Verify, sha256 } from '../crypto/index.js';
import { bytesEqual, concatBytes, fromBase64, toBase64, toHex, utf8Decode, utf8Encode } from '../encoding/index.js';

/** Signature type bytes of c2sp.org/signed-note. */
export const NOTE_ED25519 = 0x01;
export const NOTE_COSIGNATURE_V1 = 0x04;

/** Most signature lines a note may carry (C2SP asks for at least 16). */
export const MAX_NOTE_SIGNATURES = 100;
/** Largest note accepted, bytes. */
export const MAX_NOTE_BYTES = 64 * 1024;

const DASH = '\u2014 ';

function bad(message: string, details?: Record<string, unknown>, cause?: unknown): never {
  throw new UrbisError('NOTE_INVALID', message, details, cause === undefined ? undefined : { cause });
}

/** One signature line of a note. */
export interface NoteSignature {
  name: string;
  /** Key ID, 4 bytes big-endian, as 8 lowercase hex digits. */
  keyId: string;
  /** The bytes after the key ID (for Ed25519: 64; for a cosignature: 8-byte time ‖ 64). */
  signature: Uint8Array;
  /** The line as written, with its final newline. */
  line: string;
}

/** A note split into its text and signature lines (nothing verified). */
export interface ParsedNote {
  /** The signed text, final newline included. */
  text: string;
  signatures: NoteSignature[];
}

/** A key name: non-empty, no Unicode space, no `+`. */
export function isKeyName(name: string): boolean {
  return name.length > 0 && name.length <= 256 && !/[\s+\u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u.test(name) && !hasControl(name);
}

function hasControl(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x20 && c !== 0x0a) return true;
  }
  return false;
}

/** `SHA-256(name ‖ 0x0A ‖ type ‖ public key)[:4]` as 8 hex digits (the recommended key ID). */
export function noteKeyId(name: string, type: number, publicKey: Uint8Array): string {
  return toHex(sha256(concatBytes(utf8Encode(name), new Uint8Array([0x0a, type]), publicKey)).subarray(0, 4));
}

/** Parses one signature line (without its newline). @throws UrbisError NOTE_INVALID. */
function parseSigLine(l: string): NoteSignature {
  if (!l.startsWith(DASH)) bad('a signature line does not start with "— "');
  const rest = l.slice(DASH.length);
  const sp = rest.indexOf(' ');
  if (sp <= 0) bad('a signature line has no key name');
  const name = rest.slice(0, sp);
  const b64 = rest.slice(sp + 1);
  if (!isKeyName(name)) bad('a signature line has a malformed key name');
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64);
  } catch (e) {
    bad('a signature is not base64', undefined, e);
  }
  if (raw.length < 5) bad('a signature is shorter than a key ID and one byte');
  return { name, keyId: toHex(raw.subarray(0, 4)), signature: raw.subarray(4), line: `${l}\n` };
}

/**
 * Splits a note into text and signature lines: UTF-8 without control characters but newline, the
 * text ends at the last blank line, every signature line well formed and newline-terminated.
 *
 * @throws UrbisError NOTE_INVALID.
 */
export function parseNote(note: string | Uint8Array): ParsedNote {
  let s: string;
  if (typeof note === 'string') s = note;
  else {
    if (note.length > MAX_NOTE_BYTES) bad(`a note is larger than ${MAX_NOTE_BYTES} bytes`);
    try {
      s = utf8Decode(note);
    } catch (e) {
      bad('a note is not valid UTF-8', undefined, e);
    }
  }
  if (s.length > MAX_NOTE_BYTES) bad(`a note is larger than ${MAX_NOTE_BYTES} bytes`);
  if (hasControl(s) || /[\ud800-\udfff]/u.test(s.replace(/[\ud800-\udbff][\udc00-\udfff]/g, '')))
    bad('a note holds a control character or is not valid Unicode');
  const split = s.lastIndexOf('\n\n');
  if (split < 0 || !s.endsWith('\n')) bad('a note has no signature block');
  const text = s.slice(0, split + 1);
  const lines = s.slice(split + 2, -1);
  if (lines.length === 0) bad('a note has no signature');
  const sigLines = lines.split('\n');
  if (sigLines.length > MAX_NOTE_SIGNATURES) bad(`a note carries more than ${MAX_NOTE_SIGNATURES} signatures`);
  return { text, signatures: sigLines.map(parseSigLine) };
}

/** A key that checks note signatures. */
export interface NoteVerifier {
  name: string;
  keyId: string;
  /** Signature type byte (0x01 Ed25519, 0x04 cosignature/v1). */
  type: number;
  publicKey: Uint8Array;
  /** True when `signature` (after the key ID) is this key's over `text`. */
  verify(text: string, signature: Uint8Array): boolean;
}

/** A key that signs notes. */
export interface NoteSigner {
  name: string;
  keyId: string;
  /** The bytes after the key ID for `text`. */
  sign(text: string): Uint8Array;
}

/** A verifier of an Ed25519 key of signature type `type`, after the checks every key name and key gets. */
function verifierOf(name: string, type: number, publicKey: Uint8Array, verify: NoteVerifier['verify']): NoteVerifier {
  if (!isKeyName(name)) bad('a key name is empty or holds a space or "+"');
  if (publicKey.length !== 32) bad('an Ed25519 public key is 32 bytes');
  return { name, keyId: noteKeyId(name, type, publicKey), type, publicKey, verify };
}

/** The Ed25519 note verifier of a public key. */
export function ed25519NoteVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  return verifierOf(name, NOTE_ED25519, publicKey, (text, sig) => sig.length === 64 && ed25519Verify(sig, utf8Encode(text), publicKey));
}

/** The Ed25519 note signer of a 32-byte seed. */
export function ed25519NoteSigner(name: string, seed: Uint8Array): NoteSigner {
  const v = ed25519NoteVerifier(name, ed25519PublicKey(seed));
  return { name, keyId: v.keyId, sign: (text) => ed25519Sign(seed, utf8Encode(text)) };
}

/** A verifier key (`vkey`): `<name>+<hex key ID>+<base64(type ‖ public key)>`. */
export function formatVerifierKey(v: Pick<NoteVerifier, 'name' | 'keyId' | 'type' | 'publicKey'>): string {
  return `${v.name}+${v.keyId}+${toBase64(concatBytes(new Uint8Array([v.type]), v.publicKey))}`;
}

/**
 * Parses a verifier key of type 0x01 (Ed25519) or 0x04 (cosignature/v1); the key ID must be the
 * recommended one.
 *
 * @throws UrbisError NOTE_INVALID.
 */
export function parseVerifierKey(vkey: string): NoteVerifier {
  if (typeof vkey !== 'string' || vkey.length > 512) bad('a verifier key is not a short string');
  const a = vkey.indexOf('+');
  const b = a < 0 ? -1 : vkey.indexOf('+', a + 1);
  if (a <= 0 || b < 0) bad('a verifier key is <name>+<key ID>+<key>');
  const name = vkey.slice(0, a);
  const id = vkey.slice(a + 1, b);
  if (!/^[0-9a-f]{8}$/.test(id)) bad('a verifier key ID is 8 lowercase hex digits');
  let raw: Uint8Array;
  try {
    raw = fromBase64(vkey.slice(b + 1));
  } catch (e) {
    bad('a verifier key is not base64', undefined, e);
  }
  const type = raw[0];
  const key = raw.subarray(1);
  let v: NoteVerifier;
  if (type === NOTE_ED25519) v = ed25519NoteVerifier(name, key);
  else if (type === NOTE_COSIGNATURE_V1) v = cosignatureVerifier(name, key);
  else bad(`verifier keys of signature type ${String(type)} are not supported`);
  if (v.keyId !== id) bad('a verifier key ID is not SHA-256(name ‖ 0x0A ‖ type ‖ key)[:4]');
  return v;
}

/** A signature line `— <name> <base64(keyID ‖ sig)>\n`. */
export function signatureLine(name: string, keyId: string, signature: Uint8Array): string {
  return `${DASH}${name} ${toBase64(concatBytes(fromHexId(keyId), signature))}\n`;
}

function fromHexId(keyId: string): Uint8Array {
  if (!/^[0-9a-f]{8}$/.test(keyId)) bad('a key ID is 8 lowercase hex digits');
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) out[i] = parseInt(keyId.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** Signs `text` (which must end in a newline) with each signer: the complete note. @throws UrbisError NOTE_INVALID. */
export function signNote(text: string, signers: NoteSigner[]): string {
  if (!text.endsWith('\n') || hasControl(text)) bad('a note text ends in a newline and holds no control character');
  return `${text}\n${signers.map((s) => signatureLine(s.name, s.keyId, s.sign(text))).join('')}`;
}

/** A note after {@link openNote}: its text and which signature lines verified. */
export interface OpenedNote {
  text: string;
  /** Signatures by known keys, each verified (identical lines counted once). */
  verified: Array<NoteSignature & { verifier: NoteVerifier }>;
  /** Signatures by keys not given (ignored). */
  unverified: NoteSignature[];
}

/**
 * Opens a note with the given keys: known signatures must verify (one that fails rejects the note),
 * unknown ones are ignored, and at least one must verify.
 *
 * @throws UrbisError NOTE_INVALID: malformed, a known key's signature fails, or none verified.
 */
export function openNote(note: string | Uint8Array | ParsedNote, verifiers: NoteVerifier[]): OpenedNote {
  const n = typeof note === 'object' && !(note instanceof Uint8Array) ? note : parseNote(note);
  const seen = new Set<string>();
  const out: OpenedNote = { text: n.text, verified: [], unverified: [] };
  for (const s of n.signatures) {
    if (seen.has(s.line)) continue;
    seen.add(s.line);
    const v = verifiers.find((k) => k.name === s.name && k.keyId === s.keyId);
    if (!v) {
      out.unverified.push(s);
      continue;
    }
    if (!v.verify(n.text, s.signature)) bad(`invalid signature for key ${s.name}+${s.keyId}`, { name: s.name, keyId: s.keyId });
    out.verified.push({ ...s, verifier: v });
  }
  if (out.verified.length === 0) bad('note has no verifiable signatures');
  return out;
}

// --- checkpoints (c2sp.org/tlog-checkpoint) -----------------------------------------------------

/** The body of a checkpoint: a log's Merkle tree head. */
export interface Checkpoint {
  origin: string;
  size: number;
  /** RFC 6962 root hash at `size`. */
  root: Uint8Array;
  /** Extension lines (NOT RECOMMENDED by the spec; Urbis writes none). */
  extensions?: string[];
}

/** The note text of a checkpoint. @throws UrbisError NOTE_INVALID for an empty origin or a bad size. */
export function formatCheckpoint(c: Checkpoint): string {
  if (c.origin.length === 0 || c.origin.includes('\n') || hasControl(c.origin)) bad('a checkpoint origin is one non-empty line');
  if (!Number.isSafeInteger(c.size) || c.size < 0) bad('a checkpoint size is a non-negative integer');
  const ext = c.extensions ?? [];
  if (ext.some((l) => l.length === 0 || l.includes('\n'))) bad('checkpoint extension lines are non-empty lines');
  return [c.origin, String(c.size), toBase64(c.root), ...ext].join('\n') + '\n';
}

/**
 * Parses a checkpoint note text: origin (non-empty), size (decimal, no leading zero), root (base64
 * of 32 bytes), then non-empty extension lines.
 *
 * @throws UrbisError NOTE_INVALID.
 */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) bad('a checkpoint text ends in a newline');
  const lines = text.slice(0, -1).split('\n');
  if (lines.length < 3) bad('a checkpoint has an origin, a size and a root hash line');
  const [origin, size, root, ...extensions] = lines as [string, string, string, ...string[]];
  if (origin.length === 0) bad('a checkpoint origin is empty');
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) bad('a checkpoint size is a decimal number without leading zeros');
  let r: Uint8Array;
  try {
    r = fromBase64(root);
  } catch (e) {
    bad('a checkpoint root hash is not base64', undefined, e);
  }
  if (r.length !== 32) bad('a checkpoint root hash is 32 bytes');
  if (extensions.some((l) => l.length === 0)) bad('checkpoint extension lines are non-empty');
  return { origin, size: Number(size), root: r, ...(extensions.length ? { extensions } : {}) };
}

// --- cosignatures (c2sp.org/tlog-cosignature, Ed25519 cosignature/v1) ----------------------------

/** Largest cosignature timestamp, seconds (2^63 − 1 in the spec; here what a JS number holds exactly). */
const MAX_TIME = Number.MAX_SAFE_INTEGER;

/** The message a witness signs: `cosignature/v1\ntime <T>\n` followed by the checkpoint text. */
export function cosignatureMessage(text: string, time: number): Uint8Array {
  return utf8Encode(`cosignature/v1\ntime ${time}\n${text}`);
}

function timeOf(sig: Uint8Array): number {
  let t = 0;
  for (let i = 0; i < 8; i++) t = t * 256 + sig[i]!;
  return t;
}

/** A verifier of cosignature/v1 lines; {@link cosignatureTime} reads the time of one. */
export function cosignatureVerifier(name: string, publicKey: Uint8Array): NoteVerifier {
  return verifierOf(name, NOTE_COSIGNATURE_V1, publicKey, (text, sig) => {
    if (sig.length !== 72 || sig[0]! >= 0x80) return false;
    const t = timeOf(sig);
    return t <= MAX_TIME && ed25519Verify(sig.subarray(8), cosignatureMessage(text, t), publicKey);
  });
}

/** Time (POSIX seconds) of a cosignature/v1 signature (the bytes after the key ID). @throws UrbisError NOTE_INVALID. */
export function cosignatureTime(signature: Uint8Array): number {
  if (signature.length !== 72) bad('a cosignature is an 8-byte time and a 64-byte signature');
  const t = timeOf(signature);
  if (signature[0]! >= 0x80 || t > MAX_TIME) bad('a cosignature time is out of range');
  return t;
}

/** A witness key: its cosignature/v1 signer and verifier key. */
export interface Cosigner {
  name: string;
  keyId: string;
  /** The witness's verifier key (`name+id+base64(0x04 ‖ key)`), what clients and nodes are given. */
  vkey: string;
  /** The signature line cosigning `text` at `time` (POSIX seconds). */
  cosign(text: string, time: number): string;
}

/** A cosigner of a 32-byte Ed25519 seed. */
export function cosigner(name: string, seed: Uint8Array): Cosigner {
  return cosignerOf(name, { publicKey: ed25519PublicKey(seed), sign: (m) => ed25519Sign(seed, m) });
}

/** A cosigner of an Ed25519 key that signs bytes (a key file's signer). */
export function cosignerOf(name: string, key: { publicKey: Uint8Array; sign(message: Uint8Array): Uint8Array }): Cosigner {
  const v = cosignatureVerifier(name, key.publicKey);
  return {
    name,
    keyId: v.keyId,
    vkey: formatVerifierKey(v),
    cosign(text, time) {
      if (!Number.isSafeInteger(time) || time < 0) bad('a cosignature time is a non-negative integer of seconds');
      const t = new Uint8Array(8);
      let x = time;
      for (let i = 7; i >= 0; i--) {
        t[i] = x % 256;
        x = Math.floor(x / 256);
      }
      return signatureLine(name, v.keyId, concatBytes(t, key.sign(cosignatureMessage(text, time))));
    },
  };
}

/** True when two verifiers are the same key. */
export function sameVerifier(a: NoteVerifier, b: NoteVerifier): boolean {
  return a.name === b.name && a.keyId === b.keyId && a.type === b.type && bytesEqual(a.publicKey, b.publicKey);
}

/**
 * Gathers validators' header signatures into finality certificates and detects faulty validators:
 * docs/network.md "Certificates and faults". Pure (no I/O, no clock): the follower feeds it the
 * messages of the signature stream and asks it, height by height, whether a quorum formed.
 *
 * Rules (docs/protocol.md (Ledger) "Finality certificate"):
 * - a signature counts only if it verifies and its key is in the validator set in force at that
 *   height (the state before the block);
 * - a validator that signed two different hashes for one height (equivocation) counts for neither;
 * - a header is certified when more than two thirds of the set signed that same hash;
 * - once a hash is certified, a validator whose valid signature is on another hash is reported
 *   (`fork`), as is every equivocation (`equivocation`).
 * Signature messages are attacker-controlled input: anything malformed is dropped.
 */
import { checkCertificate, isQuorum } from '../../core/ledger/block.js';
import type { Certificate } from '../../core/ledger/types.js';
import type { NoteSig } from '../../core/ledger/checkpoint.js';

/** A header signature as published on the signature stream. */
export interface SigMsg {
  height: number;
  headerHash: string;
  key: string;
  sig: string;
  /**
   * The validator's signature of the block's checkpoint note (docs/protocol.md "Checkpoints and
   * witnesses"), base64url; checked by the follower against the header, which it holds.
   */
  note?: string;
  /** Stream sequence of the message. */
  seq: number;
}

export type FaultKind = 'fork' | 'equivocation';

/** A validator caught signing against the quorum. */
export interface ValidatorFault {
  validator: string;
  kind: FaultKind;
  height: number;
  /** The hash the validator signed that the quorum did not. */
  signed: string;
  /** The hash the quorum certified (absent while none is). */
  certified?: string;
}

/** A quorum reached for a height. */
export interface Quorum {
  height: number;
  headerHash: string;
  cert: Certificate;
  /** The quorum's note signatures as published (not checked here: the certifier has no header). */
  notes: NoteSig[];
  /**
   * Stream sequence of the signature with which this hash first reached quorum size counting every
   * valid signature: no signature for the next height can precede it (its signer had to see this
   * quorum first), so a restarted node resumes reading signatures right after it.
   */
  seq: number;
}

interface Entry {
  hash: string;
  sig: string;
  note: string | undefined;
  seq: number;
  /** null until checked against the set in force. */
  valid: boolean | null;
}

interface HeightState {
  /** key → hash → signature. */
  byKey: Map<string, Map<string, Entry>>;
  validators: string[] | null;
  certified: string | null;
  reported: Set<string>;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** Parses a signature message payload; null when malformed. */
export function parseSigMsg(data: unknown, seq: number): SigMsg | null {
  if (typeof data !== 'object' || data === null) return null;
  const o = data as Record<string, unknown>;
  if (typeof o.height !== 'number' || !Number.isSafeInteger(o.height) || o.height < 0) return null;
  if (typeof o.headerHash !== 'string' || !HEX64.test(o.headerHash)) return null;
  if (typeof o.key !== 'string' || o.key.length > 100) return null;
  if (typeof o.sig !== 'string' || o.sig.length > 100) return null;
  if (o.note !== undefined && (typeof o.note !== 'string' || o.note.length > 100)) return null;
  return { height: o.height, headerHash: o.headerHash, key: o.key, sig: o.sig, ...(o.note !== undefined ? { note: o.note } : {}), seq };
}

export class Certifier {
  private readonly heights = new Map<number, HeightState>();
  /** Heights below this are forgotten; their signatures are ignored. */
  private floor = 0;

  /** @param keep how many certified heights to remember for late fault detection. */
  constructor(private readonly keep = 256) {}

  /** Highest height holding a signature (or -1). */
  maxHeight(): number {
    let m = -1;
    for (const h of this.heights.keys()) if (h > m) m = h;
    return m;
  }

  /**
   * Records a signature. Returns faults that it reveals at once (a late signature on a height that
   * is already certified).
   */
  add(m: SigMsg): ValidatorFault[] {
    if (m.height < this.floor) return [];
    let st = this.heights.get(m.height);
    if (!st) {
      st = { byKey: new Map(), validators: null, certified: null, reported: new Set() };
      this.heights.set(m.height, st);
    }
    let hashes = st.byKey.get(m.key);
    if (!hashes) {
      hashes = new Map();
      st.byKey.set(m.key, hashes);
    }
    if (hashes.has(m.headerHash)) return []; // a repeated publication of the same signature
    if (hashes.size >= 4) return []; // bound what one key can make us store
    const e: Entry = { hash: m.headerHash, sig: m.sig, note: m.note, seq: m.seq, valid: null };
    hashes.set(m.headerHash, e);
    if (st.validators) this.check(m.height, m.key, e, st.validators);
    return st.certified ? this.faultsOf(m.height, st) : [];
  }

  private check(height: number, key: string, e: Entry, validators: string[]): void {
    const c = checkCertificate({ height, headerHash: e.hash, sigs: [{ key, sig: e.sig }] }, validators);
    e.valid = c.valid.length === 1;
  }

  /**
   * Evaluates a height under the validator set in force there.
   *
   * @returns the quorum if one hash has one (first call after it formed, and every later call), with
   *   the faults known so far.
   */
  evaluate(height: number, validators: string[]): { quorum: Quorum | null; faults: ValidatorFault[] } {
    const st = this.heights.get(height);
    if (!st) return { quorum: null, faults: [] };
    if (!st.validators) {
      st.validators = validators;
      for (const [key, hashes] of st.byKey) for (const e of hashes.values()) this.check(height, key, e, validators);
    }
    const n = st.validators.length;
    // Valid signatures per hash, equivocators apart.
    const perHash = new Map<string, { key: string; e: Entry }[]>();
    for (const [key, hashes] of st.byKey) {
      const valid = [...hashes.values()].filter((e) => e.valid);
      if (valid.length !== 1) continue; // none, or an equivocation: counts for nothing
      const e = valid[0]!;
      let list = perHash.get(e.hash);
      if (!list) perHash.set(e.hash, (list = []));
      list.push({ key, e });
    }
    let quorum: Quorum | null = null;
    for (const [hash, list] of perHash) {
      if (!isQuorum(list.length, n)) continue;
      list.sort((a, b) => a.e.seq - b.e.seq);
      st.certified = hash;
      quorum = {
        height,
        headerHash: hash,
        cert: { height, headerHash: hash, sigs: list.map((x) => ({ key: x.key, sig: x.e.sig })) },
        notes: list.flatMap((x) => (x.e.note !== undefined ? [{ key: x.key, sig: x.e.note }] : [])),
        seq: this.quorumSeq(st, hash, n),
      };
      break;
    }
    return { quorum, faults: st.certified ? this.faultsOf(height, st) : [] };
  }

  private quorumSeq(st: HeightState, hash: string, n: number): number {
    const seqs: number[] = [];
    for (const hashes of st.byKey.values()) {
      const e = hashes.get(hash);
      if (e?.valid) seqs.push(e.seq);
    }
    seqs.sort((a, b) => a - b);
    let k = 1;
    while (!isQuorum(k, n)) k++;
    return seqs[k - 1] ?? seqs[seqs.length - 1] ?? 0;
  }

  /** New faults of a certified height (each validator reported once per height and kind). */
  private faultsOf(height: number, st: HeightState): ValidatorFault[] {
    const out: ValidatorFault[] = [];
    const certified = st.certified!;
    if (!st.validators) return out;
    for (const [key, hashes] of st.byKey) {
      const valid = [...hashes.values()].filter((e) => e.valid);
      if (valid.length === 0) continue;
      const kind: FaultKind | null = valid.length > 1 ? 'equivocation' : valid[0]!.hash !== certified ? 'fork' : null;
      if (!kind) continue;
      const id = `${key}|${kind}`;
      if (st.reported.has(id)) continue;
      st.reported.add(id);
      const signed = valid.find((e) => e.hash !== certified)!.hash;
      out.push({ validator: key, kind, height, signed, certified });
    }
    return out;
  }

  /** Keys that published a signature (for any header) at `height`, in no particular order. */
  signers(height: number): string[] {
    return [...(this.heights.get(height)?.byKey.keys() ?? [])];
  }

  /** Forgets heights more than `keep` below `certifiedHeight`. */
  prune(certifiedHeight: number): void {
    const floor = certifiedHeight - this.keep;
    if (floor <= this.floor) return;
    this.floor = floor;
    for (const h of this.heights.keys()) if (h < floor) this.heights.delete(h);
  }
}

// C2SP signed notes, checkpoints and cosignatures (src/core/note) against the vectors of
// test/vectors/signed-note-c2sp.json and test/vectors/tlog-checkpoint-c2sp.json (provenance in each
// entry's `from`: C2SP/C2SP, golang.org/x/mod sumdb/note, transparency-dev/formats, trillian-tessera,
// real sum.golang.org tree heads), and the Urbis checkpoint of a chain (src/core/ledger/checkpoint.ts).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import '../../../src/platform/node.js';
import {
  cosignatureTime,
  cosigner,
  ed25519NoteSigner,
  formatCheckpoint,
  formatVerifierKey,
  openNote,
  parseCheckpoint,
  parseNote,
  parseVerifierKey,
  signNote,
} from '../../../src/core/note/index.js';
import { fromHex, toHex } from '../../../src/core/encoding/index.js';
import { isUrbisError } from '../../../src/core/errors.js';
import {
  checkpointNote,
  checkpointText,
  checkWitnessPolicy,
  parseWitnesses,
  signCheckpoint,
  verifyCheckpointNote,
} from '../../../src/core/ledger/checkpoint.js';
import { signerFromSeed } from '../../../src/core/ledger/tx.js';

const load = (f: string) => JSON.parse(readFileSync(new URL(`../../vectors/${f}`, import.meta.url), 'utf8'));
const NOTE = load('signed-note-c2sp.json');
const CP = load('tlog-checkpoint-c2sp.json');

function noteOf(o: { note?: string; noteHex?: string }): string | Uint8Array {
  return o.noteHex !== undefined ? fromHex(o.noteHex) : o.note!;
}

function code(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return isUrbisError(e) ? e.code : 'not an UrbisError';
  }
  return undefined;
}

describe('signed-note vectors', () => {
  it('verifier keys: the key ID is the one recommended, the key round-trips', () => {
    for (const k of NOTE.keys) {
      const v = parseVerifierKey(k.vkey);
      expect(v.name).toBe(k.name);
      expect(v.keyId).toBe(k.keyId);
      expect(toHex(v.publicKey)).toBe(k.publicKey);
      expect(formatVerifierKey(v)).toBe(k.vkey);
    }
  });

  it('bad verifier keys are refused', () => {
    for (const b of NOTE.badVerifierKeys)
      expect(
        code(() => parseVerifierKey(b.vkey)),
        b.why,
      ).toBe('NOTE_INVALID');
  });

  it('signing gives exactly the expected note (Ed25519 is deterministic)', () => {
    for (const s of NOTE.sign) {
      const key = NOTE.keys.find((k: { skey?: string }) => k.skey === s.skey);
      const signer = ed25519NoteSigner(key.name, fromHex(key.seed));
      expect(signer.keyId).toBe(key.keyId);
      expect(signNote(s.text, [signer])).toBe(s.expectedNote);
    }
  });

  it('opens notes as the vectors say', () => {
    for (const o of NOTE.open) {
      const verifiers = o.verifiers.map(parseVerifierKey);
      if (o.expect.ok) {
        const n = openNote(noteOf(o), verifiers);
        expect(n.text, o.from).toBe(o.expect.text);
        expect(n.verified.map((s) => s.name)).toEqual(o.expect.verified);
        expect(n.unverified.map((s) => s.name)).toEqual(o.expect.unverified);
      } else {
        expect(
          code(() => openNote(noteOf(o), verifiers)),
          o.from,
        ).toBe('NOTE_INVALID');
      }
    }
  });

  it('parses the spec example, whose text holds a blank line', () => {
    for (const f of NOTE.formatOnly) {
      const n = parseNote(noteOf(f));
      expect(n.text).toBe(f.expect.text);
      expect(n.signatures.map((s) => ({ name: s.name, keyId: s.keyId, signature: toHex(s.signature), line: s.line }))).toEqual(f.expect.signatures);
    }
  });
});

describe('tlog-checkpoint vectors', () => {
  it('opens and parses signed checkpoints', () => {
    for (const s of CP.signed) {
      const run = () => {
        const n = openNote(s.note, s.verifiers.map(parseVerifierKey));
        const c = parseCheckpoint(n.text);
        if (s.expectedOrigin !== undefined && c.origin !== s.expectedOrigin) throw new Error('origin mismatch');
        return { n, c };
      };
      if (s.expect.error) {
        expect(run, s.from).toThrow();
        continue;
      }
      const { n, c } = run();
      expect(c.origin).toBe(s.expect.origin);
      expect(c.size).toBe(s.expect.size);
      expect(toHex(c.root)).toBe(s.expect.rootHash);
      expect(n.verified.map((x) => x.name)).toEqual(s.expect.verified);
      expect(formatCheckpoint(c)).toBe(n.text);
    }
  });

  it('parses bodies, refusing the malformed ones (roots of other lengths than 32 bytes included)', () => {
    for (const b of CP.bodies) {
      if (b.expect.error || b.caution) {
        expect(
          code(() => parseCheckpoint(b.body)),
          b.from,
        ).toBe('NOTE_INVALID');
        continue;
      }
      const c = parseCheckpoint(b.body);
      expect(c.origin).toBe(b.expect.origin);
      expect(c.size).toBe(b.expect.size);
      expect(toHex(c.root)).toBe(b.expect.rootHash);
      expect(c.extensions ?? []).toEqual(b.expect.extensionLines ?? []);
      expect(formatCheckpoint(c)).toBe(b.body);
    }
  });

  it('parses the spec example', () => {
    for (const f of CP.formatOnly) {
      const n = parseNote(f.note);
      const c = parseCheckpoint(n.text);
      expect([c.origin, c.size, toHex(c.root)]).toEqual([f.expect.origin, f.expect.size, f.expect.rootHash]);
      expect(n.signatures.map((s) => s.keyId)).toEqual(f.expect.signatures.map((s: { keyId: string }) => s.keyId));
    }
  });
});

describe('cosignature/v1', () => {
  const seed = fromHex('11'.repeat(32));
  const w = cosigner('witness.example/w1', seed);
  const text = CP.signed[0].note.split('\n\n')[0] + '\n';

  it('signs keyID ‖ big-endian time ‖ Ed25519 over "cosignature/v1\\ntime T\\n" + text, verified by its vkey', () => {
    const line = w.cosign(text, 1679315147);
    const note = `${text}\n${line}`;
    const v = parseVerifierKey(w.vkey);
    expect(v.type).toBe(4);
    const opened = openNote(note, [v]);
    expect(opened.verified).toHaveLength(1);
    expect(cosignatureTime(opened.verified[0]!.signature)).toBe(1679315147);
    expect(toHex(opened.verified[0]!.signature.subarray(0, 8))).toBe('00000000641850cb');
  });

  it('a cosignature whose time was changed does not verify', () => {
    const line = w.cosign(text, 1000);
    const n = parseNote(`${text}\n${line}`);
    const sig = n.signatures[0]!;
    sig.signature[7] ^= 1;
    expect(code(() => openNote(n, [parseVerifierKey(w.vkey)]))).toBe('NOTE_INVALID');
  });

  it('an Ed25519 note signature by the same key is not a cosignature (other key ID)', () => {
    const plain = signNote(text, [ed25519NoteSigner('witness.example/w1', seed)]);
    expect(code(() => openNote(plain, [parseVerifierKey(w.vkey)]))).toBe('NOTE_INVALID');
  });
});

describe('Urbis checkpoints', () => {
  const vals = [1, 2, 3, 4].map((i) => signerFromSeed(fromHex(String(i).padStart(2, '0').repeat(32))));
  const anchor = { chainId: 'urbis-test', validators: vals.map((v) => v.id) };
  const header = { chain: 'urbis-test', height: 8, historyRoot: '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328' };
  const wA = cosigner('witness.example/a', fromHex('aa'.repeat(32)));
  const wB = cosigner('witness.example/b', fromHex('bb'.repeat(32)));

  it('the note text is origin, size and base64 history root', () => {
    expect(checkpointText(header)).toBe('urbis/urbis-test\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n');
  });

  it('verifies with a quorum of validator signatures, not below it', () => {
    const sigs = vals.map((v) => signCheckpoint(header, v));
    const cp = verifyCheckpointNote(checkpointNote(header, sigs.slice(0, 3)), anchor);
    expect(cp.size).toBe(8);
    expect(cp.root).toBe(header.historyRoot);
    expect(cp.validators).toHaveLength(3);
    expect(code(() => verifyCheckpointNote(checkpointNote(header, sigs.slice(0, 2)), anchor))).toBe('NOTE_INVALID');
    // Another chain's origin.
    expect(code(() => verifyCheckpointNote(checkpointNote({ ...header, chain: 'other' }, sigs), anchor))).toBe('NOTE_INVALID');
  });

  it('k-of-n witness policy: met, unmet, forged', () => {
    const sigs = vals.slice(0, 3).map((v) => signCheckpoint(header, v));
    const text = checkpointText(header);
    const ws = parseWitnesses([wA.vkey, wB.vkey]);
    const now = 1_800_000_000;
    const one = checkpointNote(header, sigs, [wA.cosign(text, now)]);
    const cp1 = verifyCheckpointNote(one, anchor, ws);
    expect(checkWitnessPolicy(cp1, { witnesses: [wA.vkey, wB.vkey], k: 1 }, ws, now)).toHaveLength(1);
    expect(code(() => checkWitnessPolicy(cp1, { witnesses: [wA.vkey, wB.vkey], k: 2 }, ws, now))).toBe('WITNESS_POLICY');
    const two = verifyCheckpointNote(checkpointNote(header, sigs, [wA.cosign(text, now), wB.cosign(text, now - 10)]), anchor, ws);
    expect(checkWitnessPolicy(two, { witnesses: [wA.vkey, wB.vkey], k: 2 }, ws, now)).toHaveLength(2);
    // Too old for the policy's age.
    expect(code(() => checkWitnessPolicy(two, { witnesses: [wA.vkey, wB.vkey], k: 2, maxAgeSeconds: 5 }, ws, now))).toBe('WITNESS_POLICY');
    // A cosignature over another size is a known key's bad signature: the note is refused.
    const forged = checkpointNote(header, sigs, [wA.cosign(checkpointText({ ...header, height: 9 }), now)]);
    expect(code(() => verifyCheckpointNote(forged, anchor, ws))).toBe('NOTE_INVALID');
  });
});

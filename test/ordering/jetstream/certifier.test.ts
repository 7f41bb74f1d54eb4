/**
 * Gathering header signatures into certificates, and catching validators that sign against the
 * quorum (docs/network.md "Certificates and faults").
 */
import { describe, expect, it } from 'vitest';
import '../../../src/platform/node.js';
import { generateSeed } from '../../../src/core/crypto/index.js';
import { signHeader, verifyCertificate } from '../../../src/core/ledger/block.js';
import { signerFromSeed } from '../../../src/core/ledger/tx.js';
import { Certifier, parseSigMsg, type SigMsg } from '../../../src/ordering/jetstream/certifier.js';
import type { BlockHeader } from '../../../src/core/ledger/types.js';
import { headerHash } from '../../../src/core/ledger/block.js';
import { checkNoteSig, checkpointText, signCheckpoint } from '../../../src/core/ledger/checkpoint.js';

const vals = Array.from({ length: 4 }, () => signerFromSeed(generateSeed()));
const set = vals.map((v) => v.id);
const header = (n: number): BlockHeader => ({
  v: 2,
  chain: 'c',
  height: 7,
  prev: '0'.repeat(64),
  historyRoot: '4'.repeat(64),
  time: n,
  txRoot: '1'.repeat(64),
  stateRoot: '2'.repeat(64),
  txCount: 0,
  nextValidators: '3'.repeat(64),
});
const A = headerHash(header(1));
const B = headerHash(header(2));
let seq = 0;
const sig = (i: number, hash: string, height = 7): SigMsg => ({ height, headerHash: hash, ...signHeader(hash, vals[i]!), seq: ++seq });

describe('Certifier', () => {
  it('certifies a hash once more than two thirds of the set signed it', () => {
    const c = new Certifier();
    c.add(sig(0, A));
    c.add(sig(1, A));
    expect(c.evaluate(7, set).quorum).toBeNull();
    const third = sig(2, A);
    c.add(third);
    const { quorum, faults } = c.evaluate(7, set);
    expect(quorum?.headerHash).toBe(A);
    expect(quorum?.cert.sigs.map((s) => s.key).sort()).toEqual(set.slice(0, 3).sort());
    expect(quorum?.seq).toBe(third.seq);
    expect(faults).toEqual([]);
    verifyCertificate(header(1), quorum!.cert, set);
  });

  it("carries the quorum signers' checkpoint note signatures beside the certificate (checked by the follower against its header)", () => {
    const c = new Certifier();
    const h = header(1);
    const notes = vals.map((v) => signCheckpoint(h, v));
    for (let i = 0; i < 3; i++) c.add({ ...sig(i, A), ...(i < 2 ? { note: notes[i]!.sig } : {}) });
    const { quorum } = c.evaluate(7, set);
    expect(quorum?.notes).toEqual(notes.slice(0, 2).sort((x, y) => set.indexOf(x.key) - set.indexOf(y.key)));
    const text = checkpointText(h);
    expect(quorum!.notes.every((n) => checkNoteSig('c', text, n))).toBe(true);
    // A note over another header's checkpoint does not verify over this one.
    expect(checkNoteSig('c', text, signCheckpoint({ ...h, historyRoot: '5'.repeat(64) }, vals[0]!))).toBe(false);
    // The field is optional; when present it must be a short string.
    expect(parseSigMsg({ height: 7, headerHash: A, key: set[0], sig: 'x', note: 'y' }, 1)?.note).toBe('y');
    expect(parseSigMsg({ height: 7, headerHash: A, key: set[0], sig: 'x', note: 5 }, 1)).toBeNull();
    expect(parseSigMsg({ height: 7, headerHash: A, key: set[0], sig: 'x', note: 'n'.repeat(101) }, 1)).toBeNull();
  });

  it('ignores invalid signatures, unknown keys and repeats', () => {
    const c = new Certifier();
    const outsider = signerFromSeed(generateSeed());
    c.add({ height: 7, headerHash: A, ...signHeader(A, outsider), seq: ++seq });
    c.add({ ...sig(0, A), sig: signHeader(B, vals[0]!).sig }); // signature over another hash
    c.add(sig(1, A));
    c.add(sig(1, A));
    c.add(sig(2, A));
    expect(c.evaluate(7, set).quorum).toBeNull();
    c.add(sig(3, A));
    expect(c.evaluate(7, set).quorum?.cert.sigs).toHaveLength(3);
  });

  it('reports a validator that signed another header (fork) and never counts it', () => {
    const c = new Certifier();
    c.add(sig(3, B));
    for (const i of [0, 1, 2]) c.add(sig(i, A));
    const { quorum, faults } = c.evaluate(7, set);
    expect(quorum?.headerHash).toBe(A);
    expect(quorum?.cert.sigs.map((s) => s.key)).not.toContain(set[3]);
    expect(faults).toEqual([{ validator: set[3], kind: 'fork', height: 7, signed: B, certified: A }]);
    expect(c.evaluate(7, set).faults).toEqual([]); // reported once
  });

  it('reports a validator that signed two hashes (equivocation), which then counts for neither', () => {
    const c = new Certifier();
    c.add(sig(0, A));
    c.add(sig(0, B));
    c.add(sig(1, A));
    c.add(sig(2, A));
    expect(c.evaluate(7, set).quorum).toBeNull(); // 2 honest of 4 are not enough
    c.add(sig(3, A));
    const { quorum, faults } = c.evaluate(7, set);
    expect(quorum?.cert.sigs.map((s) => s.key).sort()).toEqual(set.slice(1).sort());
    expect(faults).toEqual([{ validator: set[0], kind: 'equivocation', height: 7, signed: B, certified: A }]);
  });

  it('detects a late signature against an already certified height', () => {
    const c = new Certifier();
    for (const i of [0, 1, 2]) c.add(sig(i, A));
    expect(c.evaluate(7, set).quorum).not.toBeNull();
    expect(c.add(sig(3, B))).toEqual([{ validator: set[3], kind: 'fork', height: 7, signed: B, certified: A }]);
  });

  it('keeps heights apart and forgets old ones', () => {
    const c = new Certifier(2);
    for (const i of [0, 1, 2]) c.add(sig(i, A, 1));
    c.add(sig(0, A, 9));
    expect(c.maxHeight()).toBe(9);
    expect(c.evaluate(9, set).quorum).toBeNull();
    c.prune(10);
    expect(c.evaluate(1, set).quorum).toBeNull();
    c.add(sig(1, A, 1)); // below the floor: ignored
    expect(c.evaluate(1, set).quorum).toBeNull();
  });

  it('parses signature messages defensively', () => {
    expect(parseSigMsg({ height: 1, headerHash: A, key: 'k', sig: 's' }, 3)).toEqual({ height: 1, headerHash: A, key: 'k', sig: 's', seq: 3 });
    expect(parseSigMsg({ height: -1, headerHash: A, key: 'k', sig: 's' }, 3)).toBeNull();
    expect(parseSigMsg({ height: 1, headerHash: 'XYZ', key: 'k', sig: 's' }, 3)).toBeNull();
    expect(parseSigMsg({ height: 1, headerHash: A, key: 'k'.repeat(200), sig: 's' }, 3)).toBeNull();
    expect(parseSigMsg(null, 3)).toBeNull();
  });
});

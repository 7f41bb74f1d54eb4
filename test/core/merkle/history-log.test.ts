// The RFC 9162 log module (src/core/merkle/log.ts) against test/vectors/merkle-rfc6962.json
// (transparency-dev/merkle testdata and proofs computed from RFC 9162's definitions; provenance in the
// file): Merkle Tree Hash (§2.1.1), audit paths (§2.1.3.1) and their verification (§2.1.3.2),
// consistency proofs (§2.1.4.1) and their verification (§2.1.4.2), the incremental frontier.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import {
  appendLeaf,
  consistencyProof,
  frontierPositions,
  inclusionProof,
  merkleTreeHash,
  mthLeaf,
  rootFromFrontier,
  treeRoot,
  verifyConsistency,
  verifyInclusion,
  type SubtreeReader,
} from '../../../src/core/merkle/log.js';
import { txRoot } from '../../../src/core/ledger/block.js';
import { isUrbisError } from '../../../src/core/errors.js';
import { hex, unhex } from './reference.js';

interface Probe {
  file: string;
  desc: string;
  wantErr: boolean;
}
interface Vectors {
  leafInputs: string[];
  leafHashes: string[];
  nodeHashesByLevel: string[][];
  rootsBySize: string[];
  inclusionProbes: { probes: (Probe & { leafIdx: number; treeSize: number; leafHash: string; proof: string[]; root: string })[] };
  consistencyProbes: { probes: (Probe & { size1: number; size2: number; root1: string; root2: string; proof: string[] })[] };
  computed: {
    inclusionProofs: { leafIdx: number; treeSize: number; leafHash: string; proof: string[]; root: string }[];
    consistencyProofs: { size1: number; size2: number; root1: string; root2: string; proof: string[] }[];
  };
}
const V = JSON.parse(readFileSync(new URL('../../vectors/merkle-rfc6962.json', import.meta.url), 'utf8')) as Vectors;

/** A log of the 8 standard leaves built with appendLeaf: every perfect subtree it returns is kept. */
function buildLog(n: number): { read: SubtreeReader; nodes: Map<string, Uint8Array> } {
  const nodes = new Map<string, Uint8Array>();
  const read: SubtreeReader = (l, i) => nodes.get(`${l}/${i}`);
  for (let i = 0; i < n; i++) for (const w of appendLeaf(i, mthLeaf(unhex(V.leafInputs[i]!)), read)) nodes.set(`${w.level}/${w.index}`, w.hash);
  return { read, nodes };
}

function rejects(fn: () => void): boolean {
  try {
    fn();
    return false;
  } catch (e) {
    return isUrbisError(e) && e.code === 'PROOF_INVALID';
  }
}

describe('RFC 9162 §2.1.1 tree hash and the incremental log', () => {
  it('roots by size, from the frontier and from stored subtrees', () => {
    const { read, nodes } = buildLog(8);
    for (let n = 0; n <= 8; n++) {
      expect(hex(merkleTreeHash(V.leafHashes.slice(0, n).map(unhex)))).toBe(V.rootsBySize[n]);
      expect(hex(treeRoot(n, read))).toBe(V.rootsBySize[n]);
      const frontier = frontierPositions(n).map((p) => read(p.level, p.index)!);
      expect(hex(rootFromFrontier(frontier))).toBe(V.rootsBySize[n]);
    }
    // Every stored node is the published complete-subtree hash.
    for (const [k, h] of nodes) {
      const [l, i] = k.split('/').map(Number) as [number, number];
      expect(hex(h)).toBe(V.nodeHashesByLevel[l]![i]);
    }
    expect(nodes.size).toBe(15);
  });

  it('appending needs only the frontier (a log restarted from one)', () => {
    const { read } = buildLog(5);
    // Keep only the frontier of size 5: (2,0) and (0,4).
    const kept = new Map(frontierPositions(5).map((p) => [`${p.level}/${p.index}`, read(p.level, p.index)!]));
    const r: SubtreeReader = (l, i) => kept.get(`${l}/${i}`);
    for (let i = 5; i < 8; i++) for (const w of appendLeaf(i, unhex(V.leafHashes[i]!), r)) kept.set(`${w.level}/${w.index}`, w.hash);
    expect(hex(treeRoot(8, r))).toBe(V.rootsBySize[8]);
    // A proof touching what was not kept is refused as unavailable, never made up.
    expect(() => inclusionProof(1, 8, r)).toThrow(/does not hold/);
  });

  it('the transaction root is the same hashing (one implementation)', () => {
    expect(txRoot([], [])).toBe(V.rootsBySize[0]);
  });
});

describe('RFC 9162 §2.1.3 inclusion', () => {
  const { read } = buildLog(8);
  it('generates every computed audit path', () => {
    for (const c of V.computed.inclusionProofs) {
      expect(inclusionProof(c.leafIdx, c.treeSize, read).map(hex)).toEqual(c.proof);
      verifyInclusion(unhex(c.leafHash), c.leafIdx, c.treeSize, c.proof.map(unhex), unhex(c.root));
    }
  });
  it('every published probe is accepted or refused as transparency-dev/merkle does', () => {
    for (const p of V.inclusionProbes.probes) {
      const bad = rejects(() => verifyInclusion(unhex(p.leafHash), p.leafIdx, p.treeSize, p.proof.map(unhex), unhex(p.root)));
      expect(bad, `${p.file}: ${p.desc}`).toBe(p.wantErr);
    }
  });
  it('a tampered byte anywhere is refused', () => {
    const c = V.computed.inclusionProofs.find((x) => x.treeSize === 7 && x.leafIdx === 3)!;
    for (let j = 0; j < c.proof.length; j++) {
      const path = c.proof.map(unhex);
      path[j]![5]! ^= 1;
      expect(rejects(() => verifyInclusion(unhex(c.leafHash), 3, 7, path, unhex(c.root)))).toBe(true);
    }
    expect(rejects(() => verifyInclusion(unhex(c.leafHash), 4, 7, c.proof.map(unhex), unhex(c.root)))).toBe(true);
    expect(rejects(() => verifyInclusion(unhex(c.leafHash), 3, 4, c.proof.map(unhex), unhex(c.root)))).toBe(true);
  });
});

describe('RFC 9162 §2.1.4 consistency', () => {
  const { read } = buildLog(8);
  it('generates every computed consistency proof and verifies it', () => {
    for (const c of V.computed.consistencyProofs) {
      expect(consistencyProof(c.size1, c.size2, read).map(hex)).toEqual(c.proof);
      verifyConsistency(c.size1, c.size2, c.proof.map(unhex), unhex(c.root1), unhex(c.root2));
    }
  });
  it('every published probe is accepted or refused as transparency-dev/merkle does', () => {
    for (const p of V.consistencyProbes.probes) {
      const bad = rejects(() => verifyConsistency(p.size1, p.size2, p.proof.map(unhex), unhex(p.root1), unhex(p.root2)));
      expect(bad, `${p.file}: ${p.desc}`).toBe(p.wantErr);
    }
  });
  it('tampered bytes and wrong sizes are refused', () => {
    const c = V.computed.consistencyProofs.find((x) => x.size1 === 3 && x.size2 === 7)!;
    for (let j = 0; j < c.proof.length; j++) {
      const proof = c.proof.map(unhex);
      proof[j]![31]! ^= 0x80;
      expect(rejects(() => verifyConsistency(3, 7, proof, unhex(c.root1), unhex(c.root2)))).toBe(true);
    }
    const proof = c.proof.map(unhex);
    expect(rejects(() => verifyConsistency(3, 4, proof, unhex(c.root1), unhex(c.root2)))).toBe(true);
    expect(rejects(() => verifyConsistency(4, 7, proof, unhex(c.root1), unhex(c.root2)))).toBe(true);
    expect(rejects(() => verifyConsistency(7, 3, proof, unhex(c.root2), unhex(c.root1)))).toBe(true);
    expect(rejects(() => verifyConsistency(0, 7, [], unhex(V.rootsBySize[0]!), unhex(c.root2)))).toBe(true);
    expect(rejects(() => verifyConsistency(3, 7, [...proof, proof[0]!], unhex(c.root1), unhex(c.root2)))).toBe(true);
    expect(rejects(() => verifyConsistency(3, 7, proof.slice(1), unhex(c.root1), unhex(c.root2)))).toBe(true);
  });
});

// RFC 9162 §2.1 list trees (src/core/merkle/log.ts): Merkle Tree Hash, audit paths (§2.1.3.1) and
// their verification (§2.1.3.2) against the RFC 6962 vectors of test/vectors/merkle-rfc6962.json
// (provenance in the file), and the transaction root of a block with the audit path of each entry.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { logTree, merkleTreeHash, mthLeaf, verifyInclusion } from '../../../src/core/merkle/index.js';
import { txLeaf, txRoot, txTree } from '../../../src/core/ledger/block.js';
import { fromHex, toHex } from '../../../src/core/encoding/bytes.js';
import { thrownCode } from '../../helpers/chain.js';
import type { Tx, TxResult } from '../../../src/core/ledger/types.js';

const V = JSON.parse(readFileSync(new URL('../../vectors/merkle-rfc6962.json', import.meta.url), 'utf8'));
const leaves: Uint8Array[] = V.leafInputs.map((h: string) => mthLeaf(fromHex(h)));

describe('RFC 9162 list trees', () => {
  it('§2.1.1: leaf hashes, the empty root and the root of every prefix size', () => {
    expect(leaves.map(toHex)).toEqual(V.leafHashes);
    expect(toHex(merkleTreeHash([]))).toBe(V.emptyRoot);
    for (let n = 1; n <= leaves.length; n++) {
      expect(toHex(merkleTreeHash(leaves.slice(0, n)))).toBe(V.rootsBySize[n]);
      expect(toHex(logTree(leaves.slice(0, n)).root)).toBe(V.rootsBySize[n]);
    }
  });

  it('§2.1.3.1: audit paths equal the published ones', () => {
    for (const p of V.computed.inclusionProofs) {
      expect(logTree(leaves.slice(0, p.treeSize)).path(p.leafIdx).map(toHex), `${p.leafIdx}/${p.treeSize}`).toEqual(p.proof);
    }
  });

  it('§2.1.3.2: the published probes verify or fail as the source says', () => {
    for (const p of V.inclusionProbes.probes) {
      const r = thrownCode(() =>
        verifyInclusion(
          fromHex(p.leafHash),
          p.leafIdx,
          p.treeSize,
          p.proof.map((h: string) => fromHex(h)),
          fromHex(p.root),
        ),
      );
      expect(r === 'OK', `${p.file}: ${p.desc}`).toBe(!p.wantErr);
    }
  });

  it('§2.1.3.2: every path of every size verifies, and any flipped bit or dropped byte is refused', () => {
    for (let n = 1; n <= leaves.length; n++) {
      const t = logTree(leaves.slice(0, n));
      for (let i = 0; i < n; i++) {
        const path = t.path(i);
        expect(thrownCode(() => verifyInclusion(leaves[i]!, i, n, path, t.root))).toBe('OK');
        for (let k = 0; k < path.length; k++) {
          const flipped = path.map((p) => p.slice());
          flipped[k]![31] ^= 1;
          expect(thrownCode(() => verifyInclusion(leaves[i]!, i, n, flipped, t.root))).toBe('PROOF_INVALID');
          const short = path.map((p, j) => (j === k ? p.slice(1) : p));
          expect(thrownCode(() => verifyInclusion(leaves[i]!, i, n, short, t.root))).toBe('PROOF_INVALID');
        }
        if (path.length > 0) expect(thrownCode(() => verifyInclusion(leaves[i]!, i, n, path.slice(1), t.root))).toBe('PROOF_INVALID');
        expect(thrownCode(() => verifyInclusion(leaves[i]!, i, n, [...path, t.root], t.root))).toBe('PROOF_INVALID');
        if (n > 1) expect(thrownCode(() => verifyInclusion(leaves[i]!, (i + 1) % n, n, path, t.root))).toBe('PROOF_INVALID');
      }
    }
  });
});

describe('transaction root and entry audit paths (docs/protocol.md "Blocks")', () => {
  const txs = Array.from({ length: 5 }, (_, i) => ({ body: { n: i }, sigs: [] }) as unknown as Tx);
  const results: TxResult[] = txs.map((_, i) => (i === 3 ? { ok: false, code: 'X', message: 'no' } : { ok: true }));

  it('each entry { tx, result } proves its place against the transaction root; another result does not', () => {
    const root = fromHex(txRoot(txs, results));
    for (let i = 0; i < txs.length; i++) {
      const path = txTree(txs, results).path(i);
      expect(thrownCode(() => verifyInclusion(txLeaf(txs[i]!, results[i]!), i, txs.length, path, root))).toBe('OK');
      const other: TxResult = results[i]!.ok ? { ok: false, code: 'X', message: 'no' } : { ok: true };
      expect(thrownCode(() => verifyInclusion(txLeaf(txs[i]!, other), i, txs.length, path, root))).toBe('PROOF_INVALID');
    }
  });

  it('the leaf is RFC 9162 over the canonical JSON of { tx, result }', () => {
    const enc = new TextEncoder().encode('{"result":{"ok":true},"tx":{"body":{"n":0},"sigs":[]}}');
    expect(toHex(txLeaf(txs[0]!, results[0]!))).toBe(toHex(mthLeaf(enc)));
  });
});

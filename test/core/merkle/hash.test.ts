// Hash primitives of the state map against RFC 6962 (test/vectors/merkle-rfc6962.json, from
// transparency-dev/merkle): the leaf and node hashing is the same construction, so the published leaf
// hashes, complete-subtree hashes and Merkle Tree Hashes (RFC 9162 §2.1.1) must come out of
// rfc6962LeafHash and nodeHash.
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { EMPTY_HASH, leafHash, nodeHash, rfc6962LeafHash } from '../../../src/core/merkle/index.js';
import { isUrbisError } from '../../../src/core/errors.js';
import { hex, unhex, val } from './reference.js';

interface Vectors {
  leafInputs: string[];
  leafHashes: string[];
  nodeHashesByLevel: string[][];
  rootsBySize: string[];
}
const V = JSON.parse(readFileSync(new URL('../../vectors/merkle-rfc6962.json', import.meta.url), 'utf8')) as Vectors;

function mth(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 1) return leaves[0]!;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return nodeHash(mth(leaves.slice(0, k)), mth(leaves.slice(k)));
}

describe('RFC 6962 hashing', () => {
  it('leaf hashes of the 8 standard inputs', () => {
    V.leafInputs.forEach((input, i) => expect(hex(rfc6962LeafHash(unhex(input)))).toBe(V.leafHashes[i]));
  });

  it('complete-subtree hashes, level by level', () => {
    for (let h = 1; h < V.nodeHashesByLevel.length; h++) {
      V.nodeHashesByLevel[h]!.forEach((want, i) => {
        const below = V.nodeHashesByLevel[h - 1]!;
        expect(hex(nodeHash(unhex(below[2 * i]!), unhex(below[2 * i + 1]!)))).toBe(want);
      });
    }
  });

  it('Merkle Tree Hash of the first n leaves, n = 1..8', () => {
    const leaves = V.leafHashes.map(unhex);
    for (let n = 1; n <= 8; n++) expect(hex(mth(leaves.slice(0, n)))).toBe(V.rootsBySize[n]);
  });

  it('leafHash(key, value) is the RFC 6962 leaf hash of key ‖ value', () => {
    const k = val(7);
    const v = val(9);
    expect(hex(leafHash(k, v))).toBe(hex(rfc6962LeafHash(new Uint8Array([...k, ...v]))));
  });

  it('EMPTY_HASH is 32 zero bytes (not the RFC 6962 empty root, SHA-256 of "")', () => {
    expect(hex(EMPTY_HASH)).toBe('00'.repeat(32));
  });

  it('rejects wrong sizes', () => {
    for (const f of [() => leafHash(new Uint8Array(31), val(1)), () => nodeHash(val(1), new Uint8Array(33))]) {
      expect(f).toThrow();
      try {
        f();
      } catch (e) {
        expect(isUrbisError(e, 'MERKLE_INPUT_INVALID')).toBe(true);
      }
    }
  });
});

/**
 * Benchmark: proof size and proof verification time as the state grows to 10^4, 10^6 and 10^7
 * entries. The cost of a resolution must stay logarithmic.
 *
 * The tree is built in the in-memory node store (the same tree code the node runs over SQLite);
 * keys are SHA-256 outputs, as in the ledger. For each size, 2,000 random present keys and 2,000
 * absent keys are proven and verified. Reference in the same run: one SHA-256 of 64 bytes.
 *
 * Run: npm run bench -- proofs [maxExponent]   (default 7; 10^7 needs ~4 GB and a few minutes)
 */
import '../src/platform/node.js';
import { randomBytes, sha256 } from '../src/core/crypto/index.js';
import { EMPTY_HASH, MemorySmtNodeStore, SparseMerkleTree, encodeProof, proofToJson, verifyProof } from '../src/core/merkle/index.js';
import { machine, report } from './report.js';

function sha256PerSec(): number {
  const b = randomBytes(64);
  const t0 = performance.now();
  let n = 0;
  while (performance.now() - t0 < 500) {
    for (let i = 0; i < 1000; i++) sha256(b);
    n += 1000;
  }
  return n / ((performance.now() - t0) / 1000);
}

export async function benchProofs(maxExp = 7): Promise<Array<Record<string, number>>> {
  const store = new MemorySmtNodeStore();
  const tree = new SparseMerkleTree(store, EMPTY_HASH, { cacheCapacity: 0 });
  const keys: Uint8Array[] = [];
  const value = sha256(new Uint8Array([1]));
  const out: Array<Record<string, number>> = [];
  const hashRate = sha256PerSec();
  let size = 0;
  for (let exp = 4; exp <= maxExp; exp += exp === 4 ? 2 : 1) {
    const target = 10 ** exp;
    const t0 = performance.now();
    while (size < target) {
      const n = Math.min(100_000, target - size);
      const batch = [];
      for (let i = 0; i < n; i++) {
        const key = randomBytes(32);
        batch.push({ key, value });
        // Keep a sample of keys for proving, not all ten million.
        if (keys.length < 100_000 || Math.random() < 0.001) keys.push(key);
      }
      const { root, writes } = tree.update(batch);
      store.apply(writes);
      tree.commit(root);
      size += n;
    }
    const buildSecs = (performance.now() - t0) / 1000;
    const root = tree.root();
    const samples = 2000;
    let bytes = 0;
    let maxBytes = 0;
    let jsonChars = 0;
    let depth = 0;
    let verifyMs = 0;
    let absentBytes = 0;
    for (let i = 0; i < samples; i++) {
      const key = keys[Math.floor(Math.random() * keys.length)]!;
      const p = tree.prove(key);
      const b = encodeProof(p).length;
      bytes += b;
      maxBytes = Math.max(maxBytes, b);
      jsonChars += proofToJson(p).length;
      depth += p.depth;
      const t = performance.now();
      verifyProof(root, key, value, p);
      verifyMs += performance.now() - t;
      const absentKey = randomBytes(32);
      const absent = tree.prove(absentKey);
      verifyProof(root, absentKey, null, absent);
      absentBytes += encodeProof(absent).length;
    }
    const rss = process.memoryUsage().rss;
    out.push({
      entries: size,
      buildSeconds: Number(buildSecs.toFixed(1)),
      avgDepth: Number((depth / samples).toFixed(1)),
      avgProofBytes: Math.round(bytes / samples),
      maxProofBytes: maxBytes,
      avgProofJsonChars: Math.round(jsonChars / samples),
      avgNonInclusionProofBytes: Math.round(absentBytes / samples),
      verifyMicros: Number(((verifyMs * 1000) / samples).toFixed(1)),
      sha256PerSec: Math.round(hashRate),
      rssMiB: Math.round(rss / 2 ** 20),
    });
    report('proofs', out[out.length - 1]!, machine());
  }
  return out;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  await benchProofs(Number(process.argv[2] ?? 7));
}

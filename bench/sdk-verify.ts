// SDK verification throughput (a program, not a test): how many resolution answers per second the
// client SDK verifies in Node — JSON parse, proof decode, certificate check under a 4-validator
// anchor, Merkle proof — for a ledger of ~10^5 identifiers, with and without the certified-header
// cache, beside raw Ed25519 verify/s measured in the same run.
// Run: npx tsx bench/sdk-verify.ts [entries=100000]
import '../src/platform/node.js';
import { nodeCryptoProvider } from '../src/platform/node.js';
import { ed25519Verify, generateSeed, nobleCryptoProvider, setCryptoProvider } from '../src/core/crypto/index.js';
import { headerSigningInput, signHeader } from '../src/core/ledger/block.js';
import { objectIdText } from '../src/core/ledger/names.js';
import { buildTxBody, signTx, signerFromSeed } from '../src/core/ledger/tx.js';
import { proofToJson } from '../src/core/merkle/index.js';
import { Ledger } from '../src/engine/ledger.js';
import { MemoryStore } from '../src/storage/memory/memory-store.js';
import { AnswerVerifier } from '../src/client/verify.js';
import { machine, report } from './report.js';

const N = Number(process.argv[2] ?? 100_000);
const BATCH = 1000;
const T0 = 1_700_000_000_000;

function rate(label: string, seconds: number, f: (i: number) => void, quiet = false): number {
  for (let i = 0; i < 200; i++) f(i); // warm up
  let n = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  while (performance.now() < end) {
    for (let i = 0; i < 100; i++) f(n + i);
    n += 100;
  }
  const perSec = n / ((performance.now() - start) / 1000);
  if (!quiet) console.log(`${label.padEnd(60)} ${Math.round(perSec).toLocaleString('en-US').padStart(10)} /s`);
  return perSec;
}

// --- a ledger of N identifiers under a 4-validator set ---------------------------------------------
const validators = [0, 1, 2, 3].map(() => signerFromSeed(generateSeed()));
const root = signerFromSeed(generateSeed());
const chainId = 'bench-chain';
const store = new MemoryStore();
const ledger = new Ledger(store, { validator: validators[0]! });
const t = { now: T0 };
ledger.commitGenesis({
  body: {
    v: 1,
    chain: chainId,
    type: 'genesis',
    nonce: 'genesis',
    validFrom: T0,
    validUntil: T0,
    payload: { chainId, time: T0, root: { keys: [root.id], threshold: 1 }, validators: validators.map((v) => v.id) },
  },
  sigs: [],
});
const commit = (txs: unknown[]) => {
  t.now += 1000;
  const r = ledger.commitBlock(txs, t.now);
  // The other three validators co-sign, as a network's certificate gathers them.
  store.putCert({ ...r.cert, sigs: validators.map((v) => signHeader(r.headerHash, v)) });
  return r;
};
const tx = (type: never, payload: never) => signTx(buildTxBody(type, payload, { chain: chainId, now: t.now + 1000 }), [root]);
const policy = { children: { charset: 'alnum', minLength: 1, maxLength: 16 }, ids: { charset: 'alnum', minLength: 1, maxLength: 64 } };
commit([tx('ns.create' as never, { ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy, record: { type: 'country' } } as never)]);
commit([tx('ns.create' as never, { ns: '156.130100', controllers: { keys: [root.id], threshold: 1 }, policy, record: { type: 'city' } } as never)]);
const built = performance.now();
for (let b = 0; b * BATCH < N; b++) {
  const items = Array.from({ length: Math.min(BATCH, N - b * BATCH) }, (_, i) => ({
    local: `LAMP-${String(b * BATCH + i).padStart(6, '0')}`,
    record: { type: 'lamp', attributes: { watts: 40, street: 'Zhongshan Road' } },
  }));
  const r = commit([tx('id.registerBatch' as never, { ns: '156.130100', items } as never)]);
  if (!r.results[0]!.ok) throw new Error(JSON.stringify(r.results[0]));
}
console.log(`built a ledger of ${N.toLocaleString('en-US')} identifiers in ${((performance.now() - built) / 1000).toFixed(1)} s`);

// --- answers, as the node serves them (JSON text) --------------------------------------------------
const SAMPLE = 2000;
const answers: { key: string; text: string }[] = [];
for (let i = 0; i < SAMPLE; i++) {
  const n = Math.floor((i * 7919) % N);
  const local = `LAMP-${String(n).padStart(6, '0')}`;
  const key = `id:156.130100/${local}`;
  const p = ledger.prove(key);
  const text = JSON.stringify({ key, entry: p.entry, proof: proofToJson(p.proof), header: p.header, cert: p.cert, id: objectIdText('156.130100', local) });
  answers.push({ key, text });
}
const depth = ledger.prove(answers[0]!.key).proof.depth;
console.log(`answer size ≈ ${answers[0]!.text.length} B, proof depth ${depth}, ${validators.length} validator signatures per certificate`);
console.log(`node ${process.version}, ${machine().cpu}, ${machine().cores} cores`);

// --- measurements -----------------------------------------------------------------------------------
// The machine is shared: each figure is the best of several short rounds, and the rounds of all
// figures are interleaved, so that a burst of foreign load cannot favour one figure over another.
const anchor = { chainId, validators: validators.map((v) => v.id) };
const head = store.head()!;
const cert = store.cert(head.height)!;
const msg = headerSigningInput(head.headerHash);
const sig = Buffer.from(cert.sigs[0]!.sig, 'base64url');
const pub = validators[0]!.publicKey;
const parsed = answers.map((a) => ({ key: a.key, json: JSON.parse(a.text) as unknown }));
const noCache = new AnswerVerifier(anchor, { certCacheSize: 0 });
const cached = new AnswerVerifier(anchor);
const nobleCached = new AnswerVerifier(anchor);

interface Case {
  label: string;
  provider: typeof nodeCryptoProvider;
  f: (i: number) => void;
  best: number;
}
const cases: Record<string, Case> = {
  raw: { label: 'raw Ed25519 verify (node:crypto)', provider: nodeCryptoProvider, f: () => ed25519Verify(sig, msg, pub), best: 0 },
  uncached: {
    label: 'SDK verify, no header cache (4 sigs + proof)',
    provider: nodeCryptoProvider,
    f: (i) => {
      const a = answers[i % SAMPLE]!;
      noCache.verifyProven(JSON.parse(a.text), a.key);
    },
    best: 0,
  },
  cached: {
    label: 'SDK verify, certified-header cache (JSON text in)',
    provider: nodeCryptoProvider,
    f: (i) => {
      const a = answers[i % SAMPLE]!;
      cached.verifyProven(JSON.parse(a.text), a.key);
    },
    best: 0,
  },
  noParse: {
    label: 'SDK verify, cache, answers already parsed',
    provider: nodeCryptoProvider,
    f: (i) => {
      const a = parsed[i % SAMPLE]!;
      cached.verifyProven(a.json, a.key);
    },
    best: 0,
  },
  nobleRaw: { label: 'raw Ed25519 verify (noble, browser fallback)', provider: nobleCryptoProvider, f: () => ed25519Verify(sig, msg, pub), best: 0 },
  nobleSdk: {
    label: 'SDK verify, cache, noble provider (browser-like)',
    provider: nobleCryptoProvider,
    f: (i) => {
      const a = answers[i % SAMPLE]!;
      nobleCached.verifyProven(JSON.parse(a.text), a.key);
    },
    best: 0,
  },
};
const ROUNDS = Number(process.env.ROUNDS ?? 6);
for (let r = 0; r < ROUNDS; r++) {
  for (const c of Object.values(cases)) {
    setCryptoProvider(c.provider);
    c.best = Math.max(c.best, rate(r === 0 ? c.label : '', 0.4, c.f, true));
  }
}
console.log(`best of ${ROUNDS} rounds:`);
for (const c of Object.values(cases)) console.log(`${c.label.padEnd(60)} ${Math.round(c.best).toLocaleString('en-US').padStart(10)} /s`);
const raw = cases.raw!.best;
const uncached = cases.uncached!.best;
const withCache = cases.cached!.best;
const noParse = cases.noParse!.best;
const nobleRaw = cases.nobleRaw!.best;
const nobleSdk = cases.nobleSdk!.best;
console.log(`cached SDK verify = ${(withCache / raw).toFixed(2)} × raw Ed25519 verify; target ≥ 20,000/s: ${withCache >= 20_000 ? 'met' : 'NOT met'}`);
report('sdk-verify', {
  entries: N,
  proofDepth: depth,
  validators: validators.length,
  answerBytes: answers[0]!.text.length,
  ed25519VerifyPerSec: Math.round(raw),
  sdkVerifyUncachedPerSec: Math.round(uncached),
  sdkVerifyCachedPerSec: Math.round(withCache),
  sdkVerifyCachedNoParsePerSec: Math.round(noParse),
  nobleEd25519VerifyPerSec: Math.round(nobleRaw),
  nobleSdkVerifyCachedPerSec: Math.round(nobleSdk),
});

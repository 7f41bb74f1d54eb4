/**
 * Benchmark: committed registrations per second on one node, end to end.
 *
 * Signed `id.register` transactions (signed beforehand: signing is the client's work) go in through
 * the node's admission path (parse, chain id, window; Ed25519 verification on the worker pool, the
 * second core), are ordered into
 * blocks, executed, merkleised, certified and committed to SQLite (WAL, synchronous=NORMAL); a
 * sample of them is then proven. Reported beside raw Ed25519 verifications per second measured in the
 * same run on one core.
 *
 * `workers`: the verification pool's sizes to measure, one result line each (`verifyWorkers`);
 * default the node's default, the cores less one. `npm run bench` measures 1 and 2.
 *
 * Run: npm run bench -- registrations   (or: node --import tsx bench/registrations.ts [count] [workers, e.g. 1,2])
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../src/platform/node.js';
import { ed25519Sign, ed25519Verify, generateSeed, ed25519PublicKey } from '../src/core/crypto/index.js';
import { buildTxBody, signTx, signerFromSeed } from '../src/core/ledger/tx.js';
import { verifyProvenEntry } from '../src/core/ledger/verify.js';
import type { Tx } from '../src/core/ledger/types.js';
import { Ledger } from '../src/engine/ledger.js';
import { LocalSequencer } from '../src/ordering/local/sequencer.js';
import { SqliteStore } from '../src/storage/sqlite/sqlite-store.js';
import { defaultVerifyWorkers, VerifyPool } from '../src/engine/verify-pool.js';
import { machine, report } from './report.js';
import { runPart } from './http.js';

/** Raw Ed25519 verifications per second (cached public key), the reference. */
export function rawVerifyRate(ms = 1500): number {
  const seed = generateSeed();
  const pub = ed25519PublicKey(seed);
  const msg = new Uint8Array(44);
  const sig = ed25519Sign(seed, msg);
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < ms) {
    for (let i = 0; i < 200; i++) ed25519Verify(sig, msg, pub);
    n += 200;
  }
  return n / ((performance.now() - t0) / 1000);
}

export async function benchRegistrations(count = 50_000, workers = defaultVerifyWorkers()): Promise<Record<string, number | string>> {
  const dir = mkdtempSync(join(tmpdir(), 'urbis-bench-'));
  try {
    const store = SqliteStore.open(join(dir, 'ledger.db'));
    const validator = signerFromSeed(generateSeed());
    const root = signerFromSeed(generateSeed());
    const ledger = new Ledger(store, { validator });
    const chain = 'bench-chain';
    const now = Date.now();
    ledger.commitGenesis({
      body: {
        v: 1,
        chain,
        type: 'genesis',
        nonce: 'genesis',
        validFrom: now,
        validUntil: now,
        payload: { chainId: chain, time: now, root: { keys: [root.id], threshold: 1 }, validators: [validator.id] },
      },
      sigs: [],
    });
    const policy = { children: { charset: 'alnum' as const, minLength: 1, maxLength: 16 }, ids: { charset: 'alnum' as const, minLength: 1, maxLength: 64 } };
    const setup = (type: 'ns.create', payload: Tx<'ns.create'>['body']['payload']) => signTx(buildTxBody(type, payload, { chain, now }), [root]);
    ledger.commitBlock([setup('ns.create', { ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy, record: { type: 'country' } })], now);
    ledger.commitBlock([setup('ns.create', { ns: '156.130100', controllers: { keys: [root.id], threshold: 1 }, policy, record: { type: 'city' } })], now);

    const txs: Tx[] = [];
    for (let i = 0; i < count; i++) {
      const body = buildTxBody(
        'id.register',
        { id: `156.130100/DEV-${String(i).padStart(7, '0')}`, record: { type: 'sensor', attributes: { n: i, kind: 'air' } } },
        { chain, now },
      );
      txs.push(signTx(body, [root]));
    }
    // Through JSON, as they would arrive over HTTP.
    const raws = txs.map((t) => JSON.parse(JSON.stringify(t)) as unknown);
    const pool = new VerifyPool(workers);
    const seq = new LocalSequencer(ledger, { blockIntervalMs: 20, maxBlockTxs: 5000, maxPending: count + 1, pool });
    const t0 = performance.now();
    const dones: Promise<unknown>[] = [];
    // Admission as the HTTP route does it: parse here, signatures on the worker pool. A window of
    // 4,000 transactions in admission at a time, as many concurrent clients would keep.
    const inflight = new Set<Promise<void>>();
    for (let i = 0; i < raws.length; i++) {
      const p: Promise<void> = seq.submitAsync(raws[i]).then((s) => {
        dones.push(s.done);
        inflight.delete(p);
      });
      inflight.add(p);
      if (inflight.size >= 4000) await Promise.race(inflight);
    }
    await Promise.all(inflight);
    await Promise.all(dones);
    await pool.close();
    const secs = (performance.now() - t0) / 1000;
    // Proofs are available for what was committed.
    const anchor = { chainId: chain, validators: [validator.id] };
    for (let i = 0; i < 100; i++) {
      const k = Math.floor(Math.random() * count);
      const p = ledger.prove(`id:156.130100/DEV-${String(k).padStart(7, '0')}`);
      if (!verifyProvenEntry(p, anchor).present) throw new Error('proof failed');
    }
    seq.stop();
    store.close();
    const verify = rawVerifyRate();
    const rate = count / secs;
    return {
      transactions: count,
      verifyWorkers: workers,
      seconds: Number(secs.toFixed(2)),
      committedPerSec: Math.round(rate),
      rawVerifyPerSec: Math.round(verify),
      ratioToRawVerify: Number((rate / verify).toFixed(2)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const count = Number(process.argv[2] ?? 50_000);
  const sizes = (process.argv[3] ?? String(defaultVerifyWorkers())).split(',').map(Number);
  const env = machine();
  for (const w of sizes) await runPart('registrations', env, async () => report('registrations', await benchRegistrations(count, w), env));
}

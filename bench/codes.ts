// Codes benchmark (a program, not a test; docs/codes.md): offline verifications per second against a
// trust bundle with one core and with all cores, beside raw Ed25519 verify/s of one core measured in
// the same run; PNG decode (ZXing) + verify per second; payload bytes and QR versions of each form;
// the trust bundle's size for 10^6 identifiers with 1 % revoked (synthetic revocation items, a real
// certified checkpoint).
// Run: npx tsx bench/codes.ts [seconds=3]   (or npm run bench -- codes)
import '../src/platform/node.js';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { ed25519Sign, ed25519Verify, ed25519PublicKey, generateSeed } from '../src/core/crypto/index.js';
import {
  buildRevocationSet,
  codeUrl,
  makeCode,
  makeProofCode,
  makeTrustBundle,
  openTrustBundle,
  parseCode,
  recordDigest,
  revokedIdItem,
  verifyParsedCode,
  type IssuerKeys,
} from '../src/core/codes/index.js';
import { objectIdText } from '../src/core/ledger/names.js';
import { idKey, nsKey } from '../src/core/ledger/state.js';
import { signerFromSeed } from '../src/core/ledger/tx.js';
import type { IdEntry, NsEntry } from '../src/core/ledger/types.js';
import { buildGenesis } from '../src/network/genesis.js';
import { Ledger } from '../src/engine/ledger.js';
import { MemoryStore } from '../src/storage/memory/memory-store.js';
import { machine, report } from './report.js';

const SECONDS = Number(process.argv[2] ?? 3);
const T0 = 1_780_000_000_000;

/** A small certified chain with one namespace whose policy names the issuer. */
function chain() {
  const validator = signerFromSeed(generateSeed());
  const root = signerFromSeed(generateSeed());
  const issuerSeed = new Uint8Array(32).fill(7);
  const issuer = signerFromSeed(issuerSeed);
  const store = new MemoryStore();
  const ledger = new Ledger(store, { validator });
  const chainId = 'bench-codes';
  ledger.commitGenesis(buildGenesis({ chainId, validators: [validator.id], root: { keys: [root.id], threshold: 1 }, time: T0 }));
  return { validator, root, issuer, issuerSeed, store, ledger, chainId };
}

async function main(): Promise<void> {
  const env = machine();
  // --- raw Ed25519, one core, same run -----------------------------------------------------------
  const seed = generateSeed();
  const pub = ed25519PublicKey(seed);
  const msg = new Uint8Array(150).fill(1);
  const sig = ed25519Sign(seed, msg);
  let n = 0;
  let start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    for (let i = 0; i < 200; i++) ed25519Verify(sig, msg, pub);
    n += 200;
  }
  const rawPerSec = n / ((performance.now() - start) / 1000);

  // --- a bundle and codes --------------------------------------------------------------------------
  const { bundle, texts, proofText } = await fixtures();
  const opened = await openTrustBundle(bundle);
  n = 0;
  start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    for (let i = 0; i < 100; i++) {
      const p = parseCode(texts[(n + i) % texts.length]!);
      const v = await verifyParsedCode(p, opened.factsFor(p), { now: T0 + 3_600_000, maxAgeMs: 86_400_000 });
      if (v.verdict !== 'VALID') throw new Error(`bench code not VALID: ${v.reason}`);
    }
    n += 100;
  }
  const offlineOne = n / ((performance.now() - start) / 1000);

  // --- all cores: one worker per core, each verifying for SECONDS ---------------------------------
  const cores = availableParallelism();
  const results = await Promise.all(
    Array.from(
      { length: cores },
      () =>
        new Promise<number>((resolve, reject) => {
          const w = new Worker(WORKER_SOURCE, {
            eval: true,
            workerData: { seconds: SECONDS, bundle, texts, dist: new URL('../dist/src/', import.meta.url).href },
          });
          w.once('message', (m: number) => resolve(m));
          w.once('error', reject);
        }),
    ),
  );
  const offlineAll = results.reduce((a, b) => a + b, 0);

  // --- PNG decode + verify -----------------------------------------------------------------------
  const { renderQr, qrVersion } = await import('../src/codes/render.js');
  const { readQrCodes } = await import('../src/codes/image.js');
  const png = (await renderQr(texts[0]!, 'png', { scale: 4 })) as Uint8Array;
  n = 0;
  start = performance.now();
  while (performance.now() - start < SECONDS * 1000) {
    const [t] = await readQrCodes(png);
    const p = parseCode(t!);
    await verifyParsedCode(p, opened.factsFor(p), { now: T0 + 3_600_000, maxAgeMs: 86_400_000 });
    n++;
  }
  const pngPerSec = n / ((performance.now() - start) / 1000);

  const url = codeUrl('https://id.urbis.city', parseCode(texts[0]!).claims.id, parseCode(texts[0]!).bytes);
  report(
    'codes',
    {
      seconds: SECONDS,
      rawEd25519VerifyPerSecOneCore: Math.round(rawPerSec),
      offlineVerifyPerSecOneCore: Math.round(offlineOne),
      offlineOneCoreRatioToRaw: Math.round((offlineOne / rawPerSec) * 100) / 100,
      offlineVerifyPerSecAllCores: Math.round(offlineAll),
      cores,
      offlineAllCoresPerCoreRatioToRaw: Math.round((offlineAll / cores / rawPerSec) * 100) / 100,
      pngDecodeAndVerifyPerSec: Math.round(pngPerSec * 10) / 10,
      pngBytes: png.length,
      payloadBytes: parseCode(texts[0]!).bytes.length,
      textChars: texts[0]!.length,
      qrVersionTextM: qrVersion(texts[0]!),
      urlChars: url.length,
      qrVersionUrlM: qrVersion(url),
      proofCodeBytes: proofText.bytes,
      proofCodeChars: proofText.text.length,
      bundleBytes10e6With1pctRevoked: bundle.length,
    },
    env,
  );
}

/** Codes of 1,000 identifiers, a bundle with 10^4 revocation items (1 % of 10^6), a proof-carrying code. */
async function fixtures(): Promise<{ bundle: Uint8Array; texts: string[]; proofText: { bytes: number; text: string } }> {
  const c = chain();
  const { buildTxBody, signTx } = await import('../src/core/ledger/tx.js');
  let now = T0;
  const run = (type: Parameters<typeof buildTxBody>[0], payload: never) => {
    now += 1000;
    const r = c.ledger.commitBlock([signTx(buildTxBody(type, payload, { chain: c.chainId, now }), [c.root])], now);
    if (!r.results[0]!.ok) throw new Error(JSON.stringify(r.results[0]));
  };
  const open = { ids: { charset: 'alnum' as const, minLength: 1, maxLength: 64 }, children: { charset: 'alnum' as const, minLength: 1, maxLength: 16 } };
  run('ns.create', { ns: '156', controllers: { keys: [c.root.id], threshold: 1 }, policy: open, record: { type: 'country' } } as never);
  run('ns.create', {
    ns: '156.130100',
    controllers: { keys: [c.root.id], threshold: 1 },
    policy: { ...open, issuers: [c.issuer.id] },
    record: { type: 'city' },
  } as never);
  run('id.register', { id: '156.130100/LAMP-000017', record: { type: 'lamp', attributes: { kind: 'led' } } } as never);
  const record = { type: 'lamp', attributes: { kind: 'led' } };
  const texts: string[] = [];
  for (let i = 0; i < 1000; i++) {
    const id = objectIdText('156.130100', `LAMP-${String(i).padStart(6, '0')}`);
    const m = makeCode(
      { id, serial: i, issuedAt: Math.floor(T0 / 1000), chain: c.chainId, digest: recordDigest(record, ['kind']), fields: ['kind'] },
      c.issuerSeed,
      c.issuer.publicKey,
    );
    texts.push(m.text);
  }
  const head = c.store.head()!;
  const issuers: IssuerKeys[] = [{ ns: '156.130100', active: [c.issuer.id], retired: [] }];
  const revocations = buildRevocationSet(
    c.chainId,
    Array.from({ length: 10_000 }, (_, i) => revokedIdItem(`156.130100/X-${i}`)),
  );
  const bundle = makeTrustBundle(
    { chain: c.chainId, issuedAt: T0 + 60_000, header: head.header, cert: c.store.cert(head.height)!, validators: [c.validator.id], issuers, revocations },
    c.validator,
  );
  const pi = c.ledger.prove(idKey('156.130100/LAMP-000017'));
  const pn = c.ledger.prove(nsKey('156.130100'));
  const label = makeCode(
    {
      id: objectIdText('156.130100', 'LAMP-000017'),
      serial: 1,
      issuedAt: Math.floor(T0 / 1000),
      chain: c.chainId,
      digest: recordDigest(record, ['kind']),
      fields: ['kind'],
    },
    c.issuerSeed,
    c.issuer.publicKey,
  );
  const pc = makeProofCode(label.bytes, {
    header: pi.header,
    cert: pi.cert,
    entry: pi.entry as IdEntry,
    entryProof: pi.proof,
    ns: pn.entry as NsEntry,
    nsProof: pn.proof,
  });
  return { bundle, texts, proofText: { bytes: pc.bytes.length, text: pc.text } };
}

/**
 * The worker: plain JavaScript on the compiled code (dist/, built by `npm run bench`), because a
 * worker thread does not inherit the TypeScript loader. Same loop as the one-core measurement.
 */
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
(async () => {
  await import(workerData.dist + 'platform/node.js');
  const c = await import(workerData.dist + 'core/codes/index.js');
  const opened = await c.openTrustBundle(workerData.bundle);
  const texts = workerData.texts;
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < workerData.seconds * 1000) {
    for (let i = 0; i < 100; i++) {
      const p = c.parseCode(texts[(n + i) % texts.length]);
      await c.verifyParsedCode(p, opened.factsFor(p), { now: ${T0} + 3600000, maxAgeMs: 86400000 });
    }
    n += 100;
  }
  parentPort.postMessage(n / ((performance.now() - start) / 1000));
})();
`;

await main();

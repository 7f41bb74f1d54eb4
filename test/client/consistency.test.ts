// Consistency between certified heads (docs/protocol.md "Consistency between heads"): the same
// genesis validator key signs two different histories; a node serving a head of the other history
// is caught by the SDK with fork evidence (both headers and certificates), which a node checks and
// keeps across a restart. The proofs are RFC 9162 §2.1.4 consistency and §2.1.3 inclusion proofs
// over the header history tree; tampered bytes and wrong sizes are refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/platform/node.js';
import { UrbisClient, checkForkEvidence, forkEvidenceOf, verifyExtends, type ConsistencyAnswer } from '../../src/client/index.js';
import { buildTxBody, signTx, type Signer } from '../../src/core/ledger/tx.js';
import type { Tx } from '../../src/core/ledger/types.js';
import { buildGenesis } from '../../src/network/genesis.js';
import { AnswerVerifier, type VerifiedHeader } from '../../src/core/ledger/verify.js';
import { isUrbisError } from '../../src/core/errors.js';
import { Ledger } from '../../src/engine/ledger.js';
import { buildRuntime } from '../../src/node/runtime.js';
import { createServer } from '../../src/node/server.js';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { newSigner, OPEN_POLICY, T0 } from '../helpers/chain.js';

const dir = mkdtempSync(join(tmpdir(), 'urbis-fork-'));
const chainId = 'fork-chain';
const validator = newSigner();
const root = newSigner();
const genesis: Tx<'genesis'> = buildGenesis({ chainId, validators: [validator.id], root: { keys: [root.id], threshold: 1 }, time: T0 });
const anchor = { chainId, validators: [validator.id] };

interface Side {
  file: string;
  store: SqliteStore;
  ledger: Ledger;
  url: string;
  close: () => Promise<void>;
  client: UrbisClient;
}

function tx(type: 'ns.create' | 'id.register', payload: unknown, signers: Signer[], now: number): Tx {
  return signTx(buildTxBody(type, payload as never, { chain: chainId, now, nonce: `n-${now}-${JSON.stringify(payload).length}` }), signers);
}

async function serve(file: string): Promise<Side> {
  const store = SqliteStore.open(file);
  const ledger = new Ledger(store, { validator });
  if (!store.head()) ledger.commitGenesis(genesis);
  const app = createServer(buildRuntime({ genesis, ledger, sequencer: null }), { rateLimit: 0 });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  return {
    file,
    store,
    ledger,
    url,
    close: async () => {
      await app.close();
      store.close();
    },
    // Blocks here are cut on a fixed clock: consistency is tested, not age (test/integration/freshness.test.ts).
    client: new UrbisClient({ url, anchor, retry: { retries: 0 }, maxAgeMs: 0 }),
  };
}

let honest: Side;
let liar: Side;

beforeAll(async () => {
  honest = await serve(join(dir, 'honest.db'));
  liar = await serve(join(dir, 'liar.db'));
  // A shared prefix: the same blocks, byte for byte, on both.
  for (const side of [honest, liar]) {
    side.ledger.commitBlock(
      [tx('ns.create', { ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'country' } }, [root], T0 + 1000)],
      T0 + 1000,
    );
    side.ledger.commitBlock([], T0 + 2000);
  }
  // Then two histories, both signed by the one validator key.
  for (let i = 0; i < 4; i++) {
    honest.ledger.commitBlock(
      [
        tx(
          'ns.create',
          { ns: `156.${100 + i}`, controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } },
          [root],
          T0 + 3000 + i,
        ),
      ],
      T0 + 3000 + i * 1000,
    );
    liar.ledger.commitBlock(
      [
        tx(
          'ns.create',
          { ns: `156.${900 + i}`, controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } },
          [root],
          T0 + 3000 + i,
        ),
      ],
      T0 + 3000 + i * 1000,
    );
  }
  for (let i = 0; i < 3; i++) liar.ledger.commitBlock([], T0 + 9000 + i * 1000);
});

afterAll(async () => {
  await honest?.close();
  await liar?.close();
  rmSync(dir, { recursive: true, force: true });
});

const verifier = () => new AnswerVerifier(anchor, { certCacheSize: 0 });

describe('consistency between certified heads', () => {
  it('the two histories share blocks 0..2 and split at 3', () => {
    expect(honest.store.head()!.height).toBe(6);
    expect(liar.store.head()!.height).toBe(9);
    expect(liar.store.cert(2)!.headerHash).toBe(honest.store.cert(2)!.headerHash);
    expect(liar.store.cert(3)!.headerHash).not.toBe(honest.store.cert(3)!.headerHash);
  });

  it('an honest node proves that each later head extends every earlier one', async () => {
    const head = await honest.client.checkpoint();
    for (let a = 0; a <= head.header.height; a++) {
      const b = await honest.client.block(a);
      const trusted: VerifiedHeader = { header: b.header, headerHash: b.headerHash, cert: b.cert, signers: b.cert.sigs.length };
      const got = await honest.client.verifyExtends(trusted);
      expect(got.headerHash).toBe(head.headerHash);
      // Either order, and the same head.
      await honest.client.verifyExtends(head, trusted);
      await honest.client.verifyExtends(head, head);
    }
  });

  it('a node serving a certified head of another history is caught, with fork evidence', async () => {
    const trusted = await honest.client.checkpoint(); // height 6 of the honest history
    const forged = await liar.client.checkpoint(); // height 9, validly certified by the same key
    expect(forged.header.height).toBe(9);
    let err: unknown;
    try {
      await liar.client.verifyExtends(trusted, forged);
    } catch (e) {
      err = e;
    }
    expect(isUrbisError(err) && err.code).toBe('CHAIN_FORKED');
    const ev = forkEvidenceOf(err)!;
    expect(ev.height).toBe(6);
    expect([ev.a.header, ev.b.header].map((h) => h.height)).toEqual([6, 6]);
    // The evidence proves itself to anyone with the validator keys.
    expect(checkForkEvidence(ev, anchor).hashes).toContain(trusted.headerHash);
    // …and was reported to the node that served it.
    expect((await liar.client.evidence()).length).toBe(1);
  });

  it('a node that hides the fork behind the trusted header cannot prove the extension', async () => {
    const trusted = await honest.client.checkpoint();
    const a = (await (await fetch(`${liar.url}/v1/consistency?from=6&to=9`)).json()) as ConsistencyAnswer;
    const forged = verifier().verifyHeader(a.header, a.cert);
    const lie = { ...a, fromHeader: trusted.header, fromCert: trusted.cert };
    expect(() => verifyExtends(verifier(), trusted, forged, lie)).toThrow(expect.objectContaining({ code: 'CHAIN_INCONSISTENT' }));
  });

  it('refuses tampered proofs and wrong sizes (RFC 9162 §2.1.3.2, §2.1.4.2)', async () => {
    const trusted = verifier().verifyHeader(honest.store.header(3), honest.store.cert(3));
    const a = (await (await fetch(`${honest.url}/v1/consistency?from=3&to=6`)).json()) as ConsistencyAnswer;
    const head = verifier().verifyHeader(a.header, a.cert);
    verifyExtends(verifier(), trusted, head, a);
    const flip = (h: string) => (h[0] === '0' ? '1' : '0') + h.slice(1);
    const cases: unknown[] = [
      { ...a, consistency: a.consistency.map((h, i) => (i === 0 ? flip(h) : h)) },
      { ...a, inclusion: a.inclusion.map((h, i) => (i === a.inclusion.length - 1 ? flip(h) : h)) },
      { ...a, consistency: a.consistency.slice(1) },
      { ...a, inclusion: [...a.inclusion, a.inclusion[0]] },
      { ...a, from: 2 },
      { ...a, to: 5 },
      { ...a, consistency: 'nope' },
    ];
    for (const c of cases) expect(() => verifyExtends(verifier(), trusted, head, c)).toThrow(expect.objectContaining({ code: 'CHAIN_INCONSISTENT' }));
    // The node refuses heights out of order.
    expect((await fetch(`${honest.url}/v1/consistency?from=5&to=4`)).status).toBe(400);
    expect((await fetch(`${honest.url}/v1/consistency?from=2&to=99`)).status).toBe(400);
  });

  it('fork evidence is checked by the node and kept across a restart', async () => {
    const a = honest.ledger.consistency(4);
    const theirs = liar.ledger.consistency(4);
    const evidence = { a: { header: a.fromHeader, cert: a.fromCert }, b: { header: theirs.fromHeader, cert: theirs.fromCert } };
    // Not evidence: one header twice, or a certificate that is not the validators'.
    const post = (body: unknown) =>
      fetch(`${honest.url}/v1/evidence`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect((await post({ a: evidence.a, b: evidence.a })).status).toBe(422);
    const forgedCert = { ...evidence.b.cert, sigs: [{ key: newSigner().id, sig: evidence.b.cert.sigs[0]!.sig }] };
    expect((await post({ a: evidence.a, b: { ...evidence.b, cert: forgedCert } })).status).toBe(422);
    expect((await post(evidence)).status).toBe(201);
    expect((await post({ a: evidence.b, b: evidence.a })).status).toBe(200); // the same fork, once
    await honest.close();
    honest = await serve(honest.file);
    const kept = await honest.client.evidence();
    expect(kept).toHaveLength(1);
    expect(kept[0]!.height).toBe(4);
  });
});

// The SDK against a fake node answering from a real in-memory ledger (./fake-node.ts): writes,
// verified reads, and a hostile node whose every kind of lie must end in a typed rejection.
import { beforeEach, describe, expect, it } from 'vitest';
import { newChain, newSigner, withCity, type TestChain } from '../helpers/chain.js';
import { fakeNode, type FakeNode } from './fake-node.js';
import { UrbisClient } from '../../src/client/index.js';
import { UrbisError } from '../../src/core/errors.js';
import { signHeader } from '../../src/core/ledger/block.js';
import { verifyProvenEntry } from '../../src/core/ledger/verify.js';
import { proofFromJson } from '../../src/core/merkle/index.js';
import { cosignTx, type Signer } from '../../src/core/ledger/tx.js';
import { Ledger } from '../../src/engine/ledger.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import type { Tx } from '../../src/core/ledger/types.js';

let c: TestChain;
let node: FakeNode;
let client: UrbisClient;
let city: Signer;
const LAMP = () => objectIdText('156.130100', 'LAMP-1');

function newClient(extra: Partial<ConstructorParameters<typeof UrbisClient>[0]> = {}): UrbisClient {
  return new UrbisClient({
    url: 'http://node.test/',
    anchor: UrbisClient.anchorFromGenesis(c.store.block(0)!.txs[0]),
    fetch: node.fetch,
    retry: { baseDelayMs: 1, maxDelayMs: 5 },
    ...extra,
  });
}

async function expectCode(p: Promise<unknown>, code: string): Promise<UrbisError> {
  const e = await p.then(
    () => null,
    (err: unknown) => err,
  );
  expect(e, `expected ${code}`).toBeInstanceOf(UrbisError);
  expect((e as UrbisError).code).toBe(code);
  return e as UrbisError;
}

beforeEach(async () => {
  c = newChain();
  city = withCity(c);
  node = fakeNode(c);
  client = newClient();
  await client.registerId({ id: LAMP(), record: { type: 'lamp', attributes: { watts: 40 } } }, [city]);
});

describe('anchor', () => {
  it('comes from the genesis transaction', () => {
    expect(client.anchor).toEqual({ chainId: 'test-chain', validators: [c.validator.id] });
  });
  it('refuses what is not a genesis', () => {
    expect(() => UrbisClient.anchorFromGenesis({ body: { type: 'ns.create' } })).toThrow(UrbisError);
    const g = structuredClone(c.store.block(0)!.txs[0]) as Tx<'genesis'>;
    g.body.payload.validators = [];
    expect(() => UrbisClient.anchorFromGenesis(g)).toThrow(/validator/);
  });
});

describe('writes', () => {
  it('submits, waits, and returns the commit', async () => {
    const st = await client.updateId({ id: LAMP(), record: { type: 'lamp', attributes: { watts: 60 } } }, [city]);
    expect(st.status).toBe('committed');
    expect(st.result).toEqual({ ok: true });
    const r = await client.resolve(LAMP());
    expect(r.present && r.entry.record.attributes).toEqual({ watts: 60 });
  });

  it('throws the ledger code of an invalid transaction', async () => {
    const e = await expectCode(client.registerId({ id: LAMP(), record: { type: 'lamp' } }, [city]), 'ID_EXISTS');
    expect(e.details).toMatchObject({ height: expect.any(Number), index: 0 });
    await expectCode(client.registerId({ id: objectIdText('156.130100', 'X1'), record: { type: 'lamp' } }, [newSigner()]), 'AUTH_NOT_REGISTRAR');
  });

  it('throws the node code of a refused transaction', async () => {
    const tx = client.tx('id.register', { id: objectIdText('156.130100', 'X2'), record: { type: 'lamp' } }, [city]);
    const sig = tx.sigs[0]!.sig;
    tx.sigs[0]!.sig = (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1);
    await expectCode(client.submit(tx), 'TX_SIGNATURE_INVALID');
  });

  it('supports co-signatures for thresholds', async () => {
    const a = newSigner();
    const b = newSigner();
    await client.createNs(
      {
        ns: '156.130100.7',
        controllers: { keys: [a.id, b.id], threshold: 2 },
        policy: { ids: { charset: 'alnum', minLength: 1, maxLength: 10 } },
        record: { type: 'organisation' },
      },
      [city],
    );
    const one = client.tx('id.register', { id: objectIdText('156.130100.7', 'Z1'), record: { type: 'sensor' } }, [a]);
    await expectCode(client.submitAndWait(one), 'AUTH_THRESHOLD'); // one of two keys is not enough: the threshold is what is missing
    const two = cosignTx(client.tx('id.register', { id: objectIdText('156.130100.7', 'Z2'), record: { type: 'sensor' } }, [a]), [b]);
    expect((await client.submitAndWait(two)).result.ok).toBe(true);
  });

  it('retries 503 NODE_BUSY and gives up with NODE_BUSY', async () => {
    node.busy = 2;
    const st = await client.updateId({ id: LAMP(), record: { type: 'lamp' } }, [city]);
    expect(st.result.ok).toBe(true);
    node.busy = 100;
    const e = await expectCode(client.updateId({ id: LAMP(), record: { type: 'lamp', attributes: { a: 1 } } }, [city]), 'NODE_BUSY');
    expect(e.details).toMatchObject({ httpStatus: 503, retryAfterMs: 0 });
    expect(node.log.filter((l) => l.startsWith('POST')).length).toBeGreaterThanOrEqual(6);
  });

  it('retries network failures', async () => {
    let fails = 2;
    const flaky = (u: string, i?: RequestInit) => (fails-- > 0 ? Promise.reject(new TypeError('fetch failed')) : node.fetch(u, i));
    const cl = newClient({ fetch: flaky });
    expect((await cl.updateId({ id: LAMP(), record: { type: 'lamp' } }, [city])).result.ok).toBe(true);
  });

  it('long-polls a pending transaction', async () => {
    node.pendingMode = true;
    const tx = client.tx('id.update', { id: LAMP(), record: { type: 'lamp', attributes: { p: 1 } } }, [city]);
    const first = await client.submit(tx);
    expect(first.status).toBe('pending');
    const st = await client.wait(first.hash, 5000);
    expect(st.status).toBe('committed');
    expect(node.log.some((l) => /\/v1\/tx\/[0-9a-f]{64}\?wait=\d+/.test(l))).toBe(true);
  });

  it('times out with CLIENT_TIMEOUT', async () => {
    const never = (_u: string, i?: RequestInit) =>
      new Promise<Response>((_, reject) => i?.signal?.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError'))));
    await expectCode(newClient({ fetch: never, timeoutMs: 50 }).resolve(LAMP()), 'CLIENT_TIMEOUT');
    node.pendingMode = true;
    const slow = (u: string, i?: RequestInit) => (u.includes('wait=') ? never(u, i) : node.fetch(u, i));
    const cl = newClient({ fetch: slow, timeoutMs: 50 });
    await expectCode(cl.submitAndWait(cl.tx('id.update', { id: LAMP(), record: { type: 'lamp' } }, [city]), { timeoutMs: 20 }), 'CLIENT_TIMEOUT');
  });

  it('verifies commits in their block when asked', async () => {
    const cl = newClient({ verifyCommits: true });
    expect((await cl.updateId({ id: LAMP(), record: { type: 'lamp' } }, [city])).result.ok).toBe(true);
    // A node that reports an invalid transaction as valid is caught by the block.
    node.tamper = (path, j) => (path === '/v1/tx' && j.result ? { ...j, result: { ok: true } } : j);
    await expectCode(cl.registerId({ id: LAMP(), record: { type: 'lamp' } }, [city]), 'PROOF_INVALID');
  });

  it('rejects a status about another transaction', async () => {
    node.tamper = (path, j) => (path === '/v1/tx' ? { ...j, hash: 'ab'.repeat(32) } : j);
    await expectCode(client.updateId({ id: LAMP(), record: { type: 'lamp' } }, [city]), 'CLIENT_HTTP');
  });
});

describe('verified reads', () => {
  it('resolves an identifier in every form', async () => {
    const r = await client.resolve(LAMP());
    expect(r.present).toBe(true);
    if (!r.present) return;
    expect(r.entry.kind).toBe('id');
    expect(r.id).toBe(LAMP());
    expect(r.did).toBe(`did:urbis:156.130100:LAMP-1:${LAMP().slice(-1)}`);
    expect(r.height).toBe(c.ledger.height());
    expect(r.signers).toBe(1);
    for (const form of [r.did, r.url, LAMP().toLowerCase()]) {
      const again = await client.resolve(form);
      expect(again.present && again.entry).toEqual(r.entry);
    }
  });

  it('catches a typo locally, before any request', async () => {
    const n = node.log.length;
    const bad = LAMP().slice(0, -1) + (LAMP().endsWith('A') ? 'B' : 'A');
    await expectCode(client.resolve(bad), 'ID_CHECK_MISMATCH');
    expect(node.log.length).toBe(n);
  });

  it('proves absence', async () => {
    const r = await client.resolve(objectIdText('156.130100', 'NXNE'));
    expect(r.present).toBe(false);
    expect(r.entry).toBeNull();
    const ns = await client.ns('156.999');
    expect(ns.present).toBe(false);
  });

  it('refuses "not found" without a proof of absence', async () => {
    node.tamper = (_p, j, status) => (status === 404 ? { ...j, proven: undefined } : j);
    await expectCode(client.resolve(objectIdText('156.130100', 'NXNE')), 'PROOF_INVALID');
    await expectCode(client.ns('156.999'), 'PROOF_INVALID');
  });

  it('refuses to hide an entry behind a 404', async () => {
    // A node answering 404 with the proof of another key, or the inclusion proof as absence.
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') ? { ...j, entry: null } : j);
    await expectCode(client.resolve(LAMP()), 'PROOF_INVALID');
  });

  it('rejects a tampered entry', async () => {
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') ? { ...j, entry: { ...j.entry, status: 'deactivated' } } : j);
    await expectCode(client.resolve(LAMP()), 'PROOF_INVALID');
  });

  it('rejects the entry of another identifier', async () => {
    const other = objectIdText('156.130100', 'LAMP-2');
    await client.registerId({ id: other, record: { type: 'lamp' } }, [city]);
    const good = await client.resolve(other);
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') ? good.answer : j);
    await expectCode(client.resolve(LAMP()), 'PROOF_INVALID');
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') ? { ...(good.answer as object), key: `id:156.130100/LAMP-1` } : j);
    await expectCode(client.resolve(LAMP()), 'PROOF_INVALID');
  });

  it('rejects a flipped proof bit', async () => {
    node.tamper = (path, j) => {
      if (!path.startsWith('/v1/ids/')) return j;
      const p: string = j.proof;
      const i = p.length - 5; // inside the terminal leaf's value hash
      const flipped = p.slice(0, i) + (p[i] === 'A' ? 'B' : 'A') + p.slice(i + 1);
      return { ...j, proof: flipped };
    };
    await expectCode(client.resolve(LAMP()), 'PROOF_INVALID');
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') ? { ...j, proof: 'not base64!' } : j);
    await expectCode(client.resolve(LAMP()), 'PROOF_INVALID');
  });

  it('rejects a missing certificate signature', async () => {
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') ? { ...j, cert: { ...j.cert, sigs: [] } } : j);
    await expectCode(client.resolve(LAMP()), 'CERT_INVALID');
  });

  it('rejects a certificate by an unknown validator', async () => {
    const rogue = newSigner();
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') ? { ...j, cert: { ...j.cert, sigs: [signHeader(j.cert.headerHash, rogue)] } } : j);
    const e = await expectCode(client.resolve(LAMP()), 'CERT_INVALID');
    expect(e.details).toMatchObject({ valid: 0, unknown: [rogue.id] });
  });

  it('rejects an uncertified header (state root swapped)', async () => {
    const other = await client.resolve(objectIdText('156.130100', 'NXNE'));
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') ? { ...j, header: { ...j.header, stateRoot: 'ab'.repeat(32) } } : j);
    await expectCode(client.resolve(LAMP()), 'CERT_INVALID');
    expect(other.present).toBe(false);
  });

  it('rejects an answer from another chain', async () => {
    const cl = newClient({ anchor: { chainId: 'other-chain', validators: [c.validator.id] } });
    await expectCode(cl.resolve(LAMP()), 'TX_CHAIN_MISMATCH');
  });

  it('rejects malformed headers and certificates as certificate faults', async () => {
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') ? { ...j, header: { ...j.header, extra: 1 } } : j);
    await expectCode(client.resolve(LAMP()), 'CERT_INVALID');
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') ? { ...j, cert: 'x' } : j);
    await expectCode(client.resolve(LAMP()), 'CERT_INVALID');
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') ? { ...j, entry: 'x' } : j);
    await expectCode(client.resolve(LAMP()), 'PROOF_INVALID');
  });

  it('caches certified headers, and only those', async () => {
    const cl = newClient();
    await cl.resolve(LAMP());
    expect(cl.verifier.cachedHeaders).toBe(1);
    // Same header, certificate stripped: already known certified, so it passes without signatures.
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') ? { ...j, cert: { ...j.cert, sigs: [] } } : j);
    expect((await cl.resolve(LAMP())).present).toBe(true);
    // Same certificate hash, different header: not the cached header, so the certificate must verify.
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') ? { ...j, header: { ...j.header, time: j.header.time + 1 } } : j);
    await expectCode(cl.resolve(LAMP()), 'CERT_INVALID');
    // The cache is per anchor.
    cl.setAnchor(cl.anchor);
    expect(cl.verifier.cachedHeaders).toBe(0);
  });

  it('agrees with the core verifier on the same answers', async () => {
    const r = await client.resolve(LAMP());
    const a = r.answer as any;
    const core = verifyProvenEntry({ ...a, proof: proofFromJson(a.proof) }, client.anchor);
    expect(core).toMatchObject({ present: true, height: r.height, stateRoot: r.stateRoot, signers: r.signers });
  });

  it('refuses stale answers when maxAgeMs is set', async () => {
    expect((await newClient({ maxAgeMs: 60_000 }).resolve(LAMP())).present).toBe(true);
    await new Promise((r) => setTimeout(r, 5)); // the last block was cut with Date.now()
    await expectCode(newClient({ maxAgeMs: 1 }).resolve(LAMP()), 'CLIENT_STALE');
  });

  it('maps problem codes, unknown ones to CLIENT_HTTP', async () => {
    node.tamper = (path, j, status) => (path.startsWith('/v1/ids/') && status === 404 ? { ...j, code: 'SOMETHING_NEW', proven: undefined } : j);
    const e = await expectCode(client.resolve(objectIdText('156.130100', 'NXNE')), 'CLIENT_HTTP');
    expect(e.details).toMatchObject({ httpStatus: 404, code: 'SOMETHING_NEW' });
    await expectCode(client.block(999), 'HTTP_NOT_FOUND');
  });

  it('refuses oversized answers', async () => {
    const cl = newClient({ maxBodyBytes: 100 });
    await expectCode(cl.resolve(LAMP()), 'CLIENT_HTTP');
  });

  it('resolves a namespace with its (unverified) children', async () => {
    const r = await client.ns('156');
    expect(r.present && r.entry.ns).toBe('156');
    expect(r.children?.items.map((n) => n.ns)).toEqual(['156.130100']);
    const viaId = await client.resolve(r.id);
    expect(viaId.present && viaId.entry.kind).toBe('ns');
  });

  it('verifies the checkpoint', async () => {
    const cp = await client.checkpoint();
    expect(cp.header.height).toBe(c.ledger.height());
    node.tamper = (path, j) => (path === '/v1/checkpoint' ? { ...j, headerHash: 'ab'.repeat(32) } : j);
    await expectCode(client.checkpoint(), 'PROOF_INVALID');
    node.tamper = (path, j) => (path === '/v1/checkpoint' ? { ...j, chainId: 'x' } : j);
    await expectCode(client.checkpoint(), 'TX_CHAIN_MISMATCH');
  });

  it('verifies blocks: certificate, height, transaction root', async () => {
    const h = c.ledger.height();
    const b = await client.block(h);
    expect(b.txs.length).toBe(b.header.txCount);
    expect((await client.block('latest')).headerHash).toBe(b.headerHash);
    node.tamper = (path, j) => (path.startsWith('/v1/blocks/') ? { ...j, results: j.results.map(() => ({ ok: false, code: 'X', message: 'x' })) } : j);
    await expectCode(client.block(h), 'PROOF_INVALID');
    node.tamper = (path, j) => (path.startsWith('/v1/blocks/') ? { ...j, txs: [] } : j);
    await expectCode(client.block(h), 'PROOF_INVALID');
    node.tamper = null;
    const other = (await node.fetch(`http://node.test/v1/blocks/${h - 1}`).then((r) => r.json())) as unknown;
    node.tamper = (path, j) => (path.startsWith('/v1/blocks/') ? other : j);
    await expectCode(client.block(h), 'PROOF_INVALID');
  });

  it('checks history against the proven entry', async () => {
    await client.updateId({ id: LAMP(), record: { type: 'lamp', attributes: { watts: 50 } } }, [city]);
    const h = await client.history(LAMP());
    expect(h.versions.map((v) => v.version)).toEqual([1, 2]);
    node.tamper = (path, j) => (path.endsWith('/history') ? { ...j, versions: j.versions.slice(0, 1) } : j);
    await expectCode(client.history(LAMP()), 'PROOF_INVALID');
    node.tamper = (path, j) => (path.endsWith('/history') ? { ...j, versions: [...j.versions].reverse() } : j);
    await expectCode(client.history(LAMP()), 'PROOF_INVALID');
    node.tamper = null;
    const v1 = await client.resolveVersion(LAMP(), 1);
    expect(v1.proven).toBe(true);
    expect(v1.entry.record.attributes).toEqual({ watts: 40 });
    // Proven against the certified header of the block that wrote version 1, not the head.
    expect(v1.resolution.height).toBe(h.versions[0]!.height);
    expect(v1.resolution.height).toBeLessThan(h.current.height);
    expect((await client.resolveVersion(LAMP(), 2)).proven).toBe(true);
    expect(h.proven).toBe(true);
  });

  it('refuses a lying node that rewrites a past version (docs/protocol.md (State map) §10)', async () => {
    await client.updateId({ id: LAMP(), record: { type: 'lamp', attributes: { watts: 50 } } }, [city]);
    const lie = (j: any) => ({ ...j, entry: { ...j.entry, record: { type: 'lamp', attributes: { watts: 4000 } } } });
    node.tamper = (path, j, status) => (path.startsWith('/v1/ids/') && !path.endsWith('/history') && status === 200 && j.entry?.version === 1 ? lie(j) : j);
    await expectCode(client.resolveVersion(LAMP(), 1), 'PROOF_INVALID');
    // The history row rewritten the same way: the proven version 1 differs from it.
    node.tamper = (path, j) => (path.endsWith('/history') ? { ...j, versions: [lie({ entry: j.versions[0] }).entry, ...j.versions.slice(1)] } : j);
    await expectCode(client.history(LAMP()), 'PROOF_INVALID');
    // Version 2 answered for version 1: a proven answer, but not the version asked for.
    node.tamper = null;
    const v2 = (await node.fetch(`http://node.test/v1/ids/${encodeURIComponent(LAMP())}?version=2`).then((r) => r.json())) as unknown;
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') && !path.endsWith('/history') ? v2 : j);
    await expectCode(client.resolveVersion(LAMP(), 1), 'PROOF_INVALID');
    node.tamper = null;
  });

  it('proves the state at a past height or time, absence included, and refuses an older block for a time', async () => {
    await client.updateId({ id: LAMP(), record: { type: 'lamp', attributes: { watts: 50 } } }, [city]);
    const h = await client.history(LAMP());
    const first = h.versions[0]!;
    const before = await client.resolveAt(LAMP(), first.height - 1);
    expect(before.present).toBe(false);
    expect(before.height).toBe(first.height - 1);
    const then = await client.resolveAt(LAMP(), first.height);
    expect(then.present && then.version).toBe(1);
    const byTime = await client.resolveAt(LAMP(), new Date(h.versions[1]!.updated));
    expect(byTime.present && byTime.version).toBe(2);
    expect(byTime.height).toBe(h.versions[1]!.height);
    // A node answering a time with an earlier block (dropping `next`) is caught: it is not the head.
    const old = (await node.fetch(`http://node.test/v1/ids/${encodeURIComponent(LAMP())}?at=${first.height}`).then((r) => r.json())) as unknown;
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') && !path.endsWith('/history') ? old : j);
    await expectCode(client.resolveAt(LAMP(), new Date(h.versions[1]!.updated)), 'PROOF_INVALID');
    node.tamper = null;
    await expectCode(client.resolveAt(LAMP(), 10_000), 'HTTP_NOT_FOUND');
  });

  it('searches (unverified listing)', async () => {
    const page = await client.search({ type: 'lamp', ns: '156.130100', attrs: { watts: '40' }, limit: 10 });
    expect(page.items.map((i) => i.id)).toEqual([LAMP()]);
    expect(node.log.at(-1)).toContain('attr.watts=40');
    node.tamper = (path, j) => (path === '/v1/search' ? { items: 'x' } : j);
    await expectCode(client.search({}), 'CLIENT_HTTP');
  });
});

describe('what the caller receives', () => {
  it('is the verified header and certificate, even when a cached header arrives with a garbage certificate', async () => {
    const first = await client.resolve(LAMP());
    expect(first.answer.cert.sigs).toHaveLength(1);
    node.tamper = (path, j) => (path.startsWith('/v1/ids/') ? { ...j, cert: { ...j.cert, sigs: [{ key: 'z', sig: 'garbage' }] } } : j);
    const again = await client.resolve(LAMP());
    expect(again.answer.cert).toEqual(first.answer.cert);
    expect(JSON.stringify(again.answer)).not.toContain('garbage');
    // Without the cache the same answer is refused outright.
    await expectCode(newClient({ certCacheSize: 0 }).resolve(LAMP()), 'CERT_INVALID');
  });
});

describe('validator set changes', () => {
  it('follows a verified change with syncAnchor', async () => {
    const v2 = newSigner();
    await client.setValidators({ validators: [v2.id] }, [c.root]);
    // From here on the network's blocks are signed by the new validator.
    node.ledger = new Ledger(c.store, { validator: v2 });
    await client.updateId({ id: LAMP(), record: { type: 'lamp', attributes: { v: 2 } } }, [city]);
    await expectCode(client.resolve(LAMP()), 'CERT_INVALID');
    const s = await client.syncAnchor();
    expect(s.changes).toBe(1);
    expect(client.anchor.validators).toEqual([v2.id]);
    expect(client.anchorHeight).toBe(node.ledger.height());
    expect((await client.resolve(LAMP())).present).toBe(true);
  });

  it('refuses a validator change that the block does not explain', async () => {
    const v2 = newSigner();
    const cl = newClient({ anchor: { chainId: 'test-chain', validators: [c.validator.id] } });
    await client.setValidators({ validators: [v2.id] }, [c.root]);
    const h = node.ledger.height();
    node.tamper = (path, j) => (path === `/v1/blocks/${h}` ? { ...j, txs: j.txs.map((t: any) => ({ ...t, body: { ...t.body, type: 'chain.root' } })) } : j);
    await expectCode(cl.syncAnchor(), 'PROOF_INVALID');
  });
});

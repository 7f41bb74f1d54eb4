/**
 * Checkpoints and witnesses through a real node (docs/protocol.md "Checkpoints and witnesses",
 * docs/sdk.md "Witness cosignatures"): the node publishes its checkpoint as a C2SP signed note
 * signed by its validator; `urbis witness cosign` checks consistency from the last checkpoint it
 * cosigned, cosigns, and the node serves the cosignature with the note, also after a restart;
 * forged cosignatures are refused; the SDK's k-of-n witness policy is met or WITNESS_POLICY; and a
 * client refuses a head that does not extend the one it trusts (CHAIN_INCONSISTENT, CHAIN_FORKED
 * with the evidence reported to the node), as does the witness.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type RunningNode } from '../../src/node/runtime.js';
import { paths, readGenesis } from '../../src/node/data-dir.js';
import { readKeyFile, writeKeyFile } from '../../src/keys/keyfile.js';
import { UrbisClient, signerFromSeed } from '../../src/index.js';
import { headerHash, signHeader } from '../../src/core/ledger/block.js';
import { checkpointText, parseWitnesses, verifyCheckpointNote } from '../../src/core/ledger/checkpoint.js';
import { cosigner } from '../../src/core/note/index.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import { fromHex } from '../../src/core/encoding/index.js';
import type { BlockHeader } from '../../src/core/ledger/types.js';
import type { Signer } from '../../src/core/ledger/tx.js';
import { fileTrustStore } from '../../src/platform/trust-file.js';
import { newSigner, OPEN_POLICY } from '../helpers/chain.js';
import { cleanEnv, runCli } from '../helpers/processes.js';
import { startLyingProxy, type LyingProxy } from '../helpers/lying-proxy.js';

let dir: string;
let tmp: string;
let node: RunningNode;
let writer: UrbisClient;
let validator: Signer;
const city = newSigner();
const W = [
  { name: 'witness.example/a', seed: fromHex('a1'.repeat(32)) },
  { name: 'witness.example/b', seed: fromHex('b2'.repeat(32)) },
  { name: 'witness.example/c', seed: fromHex('c3'.repeat(32)) },
];
const vkeys = W.map((w) => cosigner(w.name, w.seed).vkey);
const anchor = () => UrbisClient.anchorFromGenesis(readGenesis(dir));
const keyFile = (i: number) => join(tmp, `w${i}.key`);
const stateDir = (i: number) => join(tmp, `state-${i}`);

async function register(local: string): Promise<void> {
  await writer.registerId({ id: objectIdText('156.130100', local), record: { type: 'lamp' } }, [city]);
}

async function note(size?: number): Promise<{ status: number; text: string; type: string | null }> {
  const r = await fetch(`${node.url}/v1/checkpoint/note${size === undefined ? '' : `?size=${size}`}`);
  return { status: r.status, text: await r.text(), type: r.headers.get('content-type') };
}

function cosign(i: number, o: { node?: string; expect?: number; state?: string } = {}) {
  return runCli(
    [
      'witness',
      'cosign',
      '--node',
      o.node ?? node.url,
      '--genesis',
      paths(dir).genesis,
      '--key',
      keyFile(i),
      '--name',
      W[i]!.name,
      '--state',
      o.state ?? stateDir(i),
      '--json',
    ],
    { env: cleanEnv({ URBIS_TRUST_DIR: join(tmp, 'trust') }), expect: o.expect ?? 0 },
  );
}

async function start(): Promise<void> {
  node = await startNode({ dir, port: 0, blockIntervalMs: 20, heartbeatMs: 0 });
  writer = new UrbisClient({ url: node.url, anchor: anchor() });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'urbis-witness-'));
  tmp = mkdtempSync(join(tmpdir(), 'urbis-witness-keys-'));
  for (let i = 0; i < W.length; i++) await writeKeyFile(keyFile(i), W[i]!.seed);
  await start();
  validator = signerFromSeed((await readKeyFile(paths(dir).validatorKey)).seed);
  const root = signerFromSeed((await readKeyFile(paths(dir).rootKey)).seed);
  await writer.createNs({ ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'country' } }, [root]);
  await writer.createNs({ ns: '156.130100', controllers: { keys: [city.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } }, [root]);
  await register('LAMP-1');
}, 60_000);

afterAll(async () => {
  await node?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(tmp, { recursive: true, force: true });
});

describe('the checkpoint note', () => {
  it('is the head: origin, history tree size and root, signed by the validator over the note text', async () => {
    const head = await writer.checkpoint();
    const r = await note();
    expect(r.status).toBe(200);
    expect(r.type).toMatch(/^text\/plain/);
    expect(r.text.startsWith(checkpointText(head.header))).toBe(true);
    const cp = verifyCheckpointNote(r.text, anchor());
    expect(cp).toMatchObject({ origin: `urbis/${head.header.chain}`, size: head.header.height, root: head.header.historyRoot, validators: [validator.id] });
    // Any certified size on request; a size the node never signed is not found.
    expect(verifyCheckpointNote((await note(1)).text, anchor()).size).toBe(1);
    expect((await note(head.header.height + 1000)).status).toBe(404);
  });

  it('is refused by the SDK when the validator signatures do not hold (NOTE_INVALID)', async () => {
    {
      // A transport that flips one character of the validator's signature line.
      const c = new UrbisClient({
        url: node.url,
        anchor: anchor(),
        fetch: async (input, init) => {
          const r = await fetch(input, init);
          if (!String(input).includes('/v1/checkpoint/note')) return r;
          const t = await r.text();
          const i = t.indexOf('\u2014 ') + 30;
          return new Response(t.slice(0, i) + (t[i] === 'A' ? 'B' : 'A') + t.slice(i + 1), { status: 200, headers: { 'content-type': 'text/plain' } });
        },
      });
      await expect(c.checkpointNote()).rejects.toMatchObject({ code: 'NOTE_INVALID' });
    }
  });
});

describe('witnesses', () => {
  it('urbis witness key prints the cosignature/v1 verifier key', async () => {
    const r = await runCli(['witness', 'key', '--key', keyFile(0), '--name', W[0]!.name]);
    expect(r.stdout.trim()).toBe(vkeys[0]);
  });

  it('a witness cosigns through a real node; the note carries the cosignature, also after a restart', async () => {
    const first = JSON.parse((await cosign(0)).stdout);
    expect(first).toMatchObject({ stored: true, previous: null, witness: vkeys[0] });
    const size = first.size as number;
    const withA = verifyCheckpointNote((await note(size)).text, anchor(), parseWitnesses(vkeys));
    expect(withA.cosignatures.map((c) => c.witness)).toEqual([W[0]!.name]);
    // More blocks; the witness checks they extend what it cosigned, then cosigns the new head.
    await register('LAMP-2');
    const second = JSON.parse((await cosign(0)).stdout);
    expect(second.previous).toBe(size);
    expect(second.size).toBeGreaterThan(size);
    // Kept across restarts (SQLite table cosigs).
    await node.close();
    await start();
    const again = verifyCheckpointNote((await note(second.size)).text, anchor(), parseWitnesses(vkeys));
    expect(again.cosignatures.map((c) => c.witness)).toEqual([W[0]!.name]);
  }, 60_000);

  it('a forged cosignature is refused', async () => {
    const { checkpoint } = await writer.checkpointNote();
    const post = (body: unknown) =>
      fetch(`${node.url}/v1/checkpoint/cosignatures`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const a = cosigner(W[0]!.name, W[0]!.seed);
    const now = Math.floor(Date.now() / 1000);
    // Signed over another root (a checkpoint this node did not certify).
    const other = checkpointText({ chain: anchor().chainId, height: checkpoint.size, historyRoot: 'ab'.repeat(32) });
    let r = await post({ size: checkpoint.size, witness: a.vkey, cosignature: a.cosign(other, now) });
    expect(r.status).toBe(400);
    expect((await r.json()).code).toBe('NOTE_INVALID');
    // Witness B's line presented under A's key.
    const b = cosigner(W[1]!.name, W[1]!.seed);
    r = await post({ size: checkpoint.size, witness: a.vkey, cosignature: b.cosign(checkpoint.text, now) });
    expect((await r.json()).code).toBe('NOTE_INVALID');
    // An impostor key under A's name: the line's key ID is not A's.
    const imp = cosigner(W[0]!.name, fromHex('99'.repeat(32)));
    r = await post({ size: checkpoint.size, witness: a.vkey, cosignature: imp.cosign(checkpoint.text, now) });
    expect((await r.json()).code).toBe('NOTE_INVALID');
    // A size the node never certified.
    r = await post({ size: checkpoint.size + 1000, witness: a.vkey, cosignature: a.cosign(checkpoint.text, now) });
    expect(r.status).toBe(404);
    // And the genuine one is taken.
    r = await post({ size: checkpoint.size, witness: a.vkey, cosignature: a.cosign(checkpoint.text, now + 1) });
    expect(r.status).toBe(201);
  });

  it('SDK witness policy: k of n met, unmet (WITNESS_POLICY), and met again once another witness cosigns', async () => {
    await register('LAMP-3');
    await cosign(0);
    const two = new UrbisClient({ url: node.url, anchor: anchor(), witnessPolicy: { witnesses: vkeys, k: 2 } });
    await expect(two.resolve(objectIdText('156.130100', 'LAMP-3'))).rejects.toMatchObject({ code: 'WITNESS_POLICY' });
    expect(two.trust.head).toBeNull();
    const one = new UrbisClient({ url: node.url, anchor: anchor(), witnessPolicy: { witnesses: vkeys, k: 1 } });
    expect((await one.resolve(objectIdText('156.130100', 'LAMP-3'))).present).toBe(true);
    await cosign(1);
    expect((await two.resolve(objectIdText('156.130100', 'LAMP-3'))).present).toBe(true);
    // A head above the last witnessed checkpoint is accepted when it extends it, recent enough, even
    // when some other witness (anyone's key) cosigned the newer head: the client asks for the latest
    // checkpoint its own witnesses cosigned.
    await register('LAMP-4');
    const { checkpoint: newer } = await writer.checkpointNote();
    const stranger = cosigner('stranger.example/x', fromHex('5e'.repeat(32)));
    const posted = await fetch(`${node.url}/v1/checkpoint/cosignatures`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ size: newer.size, witness: stranger.vkey, cosignature: stranger.cosign(newer.text, Math.floor(Date.now() / 1000)) }),
    });
    expect(posted.status).toBe(201);
    expect((await one.resolve(objectIdText('156.130100', 'LAMP-4'))).present).toBe(true);
    expect((await two.resolve(objectIdText('156.130100', 'LAMP-4'))).present).toBe(true);
    const strict = new UrbisClient({
      url: node.url,
      anchor: anchor(),
      witnessPolicy: { witnesses: vkeys, k: 2, maxAgeSeconds: 0 },
      now: () => Date.now() + 10_000,
    });
    await expect(strict.resolve(objectIdText('156.130100', 'LAMP-4'))).rejects.toMatchObject({ code: 'WITNESS_POLICY' });
  }, 60_000);
});

describe('a head that does not extend the trusted one', () => {
  let proxy: LyingProxy;
  beforeAll(async () => {
    proxy = await startLyingProxy(node.url);
  });
  afterAll(async () => {
    await proxy?.close();
  });

  /** A header of `h`'s height the validator also signed: a second history. */
  function forge(h: BlockHeader) {
    const other: BlockHeader = { ...h, stateRoot: 'cd'.repeat(32) };
    const hash = headerHash(other);
    return { header: other, headerHash: hash, cert: { height: other.height, headerHash: hash, sigs: [signHeader(hash, validator)] } };
  }

  it('SDK: a certified head B that the node cannot prove extends A is refused on advance (CHAIN_INCONSISTENT)', async () => {
    const c = new UrbisClient({ url: proxy.url, anchor: anchor() });
    const a = await c.checkpoint();
    await register('LAMP-5');
    const real = await writer.checkpoint();
    const b = forge(real.header);
    proxy.json = (path, body) => (path.startsWith('/v1/checkpoint') && !path.includes('note') ? { ...body, ...b } : body);
    try {
      await expect(c.checkpoint()).rejects.toMatchObject({ code: 'CHAIN_INCONSISTENT' });
    } finally {
      proxy.json = null;
    }
    expect(c.trust.head?.headerHash).toBe(a.headerHash);
    // The honest head is accepted.
    expect((await c.checkpoint()).headerHash).toBe(real.headerHash);
    // Without the check (checkConsistency: false) the forged head would have been taken.
    const lax = new UrbisClient({ url: proxy.url, anchor: anchor(), checkConsistency: false });
    await lax.block(a.header.height);
    proxy.json = (path, body) => (path.startsWith('/v1/checkpoint') && !path.includes('note') ? { ...body, ...b } : body);
    try {
      expect((await lax.checkpoint()).headerHash).toBe(b.headerHash);
    } finally {
      proxy.json = null;
    }
  }, 60_000);

  it('SDK: a client holding a forked head A′ refuses the real head B (CHAIN_FORKED) and reports both headers to the node', async () => {
    const store = fileTrustStore(mkdtempSync(join(tmp, 'sdk-')));
    const c = new UrbisClient({ url: proxy.url, anchor: anchor(), trustStore: store });
    const head = await writer.checkpoint();
    const aPrime = forge(head.header);
    // The client was shown A′ first (a node lying to it alone).
    proxy.json = (path, body) => (path.startsWith('/v1/checkpoint') && !path.includes('note') ? { ...body, ...aPrime } : body);
    try {
      expect((await c.checkpoint()).headerHash).toBe(aPrime.headerHash);
    } finally {
      proxy.json = null;
    }
    await register('LAMP-6');
    const before = (await writer.evidence()).length;
    const err = await c.resolve(objectIdText('156.130100', 'LAMP-6')).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'CHAIN_FORKED' });
    expect(c.trust.head?.headerHash).toBe(aPrime.headerHash);
    const ev = await writer.evidence();
    expect(ev.length).toBe(before + 1);
    expect([ev.at(-1)!.a.header.stateRoot, ev.at(-1)!.b.header.stateRoot]).toContain('cd'.repeat(32));
  }, 60_000);

  it("SDK with a witness policy: another certified header of the witnessed checkpoint's height is a fork (CHAIN_FORKED)", async () => {
    await register('LAMP-8');
    const first = JSON.parse((await cosign(0)).stdout);
    const real = await writer.checkpoint();
    expect(first.size).toBe(real.header.height);
    const forgedHead = forge(real.header);
    const c = new UrbisClient({ url: proxy.url, anchor: anchor(), witnessPolicy: { witnesses: vkeys, k: 1 } });
    proxy.json = (path, body) => (path.startsWith('/v1/checkpoint') && !path.includes('note') ? { ...body, ...forgedHead } : body);
    try {
      await expect(c.checkpoint()).rejects.toMatchObject({ code: 'CHAIN_FORKED' });
    } finally {
      proxy.json = null;
    }
    expect(c.trust.head).toBeNull();
    expect((await c.checkpoint()).headerHash).toBe(real.headerHash);
  }, 60_000);

  it('the witness refuses to cosign a checkpoint that does not extend the one it cosigned (exit 5, CHAIN_FORKED)', async () => {
    // The witness's state holds a header the validator signed for another history.
    const state = mkdtempSync(join(tmp, 'wstate-'));
    const { header } = await writer.checkpointNote();
    const f = forge(header.header);
    const key = `${anchor().chainId}.${cosigner(W[2]!.name, W[2]!.seed).keyId}`;
    fileTrustStore(state).save(key, { height: f.header.height, headerHash: f.headerHash, time: f.header.time, header: f.header, cert: f.cert });
    await register('LAMP-7');
    const r = await cosign(2, { state, expect: 5 });
    expect(r.stderr).toContain('CHAIN_FORKED');
    const cp = verifyCheckpointNote((await note()).text, anchor(), parseWitnesses(vkeys));
    expect(cp.cosignatures.map((c) => c.witness)).not.toContain(W[2]!.name);
  }, 60_000);
});

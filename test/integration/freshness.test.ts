/**
 * Freshness, rollback and forks (docs/sdk.md "Freshness and rollback", docs/protocol.md "Freshness
 * and rollback"): a replaying HTTP proxy between the readers and a real node serves answers it
 * captured before a deactivation. They are genuinely certified, so only the trust state can refuse
 * them: the SDK `resolve()`, `urbis id resolve --node` and the did-resolver plugin must say
 * CLIENT_STALE (older than the maximum age), CLIENT_ROLLBACK (lower than a header already verified,
 * also across processes through the persisted state) or CLIENT_FORK (two headers at one height).
 * Also: heartbeat blocks on an idle single node keep the head fresh and certified.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resolver } from 'did-resolver';
import { startNode, type RunningNode } from '../../src/node/runtime.js';
import { paths, readGenesis } from '../../src/node/data-dir.js';
import { readKeyFile } from '../../src/keys/keyfile.js';
import { UrbisClient, getResolver, signerFromSeed, TrustState } from '../../src/index.js';
import { fileTrustStore } from '../../src/platform/trust-file.js';
import { headerHash, signHeader } from '../../src/core/ledger/block.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import { formatDid, parseIdentifier } from '../../src/core/ids/index.js';
import type { BlockHeader } from '../../src/core/ledger/types.js';
import type { Signer } from '../../src/core/ledger/tx.js';
import { newSigner, OPEN_POLICY } from '../helpers/chain.js';
import { cleanEnv, runCli } from '../helpers/processes.js';

/** An HTTP proxy in front of the node that records answers and can serve them again later. */
class ReplayingProxy {
  readonly recorded = new Map<string, { status: number; type: string; body: string }>();
  mode: 'pass' | 'record' | 'replay' = 'pass';
  /** Answers to serve instead of the node's (by path), e.g. a forged checkpoint. */
  readonly override = new Map<string, unknown>();
  private server!: Server;
  url = '';

  constructor(private readonly target: string) {}

  async start(): Promise<void> {
    this.server = createServer((req, res) => {
      void (async () => {
        const path = req.url ?? '/';
        const forced = this.override.get(path.split('?')[0]!);
        if (forced !== undefined) {
          res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(forced));
          return;
        }
        const old = this.mode === 'replay' ? this.recorded.get(path) : undefined;
        if (old) {
          res.writeHead(old.status, { 'content-type': old.type }).end(old.body);
          return;
        }
        const chunks: Buffer[] = [];
        for await (const c of req) chunks.push(c as Buffer);
        const r = await fetch(this.target + path, {
          method: req.method ?? 'GET',
          headers: { accept: req.headers.accept ?? '*/*', ...(req.headers['content-type'] ? { 'content-type': req.headers['content-type'] } : {}) },
          ...(chunks.length ? { body: Buffer.concat(chunks) } : {}),
        });
        const body = await r.text();
        const type = r.headers.get('content-type') ?? 'application/json';
        if (this.mode === 'record' && req.method === 'GET') this.recorded.set(path, { status: r.status, type, body });
        res.writeHead(r.status, { 'content-type': type }).end(body);
      })().catch((e: unknown) => res.writeHead(502).end(String(e)));
    });
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    const a = this.server.address();
    this.url = `http://127.0.0.1:${typeof a === 'object' && a ? a.port : 0}`;
  }

  close(): Promise<void> {
    return new Promise((r) => this.server.close(() => r()));
  }
}

let dir: string;
let trustDir: string;
let node: RunningNode;
let proxy: ReplayingProxy;
let writer: UrbisClient;
let root: Signer;
let genesisFile: string;
const city = newSigner();
const LAMP = objectIdText('156.130100', 'LAMP-1');
const anchor = () => UrbisClient.anchorFromGenesis(readGenesis(dir));
/** Height and time of the captured (pre-deactivation) answers. */
let captured: { height: number; time: number };
let current: { height: number; time: number };

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'urbis-fresh-'));
  trustDir = mkdtempSync(join(tmpdir(), 'urbis-fresh-trust-'));
  // No heartbeat here: the heights are the test's (heartbeats have their own test below).
  node = await startNode({ dir, port: 0, blockIntervalMs: 20, heartbeatMs: 0 });
  genesisFile = paths(dir).genesis;
  root = signerFromSeed((await readKeyFile(paths(dir).rootKey)).seed);
  writer = new UrbisClient({ url: node.url, anchor: anchor() });
  await writer.createNs({ ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'country' } }, [root]);
  await writer.createNs({ ns: '156.130100', controllers: { keys: [city.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } }, [root]);
  await writer.registerId({ id: LAMP, record: { type: 'lamp' } }, [city]);
  proxy = new ReplayingProxy(node.url);
  await proxy.start();
  // Capture what the readers will ask for, while LAMP-1 is active.
  proxy.mode = 'record';
  const before = new UrbisClient({ url: proxy.url, anchor: anchor() });
  const r = await before.resolve(LAMP);
  captured = { height: r.height, time: r.time };
  await before.checkpoint();
  await before.searchVerified({ ns: '156.130100' });
  await runCli(['id', 'resolve', LAMP, '--node', proxy.url, '--genesis', genesisFile, '--json'], { env: cleanEnv({ URBIS_TRUST_DIR: trustDir }) });
  const d = getResolver({ url: proxy.url, anchor: anchor() }).urbis;
  await new Resolver({ urbis: d }).resolve(formatDid(parseIdentifier(LAMP)));
  proxy.mode = 'pass';
  // Then the identifier is deactivated: the captured answers are now lies, certified ones.
  await writer.deactivateId({ id: LAMP }, [city]);
  const now = await writer.checkpoint();
  current = { height: now.header.height, time: now.header.time };
  expect(current.height).toBeGreaterThan(captured.height);
}, 60_000);

afterAll(async () => {
  await proxy?.close();
  await node?.close();
  rmSync(dir, { recursive: true, force: true });
  rmSync(trustDir, { recursive: true, force: true });
});

describe('a replaying node', () => {
  it('is believed by a client that does not limit the age (the attack is real)', async () => {
    proxy.mode = 'replay';
    const c = new UrbisClient({ url: proxy.url, anchor: anchor(), maxAgeMs: 0 });
    const r = await c.resolve(LAMP);
    expect(r.present && r.status).toBe('active');
    expect(r.height).toBe(captured.height);
  });

  it('SDK: an answer older than maxAgeMs is refused (CLIENT_STALE), by default too', async () => {
    proxy.mode = 'replay';
    // A controlled clock: 6 minutes after the captured header, past the default of 5 minutes.
    const later = () => captured.time + 6 * 60_000;
    const byDefault = new UrbisClient({ url: proxy.url, anchor: anchor(), now: later });
    await expect(byDefault.resolve(LAMP)).rejects.toMatchObject({ code: 'CLIENT_STALE', details: { height: captured.height, maxAgeMs: 5 * 60_000 } });
    const tight = new UrbisClient({ url: proxy.url, anchor: anchor(), maxAgeMs: 1000, now: () => captured.time + 1001 });
    await expect(tight.resolve(LAMP)).rejects.toMatchObject({ code: 'CLIENT_STALE' });
    await expect(tight.checkpoint()).rejects.toMatchObject({ code: 'CLIENT_STALE' });
    // Within the limit the same answer is accepted: the rule is about age, not about the proof.
    const ok = new UrbisClient({ url: proxy.url, anchor: anchor(), maxAgeMs: 1000, now: () => captured.time + 999 });
    expect((await ok.resolve(LAMP)).height).toBe(captured.height);
  });

  it('SDK: history reads are exempt from the age rule but still proven', async () => {
    proxy.mode = 'pass';
    const c = new UrbisClient({ url: proxy.url, anchor: anchor(), maxAgeMs: 1000, now: () => current.time + 3_600_000 });
    await expect(c.resolve(LAMP)).rejects.toMatchObject({ code: 'CLIENT_STALE' });
    expect((await c.block(1)).header.height).toBe(1);
    const h = await c.history(LAMP);
    expect(h.versions.map((v) => v.status)).toEqual(['active', 'deactivated']);
    expect((await c.resolveVersion(LAMP, 1)).entry.status).toBe('active');
  });

  it('SDK: an answer from below a verified height is refused (CLIENT_ROLLBACK), also after a restart with a persisted state', async () => {
    const store = fileTrustStore(mkdtempSync(join(tmpdir(), 'urbis-fresh-sdk-')));
    proxy.mode = 'pass';
    const c = new UrbisClient({ url: proxy.url, anchor: anchor(), trustStore: store });
    const r = await c.resolve(LAMP);
    expect(r.present && r.status).toBe('deactivated');
    expect(c.trust.head?.height).toBe(current.height);
    proxy.mode = 'replay';
    await expect(c.resolve(LAMP)).rejects.toMatchObject({
      code: 'CLIENT_ROLLBACK',
      details: { height: captured.height, trustedHeight: current.height },
    });
    // A new client (a new process) with the same store remembers the height.
    const again = new UrbisClient({ url: proxy.url, anchor: anchor(), trustStore: store, maxAgeMs: 0 });
    expect(again.trust.head).toMatchObject({ height: current.height, headerHash: c.trust.head!.headerHash });
    await expect(again.resolve(LAMP)).rejects.toMatchObject({ code: 'CLIENT_ROLLBACK' });
    await expect(again.checkpoint()).rejects.toMatchObject({ code: 'CLIENT_ROLLBACK' });
    // Verified listings are current-state answers too: a replayed search page (LAMP-1 active) is refused.
    await expect(again.searchVerified({ ns: '156.130100' })).rejects.toMatchObject({ code: 'CLIENT_ROLLBACK' });
  });

  it('SDK: two certified headers at one height are a fork (CLIENT_FORK, both headers as evidence)', async () => {
    proxy.mode = 'pass';
    const c = new UrbisClient({ url: proxy.url, anchor: anchor() });
    const forks: unknown[] = [];
    c.trust.onFork((a, b) => forks.push([a.headerHash, b.headerHash]));
    const head = await c.checkpoint();
    // The validator signs a second header for the same height (here: its key, read from the node's
    // directory, plays an equivocating validator set): certified, and not the one the client holds.
    const validator = signerFromSeed((await readKeyFile(paths(dir).validatorKey)).seed);
    const other: BlockHeader = { ...head.header, time: head.header.time + 1 };
    const hash = headerHash(other);
    proxy.override.set('/v1/checkpoint', {
      chainId: head.header.chain,
      header: other,
      headerHash: hash,
      cert: { height: other.height, headerHash: hash, sigs: [signHeader(hash, validator)] },
    });
    try {
      const e = await c.checkpoint().then(
        () => null,
        (x: unknown) => x as { code: string; details: any },
      );
      expect(e?.code).toBe('CLIENT_FORK');
      expect(e?.details.height).toBe(head.header.height);
      expect(e?.details.trusted).toMatchObject({ headerHash: head.headerHash, header: head.header });
      expect(e?.details.received).toMatchObject({ headerHash: hash, header: other });
      expect(e?.details.received.cert.sigs).toHaveLength(1);
      expect(forks).toEqual([[head.headerHash, hash]]);
    } finally {
      proxy.override.clear();
    }
  });

  it('CLI: urbis id resolve --node refuses the replay by age (--max-age) and by height (persisted state), exit 5', async () => {
    const env = cleanEnv({ URBIS_TRUST_DIR: trustDir });
    const args = ['id', 'resolve', LAMP, '--node', proxy.url, '--genesis', genesisFile, '--json'];
    // The trust state lives in URBIS_TRUST_DIR, one small file per chain, mode 0600.
    const files = readdirSync(trustDir);
    expect(files).toHaveLength(1);
    expect(statSync(join(trustDir, files[0]!)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(join(trustDir, files[0]!), 'utf8')).height).toBe(captured.height);
    proxy.mode = 'replay';
    // Age: the captured answer is older than 1 ms by now (the CLI's clock is the real one).
    const stale = await runCli([...args, '--max-age', '1ms'], { env, expect: 5 });
    expect(JSON.parse(stale.stdout).error.code).toBe('CLIENT_STALE');
    // With the limit off, the same replay passes the age rule (what the CLI did before)...
    const off = await runCli([...args, '--max-age', '0'], { env });
    expect(JSON.parse(off.stdout).entry.status).toBe('active');
    // ...until the CLI has seen the newer head once: then the replay is a rollback, in every later run.
    proxy.mode = 'pass';
    const fresh = await runCli(args, { env });
    expect(JSON.parse(fresh.stdout).entry.status).toBe('deactivated');
    proxy.mode = 'replay';
    const back = await runCli([...args, '--max-age', '0'], { env, expect: 5 });
    expect(JSON.parse(back.stdout).error.code).toBe('CLIENT_ROLLBACK');
    await runCli([...args, '--max-age', 'soon'], { env, expect: 2 });
  }, 60_000);

  it('did-resolver: the plugin refuses the replay (INTERNAL_ERROR with the Urbis code), by default', async () => {
    proxy.mode = 'replay';
    const did = formatDid(parseIdentifier(LAMP));
    const stale = new Resolver(getResolver({ url: proxy.url, anchor: anchor(), now: () => captured.time + 6 * 60_000 }));
    const r = await stale.resolve(did);
    expect(r.didResolutionMetadata.error).toMatchObject({ code: 'CLIENT_STALE' });
    expect(r.didDocument).toBeNull();
    // A trust state shared with a client that saw the newer head: rollback.
    const trust = new TrustState(anchor().chainId, 'did-test', { maxAgeMs: null });
    const seen = new UrbisClient({ url: node.url, anchor: anchor(), trust });
    await seen.checkpoint();
    const rolled = new Resolver(getResolver({ client: new UrbisClient({ url: proxy.url, anchor: anchor(), trust }) }));
    expect((await rolled.resolve(did)).didResolutionMetadata.error).toMatchObject({ code: 'CLIENT_ROLLBACK' });
  });
});

describe('heartbeat on an idle single node', () => {
  it('cuts certified empty blocks, so the head stays within a tight maximum age', async () => {
    const d = mkdtempSync(join(tmpdir(), 'urbis-hb-'));
    const n = await startNode({ dir: d, port: 0, heartbeatMs: 200 });
    try {
      const c = new UrbisClient({ url: n.url, anchor: UrbisClient.anchorFromGenesis(readGenesis(d)), maxAgeMs: 30_000 });
      const start = (await c.checkpoint()).header.height;
      let head = start;
      for (let i = 0; i < 300 && head < start + 2; i++) {
        await new Promise((r) => setTimeout(r, 100));
        head = (await c.checkpoint()).header.height;
      }
      expect(head).toBeGreaterThanOrEqual(start + 2);
      const b = await c.block(head);
      expect(b.txs).toEqual([]);
      expect(b.cert.sigs).toHaveLength(1);
      expect(b.header.time - (await c.block(head - 1)).header.time).toBeGreaterThanOrEqual(200);
    } finally {
      await n.close();
      rmSync(d, { recursive: true, force: true });
    }
  }, 60_000);
});

/**
 * Certified snapshots (docs/network.md "Snapshots"): a node's state streamed as NDJSON from a read
 * snapshot, imported into an empty store only if the certificate reaches a quorum of the trusted
 * validators and the entries rebuild the certified state root. A snapshot altered in transit is
 * refused and leaves nothing behind. A node started from a snapshot says so when a change-feed
 * client asks for events from before it.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer as httpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/platform/node.js';
import type { Tx } from '../../src/core/ledger/types.js';
import { txHash } from '../../src/core/ledger/tx.js';
import { headerHash, historyLeaf } from '../../src/core/ledger/block.js';
import { merkleTreeHash } from '../../src/core/merkle/log.js';
import { toHex } from '../../src/core/encoding/index.js';
import { Ledger } from '../../src/engine/ledger.js';
import { importSnapshot, registerSnapshotRoute } from '../../src/network/snapshot.js';
import { buildRuntime } from '../../src/node/runtime.js';
import { createServer } from '../../src/node/server.js';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { newChain, newSigner, withCity } from '../helpers/chain.js';

const dir = mkdtempSync(join(tmpdir(), 'urbis-snap-'));
const dbFile = join(dir, 'source.db');
let url = '';
let text = '';
let chainId = '';
let validators: string[] = [];
let stateRoot = '';
let lastTxHash = '';
let genesis: Tx<'genesis'>;
let sourceNextHistoryRoot = '';
let closeAll: () => Promise<void> = async () => {};

beforeAll(async () => {
  const chain = newChain(SqliteStore.open(dbFile), 'snap-chain');
  chainId = chain.chainId;
  validators = [chain.validator.id];
  const city = withCity(chain);
  for (let i = 0; i < 30; i++) chain.run('id.register', { id: `156.130100/LAMP-${i}`, record: { type: 'lamp', attributes: { i } } }, [city]);
  stateRoot = chain.store.head()!.header.stateRoot;
  lastTxHash = txHash((chain.store.block(32)!.txs[0] as Tx).body);
  const hashes = Array.from({ length: 33 }, (_, h) => historyLeaf(headerHash(chain.store.header(h)!)));
  sourceNextHistoryRoot = toHex(merkleTreeHash(hashes));
  genesis = chain.store.block(0)!.txs[0] as Tx<'genesis'>;
  const rt = buildRuntime({ genesis, ledger: chain.ledger, sequencer: null });
  const app = createServer(rt, { rateLimit: 0, routes: (a, r) => registerSnapshotRoute(a, r, dbFile) });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
  text = await (await fetch(`${url}/v1/snapshot`)).text();
  closeAll = async () => {
    await app.close();
    chain.store.close();
  };
});

afterAll(async () => {
  await closeAll();
  rmSync(dir, { recursive: true, force: true });
});

/** Serves a fixed body as /v1/snapshot. */
async function serve(body: string): Promise<{ url: string; server: Server }> {
  const server = httpServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/x-ndjson' });
    res.end(body);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

describe('snapshots', () => {
  it('streams the certified head: a head line, the entries, the replay set, an end line', () => {
    const lines = text.trim().split('\n');
    const head = JSON.parse(lines[0]!);
    expect(head).toMatchObject({ v: 1, chainId, height: 32, entries: 33, seen: 32 });
    expect(head.header.stateRoot).toBe(stateRoot);
    expect(lines).toHaveLength(1 + 33 + 32 + 1);
    expect(JSON.parse(lines[lines.length - 1]!)).toEqual({ end: true, entries: 33, seen: 32 });
  });

  it('imports into an empty store that then serves the same proofs and accepts the next block', async () => {
    const file = join(dir, 'imported.db');
    const r = await importSnapshot({ url, dbFile: file, chainId, trusted: validators });
    expect(r).toMatchObject({ height: 32, entries: 33, seen: 32 });
    const store = SqliteStore.open(file);
    try {
      expect(store.head()!.header.stateRoot).toBe(stateRoot);
      const ledger = new Ledger(store);
      const p = ledger.prove('id:156.130100/LAMP-7');
      expect(p.entry).toMatchObject({ kind: 'id', local: 'LAMP-7' });
      // The replay set came along: the last registration cannot be replayed on this node either.
      expect(store.hasTx(lastTxHash)).toBe(true);
      // The history log's frontier came along: the next header's history root is the one the source
      // computes over all 33 headers (docs/protocol.md "History tree").
      const next = ledger.buildBlock([], Date.now()).header;
      ledger.discardBlock();
      expect(next.historyRoot).toBe(sourceNextHistoryRoot);
    } finally {
      store.close();
    }
    // The store reopens (its base is the snapshot height, not 0).
    SqliteStore.open(file).close();
  });

  it('a node started from the snapshot refuses to resume the change feed from before it (410 EVENTS_GONE), never skipping silently', async () => {
    const file = join(dir, 'feed.db');
    await importSnapshot({ url, dbFile: file, chainId, trusted: validators });
    const store = SqliteStore.open(file);
    const rt = buildRuntime({ genesis, ledger: new Ledger(store), sequencer: null });
    const app = createServer(rt, { rateLimit: 0 });
    try {
      const base = await app.listen({ port: 0, host: '127.0.0.1' });
      expect(store.baseHeight()).toBe(32);
      // Events of blocks 1..32 are not here (block 32 is the snapshot, which carries no changes).
      for (const id of ['3.0', '32.0']) {
        const r = await fetch(`${base}/v1/events`, { headers: { 'last-event-id': id } });
        expect(r.status, id).toBe(410);
        expect(r.headers.get('content-type')).toContain('application/problem+json');
        const p = (await r.json()) as { code: string; details: { earliestHeight: number } };
        expect(p.code).toBe('EVENTS_GONE');
        expect(p.details.earliestHeight).toBe(33);
      }
      // From the earliest held height on, and without a resume point, the feed opens.
      for (const headers of [{ 'last-event-id': '33.0' }, {} as Record<string, string>]) {
        const ac = new AbortController();
        const r = await fetch(`${base}/v1/events`, { headers, signal: ac.signal });
        expect(r.status).toBe(200);
        ac.abort();
      }
      expect(await (await fetch(`${base}/metrics`)).text()).toMatch(/^urbis_events_refused_total\{reason="gone"\} 2$/m);
    } finally {
      await app.close();
      store.close();
    }
  });

  it('refuses an entry altered in transit, and keeps nothing', async () => {
    const lines = text.trim().split('\n');
    const i = lines.findIndex((l) => l.includes('"LAMP-7"'));
    lines[i] = lines[i]!.replace('"i":7', '"i":8');
    const { url: bad, server } = await serve(`${lines.join('\n')}\n`);
    const file = join(dir, 'tampered.db');
    try {
      await expect(importSnapshot({ url: bad, dbFile: file, chainId, trusted: validators })).rejects.toMatchObject({ code: 'NET_SNAPSHOT_INVALID' });
      expect(existsSync(file) || existsSync(`${file}.import`)).toBe(false);
    } finally {
      server.close();
    }
  });

  it('refuses a history frontier that does not give the certified history root', async () => {
    const lines = text.trim().split('\n');
    const head = JSON.parse(lines[0]!) as { history: string[] };
    head.history[0] = head.history[0]!.replace(/^./, (c) => (c === '0' ? '1' : '0'));
    lines[0] = JSON.stringify(head);
    const { url: bad, server } = await serve(`${lines.join('\n')}\n`);
    try {
      await expect(importSnapshot({ url: bad, dbFile: join(dir, 'bad-history.db'), chainId, trusted: validators })).rejects.toMatchObject({
        code: 'NET_SNAPSHOT_INVALID',
        message: expect.stringMatching(/history/),
      });
    } finally {
      server.close();
    }
  });

  it('refuses a certificate that is not a quorum of the trusted validators', async () => {
    await expect(importSnapshot({ url, dbFile: join(dir, 'untrusted.db'), chainId, trusted: [newSigner().id] })).rejects.toMatchObject({
      code: 'NET_SNAPSHOT_INVALID',
    });
  });

  it('refuses a snapshot of another chain, a truncated one, and a missing end', async () => {
    await expect(importSnapshot({ url, dbFile: join(dir, 'other.db'), chainId: 'other-chain', trusted: validators })).rejects.toMatchObject({
      code: 'NET_SNAPSHOT_INVALID',
    });
    const lines = text.trim().split('\n');
    for (const body of [lines.slice(0, 10).join('\n'), lines.slice(0, -1).join('\n')]) {
      const { url: bad, server } = await serve(body);
      try {
        await expect(importSnapshot({ url: bad, dbFile: join(dir, 'short.db'), chainId, trusted: validators })).rejects.toMatchObject({
          code: 'NET_SNAPSHOT_INVALID',
        });
      } finally {
        server.close();
      }
    }
  });
});

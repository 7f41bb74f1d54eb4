// The SDK against a real node (src/node/runtime.ts startNode) over a socket: writes through the
// sequencer, verified reads, proven absence, history, blocks, search, the change feed, and the
// did-resolver integration agreeing with the node's own DID route.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resolver } from 'did-resolver';
import { startNode, type RunningNode } from '../../src/node/runtime.js';
import { paths, readGenesis } from '../../src/node/data-dir.js';
import { readKeyFile } from '../../src/keys/keyfile.js';
import { UrbisClient, getResolver, signerFromSeed } from '../../src/client/index.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import { newSigner, OPEN_POLICY } from '../helpers/chain.js';
import type { Signer } from '../../src/core/ledger/tx.js';
import type { ChangeEvent } from '../../src/core/api/types.js';

let dir: string;
let node: RunningNode;
let client: UrbisClient;
let root: Signer;
const city = newSigner();
const LAMP = objectIdText('156.130100', 'LAMP-000017');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'urbis-sdk-'));
  node = await startNode({ dir, port: 0, blockIntervalMs: 20 });
  root = signerFromSeed((await readKeyFile(paths(dir).rootKey)).seed);
  client = new UrbisClient({ url: node.url, anchor: UrbisClient.anchorFromGenesis(readGenesis(dir)) });
  await client.createNs({ ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'country' } }, [root]);
  await client.createNs({ ns: '156.130100', controllers: { keys: [city.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } }, [root]);
  await client.registerId({ id: LAMP, record: { type: 'lamp', attributes: { watts: 40 } } }, [city]);
});

afterAll(async () => {
  await node?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('SDK against a running node', () => {
  it('resolves with a verified proof, and proves absence', async () => {
    const r = await client.resolve(LAMP);
    expect(r.present && r.entry.record.attributes).toEqual({ watts: 40 });
    const absent = await client.resolve(objectIdText('156.130100', 'LAMP-999999'));
    expect(absent.present).toBe(false);
    expect((await client.ns('156.130100')).present).toBe(true);
    expect((await client.ns('156.777')).present).toBe(false);
  });

  it('reports ledger refusals with their codes', async () => {
    await expect(client.registerId({ id: LAMP, record: { type: 'lamp' } }, [city])).rejects.toMatchObject({ code: 'ID_EXISTS' });
    await expect(client.registerId({ id: objectIdText('156.130100', 'X9'), record: { type: 'lamp' } }, [newSigner()])).rejects.toMatchObject({
      code: 'AUTH_NOT_REGISTRAR',
    });
  });

  it('checks history, versions, checkpoint, blocks and commits', async () => {
    const verifying = new UrbisClient({ url: node.url, anchor: client.anchor, verifyCommits: true });
    await verifying.updateId({ id: LAMP, record: { type: 'lamp', attributes: { watts: 60 } } }, [city]);
    const h = await client.history(LAMP);
    expect(h.versions.map((v) => v.version)).toEqual([1, 2]);
    expect((await client.resolveVersion(LAMP, 1)).entry.record.attributes).toEqual({ watts: 40 });
    const cp = await client.checkpoint();
    const b = await client.block(cp.header.height);
    expect(b.headerHash).toBe(cp.headerHash);
    expect((await client.block('latest')).header.height).toBeGreaterThanOrEqual(cp.header.height);
  });

  it('searches', async () => {
    const page = await client.search({ type: 'lamp', ns: '156.130100' });
    expect(page.items.map((i) => i.id)).toContain(LAMP);
  });

  it('follows the change feed', async () => {
    const id = objectIdText('156.130100', 'CAM-1');
    const seen = new Promise<ChangeEvent>((resolve) => {
      const close = client.events({ filter: { ns: '156.130100' } }, (e) => {
        if (e.id === id) {
          close();
          resolve(e);
        }
      });
    });
    await new Promise((r) => setTimeout(r, 100)); // subscribed before the write
    await client.registerId({ id, record: { type: 'camera' } }, [city]);
    expect((await seen).kind).toBe('id');
  });

  it('resolves DIDs to the same document the node serves', async () => {
    const resolver = new Resolver(getResolver({ client }));
    const did = (await client.resolve(LAMP)).did;
    const mine = await resolver.resolve(did);
    expect(mine.didDocumentMetadata.versionId).toBe('2');
    const theirs = async (accept: string) =>
      (await (await fetch(`${node.url}/1.0/identifiers/${encodeURIComponent(did)}`, { headers: { accept } })).json()) as unknown;
    expect(mine.didDocument).toEqual(await theirs('application/did+ld+json'));
    expect((await resolver.resolve(did, { accept: 'application/did+json' })).didDocument).toEqual(await theirs('application/did+json'));
  });
});

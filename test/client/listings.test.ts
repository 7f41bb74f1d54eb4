// Verified listings (docs/sdk.md "Verified listings", docs/protocol.md "Listings"): search pages,
// namespace children, identifier histories and the change feed, read from a real node through a
// lying proxy (test/helpers/lying-proxy.ts). Every forged answer must be refused with a typed error:
// an invented search item, an invented namespace, a "deactivated" event at height 999999, an event
// naming another transaction, an audit path missing a byte, a history row altered or left out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startNode, type RunningNode } from '../../src/node/runtime.js';
import { paths, readGenesis } from '../../src/node/data-dir.js';
import { readKeyFile } from '../../src/keys/keyfile.js';
import { UrbisClient, signerFromSeed } from '../../src/client/index.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import type { ChangeEvent } from '../../src/core/api/types.js';
import type { EventProofInfo } from '../../src/client/listings.js';
import { UrbisError } from '../../src/core/errors.js';
import { newSigner, OPEN_POLICY } from '../helpers/chain.js';
import { startLyingProxy, type LyingProxy } from '../helpers/lying-proxy.js';

let dir: string;
let node: RunningNode;
let proxy: LyingProxy;
let honest: UrbisClient;
let client: UrbisClient;
const city = newSigner();
const LAMP = objectIdText('156.130100', 'LAMP-1');
const GONE = objectIdText('156.130100', 'LAMP-2');
const LAMP3 = objectIdText('156.130100', 'LAMP-3');

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'urbis-listings-'));
  // Blocks every 200 ms, so that writes sent together share a block (audit paths of more than one entry).
  node = await startNode({ dir, port: 0, blockIntervalMs: 200 });
  proxy = await startLyingProxy(node.url);
  const root = signerFromSeed((await readKeyFile(paths(dir).rootKey)).seed);
  const anchor = UrbisClient.anchorFromGenesis(readGenesis(dir));
  honest = new UrbisClient({ url: node.url, anchor });
  client = new UrbisClient({ url: proxy.url, anchor, retry: { retries: 0 } });
  await honest.createNs({ ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'country' } }, [root]);
  await honest.createNs({ ns: '156.130100', controllers: { keys: [city.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } }, [root]);
  await honest.createNs({ ns: '156.130100.1', controllers: { keys: [city.id], threshold: 1 }, record: { type: 'district' } }, [city]);
  await honest.createNs({ ns: '156.130100.2', controllers: { keys: [city.id], threshold: 1 }, record: { type: 'district' } }, [city]);
  await honest.registerId({ id: LAMP, record: { type: 'lamp', attributes: { watts: 40 } } }, [city]);
  await honest.registerId({ id: GONE, record: { type: 'lamp' } }, [city]);
  await Promise.all([
    honest.updateId({ id: LAMP, record: { type: 'lamp', attributes: { watts: 60 } } }, [city]),
    honest.deactivateId({ id: GONE }, [city]),
    honest.registerId({ id: LAMP3, record: { type: 'lamp' } }, [city]),
  ]);
});

afterAll(async () => {
  await proxy?.close();
  await node?.close();
  rmSync(dir, { recursive: true, force: true });
});

/** Runs `f` with the proxy rewriting JSON answers by `lie`, and returns the error code (or 'OK'). */
async function codeWith(lie: (path: string, body: any) => any, f: () => Promise<unknown>): Promise<string> {
  proxy.json = lie;
  try {
    await f();
    return 'OK';
  } catch (e) {
    return e instanceof UrbisError ? e.code : String(e);
  } finally {
    proxy.json = null;
  }
}

const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v)) as T;

describe('search with proofs', () => {
  it('an honest page verifies: every item proven current and matching', async () => {
    const r = await client.searchVerified({ ns: '156.130100', type: 'lamp' });
    expect(r.items.map((e) => e.id).sort()).toEqual([LAMP, GONE, LAMP3].sort());
    expect(r.complete).toBe(false);
    expect(r.signers).toBe(1);
    const active = await client.searchVerified({ ns: '156.130100', status: 'active' });
    expect(active.items.map((e) => e.id)).toEqual([LAMP, LAMP3]);
  });

  it('an invented item, an altered item, a missing proof or an item not matching is refused', async () => {
    const search = () => client.searchVerified({ ns: '156.130100', status: 'active' });
    const invent = (_p: string, b: any) => {
      const fake = { ...clone(b.items[0]), id: objectIdText('156.130100', 'LAMP-FAKE'), local: 'LAMP-FAKE' };
      return { ...b, items: [...b.items, fake], proofs: [...b.proofs, b.proofs[0]] };
    };
    expect(await codeWith(invent, search)).toBe('PROOF_INVALID');
    expect(await codeWith((_p, b) => ({ ...b, items: b.items.map((e: any) => ({ ...e, record: { type: 'lamp', attributes: { watts: 1 } } })) }), search)).toBe(
      'PROOF_INVALID',
    );
    expect(await codeWith((_p, b) => ({ ...b, proofs: b.proofs.slice(1) }), search)).toBe('PROOF_INVALID');
    expect(await codeWith((_p, b) => ({ ...b, header: { ...b.header, time: b.header.time + 1 } }), search)).toBe('CERT_INVALID');
    // The deactivated lamp, genuinely proven, answered to a search for active ones.
    const all = await honest.searchVerified({ ns: '156.130100' });
    const gone = all.items.findIndex((e) => e.id === GONE);
    const raw = (await (await fetch(`${node.url}/v1/search?ns=156.130100&proofs=1`)).json()) as any;
    expect(await codeWith((_p, b) => ({ ...b, items: [...b.items, raw.items[gone]], proofs: [...b.proofs, raw.proofs[gone]] }), search)).toBe('PROOF_INVALID');
  });
});

describe('namespace listings with proofs', () => {
  it('children are proven, and complete where the parent counts them', async () => {
    const r = await client.listNamespaceVerified('156.130100');
    expect(r.items.map((e) => e.ns)).toEqual(['156.130100.1', '156.130100.2']);
    expect(r.complete).toBe(true);
    const page = await client.listNamespaceVerified('156.130100', { limit: 1 });
    expect(page.complete).toBe(false);
    const top = await client.listNamespaceVerified();
    expect(top.items.map((e) => e.ns)).toEqual(['156']);
    expect(top.complete).toBe(false);
    await expect(client.listNamespaceVerified('156.777')).rejects.toMatchObject({ code: 'NS_NOT_FOUND' });
  });

  it('an invented namespace, a dropped child or a child of another parent is refused or not complete', async () => {
    const invent = (_p: string, b: any) => {
      const c = b.children;
      const fake = { ...clone(c.items[0]), ns: '156.130100.9', id: '156.130100.9' };
      return { ...b, children: { ...c, items: [...c.items, fake], proofs: [...c.proofs, c.proofs[0]] } };
    };
    expect(await codeWith(invent, () => client.listNamespaceVerified('156.130100'))).toBe('PROOF_INVALID');
    const topInvent = (_p: string, b: any) => ({
      ...b,
      children: {
        ...b.children,
        items: [...b.children.items, { ...clone(b.children.items[0]), ns: '999' }],
        proofs: [...b.children.proofs, b.children.proofs[0]],
      },
    });
    expect(await codeWith(topInvent, () => client.listNamespaceVerified())).toBe('PROOF_INVALID');
    // Leaving a child out verifies item by item, but the parent's count shows the page incomplete.
    proxy.json = (_p, b) => ({ ...b, children: { ...b.children, items: b.children.items.slice(1), proofs: b.children.proofs.slice(1) } });
    try {
      const r = await client.listNamespaceVerified('156.130100');
      expect(r.items).toHaveLength(1);
      expect(r.complete).toBe(false);
    } finally {
      proxy.json = null;
    }
    // An answer without children or proofs.
    expect(
      await codeWith(
        (_p, b) => ({ ...b, children: { items: b.children.items, next: null } }),
        () => client.listNamespaceVerified('156.130100'),
      ),
    ).toBe('PROOF_INVALID');
  });
});

describe('history with transaction inclusion proofs', () => {
  it('every version is re-derived from its proven transaction, up to the proven current entry', async () => {
    const h = await client.historyVerified(LAMP);
    expect(h.versions.map((v) => v.version)).toEqual([1, 2]);
    expect(h.versions[1]!.record.attributes).toEqual({ watts: 60 });
    expect(h.txs.map((t) => t.hash)).toEqual(h.versions.map((v) => v.tx));
    const g = await client.historyVerified(GONE);
    expect(g.versions.map((v) => v.status)).toEqual(['active', 'deactivated']);
    await expect(client.historyVerified(objectIdText('156.130100', 'NX1'))).rejects.toMatchObject({ code: 'ID_NOT_FOUND' });
  });

  it('an altered row, a left-out row, another transaction, or a dropped audit-path byte is refused', async () => {
    const read = () => client.historyVerified(GONE);
    expect(await codeWith((_p, b) => ({ ...b, versions: b.versions.map((v: any) => ({ ...v, status: 'active' })) }), read)).toBe('PROOF_INVALID');
    expect(await codeWith((_p, b) => ({ ...b, versions: b.versions.slice(1), proofs: b.proofs.slice(1) }), read)).toBe('PROOF_INVALID');
    expect(await codeWith((_p, b) => ({ ...b, versions: b.versions.slice(0, 1), proofs: b.proofs.slice(0, 1) }), read)).toBe('PROOF_INVALID');
    expect(await codeWith((_p, b) => ({ ...b, proofs: [b.proofs[0], b.proofs[0]] }), read)).toBe('PROOF_INVALID');
    const dropByte = (_p: string, b: any) => {
      const proofs = clone(b.proofs);
      const p = proofs.find((x: any) => x.path.length > 0) ?? proofs[1];
      p.path = p.path.length > 0 ? [p.path[0].slice(2), ...p.path.slice(1)] : ['00'];
      return { ...b, proofs };
    };
    expect(await codeWith(dropByte, read)).toBe('PROOF_INVALID');
    expect(await codeWith((_p, b) => ({ ...b, proofs: b.proofs.map((p: any) => ({ ...p, height: 999999 })) }), read)).toBe('PROOF_INVALID');
  });
});

/** Follows the verified feed through the proxy until `until` holds or an error arrives; returns both. */
async function feed(until: (evs: ChangeEvent[]) => boolean): Promise<{ events: Array<[ChangeEvent, EventProofInfo]>; errors: UrbisError[] }> {
  const events: Array<[ChangeEvent, EventProofInfo]> = [];
  const errors: UrbisError[] = [];
  await new Promise<void>((resolve) => {
    const stop = client.eventsVerified(
      {
        lastEventId: '0.0',
        retryMs: 60_000,
        onError: (e) => {
          errors.push(e);
          stop();
          resolve();
        },
      },
      (ev, _id, proof) => {
        events.push([ev, proof]);
        if (until(events.map((x) => x[0]))) {
          stop();
          resolve();
        }
      },
    );
  });
  return { events, errors };
}

const deactivation = (evs: ChangeEvent[]) => evs.some((e) => e.status === 'deactivated');

describe('the change feed with proofs', () => {
  it('every event arrives with its block proven and its transaction proven in it', async () => {
    const { events, errors } = await feed(deactivation);
    expect(errors).toEqual([]);
    const d = events.find(([e]) => e.status === 'deactivated')!;
    expect(d[0].id).toBe(GONE);
    expect(d[1].tx.hash).toBe(d[0].tx);
    expect(d[1].tx.tx.body.type).toBe('id.deactivate');
    expect(d[1].height).toBe(d[0].height);
  });

  /** The first refusal when the proxy rewrites frames with `lie`. */
  async function refusal(lie: (text: string) => string): Promise<UrbisError | undefined> {
    proxy.frame = lie;
    try {
      const { events, errors } = await feed(deactivation);
      expect(events.some(([e]) => e.height === 999999)).toBe(false);
      return errors[0];
    } finally {
      proxy.frame = null;
    }
  }

  const data = (text: string): any => JSON.parse(text.slice(text.indexOf('data: ') + 6));
  const withData = (text: string, d: unknown): string => `${text.slice(0, text.indexOf('data: ') + 6)}${JSON.stringify(d)}`;

  it('an invented "deactivated" event at height 999999 is refused', async () => {
    const e = await refusal((t) => {
      if (!t.includes('event: change')) return t;
      const d = data(t);
      if (d.id !== LAMP || d.version !== 1) return t;
      return `${t}\n\nid: 999999.0\nevent: change\ndata: ${JSON.stringify({ ...d, height: 999999, seq: 0, status: 'deactivated', version: 3 })}`;
    });
    expect(e?.code).toBe('PROOF_INVALID');
  });

  it('a "deactivated" event about the wrong identifier, with a real proof of its block, is refused', async () => {
    const e = await refusal((t) =>
      t.includes('event: change') && data(t).id === GONE && data(t).status === 'deactivated'
        ? withData(t, { ...data(t), id: LAMP, key: 'id:156.130100/LAMP-1' })
        : t,
    );
    expect(e?.code).toBe('PROOF_INVALID');
  });

  it('an event naming another transaction is refused', async () => {
    const e = await refusal((t) => (t.includes('event: change') && data(t).status === 'deactivated' ? withData(t, { ...data(t), tx: 'ab'.repeat(32) }) : t));
    expect(e?.code).toBe('PROOF_INVALID');
  });

  it('an altered transaction or an audit path missing a byte is refused', async () => {
    const alter = await refusal((t) => {
      if (!t.startsWith('event: proof')) return t;
      const d = data(t);
      const tx = d.txs.find((x: any) => x.tx.body.type === 'id.deactivate');
      if (!tx) return t;
      tx.tx.body.payload.id = LAMP;
      return withData(t, d);
    });
    expect(alter?.code).toBe('PROOF_INVALID');
    let cut = 0;
    const short = await refusal((t) => {
      if (!t.startsWith('event: proof')) return t;
      const d = data(t);
      if (d.header.txCount < 2) return t;
      d.txs[0].path[0] = d.txs[0].path[0].slice(0, -2);
      cut++;
      return withData(t, d);
    });
    expect(cut, 'a block of several entries was served').toBeGreaterThan(0);
    expect(short?.code).toBe('PROOF_INVALID');
  });

  it('a change event without the proof of its block is refused', async () => {
    const e = await refusal((t) => (t.startsWith('event: proof') ? '' : t));
    expect(e?.code).toBe('PROOF_INVALID');
  });
});

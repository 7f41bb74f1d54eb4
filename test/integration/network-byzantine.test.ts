/**
 * A Byzantine validator, with real processes: one city node's SQLite store is edited behind its
 * back while it is stopped (an identifier's entry rewritten). Once a transaction touches that entry,
 * the node computes and signs a header the others do not. The other nodes detect it (log line,
 * metric, /readyz and /v1/checkpoint list the fault) and never count its signature; the tampered
 * node finds that the quorum certified another header, reports itself diverged and refuses writes
 * and answers instead of serving its forked state. The network goes on with 3 of 4.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/platform/node.js';
import { checkCertificate } from '../../src/core/ledger/block.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import { LocalNetwork } from '../../src/network/local.js';
import { OPEN_POLICY, converged, getJson, logs, submit, submitAndWait, tx, until } from '../helpers/network.js';

const dir = mkdtempSync(join(tmpdir(), 'urbis-netbyz-'));
let net: LocalNetwork;

beforeAll(async () => {
  net = await LocalNetwork.start({ dir, nodes: 4, blockIntervalMs: 20, maxBlockTxs: 500 });
}, 90_000);

afterAll(async () => {
  await net?.stop();
  rmSync(dir, { recursive: true, force: true });
}, 60_000);

describe('a validator whose store was tampered with', () => {
  it('is detected, does not count, and declares itself diverged', async () => {
    const root = net.root;
    const urls = net.nodes.map((n) => n.url);
    await submitAndWait(
      urls[0]!,
      tx(net.chainId, 'ns.create', { ns: '156', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'country' } }, [root]),
    );
    await submitAndWait(
      urls[0]!,
      tx(net.chainId, 'ns.create', { ns: '156.130100', controllers: { keys: [root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } }, [root]),
    );
    const reg = await submitAndWait(
      urls[1]!,
      tx(net.chainId, 'id.register', { id: '156.130100/LAMP-7', record: { type: 'lamp', attributes: { h: 8 } } }, [root]),
    );
    await converged(urls, reg.height);

    // Tamper with node4's store while it runs: rewrite the lamp's entry behind its ledger. (A node
    // started on a store tampered with like this refuses to start: its startup check finds the entry
    // no longer proven by the stored tree, test/engine/verify-chain.test.ts.)
    const db = new Database(join(net.node('node4').dir, 'ledger.db'), { timeout: 10_000 });
    const changed = db
      .prepare("UPDATE entries SET body = json_set(body, '$.record.attributes.h', 99, '$.version', 5) WHERE key = ?")
      .run('id:156.130100/LAMP-7').changes;
    db.close();
    expect(changed).toBe(1);
    const byz = net.node('node4').key!;

    // A transaction touching the tampered entry: node4 computes another header.
    const upd = await submitAndWait(
      urls[0]!,
      tx(net.chainId, 'id.update', { id: '156.130100/LAMP-7', record: { type: 'lamp', attributes: { h: 9 } } }, [root]),
    );

    // The others report the fault and certified the block without node4's signature.
    for (const url of urls.slice(0, 3)) {
      const ready = await until(
        `${url} to report node4`,
        async () => {
          const r = await getJson(`${url}/readyz`);
          return r.body.faults?.some((f: any) => f.validator === byz && f.kind === 'fork') ? r.body : null;
        },
        20_000,
      );
      expect(ready.ready).toBe(true);
      const block = (await getJson(`${url}/v1/blocks/${upd.height}`)).body;
      expect(checkCertificate(block.cert, net.genesis.body.payload.validators).valid).not.toContain(byz);
    }
    const cp = await getJson(`${urls[1]}/v1/checkpoint`);
    expect(cp.body.faults.some((f: any) => f.validator === byz && f.height === upd.height)).toBe(true);
    const metrics = await (await fetch(`${urls[2]}/metrics`)).text();
    expect(metrics).toMatch(new RegExp(`urbis_validator_faults_total\\{validator="${byz}",kind="fork"\\} 1`));
    expect(net.node('node1').log.join('\n')).toMatch(/FAULT: validator .* \(fork\)/);

    // node4 knows it diverged: it says so, and refuses writes and answers.
    const r4 = await until(
      'node4 to report itself diverged',
      async () => {
        const r = await getJson(`${urls[3]}/readyz`);
        return r.status === 503 && r.body.diverged ? r.body : null;
      },
      20_000,
    );
    expect(r4.diverged.height).toBe(upd.height);
    expect(net.node('node4').log.join('\n')).toMatch(/DIVERGED at height/);
    const w = await submit(urls[3]!, tx(net.chainId, 'id.register', { id: '156.130100/LAMP-8', record: { type: 'lamp' } }, [root]));
    expect(w.status).toBe(503);
    expect(w.body.code).toBe('NODE_DIVERGED');
    const q = await getJson(`${urls[3]}/v1/ids/${encodeURIComponent(objectIdText('156.130100', 'LAMP-7'))}`);
    expect(q.status).toBe(503);
    expect(q.body.code).toBe('NODE_DIVERGED');

    // The network goes on with the three honest validators.
    const next = await submitAndWait(urls[2]!, tx(net.chainId, 'id.register', { id: '156.130100/LAMP-9', record: { type: 'lamp' } }, [root]));
    await converged(urls.slice(0, 3), next.height);
    const block = (await getJson(`${urls[0]}/v1/blocks/${next.height}`)).body;
    expect(checkCertificate(block.cert, net.genesis.body.payload.validators).valid.length, logs(net)).toBe(3);
  });
});

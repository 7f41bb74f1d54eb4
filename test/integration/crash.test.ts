/**
 * Crash safety with real processes: a node under write load is killed with SIGKILL at a random
 * moment, restarted, and must come back with a chain that re-verifies (hashes, signatures, state
 * roots) and with every transaction it had acknowledged as committed. Repeated several times.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/platform/node.js';
import { readKeyFile } from '../../src/keys/keyfile.js';
import { buildTxBody, signTx, signerFromSeed, type Signer } from '../../src/core/ledger/tx.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import { runCli, startNodeProcess, type NodeProcess } from '../helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'urbis-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

async function post(url: string, body: unknown): Promise<{ hash: string }> {
  const r = await fetch(`${url}/v1/tx`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  if (r.status !== 202 && r.status !== 200) throw new Error(`submit: ${r.status} ${await r.text()}`);
  return (await r.json()) as { hash: string };
}

/** Writes until the process dies; returns the identifiers whose commit the node acknowledged. */
async function load(node: NodeProcess, chain: string, signer: Signer, prefix: string, acked: Map<string, number>): Promise<void> {
  let i = 0;
  const worker = async () => {
    for (;;) {
      const local = `${prefix}-${String(i++).padStart(6, '0')}`;
      const tx = signTx(
        buildTxBody('id.register', { id: `156.130100/${local}`, record: { type: 'sensor', attributes: { n: i } } }, { chain, now: Date.now() }),
        [signer],
      );
      try {
        const { hash } = await post(node.url, tx);
        const r = await fetch(`${node.url}/v1/tx/${hash}?wait=10000`);
        const s = (await r.json()) as { status: string; height?: number; result?: { ok: boolean } };
        if (s.status === 'committed' && s.result?.ok) acked.set(local, s.height!);
      } catch {
        return; // the node is gone
      }
    }
  };
  await Promise.all(Array.from({ length: 8 }, worker));
}

describe('SIGKILL at any moment', () => {
  it('loses no acknowledged transaction and restarts with a consistent state root', async () => {
    await runCli(['init', '--dir', dir, '--json']);
    await runCli(['ns', 'create', '156', '--dir', dir, '--type', 'country']);
    await runCli(['ns', 'create', '156.130100', '--dir', dir, '--type', 'city', '--max-ids', '10000000']);
    const root = signerFromSeed((await readKeyFile(join(dir, 'keys', 'root.key'))).seed);
    const status = JSON.parse((await runCli(['status', '--dir', dir, '--json'])).stdout) as { chainId: string };
    const acked = new Map<string, number>();
    for (let round = 0; round < 4; round++) {
      const node = await startNodeProcess([
        'node',
        'start',
        '--dir',
        dir,
        '--port',
        '0',
        '--no-demo',
        '--rate-limit',
        '0',
        '--json',
        '--block-interval-ms',
        '20',
      ]);
      // Everything acknowledged before this start must have survived the previous kill.
      for (const [local, height] of acked) {
        const r = await fetch(`${node.url}/v1/ids/${encodeURIComponent(objectIdText('156.130100', local))}`);
        expect(r.status, `${local} committed at height ${height} before a kill`).not.toBe(404);
      }
      const before = acked.size;
      const writing = load(node, status.chainId, root, `R${round}`, acked);
      // Kill only once this round has acknowledged some writes (a loaded machine is slow to start
      // them), then at a random moment while more are in flight.
      for (const deadline = Date.now() + 60_000; acked.size < before + 6 && Date.now() < deadline;) await new Promise((r) => setTimeout(r, 50));
      await new Promise((r) => setTimeout(r, Math.floor(Math.random() * 900)));
      node.kill('SIGKILL');
      await writing;
      await node.exited;
    }
    expect(acked.size).toBeGreaterThan(20);
    // The directory re-verifies end to end after the last kill.
    const verify = await runCli(['verify', '--dir', dir, '--json']);
    expect(JSON.parse(verify.stdout)).toMatchObject({ ok: true });
    // And every acknowledged identifier is there.
    const node = await startNodeProcess(['node', 'start', '--dir', dir, '--port', '0', '--no-demo', '--rate-limit', '0', '--json']);
    try {
      let missing = 0;
      for (const local of acked.keys()) {
        const r = await fetch(`${node.url}/v1/ids/${encodeURIComponent(objectIdText('156.130100', local))}`);
        if (r.status !== 200) missing++;
      }
      expect(missing).toBe(0);
    } finally {
      node.kill('SIGTERM');
      await node.exited;
    }
  }, 180_000);
});

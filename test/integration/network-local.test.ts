/**
 * `urbis network local` (docs/network.md "Trying it"): one command starts 3 NATS servers and 4 city
 * nodes on loopback, prints where they are, and on SIGINT stops every process and removes its
 * temporary directory.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { BIN } from '../helpers/processes.js';
import { until } from '../helpers/network.js';

function portOpen(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = connect({ host: u.hostname, port: Number(u.port) });
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
}

describe('urbis network local', () => {
  it('starts 3 NATS servers and 4 nodes, and stops them all on SIGINT', async () => {
    const child = spawn(process.execPath, [BIN, 'network', 'local', '--json'], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    // The description is one line of JSON; a failure is an error document and a non-zero exit.
    const died = exited.then((c) => {
      throw new Error(`network local exited (${c}) before it was up`);
    });
    died.catch(() => undefined);
    const description = until(
      'the network description',
      async () => {
        const line = out.split('\n').find((l) => l.startsWith('{"dir"') && l.endsWith('}'));
        return line ? (JSON.parse(line) as { dir: string; nats: string[]; nodes: { url: string; validator: string }[] }) : null;
      },
      90_000,
    );
    const doc = await Promise.race([description, died]).catch((e: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${e.message}\nstdout: ${out}\nstderr: ${err}`);
    });
    expect(doc.nats).toHaveLength(3);
    expect(doc.nodes).toHaveLength(4);
    for (const n of doc.nodes) {
      expect(n.validator).toMatch(/^z6Mk/);
      await until(`${n.url} ready`, async () => (await fetch(`${n.url}/readyz`)).status === 200, 30_000);
    }
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    for (const u of [...doc.nodes.map((n) => n.url), ...doc.nats.map((s) => s.replace('nats:', 'http:'))]) expect(await portOpen(u), u).toBe(false);
    expect(existsSync(doc.dir)).toBe(false);
  }, 120_000);
});

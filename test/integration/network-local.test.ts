/**
 * `urbis network local` (docs/network.md "Trying it"): one command starts 3 NATS servers and 4 city
 * nodes on loopback, prints where they are, and on SIGINT stops every process and removes its
 * temporary directory. A process that dies on its own is reported and, by `--on-exit`, stops the
 * network with exit 1 or is restarted.
 */
import { spawn, type ChildProcess } from 'node:child_process';
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

interface Description {
  dir: string;
  nats: string[];
  nodes: { name: string; url: string; validator: string; pid: number }[];
}

/** Starts `urbis network local --json …` and waits for its description line. */
async function launch(args: string[] = []) {
  const child: ChildProcess = spawn(process.execPath, [BIN, 'network', 'local', '--json', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<number | null>((r) => child.once('exit', (c) => r(c)));
  const io = { out: '', err: '' };
  child.stdout!.on('data', (d) => (io.out += d));
  child.stderr!.on('data', (d) => (io.err += d));
  // The description is one line of JSON; a failure is an error document and a non-zero exit.
  const died = exited.then((c) => {
    throw new Error(`network local exited (${c}) before it was up`);
  });
  died.catch(() => undefined);
  const description = until(
    'the network description',
    async () => {
      const line = io.out.split('\n').find((l) => l.startsWith('{"dir"') && l.endsWith('}'));
      return line ? (JSON.parse(line) as Description) : null;
    },
    90_000,
  );
  const doc = await Promise.race([description, died]).catch((e: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${e.message}\nstdout: ${io.out}\nstderr: ${io.err}`);
  });
  for (const n of doc.nodes) await until(`${n.url} ready`, async () => (await fetch(`${n.url}/readyz`)).status === 200, 30_000);
  /** JSON lines of stdout after the description. */
  const events = () =>
    io.out
      .split('\n')
      .filter((l) => l.startsWith('{"event"'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { child, exited, io, doc, events };
}

async function allClosed(doc: Description): Promise<void> {
  for (const u of [...doc.nodes.map((n) => n.url), ...doc.nats.map((s) => s.replace('nats:', 'http:'))]) expect(await portOpen(u), u).toBe(false);
  expect(existsSync(doc.dir)).toBe(false);
}

describe('urbis network local', () => {
  it('starts 3 NATS servers and 4 nodes, and stops them all on SIGINT', async () => {
    const { child, exited, doc } = await launch();
    expect(doc.nats).toHaveLength(3);
    expect(doc.nodes).toHaveLength(4);
    for (const n of doc.nodes) {
      expect(n.validator).toMatch(/^z6Mk/);
      expect(n.pid).toBeGreaterThan(0);
    }
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await allClosed(doc);
  }, 120_000);

  it('reports a node process that was killed, names it, stops the rest and exits 1', async () => {
    const { exited, io, doc, events } = await launch();
    const victim = doc.nodes[1]!;
    process.kill(victim.pid, 'SIGKILL');
    expect(await exited).toBe(1);
    expect(events()).toContainEqual({ event: 'exit', process: victim.name, pid: victim.pid, code: null, signal: 'SIGKILL', action: 'stop' });
    expect(io.err).toContain(`${victim.name} (pid ${victim.pid}) exited on SIGKILL`);
    expect(io.err).toMatch(/urbis: NET_PROCESS_EXITED: /);
    await allClosed(doc);
  }, 120_000);

  it('with --on-exit restart, starts a killed node again', async () => {
    const { child, exited, io, doc, events } = await launch(['--on-exit', 'restart']);
    const victim = doc.nodes[2]!;
    process.kill(victim.pid, 'SIGKILL');
    const restarted = await until('the restart event', async () => events().find((e) => e.event === 'restarted' && e.process === victim.name), 90_000);
    expect(events()).toContainEqual(expect.objectContaining({ event: 'exit', process: victim.name, signal: 'SIGKILL', action: 'restart' }));
    expect(restarted.pid).not.toBe(victim.pid);
    await until('the restarted node ready', async () => (await fetch(`${restarted.url as string}/readyz`)).status === 200, 60_000);
    expect(io.err).toContain(`${victim.name} (pid ${victim.pid}) exited on SIGKILL; restarting it`);
    child.kill('SIGINT');
    expect(await exited).toBe(0);
    await allClosed(doc);
  }, 180_000);
});

/**
 * The local NATS cluster (src/network/nats-cluster.ts) that `urbis network local`, the network tests
 * and the benchmark start. Its ports are probed free and bound a moment later by nats-server, so
 * another process can take one in between: the cluster must then start again on fresh ports rather
 * than come up with a server missing (JetStream's R3 streams cannot be created on two servers).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { NatsCluster, freePort } from '../../src/network/nats-cluster.js';

const cleanup: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanup.length) await cleanup.pop()!();
});

function listen(): Promise<{ server: Server; port: number }> {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.destroy());
    server.listen(0, '127.0.0.1', () => resolve({ server, port: (server.address() as { port: number }).port }));
  });
}

describe('NatsCluster.start', () => {
  it('starts again on fresh ports when a probed port was taken before nats-server bound it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'urbis-nats-'));
    cleanup.push(() => rmSync(dir, { recursive: true, force: true }));
    const taken = await listen();
    cleanup.push(() => new Promise<void>((r) => taken.server.close(() => r())));
    let handed = 0;
    // The first port handed out (server n1's client port) is already bound by someone else.
    const ports = async () => (handed++ === 0 ? taken.port : freePort());
    const cluster = await NatsCluster.start({ dir, size: 3, ports });
    cleanup.push(() => cluster.stop());
    expect(cluster.servers).toHaveLength(3);
    for (const s of cluster.servers) {
      expect(s.child, `${s.name} runs`).not.toBeNull();
      expect(s.port).not.toBe(taken.port);
    }
    expect(handed).toBeGreaterThan(6);
  }, 120_000);
});

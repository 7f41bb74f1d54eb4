/**
 * Starts and stops a local NATS JetStream cluster (docs/network.md "Running it by hand"): N
 * `nats-server` processes on loopback, each with its own storage directory, joined by cluster routes.
 * Used by `urbis network local`, by the network tests and by the network benchmark; never touches a
 * server already running on 4222 (ports are chosen free).
 *
 * Each server is started as
 *   nats-server -a 127.0.0.1 -p <client> -n <name> -js -sd <dir>/<name>
 *     --cluster_name <cluster> --cluster nats://127.0.0.1:<route> --routes <the other routes>
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager } from '@nats-io/jetstream';
import { UrbisError } from '../core/errors.js';

/** Where nats-server is looked for when `NATS_SERVER` is not set. */
const CANDIDATES = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'];

/** Path of the nats-server binary: `$NATS_SERVER`, a Debian location, or `nats-server` on PATH. */
export function natsServerBinary(): string {
  const env = process.env.NATS_SERVER;
  if (env) return env;
  for (const c of CANDIDATES) if (existsSync(c)) return c;
  return 'nats-server';
}

/** A free TCP port on 127.0.0.1 (bound, then released: a tiny race that tests accept). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/** One server of the cluster. */
export interface NatsServer {
  name: string;
  port: number;
  routePort: number;
  url: string;
  storeDir: string;
  child: ChildProcess | null;
  /** Last lines written by the server (for diagnostics). */
  log: string[];
}

export interface NatsClusterOptions {
  /** Parent directory of the servers' storage directories. */
  dir: string;
  /** Number of servers (default 3). */
  size?: number;
  clusterName?: string;
  /** Called with each line a server logs (default: kept in memory only). */
  onLog?: (server: string, line: string) => void;
  /** Called when a server exits without being asked to ({@link NatsCluster.kill}, {@link NatsCluster.stop}). */
  onExit?: (server: string, pid: number | undefined, code: number | null, signal: NodeJS.Signals | null) => void;
  /** Where the client and route ports come from (default {@link freePort}; tests hand out taken ones). */
  ports?: () => Promise<number>;
}

/** A running local cluster. */
export class NatsCluster {
  readonly servers: NatsServer[];
  private readonly clusterName: string;
  private readonly onLog: ((server: string, line: string) => void) | undefined;
  /** Set once the servers are up; before that a failed start is reported by {@link start} itself. */
  onExit: NatsClusterOptions['onExit'];
  /** Children asked to stop (their exit is expected). */
  private readonly stopping = new WeakSet<ChildProcess>();

  private constructor(servers: NatsServer[], clusterName: string, onLog: NatsClusterOptions['onLog']) {
    this.servers = servers;
    this.clusterName = clusterName;
    this.onLog = onLog;
  }

  /** Client URLs of every server. */
  urls(): string[] {
    return this.servers.map((s) => s.url);
  }

  /**
   * Starts the servers and waits until JetStream answers on every one of them.
   *
   * @throws UrbisError INTERNAL when nats-server is missing or JetStream is not ready within 30 s.
   */
  static async start(opts: NatsClusterOptions): Promise<NatsCluster> {
    // Ports are probed free, then bound by nats-server a moment later: another process may take one
    // in between. A server that exits at start is retried with fresh ports, up to three times.
    for (let attempt = 1; ; attempt++) {
      try {
        const cluster = await NatsCluster.startOnce(opts);
        cluster.onExit = opts.onExit;
        return cluster;
      } catch (e) {
        if (attempt >= 3 || !(e instanceof UrbisError && e.details?.exited === true)) throw e;
      }
    }
  }

  private static async startOnce(opts: NatsClusterOptions): Promise<NatsCluster> {
    const size = opts.size ?? 3;
    const servers: NatsServer[] = [];
    for (let i = 0; i < size; i++) {
      const port = await (opts.ports ?? freePort)();
      const routePort = await (opts.ports ?? freePort)();
      const name = `n${i + 1}`;
      const storeDir = join(opts.dir, name);
      mkdirSync(storeDir, { recursive: true });
      servers.push({ name, port, routePort, url: `nats://127.0.0.1:${port}`, storeDir, child: null, log: [] });
    }
    const cluster = new NatsCluster(servers, opts.clusterName ?? 'urbis', opts.onLog);
    try {
      for (const s of servers) cluster.spawnServer(s);
      await cluster.waitReady(30_000);
      // waitReady passes over stopped servers (a restart of one server); at first start every one must run.
      const gone = servers.find((s) => !s.child);
      if (gone) throw new UrbisError('INTERNAL', `nats-server ${gone.name} exited: ${gone.log.slice(-5).join(' | ')}`, { exited: true });
    } catch (e) {
      await cluster.stop();
      throw e;
    }
    return cluster;
  }

  private spawnServer(s: NatsServer): void {
    const routes = this.servers
      .filter((o) => o !== s)
      .map((o) => `nats://127.0.0.1:${o.routePort}`)
      .join(',');
    const args = [
      '-a',
      '127.0.0.1',
      '-p',
      String(s.port),
      '-n',
      s.name,
      '-js',
      '-sd',
      s.storeDir,
      '--cluster_name',
      this.clusterName,
      '--cluster',
      `nats://127.0.0.1:${s.routePort}`,
      '--routes',
      routes,
    ];
    const child = spawn(natsServerBinary(), args, { stdio: ['ignore', 'pipe', 'pipe'] });
    s.child = child;
    const onData = (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        if (!line) continue;
        s.log.push(line);
        if (s.log.length > 200) s.log.shift();
        this.onLog?.(s.name, line);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('error', (e) => s.log.push(`spawn error: ${e.message}`));
    child.on('exit', (code, signal) => {
      if (s.child === child) s.child = null;
      if (!this.stopping.has(child)) this.onExit?.(s.name, child.pid, code, signal);
    });
  }

  /**
   * Waits until every running server answers a JetStream account-info request (the meta group has
   * a leader and the server joined it).
   */
  async waitReady(timeoutMs = 30_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (const s of this.servers) {
      if (!s.child) continue;
      for (;;) {
        if (!s.child) throw new UrbisError('INTERNAL', `nats-server ${s.name} exited: ${s.log.slice(-5).join(' | ')}`, { exited: true });
        try {
          const nc = await connect({ servers: s.url, timeout: 1000, reconnect: false });
          try {
            const jsm = await jetstreamManager(nc, { timeout: 1000 });
            await jsm.getAccountInfo();
            break;
          } finally {
            await nc.close();
          }
        } catch {
          if (Date.now() > deadline) {
            throw new UrbisError('INTERNAL', `JetStream on ${s.name} (${s.url}) not ready in ${timeoutMs} ms: ${s.log.slice(-5).join(' | ')}`);
          }
          await new Promise((r) => setTimeout(r, 200));
        }
      }
    }
  }

  /** Kills one server (SIGKILL by default) and waits for it to exit. */
  async kill(name: string, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const s = this.byName(name);
    const child = s.child;
    if (!child) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    this.stopping.add(child);
    child.kill(signal);
    await exited;
  }

  /** Starts a stopped server again with the same ports and storage, and waits until it is ready. */
  async restart(name: string): Promise<void> {
    const s = this.byName(name);
    if (s.child) return;
    this.spawnServer(s);
    await this.waitReady(30_000);
  }

  /** The server whose client URL or name is given. */
  byName(nameOrUrl: string): NatsServer {
    const s = this.servers.find((x) => x.name === nameOrUrl || x.url === nameOrUrl);
    if (!s) throw new UrbisError('INTERNAL', `no NATS server ${nameOrUrl}`);
    return s;
  }

  /** Stops every server (SIGTERM, then SIGKILL after 5 s). */
  async stop(): Promise<void> {
    await Promise.all(
      this.servers.map(async (s) => {
        const child = s.child;
        if (!child) return;
        const exited = new Promise<void>((r) => child.once('exit', () => r()));
        this.stopping.add(child);
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await exited;
        clearTimeout(t);
      }),
    );
  }
}

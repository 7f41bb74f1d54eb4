/**
 * A whole network on loopback: 3 nats-server (a JetStream cluster) and N city nodes, each a separate
 * `urbis node start --network` process. What `urbis network local` (and `npm run network:local`)
 * runs, and what the network tests and benchmark drive. docs/network.md "Trying it".
 *
 * Layout under `dir`:
 *   nats/n1..n3/            JetStream storage of each NATS server
 *   root.key                root-authority key of the network (0600)
 *   genesis.json            genesis: the N validators and the root key
 *   network.json            the network file every node reads
 *   node1..nodeN/           data directory of each node (keys/validator.key inside)
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import '../platform/node.js';
import { UrbisError } from '../core/errors.js';
import { generateSeed } from '../core/crypto/index.js';
import { signerFromSeed, type Signer } from '../core/ledger/tx.js';
import type { Tx } from '../core/ledger/types.js';
import { readKeyFile, writeKeyFile } from '../keys/keyfile.js';
import { writeFileAtomic } from '../node/data-dir.js';
import { buildGenesis } from './genesis.js';
import { NatsCluster } from './nats-cluster.js';

/** Path of bin/urbis.js, from src/ (tsx) or dist/src/ (compiled). */
export function urbisBin(): string {
  for (const rel of ['../../bin/urbis.js', '../../../bin/urbis.js']) {
    const p = fileURLToPath(new URL(rel, import.meta.url));
    if (existsSync(p)) return p;
  }
  throw new UrbisError('INTERNAL', 'bin/urbis.js not found');
}

export interface LocalNetworkOptions {
  /** Working directory (created; reused if it already holds a network). */
  dir: string;
  /** City nodes (default 4), all validators unless `replicas` says otherwise. */
  nodes?: number;
  /** Of those, how many are read replicas without a key (the last ones; default 0). */
  replicas?: number;
  natsServers?: number;
  chainId?: string;
  blockIntervalMs?: number;
  maxBlockTxs?: number;
  /** Extra network-file fields (tests). */
  extra?: Record<string, unknown>;
  /** First HTTP port; nodes use consecutive free ports from there (default: any free port). */
  basePort?: number;
  /** Extra arguments for every node process. */
  nodeArgs?: string[];
  /** Node.js flags for every node process (e.g. `--cpu-prof`). */
  execArgv?: string[];
  /** Receives every line the NATS servers and nodes log. */
  onLog?: (who: string, line: string) => void;
  /**
   * Called when a node or NATS server process that was up exits without being asked to (a crash, a
   * kill from outside); see `urbis network local --on-exit`.
   */
  onExit?: (e: ProcessExit) => void;
}

/** A process of a {@link LocalNetwork} that exited on its own. */
export interface ProcessExit {
  /** `node2`, `nats-n1`, ... */
  process: string;
  pid: number | undefined;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One node process of a {@link LocalNetwork}. */
export interface LocalNode {
  name: string;
  dir: string;
  port: number;
  url: string;
  /** Validator Multikey, or null for a read replica. */
  key: string | null;
  child: ChildProcess | null;
  log: string[];
}

export class LocalNetwork {
  readonly dir: string;
  readonly networkFile: string;
  readonly chainId: string;
  readonly genesis: Tx<'genesis'>;
  readonly root: Signer;
  readonly nodes: LocalNode[];
  readonly nats: NatsCluster;
  private readonly onLog: LocalNetworkOptions['onLog'];
  /** See {@link LocalNetworkOptions.onExit}; may be set after start. */
  onExit: LocalNetworkOptions['onExit'];
  /** Node processes asked to stop (their exit is expected). */
  private readonly stopping = new WeakSet<ChildProcess>();
  private readonly nodeArgs: string[];
  private readonly execArgv: string[];

  private constructor(parts: {
    dir: string;
    networkFile: string;
    chainId: string;
    genesis: Tx<'genesis'>;
    root: Signer;
    nodes: LocalNode[];
    nats: NatsCluster;
    onLog: LocalNetworkOptions['onLog'];
    onExit: LocalNetworkOptions['onExit'];
    nodeArgs: string[];
    execArgv: string[];
  }) {
    this.dir = parts.dir;
    this.networkFile = parts.networkFile;
    this.chainId = parts.chainId;
    this.genesis = parts.genesis;
    this.root = parts.root;
    this.nodes = parts.nodes;
    this.nats = parts.nats;
    this.onLog = parts.onLog;
    this.onExit = parts.onExit;
    this.nodeArgs = parts.nodeArgs;
    this.execArgv = parts.execArgv;
  }

  /**
   * Creates (or reuses) the network files, starts the NATS cluster, then every node.
   *
   * @throws UrbisError when a process does not start.
   */
  static async start(o: LocalNetworkOptions): Promise<LocalNetwork> {
    const n = o.nodes ?? 4;
    const replicas = o.replicas ?? 0;
    mkdirSync(o.dir, { recursive: true });
    const rootFile = join(o.dir, 'root.key');
    const networkFile = join(o.dir, 'network.json');
    const nodes: LocalNode[] = [];
    let port = o.basePort ?? 0;
    for (let i = 0; i < n; i++) {
      // Without a base port each node binds port 0 and reports the port it got (no race with other
      // processes for a port probed free a moment earlier); a restart reuses that port.
      const p = o.basePort ? port++ : 0;
      const dir = join(o.dir, `node${i + 1}`);
      nodes.push({ name: `node${i + 1}`, dir, port: p, url: p ? `http://127.0.0.1:${p}` : '', key: null, child: null, log: [] });
    }
    if (!existsSync(rootFile)) await writeKeyFile(rootFile, generateSeed());
    const root: Signer = signerFromSeed((await readKeyFile(rootFile)).seed);
    for (let i = 0; i < n; i++) {
      const node = nodes[i]!;
      if (i >= n - replicas) continue;
      const keyFile = join(node.dir, 'keys', 'validator.key');
      if (!existsSync(keyFile)) {
        mkdirSync(join(node.dir, 'keys'), { recursive: true, mode: 0o700 });
        await writeKeyFile(keyFile, generateSeed());
      }
      node.key = signerFromSeed((await readKeyFile(keyFile)).seed).id;
    }
    const nats = await NatsCluster.start({
      dir: join(o.dir, 'nats'),
      size: o.natsServers ?? 3,
      ...(o.onLog ? { onLog: (s: string, l: string) => o.onLog!(`nats-${s}`, l) } : {}),
    });
    let genesis: Tx<'genesis'>;
    let chainId: string;
    const genesisFile = join(o.dir, 'genesis.json');
    if (existsSync(genesisFile)) {
      genesis = JSON.parse(readFileSync(genesisFile, 'utf8')) as Tx<'genesis'>;
      chainId = genesis.body.payload.chainId;
    } else {
      chainId = o.chainId ?? `urbis-net-${Buffer.from(generateSeed().slice(0, 4)).toString('hex')}`;
      genesis = buildGenesis({
        chainId,
        validators: nodes.filter((x) => x.key).map((x) => x.key!),
        root: { keys: [root.id], threshold: 1 },
        time: Date.now(),
      });
      writeFileAtomic(genesisFile, `${JSON.stringify(genesis, null, 2)}\n`);
    }
    // NATS ports change between runs: the network file is rewritten every time.
    const network = {
      chainId,
      genesis: 'genesis.json',
      nats: { servers: nats.urls() },
      stream: { replicas: Math.min(3, o.natsServers ?? 3) },
      blockIntervalMs: o.blockIntervalMs ?? 50,
      maxBlockTxs: o.maxBlockTxs ?? 2000,
      ...o.extra,
    };
    writeFileAtomic(networkFile, `${JSON.stringify(network, null, 2)}\n`);
    const net = new LocalNetwork({
      dir: o.dir,
      networkFile,
      chainId,
      genesis,
      root,
      nodes,
      nats,
      onLog: o.onLog,
      onExit: o.onExit,
      nodeArgs: o.nodeArgs ?? [],
      execArgv: o.execArgv ?? [],
    });
    nats.onExit = (server, pid, code, signal) => net.onExit?.({ process: `nats-${server}`, pid, code, signal });
    try {
      await Promise.all(nodes.map((x) => net.startNode(x.name)));
    } catch (e) {
      await net.stop();
      throw e;
    }
    return net;
  }

  node(name: string): LocalNode {
    const x = this.nodes.find((n) => n.name === name);
    if (!x) throw new UrbisError('INTERNAL', `no node ${name}`);
    return x;
  }

  /**
   * Starts a node process (again) and waits for its first JSON line.
   *
   * @param extraArgs e.g. `['--snapshot-from', url]`.
   */
  async startNode(name: string, extraArgs: string[] = [], env: NodeJS.ProcessEnv = {}): Promise<LocalNode> {
    const node = this.node(name);
    if (node.child) return node;
    const args = [
      ...this.execArgv,
      urbisBin(),
      'node',
      'start',
      '--network',
      this.networkFile,
      '--dir',
      node.dir,
      '--port',
      String(node.port),
      '--rate-limit',
      '0',
      '--json',
      ...this.nodeArgs,
      ...extraArgs,
    ];
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    node.child = child;
    let up = false;
    child.on('exit', (code, signal) => {
      if (node.child === child) node.child = null;
      // Before it was up, a failed start is startNode's own error.
      if (up && !this.stopping.has(child)) this.onExit?.({ process: name, pid: child.pid, code, signal });
    });
    await new Promise<void>((resolve, reject) => {
      let out = '';
      let started = false;
      const timer = setTimeout(() => {
        if (!started) {
          child.kill('SIGKILL');
          reject(new UrbisError('INTERNAL', `${name} did not start within 60 s: ${node.log.slice(-10).join(' | ')}`));
        }
      }, 60_000);
      const onLine = (line: string) => {
        node.log.push(line);
        if (node.log.length > 500) node.log.shift();
        this.onLog?.(name, line);
      };
      child.stderr!.on('data', (d: Buffer) => {
        for (const l of d.toString().split('\n')) if (l) onLine(l);
      });
      child.stdout!.on('data', (d: Buffer) => {
        out += d.toString();
        let i: number;
        while ((i = out.indexOf('\n')) >= 0) {
          const line = out.slice(0, i);
          out = out.slice(i + 1);
          onLine(line);
          if (!started && line.startsWith('{')) {
            try {
              const doc = JSON.parse(line) as { url?: string };
              if (doc.url) {
                started = up = true;
                node.url = doc.url;
                node.port = Number(new URL(doc.url).port);
                clearTimeout(timer);
                resolve();
              }
            } catch {
              /* not the start line */
            }
          }
        }
      });
      child.once('exit', (code, signal) => {
        if (!started) {
          clearTimeout(timer);
          reject(new UrbisError('INTERNAL', `${name} exited (${signal ?? code}) before starting: ${node.log.slice(-10).join(' | ')}`));
        }
      });
    });
    return node;
  }

  /** Stops a node process (SIGTERM: clean; SIGKILL: crash) and waits for it to exit. */
  async stopNode(name: string, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const node = this.node(name);
    const child = node.child;
    if (!child) return;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    this.stopping.add(child);
    child.kill(signal);
    const t = setTimeout(() => child.kill('SIGKILL'), 10_000);
    await exited;
    clearTimeout(t);
  }

  /** Adds a node entry (started with {@link startNode}); with `key`, a validator key is created. */
  async addNode(opts: { key?: boolean } = {}): Promise<LocalNode> {
    const i = this.nodes.length + 1;
    const dir = join(this.dir, `node${i}`);
    // Port 0: the node binds any free port; `url` is set when it has started.
    const node: LocalNode = { name: `node${i}`, dir, port: 0, url: '', key: null, child: null, log: [] };
    if (opts.key) {
      const keyFile = join(dir, 'keys', 'validator.key');
      mkdirSync(join(dir, 'keys'), { recursive: true, mode: 0o700 });
      if (!existsSync(keyFile)) await writeKeyFile(keyFile, generateSeed());
      node.key = signerFromSeed((await readKeyFile(keyFile)).seed).id;
    }
    this.nodes.push(node);
    return node;
  }

  /** Stops every node, then the NATS servers. */
  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => this.stopNode(n.name)));
    await this.nats.stop();
  }
}

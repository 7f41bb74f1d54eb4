/**
 * `urbis network local`: a whole network on loopback for anyone to try (docs/network.md "Trying
 * it"): 3 nats-server processes forming a JetStream cluster and 4 city nodes, all validators. Prints
 * the URLs, runs until SIGINT or SIGTERM, then stops every process cleanly.
 *
 * A node or NATS server that exits on its own is reported (a line on stderr; with --json also an
 * `{"event":"exit",…}` line on stdout), then handled by `--on-exit`: `stop` (default: stop every
 * process and exit 1), `restart` (start it again, at most 3 times per process) or `report` (keep
 * running without it). docs/network.md "Trying it".
 */
import { Option, type Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LocalNetwork, type ProcessExit } from '../../network/local.js';
import { UrbisError } from '../../core/errors.js';
import { intArg } from '../args.js';
import { CliFailure, EXIT } from '../failure.js';
import { jsonOption, type CommonOpts } from '../options.js';

interface Opts extends CommonOpts {
  dir?: string;
  nodes: number;
  replicas: number;
  basePort?: number;
  blockIntervalMs: number;
  maxBlockTxs: number;
  verbose?: boolean;
  onExit: 'stop' | 'restart' | 'report';
}

/** Restarts of one process before `--on-exit restart` gives up and stops the network. */
const MAX_RESTARTS = 3;

export function registerNetworkLocal(network: Command): void {
  jsonOption(
    network
      .command('local')
      .description('start 3 NATS servers and 4 city nodes on loopback; Ctrl-C stops them all')
      .option('--dir <path>', 'working directory (default: a new temporary directory, removed on exit)')
      .option('--nodes <n>', 'city nodes', intArg(1), 4)
      .option('--replicas <n>', 'of which read replicas without a validator key', intArg(0), 0)
      .option('--base-port <port>', 'HTTP port of the first node, the next ones follow (default: free ports)', intArg(1))
      .option('--block-interval-ms <n>', 'block interval', intArg(1), 50)
      .option('--max-block-txs <n>', 'most transactions per block', intArg(1), 2000)
      .option('--verbose', 'print the log lines of every process')
      .addOption(
        new Option('--on-exit <policy>', 'when a node or NATS server dies: stop everything (exit 1), restart it, or only report it')
          .choices(['stop', 'restart', 'report'])
          .default('stop'),
      ),
  ).action(async (o: Opts) => {
    const temp = o.dir === undefined;
    const dir = temp ? mkdtempSync(join(tmpdir(), 'urbis-network-')) : resolve(o.dir!);
    const say = (l: string) => {
      if (!o.json) process.stdout.write(`${l}\n`);
    };
    say(`starting 3 NATS servers and ${o.nodes} city nodes in ${dir} ...`);
    const net = await LocalNetwork.start({
      dir,
      nodes: o.nodes,
      replicas: o.replicas,
      blockIntervalMs: o.blockIntervalMs,
      maxBlockTxs: o.maxBlockTxs,
      ...(o.basePort ? { basePort: o.basePort } : {}),
      ...(o.verbose ? { onLog: (who: string, line: string) => process.stderr.write(`[${who}] ${line}\n`) } : {}),
    });
    const event = (e: Record<string, unknown>) => {
      if (o.json) process.stdout.write(`${JSON.stringify(e)}\n`);
    };
    const doc = {
      dir,
      chainId: net.chainId,
      network: net.networkFile,
      genesis: join(dir, 'genesis.json'),
      rootKey: join(dir, 'root.key'),
      nats: net.nats.urls(),
      nodes: net.nodes.map((n) => ({ name: n.name, url: n.url, validator: n.key, pid: n.child?.pid })),
      onExit: o.onExit,
    };
    if (o.json) process.stdout.write(`${JSON.stringify(doc)}\n`);
    else {
      say(`network ${net.chainId} is up`);
      say(`  NATS:  ${doc.nats.join('  ')}`);
      for (const n of doc.nodes) say(`  ${n.name}: ${n.url}   ${n.validator ? 'validator' : 'read replica'}`);
      const url = doc.nodes[0]!.url;
      const common = `--node ${url} --key ${doc.rootKey} --genesis ${doc.genesis}`;
      say('Try:');
      say(`  npx urbis ns create 156 --type country ${common}`);
      say(`  npx urbis ns create 156.130100 --type city ${common}`);
      say(`  curl ${doc.nodes[doc.nodes.length - 1]!.url}/v1/ns/156        (any node answers, with a certified header)`);
      say(`  curl ${url}/readyz`);
      say('Stop with Ctrl-C.');
    }
    let died: UrbisError | null = null;
    await new Promise<void>((done) => {
      let stopping = false;
      const stop = (sig: string) => {
        if (stopping) return;
        stopping = true;
        say(`${sig}: stopping the nodes and the NATS servers`);
        net
          .stop()
          .catch((e: unknown) => process.stderr.write(`urbis: INTERNAL: ${(e as Error).message}\n`))
          .finally(() => {
            if (temp) rmSync(dir, { recursive: true, force: true });
            done();
          });
      };
      const restarts = new Map<string, number>();
      net.onExit = (e: ProcessExit) => {
        if (stopping) return;
        const how = e.signal ? `on ${e.signal}` : `with code ${e.code}`;
        const n = restarts.get(e.process) ?? 0;
        const action = o.onExit === 'restart' && n >= MAX_RESTARTS ? 'stop' : o.onExit;
        process.stderr.write(
          `urbis: ${e.process} (pid ${e.pid ?? '?'}) exited ${how}; ${action === 'stop' ? 'stopping the network' : action === 'restart' ? 'restarting it' : 'the others keep running'}\n`,
        );
        event({ event: 'exit', process: e.process, pid: e.pid ?? null, code: e.code, signal: e.signal, action });
        if (action === 'stop') {
          died = new UrbisError('NET_PROCESS_EXITED', `${e.process} (pid ${e.pid ?? '?'}) exited ${how}`, { ...e });
          stop(`${e.process} died`);
        } else if (action === 'restart') {
          restarts.set(e.process, n + 1);
          const again = e.process.startsWith('nats-') ? net.nats.restart(e.process.slice(5)) : net.startNode(e.process).then(() => undefined);
          again.then(
            () => {
              const node = net.nodes.find((x) => x.name === e.process);
              const pid = node ? node.child?.pid : net.nats.byName(e.process.slice(5)).child?.pid;
              say(`${e.process} restarted${node ? ` at ${node.url}` : ''}`);
              event({ event: 'restarted', process: e.process, pid: pid ?? null, ...(node ? { url: node.url } : {}) });
            },
            (err: unknown) => {
              died = new UrbisError('NET_PROCESS_EXITED', `${e.process} exited ${how} and did not restart: ${(err as Error).message}`, { ...e });
              stop(`${e.process} died`);
            },
          );
        }
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
    // Exit 1 with the error line (the exit event was already on stdout with --json).
    if (died) throw new CliFailure(died, EXIT.INTERNAL, true);
  });
}

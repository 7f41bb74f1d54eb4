/**
 * `urbis network local`: a whole network on loopback for anyone to try (docs/network.md "Trying
 * it"): 3 nats-server processes forming a JetStream cluster and 4 city nodes, all validators. Prints
 * the URLs, runs until SIGINT or SIGTERM, then stops every process cleanly.
 */
import type { Command } from 'commander';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { LocalNetwork } from '../../network/local.js';
import { intArg } from '../args.js';
import { jsonOption, type CommonOpts } from '../options.js';

interface Opts extends CommonOpts {
  dir?: string;
  nodes: number;
  replicas: number;
  basePort?: number;
  blockIntervalMs: number;
  maxBlockTxs: number;
  verbose?: boolean;
}

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
      .option('--verbose', 'print the log lines of every process'),
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
    const doc = {
      dir,
      chainId: net.chainId,
      network: net.networkFile,
      genesis: join(dir, 'genesis.json'),
      rootKey: join(dir, 'root.key'),
      nats: net.nats.urls(),
      nodes: net.nodes.map((n) => ({ name: n.name, url: n.url, validator: n.key })),
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
    await new Promise<void>((done) => {
      const stop = (sig: string) => {
        say(`${sig}: stopping the nodes and the NATS servers`);
        net
          .stop()
          .catch((e: unknown) => process.stderr.write(`urbis: INTERNAL: ${(e as Error).message}\n`))
          .finally(() => {
            if (temp) rmSync(dir, { recursive: true, force: true });
            done();
          });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
  });
}

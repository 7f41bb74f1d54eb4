/**
 * `urbis node start`: runs a city node (HTTP API over the ledger in a data directory) until SIGINT
 * or SIGTERM. On first run it creates keys and genesis; with the demo data set unless --no-demo.
 * `npm start` is `urbis node start --dir ./.urbis`.
 */
import { isAbsolute, relative } from 'node:path';
import type { Command } from 'commander';
import { pino, type Logger } from 'pino';
import { paths } from '../../node/data-dir.js';
import { startNode } from '../../node/runtime.js';
import type { ServerOptions } from '../../node/server.js';
import { signerFromSeed } from '../../core/ledger/tx.js';
import { loadSigningKey } from '../../keys/keyfile.js';
import { intArg } from '../args.js';
import { usage } from '../failure.js';
import { jsonOption, type CommonOpts } from '../options.js';
import { passphraseFromEnv, resolveDir } from '../local.js';
import { builtWebApp } from '../../node/web.js';
import { MAX_VERIFY_WORKERS, validVerifyWorkers } from '../../engine/verify-pool.js';

interface NodeStartOpts extends CommonOpts {
  port: number;
  host: string;
  demo: boolean;
  init: boolean;
  rateLimit: number;
  cors?: string;
  urlHost?: string;
  blockIntervalMs?: number;
  maxBlockTxs?: number;
  heartbeatMs?: number;
  log?: boolean;
  logLevel?: string;
  network?: string;
  snapshotFrom?: string;
  publishChanges?: boolean;
  issuerKey?: string;
  publicUrl?: string;
  eventsMax: number;
  eventsMaxPerClient: number;
  verifyWorkers?: number;
}

/** The HTTP server's options from the flags (both node kinds). */
function serverOptions(o: NodeStartOpts, cors: '*' | string[] | false, logger: Logger | undefined): ServerOptions {
  return {
    rateLimit: o.rateLimit,
    cors,
    events: { maxClients: o.eventsMax, maxPerClient: o.eventsMaxPerClient },
    ...(o.urlHost ? { urlHost: o.urlHost } : {}),
    ...(logger ? { loggerInstance: logger } : {}),
  };
}

/** `node start --network`: a node of a multi-city network, until SIGINT or SIGTERM. */
const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/**
 * `--log` / `--log-level`: one pino logger (JSON lines on stdout) for the HTTP requests, each with its
 * request id, and for the node's own messages; undefined when logging is off.
 */
function loggerFor(o: NodeStartOpts): Logger | undefined {
  if (!o.log && o.logLevel === undefined) return undefined;
  const level = o.logLevel ?? 'info';
  if (!LOG_LEVELS.includes(level)) usage(`--log-level must be one of ${LOG_LEVELS.join(', ')}`);
  return pino({ level, base: { pid: process.pid, name: 'urbis' } });
}

async function runNetworkNode(o: NodeStartOpts, dir: string, pass: string | undefined, cors: '*' | string[] | false): Promise<void> {
  const { loadNetworkConfig } = await import('../../network/config.js');
  const { startNetworkNode } = await import('../../network/node.js');
  const network = loadNetworkConfig(o.network!);
  const workers = verifyWorkersSetting(o);
  const logger = loggerFor(o);
  // Progress and faults go to stderr with --json, so stdout stays one JSON line; with --log they are
  // structured log lines like the requests'.
  const log = logger
    ? (line: string) => logger.info(line)
    : (line: string) => (o.json ? process.stderr : process.stdout).write(`${new Date().toISOString()} ${line}\n`);
  const running = await startNetworkNode({
    network,
    dir,
    port: o.port,
    host: o.host,
    ...(o.snapshotFrom ? { snapshotFrom: o.snapshotFrom } : {}),
    ...(o.publishChanges ? { publishChanges: true } : {}),
    ...(workers === undefined ? {} : { verifyWorkers: workers }),
    ...(pass === undefined ? {} : { passphrase: pass }),
    server: serverOptions(o, cors, logger),
    log,
  });
  const head = running.runtime.store.head()!;
  const validator = running.dir.validator?.id ?? null;
  if (o.json) {
    process.stdout.write(
      `${JSON.stringify({ url: running.url, dir, chainId: network.chainId, height: head.height, validator, network: network.names.stream })}\n`,
    );
  } else {
    log(`Urbis network node for chain ${network.chainId} at height ${head.height} (${validator ? `validator ${validator}` : 'read replica'})`);
    log(`  API: ${running.url}/v1   ready: ${running.url}/readyz   NATS: ${network.nats.servers.join(', ')}`);
  }
  await new Promise<void>((resolveStop) => {
    const stop = (sig: string) => {
      log(`${sig}: stopping`);
      running.close().then(resolveStop, (e) => {
        process.stderr.write(`urbis: INTERNAL: shutdown failed: ${(e as Error).message}\n`);
        resolveStop();
      });
    };
    process.once('SIGINT', () => stop('SIGINT'));
    process.once('SIGTERM', () => stop('SIGTERM'));
  });
}

/** `--verify-workers`, else `URBIS_VERIFY_WORKERS`, when set (undefined: config.json's or the default). */
function verifyWorkersSetting(o: NodeStartOpts): number | undefined {
  const env = process.env.URBIS_VERIFY_WORKERS;
  if (o.verifyWorkers === undefined && (env === undefined || env === '')) return undefined;
  const [name, n] =
    o.verifyWorkers !== undefined ? ['--verify-workers', o.verifyWorkers] : ['URBIS_VERIFY_WORKERS', /^\d+$/.test(env!.trim()) ? Number(env!.trim()) : NaN];
  if (!validVerifyWorkers(n)) usage(`${name} must be an integer from 1 to ${MAX_VERIFY_WORKERS}`);
  return n;
}

export function registerNodeStart(node: Command): void {
  jsonOption(
    node
      .command('start')
      .description('run a node: HTTP API, resolution with proofs, transaction ordering')
      .option('--dir <path>', 'data directory (default: $URBIS_DIR or ./.urbis)')
      .option('--port <n>', 'TCP port (0 = any free port)', intArg(0), 8080)
      .option('--host <addr>', 'address to listen on', '127.0.0.1')
      .option('--no-demo', 'do not load the demo data set on first start')
      .option('--no-init', 'refuse to start on an empty directory instead of creating a network')
      .option('--rate-limit <n>', 'requests per second per client (0 = unlimited)', intArg(0), 600)
      .option('--cors <origins>', "allowed CORS origins, comma-separated, or '*' (default '*'), or 'off'")
      .option('--events-max <n>', 'most open change-feed (/v1/events) connections in total', intArg(1), 2000)
      .option('--events-max-per-client <n>', 'most open change-feed connections per client address', intArg(1), 20)
      .option('--url-host <host>', 'host of the https label URLs (default id.urbis.city)')
      .option('--issuer-key <file>', 'key file (0600) the node makes codes with on /v1/ids/<id>/code.svg (or $URBIS_ISSUER_KEY_FILE)')
      .option('--public-url <url>', 'public base URL of code URLs (default https://<url-host>)')
      .option('--block-interval-ms <n>', 'block cutting interval for a new network', intArg(1))
      .option('--max-block-txs <n>', 'most transactions per block for a new network', intArg(1))
      .option(
        '--heartbeat-ms <n>',
        "single node: cut an empty block after this long without one (0 = off; default config.json's heartbeatMs, 30000); networks set it in the network file",
        intArg(0),
      )
      .option(
        '--verify-workers <n>',
        "worker threads checking the signatures of submitted transactions (or $URBIS_VERIFY_WORKERS; default config.json's verifyWorkers, else the cores less one, at least 1)",
        intArg(1),
      )
      .option('--log', "structured logs (pino JSON lines on stdout): every request with its request id, and the node's own messages")
      .option('--log-level <level>', 'with or without --log: trace, debug, info (default), warn, error, fatal')
      .option(
        '--network <file>',
        'join a multi-city network described by this file (docs/network.md); the validator key is <dir>/keys/validator.key or $URBIS_KEY_FILE',
      )
      .option('--snapshot-from <url>', 'with --network on an empty directory: start from a certified snapshot of this peer')
      .option('--publish-changes', 'with --network: publish every change on the NATS subjects urbis.<chain>.changes.<ns>.<kind> (docs/sharing.md)'),
  ).action(async (o: NodeStartOpts) => {
    const dir = resolveDir(o);
    const pass = passphraseFromEnv();
    const logger = loggerFor(o);
    const say = (line: string) => {
      if (logger) logger.info(line);
      else if (!o.json) process.stdout.write(`${line}\n`);
    };
    const cors = o.cors === undefined ? '*' : o.cors === 'off' ? false : o.cors === '*' ? '*' : o.cors.split(',').map((s) => s.trim());
    if (o.publishChanges && o.network === undefined) usage("--publish-changes needs --network: the changes go to the network's NATS servers");
    if (o.network !== undefined) {
      await runNetworkNode(o, dir, pass, cors);
      return;
    }
    const issuerFile = o.issuerKey ?? (process.env.URBIS_ISSUER_KEY_FILE || undefined);
    const issuer = issuerFile === undefined ? undefined : signerFromSeed((await loadSigningKey({ file: issuerFile })).seed);
    const workers = verifyWorkersSetting(o);
    const running = await startNode({
      dir,
      ...(workers === undefined ? {} : { verifyWorkers: workers }),
      ...(issuer ? { issuer } : {}),
      ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
      port: o.port,
      host: o.host,
      init: o.init,
      demo: o.demo,
      ...(pass === undefined ? {} : { passphrase: pass }),
      ...(o.blockIntervalMs === undefined ? {} : { blockIntervalMs: o.blockIntervalMs }),
      ...(o.maxBlockTxs === undefined ? {} : { maxBlockTxs: o.maxBlockTxs }),
      ...(o.heartbeatMs === undefined ? {} : { heartbeatMs: o.heartbeatMs }),
      server: serverOptions(o, cors, logger),
      log: say,
    });
    const head = running.runtime.store.head()!;
    const sample = running.runtime.store.search({ type: 'camera', limit: 1 }).items[0]?.id;
    if (o.json) {
      // One line, so that supervisors and tests can read the address as soon as it is printed.
      process.stdout.write(
        `${JSON.stringify({ url: running.url, dir, chainId: running.runtime.chainId, height: head.height, validator: running.dir.validator?.id ?? null })}\n`,
      );
    } else {
      say(`Urbis node for chain ${running.runtime.chainId} at height ${head.height}`);
      if (builtWebApp()) say(`  explorer: ${running.url}/   (verifies every answer in your browser)`);
      say(`  API:      ${running.url}/v1   (OpenAPI: ${running.url}/openapi.json)`);
      say(`  data:     ${dir}`);
      say('Try:');
      if (sample) {
        say(`  curl ${running.url}/v1/ids/${encodeURIComponent(sample)}`);
        // With the genesis file named, the first command a user copies verifies against the
        // network's own genesis, not against whatever the node supplies (no trust-on-first-use).
        const rel = relative(process.cwd(), paths(dir).genesis);
        const genesisPath = rel.startsWith('..') || isAbsolute(rel) ? paths(dir).genesis : rel;
        say(`  npx urbis id resolve '${sample}' --node ${running.url} --genesis ${genesisPath}`);
      }
      say(`  curl '${running.url}/v1/search?type=lamp&limit=3'`);
      say(`  curl -N ${running.url}/v1/events`);
      say('Stop with Ctrl-C.');
    }
    await new Promise<void>((resolveStop) => {
      const stop = (sig: string) => {
        say(`${sig}: stopping`);
        running.close().then(resolveStop, (e) => {
          process.stderr.write(`urbis: INTERNAL: shutdown failed: ${(e as Error).message}\n`);
          resolveStop();
        });
      };
      process.once('SIGINT', () => stop('SIGINT'));
      process.once('SIGTERM', () => stop('SIGTERM'));
    });
  });
}

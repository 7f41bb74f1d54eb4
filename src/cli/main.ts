/**
 * The `urbis` command line (docs/cli.md): builds the command tree and maps every outcome to one
 * exit code and, on failure, one line on stderr (`urbis: <CODE>: <message>`).
 */
import '../platform/node.js';
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { UrbisError } from '../core/errors.js';
import { EXIT, reportError, usage } from './failure.js';
import { registerInit } from './commands/init.js';
import { registerKeyNew } from './commands/key-new.js';
import { registerKeyShow } from './commands/key-show.js';
import { registerNsCreate } from './commands/ns-create.js';
import { registerNsUpdate } from './commands/ns-update.js';
import { registerNsLimits } from './commands/ns-limits.js';
import { registerNsSuspend } from './commands/ns-suspend.js';
import { registerNsReinstate } from './commands/ns-reinstate.js';
import { registerNsRecover } from './commands/ns-recover.js';
import { registerNsShow } from './commands/ns-show.js';
import { registerNsList } from './commands/ns-list.js';
import { registerIdRegister } from './commands/id-register.js';
import { registerIdAllocate } from './commands/id-allocate.js';
import { registerIdUpdate } from './commands/id-update.js';
import { registerIdTransfer } from './commands/id-transfer.js';
import { registerIdDeactivate } from './commands/id-deactivate.js';
import { registerIdRecover } from './commands/id-recover.js';
import { registerIdShow } from './commands/id-show.js';
import { registerIdHistory } from './commands/id-history.js';
import { registerIdResolve } from './commands/id-resolve.js';
import { registerImport } from './commands/import.js';
import { registerVerify } from './commands/verify.js';
import { registerBackup } from './commands/backup.js';
import { registerExport } from './commands/export.js';
import { registerStatus } from './commands/status.js';
import { registerGrant } from './commands/grant.js';
import { registerFetch } from './commands/fetch.js';
import { registerGateway } from './commands/gateway.js';
import { registerMqttBridge } from './commands/mqtt-bridge.js';
import { registerReceipts } from './commands/receipts.js';
import { registerCodeMake } from './commands/code-make.js';
import { registerCodeSheet } from './commands/code-sheet.js';
import { registerCodeVerify } from './commands/code-verify.js';
import { registerCodeRevoke } from './commands/code-revoke.js';
import { registerTrustExport } from './commands/trust-export.js';
import { registerTxSign } from './commands/tx-sign.js';
import { registerTxCombine } from './commands/tx-combine.js';
import { registerTxShow } from './commands/tx-show.js';
import { registerTxSubmit } from './commands/tx-submit.js';
import { registerWitness } from './commands/witness.js';

function version(): string {
  // The same module runs from src/ (tsx) and from dist/src/ (compiled).
  for (const rel of ['../../package.json', '../../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'urbis' && typeof pkg.version === 'string') return pkg.version;
    } catch {
      /* try the next location */
    }
  }
  return '0.0.0';
}

/**
 * Builds the command tree. Exported for tests and documentation tooling.
 *
 * @param withNode also load `node start`; its HTTP stack costs ~0.4 s to import, which every other
 *   command would otherwise pay at start-up.
 * @param withNetwork also load the `network` commands (NATS client) for the same reason.
 */
export async function buildProgram(withNode = true, withNetwork = true): Promise<Command> {
  const program = new Command('urbis');
  program
    .description('Urbis: blockchain-anchored hierarchical identifier registry for smart cities')
    .version(version(), '-V, --version')
    // Program options only before the command: `id resolve --version <n>` is the command's own.
    .enablePositionalOptions()
    .exitOverride()
    .showSuggestionAfterError(true)
    // Commander's own "error: ..." line is replaced by ours (one line, with a code).
    .configureOutput({ outputError: () => undefined });

  registerInit(program);
  const key = program.command('key').description('create and inspect signing keys');
  registerKeyNew(key);
  registerKeyShow(key);

  const ns = program.command('ns').description('namespaces: create, update, limit, suspend, recover, show, list');
  registerNsCreate(ns);
  registerNsUpdate(ns);
  registerNsLimits(ns);
  registerNsSuspend(ns);
  registerNsReinstate(ns);
  registerNsRecover(ns);
  registerNsShow(ns);
  registerNsList(ns);

  const id = program.command('id').description('identifiers: register, allocate, update, transfer, deactivate, recover, show, history, resolve');
  registerIdRegister(id);
  registerIdAllocate(id);
  registerIdUpdate(id);
  registerIdTransfer(id);
  registerIdDeactivate(id);
  registerIdRecover(id);
  registerIdShow(id);
  registerIdHistory(id);
  registerIdResolve(id);

  const code = program.command('code').description('signed codes (QR labels): make, sheet, verify, revoke');
  registerCodeMake(code);
  registerCodeSheet(code);
  registerCodeVerify(code);
  registerCodeRevoke(code);
  const trust = program.command('trust').description('trust bundles for offline verification: export');
  registerTrustExport(trust);
  const tx = program.command('tx').description('transaction files for multi-signature: build, sign, combine, show, submit (docs/cli.md "Multi-signature")');
  // `tx build <write command> --out F` runs the write command with --out (see main()); registered
  // here for its help text.
  tx.command('build')
    .description('build a transaction without submitting it: urbis tx build <write command …> --out FILE (same as the command with --out)')
    .argument('<command...>', 'a write command and its arguments, e.g. ns update 156.130100 --attr a=b')
    .allowUnknownOption()
    .action(() => usage('urbis tx build: give a write command and --out FILE, e.g. urbis tx build ns suspend 156.130100 --out tx.json'));
  registerTxSign(tx);
  registerTxCombine(tx);
  registerTxShow(tx);
  registerTxSubmit(tx);

  registerImport(program);
  registerVerify(program);
  registerBackup(program);
  registerExport(program);
  registerStatus(program);
  registerGrant(program);
  registerFetch(program);
  registerGateway(program);
  registerMqttBridge(program);
  registerReceipts(program);
  registerWitness(program);
  const node = program.command('node').description('run a city node (HTTP API): urbis node start --help');
  if (withNode) (await import('./commands/node-start.js')).registerNodeStart(node);
  const network = program.command('network').description('multi-city networks: genesis, a local test network (docs/network.md)');
  if (withNetwork) {
    (await import('./commands/network-genesis.js')).registerNetworkGenesis(network);
    (await import('./commands/network-local.js')).registerNetworkLocal(network);
  }
  return program;
}

/**
 * Runs the CLI.
 *
 * @param argv process.argv (node, script, args...).
 * @returns the exit code (docs/cli.md "Exit codes"); never throws.
 */
export async function main(argv: string[]): Promise<number> {
  const json = argv.slice(2).includes('--json');
  // `urbis tx build <command …> --out F` is `urbis <command …> --out F`: every write command can
  // write its transaction to a file instead of submitting it.
  const rest = argv.slice(2);
  if (rest[0] === 'tx' && rest[1] === 'build' && rest.length > 2 && rest[2] !== '--help' && rest[2] !== '-h') {
    if (!rest.includes('--out')) return reportError(new UrbisError('CLI_USAGE', 'urbis tx build needs --out FILE'), json);
    if (rest[2] === 'tx' || rest[2] === 'import') return reportError(new UrbisError('CLI_USAGE', `urbis tx build cannot build "${rest[2]}"`), json);
    argv = [argv[0]!, argv[1]!, ...rest.slice(2)];
  }
  let program: Command;
  try {
    program = await buildProgram(argv.slice(2).includes('node'), argv.slice(2).includes('network'));
  } catch (e) {
    return reportError(e, json);
  }
  try {
    await program.parseAsync(argv);
    return EXIT.OK;
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version') return EXIT.OK;
      // Help printed because a command group was given without a subcommand.
      if (e.code === 'commander.help' || e.code === 'commander.executeSubCommandAsync') return EXIT.USAGE;
      return reportError(new UrbisError('CLI_USAGE', e.message.replace(/^error:\s*/, ''), { commander: e.code }), json);
    }
    return reportError(e, json);
  }
}

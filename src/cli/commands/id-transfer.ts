/**
 * `urbis id transfer`: hands an identifier to new controllers (its current authority signs).
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { withTarget } from '../target.js';
import {
  controllerOptions,
  controllersFromOptions,
  emitTx,
  loadSigner,
  parseObjectIdArg,
  usage,
  writeOptions,
  type CommonOpts,
  type ControllerOpts,
} from '../util.js';

export function registerIdTransfer(id: Command): void {
  const cmd = id
    .command('transfer')
    .description('give an identifier new controllers (--controller ... --threshold n), or back to its namespace (--to-namespace)')
    .argument('<id>', 'identifier (text, DID or URL form)')
    .option('--to-namespace', 'remove its own controllers: the namespace controls it again');
  controllerOptions(cmd);
  writeOptions(cmd);
  cmd.action(async (idArg: string, o: CommonOpts & ControllerOpts & { toNamespace?: boolean }) => {
    const { id: ident } = parseObjectIdArg(idArg);
    const controllers = o.toNamespace ? null : (controllersFromOptions(o) ?? usage('--controller is required (or --to-namespace)'));
    const signer = await loadSigner(o);
    await withTarget(o, false, async (t) => {
      const out = await t.commit(signer, 'id.transfer', { id: ident.text, controllers });
      const who = controllers ? `${controllers.threshold} of ${controllers.keys.length} controller(s)` : 'its namespace';
      emitTx(o, `transferred ${ident.text} to ${who}`, out, { id: ident.text, controllers });
    });
  });
}

/**
 * `urbis id recover`: the namespace controllers re-key an identifier whose owner lost its keys.
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

export function registerIdRecover(id: Command): void {
  const cmd = id
    .command('recover')
    .description("replace an identifier's controllers (namespace controllers sign), or --to-namespace")
    .argument('<id>', 'identifier (text, DID or URL form)')
    .option('--to-namespace', 'remove its own controllers: the namespace controls it again');
  controllerOptions(cmd);
  writeOptions(cmd);
  cmd.action(async (idArg: string, o: CommonOpts & ControllerOpts & { toNamespace?: boolean }) => {
    const { id: ident } = parseObjectIdArg(idArg);
    const controllers = o.toNamespace ? null : (controllersFromOptions(o) ?? usage('--controller is required (or --to-namespace)'));
    const signer = await loadSigner(o);
    await withTarget(o, false, async (t) =>
      emitTx(o, `recovered ${ident.text}`, await t.commit(signer, 'id.recover', { id: ident.text, controllers }), { id: ident.text, controllers }),
    );
  });
}

/**
 * Shared body of `urbis id transfer` and `urbis id recover`: both replace an identifier's
 * controllers (or hand it back to its namespace); they differ in who signs, which the ledger checks.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { withTarget } from '../target.js';
import { controllerOptions, controllersFromOptions, type ControllerOpts } from '../record-options.js';
import { emitTx } from '../tx.js';
import { loadSigners } from '../local.js';
import { parseObjectIdArg } from '../args.js';
import { usage } from '../failure.js';
import { writeOptions, type CommonOpts } from '../options.js';

export interface ControllerChange {
  name: 'transfer' | 'recover';
  type: 'id.transfer' | 'id.recover';
  description: string;
  /** Past-tense verb for the human output. */
  done: string;
}

export function registerControllerChange(id: Command, c: ControllerChange): void {
  const cmd = id
    .command(c.name)
    .description(c.description)
    .argument('<id>', 'identifier (text, DID or URL form)')
    .option('--to-namespace', 'remove its own controllers: the namespace controls it again');
  controllerOptions(cmd);
  writeOptions(cmd);
  cmd.action(async (idArg: string, o: CommonOpts & ControllerOpts & { toNamespace?: boolean }) => {
    const { id: ident } = parseObjectIdArg(idArg);
    const controllers = o.toNamespace ? null : (controllersFromOptions(o) ?? usage('--controller is required (or --to-namespace)'));
    const signers = await loadSigners(o);
    await withTarget(o, false, async (t) => {
      const out = await t.commit(signers, c.type, { id: ident.text, controllers });
      const who = controllers ? `${controllers.threshold} of ${controllers.keys.length} controller(s)` : 'its namespace';
      emitTx(o, `${c.done} ${ident.text}: now controlled by ${who}`, out, { id: ident.text, controllers });
    });
  });
}

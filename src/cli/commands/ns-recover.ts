/**
 * `urbis ns recover`: replaces a namespace's controllers when they lost their keys (parent
 * authority).
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { withTarget } from '../target.js';
import { controllerOptions, controllersFromOptions, type ControllerOpts } from '../record-options.js';
import { emitTx } from '../tx.js';
import { loadSigners } from '../local.js';
import { parseNsArg } from '../args.js';
import { usage } from '../failure.js';
import { writeOptions, type CommonOpts } from '../options.js';

export function registerNsRecover(ns: Command): void {
  const cmd = ns.command('recover').description('replace the controllers of a namespace (parent authority)').argument('<ns>', 'namespace path');
  controllerOptions(cmd);
  writeOptions(cmd);
  cmd.action(async (nsArg: string, o: CommonOpts & ControllerOpts) => {
    const path = parseNsArg(nsArg);
    const controllers = controllersFromOptions(o) ?? usage('--controller is required');
    const signers = await loadSigners(o);
    await withTarget(o, false, async (t) =>
      emitTx(
        o,
        `recovered namespace ${path}: ${controllers.threshold} of ${controllers.keys.length} new controllers`,
        await t.commit(signers, 'ns.recover', { ns: path, controllers }),
        {
          ns: path,
          controllers,
        },
      ),
    );
  });
}

/**
 * `urbis ns reinstate`: lifts a suspension (parent authority).
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { withTarget } from '../target.js';
import { emitTx } from '../tx.js';
import { loadSigners } from '../local.js';
import { parseNsArg } from '../args.js';
import { writeOptions, type CommonOpts } from '../options.js';

export function registerNsReinstate(ns: Command): void {
  writeOptions(ns.command('reinstate').description('reinstate a suspended namespace (parent authority)').argument('<ns>', 'namespace path')).action(
    async (nsArg: string, o: CommonOpts) => {
      const path = parseNsArg(nsArg);
      const signers = await loadSigners(o);
      await withTarget(o, false, async (t) => emitTx(o, `reinstated namespace ${path}`, await t.commit(signers, 'ns.reinstate', { ns: path }), { ns: path }));
    },
  );
}

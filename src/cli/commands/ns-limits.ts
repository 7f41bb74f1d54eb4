/**
 * `urbis ns limits`: sets the limits a parent imposes on a namespace (quota, expiry). Signed by the
 * parent's controllers (the root authority for a top-level namespace).
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { UrbisError } from '../../core/errors.js';
import { withTarget } from '../target.js';
import { emitTx } from '../tx.js';
import { hasLimitFlags, limitOptions, limitsFromOptions, type LimitOpts } from '../record-options.js';
import { loadSigners } from '../local.js';
import { parseNsArg } from '../args.js';
import { usage } from '../failure.js';
import { writeOptions, type CommonOpts } from '../options.js';

export function registerNsLimits(ns: Command): void {
  const cmd = ns
    .command('limits')
    .description('set limits on a namespace (parent authority): --max-ids, --max-children, --expires')
    .argument('<ns>', 'namespace path');
  limitOptions(cmd);
  writeOptions(cmd);
  cmd.action(async (nsArg: string, o: CommonOpts & LimitOpts) => {
    const path = parseNsArg(nsArg);
    if (!hasLimitFlags(o)) usage('give at least one of --max-ids, --max-children, --expires');
    const signers = await loadSigners(o);
    await withTarget(o, false, async (t) => {
      const cur = await t.ns(path);
      if (!cur) throw new UrbisError('NS_NOT_FOUND', `namespace ${path} does not exist`, { ns: path });
      const limits = limitsFromOptions(o, cur.limits);
      const out = await t.commit(signers, 'ns.limits', { ns: path, limits });
      emitTx(o, `set limits of ${path}: ${JSON.stringify(limits)}`, out, { ns: path, limits });
    });
  });
}

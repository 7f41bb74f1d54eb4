/**
 * `urbis ns suspend`: freezes writes into a namespace and its descendants (parent authority).
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import type { Payloads } from '../../core/ledger/types.js';
import { withTarget } from '../target.js';
import { emitTx } from '../tx.js';
import { loadSigners } from '../local.js';
import { parseNsArg } from '../args.js';
import { writeOptions, type CommonOpts } from '../options.js';

export function registerNsSuspend(ns: Command): void {
  writeOptions(
    ns
      .command('suspend')
      .description('suspend a namespace (parent authority)')
      .argument('<ns>', 'namespace path')
      .option('--reason <text>', 'reason, kept in the transaction'),
  ).action(async (nsArg: string, o: CommonOpts & { reason?: string }) => {
    const path = parseNsArg(nsArg);
    const signers = await loadSigners(o);
    const payload: Payloads['ns.suspend'] = { ns: path };
    if (o.reason !== undefined) payload.reason = o.reason;
    await withTarget(o, false, async (t) => emitTx(o, `suspended namespace ${path}`, await t.commit(signers, 'ns.suspend', payload), { ns: path }));
  });
}

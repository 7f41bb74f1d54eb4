/**
 * `urbis ns update`: changes a namespace's policy, record or controllers (its own controllers sign).
 * Flags are applied to the current entry: only what is given changes.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { UrbisError } from '../../core/errors.js';
import type { Payloads } from '../../core/ledger/types.js';
import { withTarget } from '../target.js';
import {
  controllerOptions,
  controllersFromOptions,
  hasPolicyFlags,
  hasRecordFlags,
  policyFromOptions,
  policyOptions,
  recordFromOptions,
  recordOptions,
  type ControllerOpts,
  type PolicyOpts,
  type RecordOpts,
} from '../record-options.js';
import { emitTx } from '../tx.js';
import { given, writeOptions, type CommonOpts } from '../options.js';
import { loadSigners } from '../local.js';
import { parseNsArg } from '../args.js';
import { usage } from '../failure.js';

type Opts = CommonOpts & RecordOpts & ControllerOpts & PolicyOpts;

export function registerNsUpdate(ns: Command): void {
  const cmd = ns
    .command('update')
    .description('update a namespace: policy, record (attributes merged; list flags replace their list) or controllers')
    .argument('<ns>', 'namespace path');
  for (const add of [recordOptions, controllerOptions, policyOptions, writeOptions]) add(cmd);
  cmd.action(async (nsArg: string, o: Opts) => {
    const path = parseNsArg(nsArg);
    const signers = await loadSigners(o);
    await withTarget(o, false, async (t) => {
      const cur = await t.ns(path);
      if (!cur) throw new UrbisError('NS_NOT_FOUND', `namespace ${path} does not exist`, { ns: path });
      const payload: Payloads['ns.update'] = { ns: path };
      if (hasPolicyFlags(o)) payload.policy = policyFromOptions(o, cur.policy);
      if (hasRecordFlags(o)) payload.record = recordFromOptions(o, cur.record);
      if (given(o.controller) || o.threshold !== undefined) payload.controllers = controllersFromOptions(o, cur.controllers)!;
      if (Object.keys(payload).length === 1) usage('nothing to update: give policy, record or controller flags');
      const out = await t.commit(signers, 'ns.update', payload);
      emitTx(o, `updated namespace ${path}`, out, { ns: path });
    });
  });
}

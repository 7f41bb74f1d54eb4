/**
 * `urbis ns create`: creates a namespace (signed by the parent's controllers, or the root authority
 * for a top-level namespace).
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { nsIdText } from '../../core/ledger/names.js';
import type { Payloads, Policy } from '../../core/ledger/types.js';
import { withTarget } from '../target.js';
import {
  controllerOptions,
  controllersFromOptions,
  hasLimitFlags,
  limitOptions,
  limitsFromOptions,
  policyFromOptions,
  policyOptions,
  recordFromOptions,
  recordOptions,
  type ControllerOpts,
  type LimitOpts,
  type PolicyOpts,
  type RecordOpts,
} from '../record-options.js';
import { emitTx } from '../tx.js';
import { forms } from '../output.js';
import { loadSigners } from '../local.js';
import { usage } from '../failure.js';
import { parseNsArg } from '../args.js';
import { writeOptions, type CommonOpts } from '../options.js';

type Opts = CommonOpts & RecordOpts & ControllerOpts & PolicyOpts & LimitOpts;

/** Policy of a new namespace before flags: children and identifiers allowed, any type. */
const DEFAULT_POLICY: Policy = { children: { charset: 'alnum', minLength: 1, maxLength: 16 }, ids: { charset: 'alnum', minLength: 1, maxLength: 64 } };

/** Record type when --type is not given, by depth: country, city, then organisation. */
function defaultType(ns: string): string {
  const depth = ns.split('.').length;
  return depth === 1 ? 'country' : depth === 2 ? 'city' : 'organisation';
}

export function registerNsCreate(ns: Command): void {
  const cmd = ns
    .command('create')
    .description('create a namespace; controllers default to the signing key (threshold 1)')
    .argument('<ns>', 'namespace path, e.g. 156.130100');
  for (const add of [recordOptions, controllerOptions, policyOptions, limitOptions, writeOptions]) add(cmd);
  cmd.action(async (nsArg: string, o: Opts) => {
    const path = parseNsArg(nsArg);
    const signers = await loadSigners(o);
    const payload: Payloads['ns.create'] = {
      ns: path,
      controllers:
        controllersFromOptions(o, signers[0] ? { keys: [signers[0].id], threshold: 1 } : undefined) ??
        usage('an unsigned transaction (--out without --key) needs --controller for the new namespace'),
      policy: policyFromOptions(o, DEFAULT_POLICY),
      record: recordFromOptions({ ...o, type: o.type ?? defaultType(path) }),
    };
    if (hasLimitFlags(o)) payload.limits = limitsFromOptions(o, {});
    await withTarget(o, false, async (t) => {
      const out = await t.commit(signers, 'ns.create', payload);
      const f = forms(nsIdText(path));
      emitTx(o, `created namespace ${path}`, out, { ns: path, id: f.text, did: f.did }, [`identifier: ${f.text}`, `did:        ${f.did}`]);
    });
  });
}

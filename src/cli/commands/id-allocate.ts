/**
 * `urbis id allocate`: allocates a run of serial-numbered identifiers (`LAMP-000001`, ...) in one
 * transaction and prints the first and last one.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { UrbisError } from '../../core/errors.js';
import { objectIdText } from '../../core/ledger/names.js';
import { makeIdentifier } from '../../core/ids/index.js';
import type { Payloads } from '../../core/ledger/types.js';
import { withTarget, type Target } from '../target.js';
import { controllerOptions, controllersFromOptions, recordFromOptions, recordOptions, type ControllerOpts, type RecordOpts } from '../record-options.js';
import { emitTx } from '../tx.js';
import { intArg, parseNsArg } from '../args.js';
import { loadSigners } from '../local.js';
import { writeOptions, type CommonOpts } from '../options.js';

interface Opts extends CommonOpts, RecordOpts, ControllerOpts {
  prefix: string;
  count: number;
}

/** Local parts this transaction created, found between the serial counters before and after it. */
async function allocated(t: Target, ns: string, prefix: string, from: number, hash: string): Promise<{ first: string; last: string }> {
  const e = (await t.ns(ns))!;
  const width = e.policy.serialWidth ?? 6;
  const to = e.serials[prefix] ?? from;
  const local = (n: number) => prefix + String(n).padStart(width, '0');
  const path = ns.split('.');
  const mine = async (n: number) => (await t.id(makeIdentifier(path, local(n))))?.tx === hash;
  let a = from;
  while (a < to && !(await mine(a))) a++;
  let b = to - 1;
  while (b > a && !(await mine(b))) b--;
  return { first: objectIdText(ns, local(a)), last: objectIdText(ns, local(b)) };
}

export function registerIdAllocate(id: Command): void {
  const cmd = id
    .command('allocate')
    .description('allocate serial-numbered identifiers <prefix><serial> in a namespace')
    .argument('<ns>', 'namespace path')
    .requiredOption('--prefix <prefix>', 'prefix of the local parts, e.g. LAMP-')
    .requiredOption('--count <n>', 'how many identifiers', intArg(1));
  for (const add of [recordOptions, controllerOptions, writeOptions]) add(cmd);
  cmd.action(async (nsArg: string, o: Opts) => {
    const ns = parseNsArg(nsArg);
    const prefix = o.prefix.trim().toUpperCase();
    const payload: Payloads['id.allocate'] = { ns, prefix, count: o.count, record: recordFromOptions(o) };
    const controllers = controllersFromOptions(o);
    if (controllers) payload.controllers = controllers;
    const signers = await loadSigners(o);
    await withTarget(o, false, async (t) => {
      const before = await t.ns(ns);
      if (!before) throw new UrbisError('NS_NOT_FOUND', `namespace ${ns} does not exist`, { ns });
      const from = before.serials[prefix] ?? 1;
      const out = await t.commit(signers, 'id.allocate', payload);
      const { first, last } = await allocated(t, ns, prefix, from, out.hash);
      emitTx(o, `allocated ${o.count} identifiers in ${ns}`, out, { ns, count: o.count, first, last }, [`first: ${first}`, `last:  ${last}`]);
    });
  });
}

/**
 * `urbis id register`: registers one identifier (signed by a controller or registrar of its
 * namespace). The check character may be omitted here, since the identifier is being created.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { parseIdLenient } from '../../core/ledger/names.js';
import type { Payloads } from '../../core/ledger/types.js';
import { withTarget } from '../target.js';
import { controllerOptions, controllersFromOptions, recordFromOptions, recordOptions, type ControllerOpts, type RecordOpts } from '../record-options.js';
import { emitTx } from '../tx.js';
import { forms } from '../output.js';
import { loadSigners } from '../local.js';
import { usage } from '../failure.js';
import { writeOptions, type CommonOpts } from '../options.js';

export function registerIdRegister(id: Command): void {
  const cmd = id
    .command('register')
    .description('register an identifier; without --controller it is controlled by its namespace')
    .argument('<id>', 'identifier, e.g. 156.130100/LAMP-1 (check character optional)');
  for (const add of [recordOptions, controllerOptions, writeOptions]) add(cmd);
  cmd.action(async (idArg: string, o: CommonOpts & RecordOpts & ControllerOpts) => {
    const ident = parseIdLenient(idArg.trim());
    if (ident.local === null) usage(`${ident.text} names a namespace; use "urbis ns create"`);
    const payload: Payloads['id.register'] = { id: ident.text, record: recordFromOptions(o) };
    const controllers = controllersFromOptions(o);
    if (controllers) payload.controllers = controllers;
    const signers = await loadSigners(o);
    await withTarget(o, false, async (t) => {
      const out = await t.commit(signers, 'id.register', payload);
      const f = forms(ident.text);
      emitTx(o, `registered ${f.text}`, out, { id: f.text, did: f.did, url: f.url }, [`did: ${f.did}`, `url: ${f.url}`]);
    });
  });
}

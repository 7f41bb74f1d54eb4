/**
 * `urbis id update`: replaces an identifier's record. Without --merge the flags describe the whole
 * new record (--type required); with --merge they are applied to the current record, and the
 * transaction is bound to the current version so a concurrent change is not silently overwritten.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { UrbisError } from '../../core/errors.js';
import type { Payloads } from '../../core/ledger/types.js';
import { withTarget } from '../target.js';
import { emitTx } from '../tx.js';
import { loadSigners } from '../local.js';
import { parseObjectIdArg } from '../args.js';
import { recordFromOptions, recordOptions, type RecordOpts } from '../record-options.js';
import { usage } from '../failure.js';
import { writeOptions, type CommonOpts } from '../options.js';

export function registerIdUpdate(id: Command): void {
  const cmd = id
    .command('update')
    .description('replace the record of an identifier (--type required), or --merge flags into the current record')
    .argument('<id>', 'identifier (text, DID or URL form)')
    .option('--merge', 'start from the current record: attributes merged, list flags replace their list');
  recordOptions(cmd);
  writeOptions(cmd);
  cmd.action(async (idArg: string, o: CommonOpts & RecordOpts & { merge?: boolean }) => {
    const { id: ident } = parseObjectIdArg(idArg);
    if (!o.merge && o.type === undefined) usage('--type is required (or use --merge to change only what the flags give)');
    const signers = await loadSigners(o);
    await withTarget(o, false, async (t) => {
      const cur = await t.id(ident);
      if (!cur) throw new UrbisError('ID_NOT_FOUND', `identifier ${ident.text} does not exist`, { id: ident.text });
      const payload: Payloads['id.update'] = { id: ident.text, record: recordFromOptions(o, o.merge ? cur.record : undefined) };
      if (o.merge) payload.ifVersion = cur.version;
      const out = await t.commit(signers, 'id.update', payload);
      emitTx(o, `updated ${ident.text} (version ${cur.version + 1})`, out, { id: ident.text, version: cur.version + 1, record: payload.record });
    });
  });
}

/**
 * `urbis id deactivate`: retires an identifier for good (it is never reused).
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import type { Payloads } from '../../core/ledger/types.js';
import { withTarget } from '../target.js';
import { emitTx } from '../tx.js';
import { loadSigners } from '../local.js';
import { parseObjectIdArg } from '../args.js';
import { writeOptions, type CommonOpts } from '../options.js';

export function registerIdDeactivate(id: Command): void {
  writeOptions(
    id
      .command('deactivate')
      .description('deactivate an identifier (final)')
      .argument('<id>', 'identifier (text, DID or URL form)')
      .option('--reason <text>', 'reason, kept in the transaction'),
  ).action(async (idArg: string, o: CommonOpts & { reason?: string }) => {
    const { id: ident } = parseObjectIdArg(idArg);
    const payload: Payloads['id.deactivate'] = { id: ident.text };
    if (o.reason !== undefined) payload.reason = o.reason;
    const signers = await loadSigners(o);
    await withTarget(o, false, async (t) => emitTx(o, `deactivated ${ident.text}`, await t.commit(signers, 'id.deactivate', payload), { id: ident.text }));
  });
}

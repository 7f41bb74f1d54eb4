/**
 * `urbis code revoke <id> <serial>`: revokes one label serial on the ledger (`label.revoke`), signed
 * by an issuer key of the namespace or the identifier's own authority. The identifier stays active.
 *
 * Spec: docs/cli.md "Codes", docs/protocol.md "Label revocation".
 */
import type { Command } from 'commander';
import type { Payloads } from '../../core/ledger/types.js';
import { withTarget } from '../target.js';
import { emitTx } from '../tx.js';
import { loadSigners } from '../local.js';
import { intArg, parseObjectIdArg } from '../args.js';
import { writeOptions, type CommonOpts } from '../options.js';
import { usage } from '../failure.js';

export function registerCodeRevoke(code: Command): void {
  writeOptions(
    code
      .command('revoke')
      .description('revoke one label serial of an identifier (a lost or stolen label); the identifier stays active')
      .argument('<id>', 'identifier (text, DID or URL form)')
      .argument('<serial>', 'label serial 0..4294967295', intArg(0))
      .option('--reason <text>', 'reason, kept in the transaction'),
  ).action(async (idArg: string, serial: number, o: CommonOpts & { reason?: string }) => {
    if (serial > 0xffffffff) usage('the serial must be at most 4294967295');
    const { id: ident } = parseObjectIdArg(idArg);
    const payload: Payloads['label.revoke'] = { id: ident.text, serial };
    if (o.reason !== undefined) payload.reason = o.reason;
    const signers = await loadSigners(o);
    await withTarget(o, false, async (t) =>
      emitTx(o, `revoked label ${serial} of ${ident.text}`, await t.commit(signers, 'label.revoke', payload), { id: ident.text, serial }),
    );
  });
}

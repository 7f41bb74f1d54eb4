/**
 * `urbis tx sign <file> --key K [--key K2 …]`: adds signatures to a transaction file written by
 * `--out` / `urbis tx build` (docs/cli.md "Multi-signature"). The existing signatures are verified
 * first; the file is rewritten in place unless `--out` names another.
 */
import type { Command } from 'commander';
import { cosignTx } from '../../core/ledger/tx.js';
import { loadSigners } from '../local.js';
import { collect, given, jsonOption, type CommonOpts } from '../options.js';
import { emit, isoTime } from '../output.js';
import { usage } from '../failure.js';
import { readTxFile, writeTxFile } from '../txfile.js';

export function registerTxSign(tx: Command): void {
  jsonOption(
    tx
      .command('sign')
      .description('sign a transaction file with one or more keys (verifies the signatures already on it)')
      .argument('<file>', 'transaction file (from --out or urbis tx build)')
      .option('--key <file>', 'signing key file, repeatable (default: $URBIS_KEY_FILE, $URBIS_KEY)', collect)
      .option('--out <file>', 'write the signed transaction here instead of rewriting <file>'),
  ).action(async (file: string, o: CommonOpts) => {
    const t = readTxFile(file);
    if (!given(o.key) && !process.env.URBIS_KEY_FILE && !process.env.URBIS_KEY) usage('give --key FILE (repeatable), or set URBIS_KEY_FILE or URBIS_KEY');
    // --out here names the signed copy; loadSigners must not read it as "build without keys".
    const signers = await loadSigners({ ...o, out: undefined });
    const already = signers.filter((s) => t.signed.includes(s.id));
    if (already.length === signers.length) usage(`${file} is already signed by ${already.map((s) => s.id).join(', ')}`);
    if (t.tx.body.validUntil < Date.now()) usage(`${file} expired at ${isoTime(t.tx.body.validUntil)}: build it again`);
    const signed = cosignTx(t.tx, signers);
    const dest = o.out ?? file;
    writeTxFile(dest, signed, dest === file);
    const added = signers.filter((s) => !t.signed.includes(s.id)).map((s) => s.id);
    emit(o, { ok: true, file: dest, hash: t.hash, added, signedBy: signed.sigs.map((s) => s.key) }, () => [
      `signed ${t.tx.body.type} transaction ${t.hash}`,
      `added:     ${added.join(', ')}`,
      `signed by: ${signed.sigs.map((s) => s.key).join(', ')}`,
      `written to ${dest}`,
    ]);
  });
}

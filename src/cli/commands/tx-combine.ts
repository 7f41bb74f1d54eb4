/**
 * `urbis tx combine <file…> --out F`: merges the signatures of copies of one transaction signed on
 * different machines (docs/cli.md "Multi-signature"). Every copy must carry the same body (same
 * hash); every signature is verified.
 */
import type { Command } from 'commander';
import type { Tx } from '../../core/ledger/types.js';
import { usage } from '../failure.js';
import { jsonOption, type CommonOpts } from '../options.js';
import { emit } from '../output.js';
import { readTxFile, writeTxFile } from '../txfile.js';

export function registerTxCombine(tx: Command): void {
  jsonOption(
    tx
      .command('combine')
      .description('merge the signatures of several copies of one transaction into one file')
      .argument('<files...>', 'transaction files, each a copy of the same transaction')
      .requiredOption('--out <file>', 'file to write the combined transaction to'),
  ).action(async (files: string[], o: CommonOpts & { out: string }) => {
    if (files.length < 2) usage('give at least two transaction files to combine');
    const all = files.map(readTxFile);
    const first = all[0]!;
    for (const t of all.slice(1)) {
      if (t.hash !== first.hash) usage(`${t.file} is another transaction (${t.hash}) than ${first.file} (${first.hash})`);
    }
    const sigs = new Map<string, Tx['sigs'][number]>();
    for (const t of all) for (const s of t.tx.sigs) if (!sigs.has(s.key)) sigs.set(s.key, s);
    const combined: Tx = { body: first.tx.body, sigs: [...sigs.values()] };
    writeTxFile(o.out, combined, false);
    emit(o, { ok: true, file: o.out, hash: first.hash, signedBy: [...sigs.keys()] }, () => [
      `combined ${files.length} copies of ${first.tx.body.type} transaction ${first.hash}`,
      `signed by: ${[...sigs.keys()].join(', ') || 'nobody'}`,
      `written to ${o.out}`,
    ]);
  });
}

/**
 * `urbis tx submit <file>`: submits a signed transaction file to the data directory or a node
 * (`--node`) and waits for its block (docs/cli.md "Multi-signature").
 */
import type { Command } from 'commander';
import { withTarget } from '../target.js';
import { targetOptions, type CommonOpts } from '../options.js';
import { emitTx, rejected } from '../tx.js';
import { readTxFile } from '../txfile.js';

export function registerTxSubmit(tx: Command): void {
  targetOptions(
    tx
      .command('submit')
      .description('submit a signed transaction file and wait for its block (exit 4 if committed as invalid)')
      .argument('<file>', 'transaction file'),
  ).action(async (file: string, o: CommonOpts) => {
    const t = readTxFile(file);
    await withTarget(o, false, async (target) => {
      const out = await target.submitMany([t.tx])[0]!;
      if (out instanceof Error) throw out;
      if (!out.result.ok) throw rejected(out);
      emitTx(o, `${t.tx.body.type} transaction ${t.hash} committed`, out, { type: t.tx.body.type, signedBy: t.signed });
    });
  });
}

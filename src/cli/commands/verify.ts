/**
 * `urbis verify`: re-verifies the whole stored chain from genesis (hash links, certificates,
 * re-execution of every block) and names the first fault with its height.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { UrbisError, ERROR_CODES, type ErrorCode } from '../../core/errors.js';
import { quickCheck, verifyChain } from '../../engine/verify-chain.js';
import { CliFailure, EXIT } from '../failure.js';
import { dirOptions, localOnly, type CommonOpts } from '../options.js';
import { emit } from '../output.js';
import { withDir } from '../local.js';

export function registerVerify(program: Command): void {
  localOnly(
    dirOptions(
      program
        .command('verify')
        .description('re-verify the stored chain from genesis and every table derived from it; exit 5 at the first fault')
        .option('--quick', "the startup check only: the stored tree against the head's state root, the replay window against the recent blocks"),
    ),
    'verify',
  ).action(async (o: CommonOpts & { quick?: boolean }) => {
    await withDir(o, true, (d) => {
      const head = d.store.head()?.height ?? 0;
      const bar =
        process.stderr.isTTY && !o.json && !o.quick && head > 100
          ? new cliProgress.SingleBar({ stream: process.stderr, format: 'verify [{bar}] {value}/{total} blocks' }, cliProgress.Presets.shades_classic)
          : null;
      bar?.start(head + 1, 0);
      let r;
      try {
        r = o.quick ? quickCheck(d.store) : verifyChain(d.store, bar && !o.quick ? (h) => bar.update(h + 1) : undefined);
      } finally {
        bar?.stop();
      }
      if (!r.ok) {
        const code = (r.code in ERROR_CODES ? r.code : 'CHAIN_FAULT') as ErrorCode;
        const fault = { ok: false, height: r.height, code: r.code, message: r.message, ...(r.table ? { table: r.table, key: r.key } : {}) };
        if (o.json) emit(o, fault, () => []);
        const where = r.table ? { height: r.height, table: r.table, key: r.key } : { height: r.height };
        throw new CliFailure(new UrbisError(code, `${r.message} (first fault at height ${r.height})`, where), EXIT.VERIFY, Boolean(o.json));
      }
      emit(o, { ...r, quick: Boolean(o.quick) }, () => [
        o.quick
          ? `OK: startup check passed at height ${r.height}`
          : `OK: chain verified from genesis to height ${r.height}; entries, history, txs, seen, links and the Merkle tree match it`,
        `head:       ${r.headerHash}`,
        `state root: ${r.stateRoot}`,
      ]);
    });
  });
}

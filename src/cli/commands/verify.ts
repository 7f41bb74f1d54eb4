/**
 * `urbis verify`: re-verifies the whole stored chain from genesis (hash links, certificates,
 * re-execution of every block) and names the first fault with its height.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { UrbisError, ERROR_CODES, type ErrorCode } from '../../core/errors.js';
import { verifyChain } from '../../engine/verify-chain.js';
import { CliFailure, EXIT } from '../failure.js';
import { dirOptions, localOnly, type CommonOpts } from '../options.js';
import { emit } from '../output.js';
import { withDir } from '../local.js';

export function registerVerify(program: Command): void {
  localOnly(dirOptions(program.command('verify').description('re-verify the stored chain from genesis; exit 5 at the first fault')), 'verify').action(
    async (o: CommonOpts) => {
      await withDir(o, true, (d) => {
        const head = d.store.head()?.height ?? 0;
        const bar =
          process.stderr.isTTY && !o.json && head > 100
            ? new cliProgress.SingleBar({ stream: process.stderr, format: 'verify [{bar}] {value}/{total} blocks' }, cliProgress.Presets.shades_classic)
            : null;
        bar?.start(head + 1, 0);
        let r;
        try {
          r = verifyChain(d.store, bar ? (h) => bar.update(h + 1) : undefined);
        } finally {
          bar?.stop();
        }
        if (!r.ok) {
          const code = (r.code in ERROR_CODES ? r.code : 'CHAIN_FAULT') as ErrorCode;
          const fault = { ok: false, height: r.height, code: r.code, message: r.message };
          if (o.json) emit(o, fault, () => []);
          throw new CliFailure(new UrbisError(code, `${r.message} (first fault at height ${r.height})`, { height: r.height }), EXIT.VERIFY, Boolean(o.json));
        }
        emit(o, r, () => [`OK: chain verified from genesis to height ${r.height}`, `head:       ${r.headerHash}`, `state root: ${r.stateRoot}`]);
      });
    },
  );
}

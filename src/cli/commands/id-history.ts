/**
 * `urbis id history`: every version of an identifier, oldest first.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { UrbisError } from '../../core/errors.js';
import { withTarget } from '../target.js';
import { emit, isoTime } from '../output.js';
import { parseObjectIdArg } from '../args.js';
import { targetOptions, type CommonOpts } from '../options.js';

export function registerIdHistory(id: Command): void {
  targetOptions(id.command('history').description('list every version of an identifier').argument('<id>', 'identifier (text, DID or URL form)')).action(
    async (idArg: string, o: CommonOpts) => {
      const { id: ident } = parseObjectIdArg(idArg);
      await withTarget(o, true, async (t) => {
        const versions = await t.history(ident);
        if (versions.length === 0) throw new UrbisError('ID_NOT_FOUND', `identifier ${ident.text} is not registered`, { id: ident.text });
        emit(o, { id: ident.text, versions }, () => [
          `history of ${ident.text}:`,
          ...versions.map(
            (v) =>
              `  v${v.version}  block ${v.height}  ${isoTime(v.updated)}  ${v.status.padEnd(11)} ${v.record.type.padEnd(12)} ` +
              `${v.controllers ? `controllers ${v.controllers.threshold}/${v.controllers.keys.length}` : 'namespace-controlled'}  tx ${v.tx}`,
          ),
        ]);
      });
    },
  );
}

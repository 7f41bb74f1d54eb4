/**
 * `urbis id resolve`: resolves an identifier the way a reader does: the entry, its Merkle proof,
 * the block header and its certificate, verified against the trust anchor — the genesis validator
 * keys of the data directory, or with --node those of the genesis given (src/cli/target.ts) — not
 * against the word of the database or the node.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { UrbisError } from '../../core/errors.js';
import { withTarget } from '../target.js';
import { CliFailure, EXIT } from '../failure.js';
import { emit, forms } from '../output.js';
import { parseIdArg } from '../args.js';
import { targetOptions, type CommonOpts } from '../options.js';
import { describeId } from './id-show.js';

export function registerIdResolve(id: Command): void {
  targetOptions(
    id
      .command('resolve')
      .description('resolve an identifier with a Merkle proof and certificate, verified against genesis')
      .argument('<id>', 'identifier or namespace identifier (text, DID or URL form)'),
  ).action(async (idArg: string, o: CommonOpts) => {
    const ident = parseIdArg(idArg);
    await withTarget(o, true, async (t) => {
      const r = await t.resolve(ident);
      const v = r.verified;
      const how = `against block ${v.height} (state root ${v.stateRoot}), certified by ${v.signers} of ${v.validators} validators`;
      const doc = { id: ident.text, forms: forms(ident.text), present: v.present, entry: r.entry, verified: v, proof: r.proof, header: r.header, cert: r.cert };
      if (!v.present) {
        emit(o, doc, () => [`${ident.text}`, `verified: not registered (non-inclusion proof ${how})`]);
        const code = ident.local === null ? 'NS_NOT_FOUND' : 'ID_NOT_FOUND';
        throw new CliFailure(
          new UrbisError(code, `${ident.text} is not registered (verified by a non-inclusion proof at block ${v.height})`, { id: ident.text }),
          EXIT.NOT_FOUND,
          true,
        );
      }
      const entry = r.entry!;
      emit(o, doc, () => [
        ...(entry.kind === 'id'
          ? describeId(entry)
          : entry.kind === 'ns'
            ? [`namespace:   ${entry.ns}  (${entry.status})`, `identifier:  ${entry.id}`, `type:        ${entry.record.type}`]
            : []),
        `verified: inclusion proof ${how}`,
      ]);
    });
  });
}

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
import { intArg, parseIdArg } from '../args.js';
import { InvalidArgumentError } from 'commander';
import type { PastAsk } from '../target/types.js';
import { parsePastAt } from '../../core/api/past.js';
import { targetOptions, type CommonOpts } from '../options.js';
import { describeId } from './id-show.js';

export function registerIdResolve(id: Command): void {
  targetOptions(
    id
      .command('resolve')
      .description('resolve an identifier with a Merkle proof and certificate, verified against genesis')
      .argument('<id>', 'identifier or namespace identifier (text, DID or URL form)')
      .option('--at <height|time>', 'the state after that block, or at that RFC 3339 time (the last block at or before it)', atArg)
      .option('--version <n>', 'that version, proven at the block that wrote it', intArg(1)),
  ).action(async (idArg: string, o: CommonOpts & { at?: PastAsk; version?: number }) => {
    const ident = parseIdArg(idArg);
    if (o.at !== undefined && o.version !== undefined) throw new UrbisError('CLI_USAGE', 'give either --at or --version, not both');
    const ask: PastAsk | undefined = o.version !== undefined ? { version: o.version } : o.at;
    await withTarget(o, true, async (t) => {
      const r = ask === undefined ? await t.resolve(ident) : await t.resolvePast(ident, ask);
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

/** `--at`: a block height, or an RFC 3339 time with its zone. */
function atArg(v: string): PastAsk {
  const at = parsePastAt(v.trim());
  if (at === null) throw new InvalidArgumentError('must be a block height or an RFC 3339 time such as 2026-01-31T12:00:00Z');
  return at;
}

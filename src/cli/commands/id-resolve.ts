/**
 * `urbis id resolve`: resolves an identifier the way a reader does: the entry, its Merkle proof,
 * the block header and its certificate, verified against the genesis validator keys of the data
 * directory (the trust anchor), not against the local database's word.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { UrbisError, isUrbisError } from '../../core/errors.js';
import { verifyProvenEntry } from '../../core/ledger/verify.js';
import { CliFailure, EXIT, dirOptions, emit, forms, parseIdArg, withDir, type CommonOpts } from '../util.js';
import { describeId } from './id-show.js';

export function registerIdResolve(id: Command): void {
  dirOptions(
    id
      .command('resolve')
      .description('resolve an identifier with a Merkle proof and certificate, verified against genesis')
      .argument('<id>', 'identifier or namespace identifier (text, DID or URL form)'),
  ).action(async (idArg: string, o: CommonOpts) => {
    const ident = parseIdArg(idArg);
    const ns = ident.namespace.join('.');
    const key = ident.local === null ? `ns:${ns}` : `id:${ns}/${ident.local}`;
    await withDir(o, true, (d) => {
      const proven = d.ledger.prove(key);
      const g = d.genesis.body.payload;
      let v;
      try {
        v = verifyProvenEntry(proven, { chainId: g.chainId, validators: g.validators });
      } catch (e) {
        if (!isUrbisError(e)) throw e;
        throw new CliFailure(new UrbisError(e.code, `verification failed: ${e.message}`, e.details as Record<string, unknown> | undefined), EXIT.VERIFY);
      }
      const how = `against block ${v.height} (state root ${v.stateRoot}), certified by ${v.signers} of ${v.validators} validators`;
      const doc = { id: ident.text, forms: forms(ident.text), present: v.present, entry: proven.entry, verified: v, proof: proven.proof, header: proven.header, cert: proven.cert };
      if (!v.present) {
        emit(o, doc, () => [`${ident.text}`, `verified: not registered (non-inclusion proof ${how})`]);
        const code = ident.local === null ? 'NS_NOT_FOUND' : 'ID_NOT_FOUND';
        throw new CliFailure(new UrbisError(code, `${ident.text} is not registered (verified by a non-inclusion proof at block ${v.height})`, { id: ident.text }), EXIT.NOT_FOUND, true);
      }
      const entry = proven.entry!;
      emit(o, doc, () => [
        ...(entry.kind === 'id' ? describeId(entry) : entry.kind === 'ns' ? [`namespace:   ${entry.ns}  (${entry.status})`, `identifier:  ${entry.id}`, `type:        ${entry.record.type}`] : []),
        `verified: inclusion proof ${how}`,
      ]);
    });
  });
}

/**
 * `urbis id show`: the current entry of an identifier, with its text, DID and URL forms.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { UrbisError } from '../../core/errors.js';
import type { IdEntry } from '../../core/ledger/types.js';
import { withTarget } from '../target.js';
import { emit, forms, isoTime } from '../output.js';
import { parseObjectIdArg } from '../args.js';
import { targetOptions, type CommonOpts } from '../options.js';

/** Text lines describing an entry (shared with `id resolve`). */
export function describeId(e: IdEntry): string[] {
  const f = forms(e.id);
  const r = e.record;
  return [
    `identifier:  ${f.text}  (${e.status})`,
    `did:         ${f.did}`,
    `url:         ${f.url}`,
    `type:        ${r.type}`,
    ...(r.attributes ? [`attributes:  ${JSON.stringify(r.attributes)}`] : []),
    ...(r.links ?? []).map((l) => `link:        ${l.rel} ${l.target}`),
    ...(r.services ?? []).map((s) => `service:     ${s.id} ${s.type} ${s.serviceEndpoint}`),
    ...(r.privateRefs ?? []).map((p) => `private ref: ${p.name} ${p.hash}`),
    `controllers: ${e.controllers ? `${e.controllers.threshold} of ${e.controllers.keys.join(', ')}` : `namespace ${e.ns}`}`,
    `version:     ${e.version} (block ${e.height}, tx ${e.tx})`,
    `created:     ${isoTime(e.created)}   updated: ${isoTime(e.updated)}`,
  ];
}

export function registerIdShow(id: Command): void {
  targetOptions(
    id.command('show').description('show the current entry of an identifier').argument('<id>', 'identifier (text, DID or URL form; check character required)'),
  ).action(async (idArg: string, o: CommonOpts) => {
    const { id: ident } = parseObjectIdArg(idArg);
    await withTarget(o, true, async (t) => {
      const e = await t.id(ident);
      if (!e) throw new UrbisError('ID_NOT_FOUND', `identifier ${ident.text} is not registered`, { id: ident.text });
      emit(o, { entry: e, forms: forms(e.id) }, () => describeId(e));
    });
  });
}

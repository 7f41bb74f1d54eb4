/**
 * `urbis ns show`: a namespace entry and how much of its quotas it uses.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { UrbisError } from '../../core/errors.js';
import { withTarget } from '../target.js';
import { emit, forms, isoTime } from '../output.js';
import { parseNsArg } from '../args.js';
import { targetOptions, type CommonOpts } from '../options.js';

export function registerNsShow(ns: Command): void {
  targetOptions(ns.command('show').description('show a namespace: controllers, policy, limits, quota use').argument('<ns>', 'namespace path')).action(
    async (nsArg: string, o: CommonOpts) => {
      const path = parseNsArg(nsArg);
      await withTarget(o, true, async (t) => {
        const e = await t.ns(path);
        if (!e) throw new UrbisError('NS_NOT_FOUND', `namespace ${path} does not exist`, { ns: path });
        const f = forms(e.id);
        const quota = { ids: { used: e.ids, max: e.limits.maxIds ?? null }, children: { used: e.children, max: e.limits.maxChildren ?? null } };
        const of = (q: { used: number; max: number | null }) => (q.max === null ? `${q.used} (no limit)` : `${q.used} of ${q.max}`);
        emit(o, { entry: e, forms: f, quota }, () => [
          `namespace:   ${e.ns}  (${e.status})`,
          `identifier:  ${f.text}`,
          `did:         ${f.did}`,
          `type:        ${e.record.type}`,
          ...(e.record.attributes ? [`attributes:  ${JSON.stringify(e.record.attributes)}`] : []),
          `controllers: ${e.controllers.threshold} of ${e.controllers.keys.join(', ')}`,
          `policy:      ${JSON.stringify(e.policy)}`,
          `limits:      ${JSON.stringify(e.limits)}${e.limits.expiresAt !== undefined ? ` (expires ${isoTime(e.limits.expiresAt)})` : ''}`,
          `identifiers: ${of(quota.ids)}`,
          `children:    ${of(quota.children)}`,
          `version:     ${e.version} (block ${e.height}, updated ${isoTime(e.updated)})`,
        ]);
      });
    },
  );
}

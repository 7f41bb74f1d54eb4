/**
 * `urbis ns list`: direct child namespaces (top-level ones without an argument), paged.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { UrbisError } from '../../core/errors.js';
import { withTarget } from '../target.js';
import { emit } from '../output.js';
import { intArg, parseNsArg } from '../args.js';
import { targetOptions, type CommonOpts } from '../options.js';

interface Opts extends CommonOpts {
  limit: number;
  cursor?: string;
}

export function registerNsList(ns: Command): void {
  targetOptions(
    ns
      .command('list')
      .description('list the child namespaces of <ns> (top-level namespaces without it)')
      .argument('[ns]', 'parent namespace path')
      .option('--limit <n>', 'page size (1..1000)', intArg(1), 100)
      .option('--cursor <cursor>', 'continue after the page that returned this cursor'),
  ).action(async (nsArg: string | undefined, o: Opts) => {
    const parent = nsArg === undefined ? null : parseNsArg(nsArg);
    await withTarget(o, true, async (t) => {
      if (parent !== null && !(await t.ns(parent))) throw new UrbisError('NS_NOT_FOUND', `namespace ${parent} does not exist`, { ns: parent });
      const page = await t.children(parent, o.cursor ?? null, Math.min(o.limit, 1000));
      emit(
        o,
        {
          parent,
          items: page.items.map((e) => ({ ns: e.ns, id: e.id, type: e.record.type, status: e.status, children: e.children, ids: e.ids })),
          next: page.next,
        },
        () => [
          ...(page.items.length === 0
            ? ['(no namespaces)']
            : page.items.map(
                (e) => `${e.ns.padEnd(24)} ${e.id.padEnd(28)} ${e.record.type.padEnd(14)} ${e.status.padEnd(10)} ${e.children} children, ${e.ids} ids`,
              )),
          ...(page.next ? [`more: --cursor ${page.next}`] : []),
        ],
      );
    });
  });
}

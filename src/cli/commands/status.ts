/**
 * `urbis status`: a summary of the data directory's chain.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import type { OpenDir } from '../../engine/data-dir.js';
import { dirOptions, emit, isoTime, withDir, type CommonOpts } from '../util.js';

/** Namespaces walked at most for the totals; beyond that the totals are left out (not cheap). */
const MAX_WALK = 10_000;

/** Counts namespaces and identifiers by walking the namespace tree through its counters. */
function totals(d: OpenDir): { namespaces: number; ids: number } | null {
  let namespaces = 0;
  let ids = 0;
  const queue: (string | null)[] = [null];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    let cursor: string | null = null;
    do {
      const page = d.store.children(parent, cursor, 500);
      for (const e of page.items) {
        if (++namespaces > MAX_WALK) return null;
        ids += e.ids;
        if (e.children > 0) queue.push(e.ns);
      }
      cursor = page.next;
    } while (cursor);
  }
  return { namespaces, ids };
}

export function registerStatus(program: Command): void {
  dirOptions(program.command('status').description('chain id, height, head, state root, validators, totals')).action(async (o: CommonOpts) => {
    await withDir(o, true, (d) => {
      const head = d.store.head()!;
      const chain = d.ledger.chain();
      const t = totals(d);
      const doc = {
        dir: d.dir,
        chainId: chain.chainId,
        height: head.height,
        headHash: head.headerHash,
        stateRoot: head.header.stateRoot,
        time: head.header.time,
        validators: chain.validators,
        root: chain.root,
        ...(t ?? {}),
      };
      emit(o, doc, () => [
        `chain:       ${chain.chainId}`,
        `height:      ${head.height}`,
        `head:        ${head.headerHash}`,
        `state root:  ${head.header.stateRoot}`,
        `last block:  ${isoTime(head.header.time)}`,
        `validators:  ${chain.validators.length}: ${chain.validators.join(', ')}`,
        `root:        ${chain.root.threshold} of ${chain.root.keys.join(', ')}`,
        ...(t ? [`namespaces:  ${t.namespaces}`, `identifiers: ${t.ids}`] : []),
      ]);
    });
  });
}

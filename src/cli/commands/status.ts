/**
 * `urbis status`: a summary of the chain, from the data directory or (--node) a running node.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { REMOTE_MAX_WALK, withTarget, type Target } from '../target.js';
import { emit, isoTime } from '../output.js';
import { targetOptions, type CommonOpts } from '../options.js';

/** Namespaces walked at most for the totals; beyond that the totals are left out (not cheap). */
const MAX_WALK = 10_000;

/** Counts namespaces and identifiers by walking the namespace tree through its counters. */
async function totals(t: Target): Promise<{ namespaces: number; ids: number } | null> {
  const max = t.kind === 'local' ? MAX_WALK : REMOTE_MAX_WALK;
  let namespaces = 0;
  let ids = 0;
  const queue: (string | null)[] = [null];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    let cursor: string | null = null;
    do {
      const page = await t.children(parent, cursor, 500);
      for (const e of page.items) {
        if (++namespaces > max) return null;
        ids += e.ids;
        if (e.children > 0) queue.push(e.ns);
      }
      cursor = page.next;
    } while (cursor);
  }
  return { namespaces, ids };
}

export function registerStatus(program: Command): void {
  targetOptions(program.command('status').description('chain id, height, head, state root, validators, totals')).action(async (o: CommonOpts) => {
    await withTarget(o, true, async (t) => {
      const s = await t.status();
      const n = await totals(t);
      const doc = {
        ...(t.kind === 'local' ? { dir: t.location } : {}),
        chainId: s.chainId,
        height: s.height,
        headHash: s.headHash,
        stateRoot: s.stateRoot,
        time: s.time,
        validators: s.validators,
        root: s.root,
        ...(n ?? {}),
      };
      emit(o, doc, () => [
        ...(o.via ? [`node:        ${String(o.via.node)} (trust: ${String(o.via.trust)})`] : []),
        `chain:       ${s.chainId}`,
        `height:      ${s.height}`,
        `head:        ${s.headHash}`,
        `state root:  ${s.stateRoot}`,
        `last block:  ${isoTime(s.time)}`,
        `validators:  ${s.validators.length}: ${s.validators.join(', ')}`,
        s.root ? `root:        ${s.root.threshold} of ${s.root.keys.join(', ')}` : 'root:        (not served by the node API)',
        ...(n ? [`namespaces:  ${n.namespaces}`, `identifiers: ${n.ids}`] : []),
      ]);
    });
  });
}

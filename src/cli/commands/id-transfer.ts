/**
 * `urbis id transfer`: hands an identifier to new controllers (its current authority signs).
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { registerControllerChange } from './id-controllers.js';

export function registerIdTransfer(id: Command): void {
  registerControllerChange(id, {
    name: 'transfer',
    type: 'id.transfer',
    description: 'give an identifier new controllers (--controller ... --threshold n), or back to its namespace (--to-namespace)',
    done: 'transferred',
  });
}

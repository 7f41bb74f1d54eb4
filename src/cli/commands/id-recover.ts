/**
 * `urbis id recover`: the namespace controllers re-key an identifier whose owner lost its keys.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { registerControllerChange } from './id-controllers.js';

export function registerIdRecover(id: Command): void {
  registerControllerChange(id, {
    name: 'recover',
    type: 'id.recover',
    description: "replace an identifier's controllers (namespace controllers sign), or --to-namespace",
    done: 'recovered',
  });
}

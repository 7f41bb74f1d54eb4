/**
 * The SDK client of commands that decide on access (gateway, receipts verify): it trusts only the
 * genesis given with --genesis or URBIS_GENESIS, never the node's own (no trust on first use).
 */
import { readFileSync } from 'node:fs';
import { UrbisError } from '../core/errors.js';
import type { UrbisClient } from '../client/client.js';
import { usage } from './failure.js';

/** @throws UrbisError CLI_USAGE without a node URL or genesis file, or when the file cannot be read. */
export async function anchoredClient(o: { node?: string; genesis?: string }, what: string): Promise<{ client: UrbisClient; node: string }> {
  const node = (o.node ?? process.env.URBIS_NODE)?.replace(/\/+$/, '');
  if (!node || !/^https?:\/\//.test(node)) usage(`${what} needs --node URL (or URBIS_NODE)`);
  const file = o.genesis ?? process.env.URBIS_GENESIS;
  if (!file) usage(`${what} needs --genesis FILE (or URBIS_GENESIS): the network genesis that answers are verified against`);
  let genesis: unknown;
  try {
    genesis = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UrbisError('CLI_USAGE', `cannot read the genesis file ${file}`, { path: file }, { cause: e });
  }
  const { UrbisClient } = await import('../client/client.js');
  return { client: new UrbisClient({ url: node, anchor: UrbisClient.anchorFromGenesis(genesis), retry: { retries: 2 } }), node };
}

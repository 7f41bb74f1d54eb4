/**
 * Where a CLI command reads and writes (docs/cli.md "Working through a node"): the local data
 * directory, or a running node reached through the client SDK (`--node <url>` or URBIS_NODE,
 * docs/sdk.md). Commands are written once against {@link Target}; only this file knows the
 * difference.
 *
 * Trust through a node: the node's answers are attacker-controlled. Every read is verified by the SDK
 * against a trust anchor (chain id + validator keys) taken from a genesis the user supplies
 * (`--genesis`, URBIS_GENESIS, `<dir>/genesis.json`). Without one, the anchor comes from the node's
 * own block 0, which proves only that the node agrees with itself (trust on first use); the CLI says
 * so on stderr and in `--json` (`trust: "node-supplied genesis"`). Transactions are always built and
 * signed here; the node only carries them.
 */
import { usage } from './failure.js';
import { withDir } from './local.js';
import { type CommonOpts } from './options.js';
import { openNode, nodeUrl } from './target/connect.js';
import { LocalTarget } from './target/local.js';
import type { Target } from './target/types.js';

export type { ChainStatus, Resolved, Target } from './target/types.js';
export { REMOTE_MAX_WALK } from './target/node.js';
export { nodeUrl } from './target/connect.js';

/**
 * Runs `fn` on the target the options name: a node (`--node` or URBIS_NODE) or the data directory
 * (opened and closed as by `withDir`, so the local path is unchanged). Through a node, `o.via` is
 * set so that --json documents name the node and the trust source.
 *
 * @throws UrbisError CLI_USAGE for a bad --node URL or --genesis without a node; as `withDir` or
 *   the connection ({@link openNode}).
 */
export async function withTarget<T>(o: CommonOpts, readOnly: boolean, fn: (t: Target) => Promise<T> | T): Promise<T> {
  const url = nodeUrl(o);
  if (url === undefined) {
    if (o.genesis !== undefined) usage('--genesis applies only with --node (or URBIS_NODE)');
    return withDir(o, readOnly, (d) => fn(new LocalTarget(d)));
  }
  const { target, via } = await openNode(url, o);
  o.via = via;
  return fn(target);
}

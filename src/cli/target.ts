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
import { TxWritten, buildTarget } from './target/build.js';
import { emit, isoTime } from './output.js';
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
  // --out: the command builds its transaction and writes it to a file instead (target/build.ts).
  const run = o.out === undefined || readOnly ? fn : (t: Target) => writeInstead(o, o.out!, t, fn);
  if (url === undefined) {
    if (o.genesis !== undefined) usage('--genesis applies only with --node (or URBIS_NODE)');
    // Building only reads: the directory is opened read-only, so a running node may hold it.
    return withDir(o, readOnly || o.out !== undefined, (d) => run(new LocalTarget(d)));
  }
  const { target, via } = await openNode(url, o);
  o.via = via;
  return run(target);
}

/**
 * Runs a write command against a target whose commit writes the transaction file; resolves to
 * undefined (write commands ignore the result of withTarget) once the file is written.
 */
async function writeInstead<T>(o: CommonOpts, file: string, t: Target, fn: (t: Target) => Promise<T> | T): Promise<T> {
  try {
    await fn(buildTarget(t, file));
  } catch (e) {
    if (!(e instanceof TxWritten)) throw e;
    const { tx, hash } = e;
    emit(
      o,
      { ok: true, file, hash, type: tx.body.type, chain: tx.body.chain, validUntil: isoTime(tx.body.validUntil), signedBy: tx.sigs.map((s) => s.key) },
      () => [
        `wrote ${tx.body.type} transaction ${hash} to ${file}`,
        `signed by:   ${tx.sigs.length ? tx.sigs.map((s) => s.key).join(', ') : 'nobody yet'}`,
        `valid until: ${isoTime(tx.body.validUntil)}`,
        `next: urbis tx sign ${file} --key FILE (each co-signer), urbis tx show ${file}, urbis tx submit ${file}`,
      ],
    );
    return undefined as T;
  }
  usage('--out: this command wrote no transaction');
}

/**
 * Reaching a node from the CLI: its URL (`--node`, URBIS_NODE), the trust anchor (a genesis file the
 * user supplies, or the node's own block 0 on first use), and the first check of the node's latest
 * certified header against that anchor.
 */
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve as resolvePath } from 'node:path';
import { UrbisError, isUrbisError } from '../../core/errors.js';
import { validatorsHash } from '../../core/ledger/block.js';
import { type BlockHeader } from '../../core/ledger/types.js';
import { paths } from '../../node/data-dir.js';
import type { UrbisClient } from '../../client/client.js';
import { fileTrustStore } from '../../platform/trust-file.js';
import { parseDuration } from '../args.js';
import { CliFailure, EXIT, usage } from '../failure.js';
import { resolveDir } from '../local.js';
import { type CommonOpts } from '../options.js';
import { NodeTarget, connectError } from './node.js';

/** The node URL from --node or URBIS_NODE, or undefined for the local data directory. */
export function nodeUrl(o: CommonOpts): string | undefined {
  const raw = o.node ?? (process.env.URBIS_NODE || undefined);
  if (raw === undefined) return undefined;
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    usage(`--node expects an http(s) URL, got "${raw}"`);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') usage(`--node expects an http(s) URL, got "${raw}"`);
  return u.href.replace(/\/+$/, '');
}

/**
 * Where the CLI keeps the trust state of each chain it read through a node (docs/cli.md "Freshness"):
 * `$URBIS_TRUST_DIR`, else `$XDG_STATE_HOME/urbis/trust`, else `~/.local/state/urbis/trust`.
 */
export function trustDir(): string {
  if (process.env.URBIS_TRUST_DIR) return resolvePath(process.env.URBIS_TRUST_DIR);
  const state = process.env.XDG_STATE_HOME ? resolvePath(process.env.XDG_STATE_HOME) : join(homedir(), '.local', 'state');
  return join(state, 'urbis', 'trust');
}

/** The SDK's client options for freshness: `--max-age` (0 = any age; default the SDK's 5 min) and the persisted trust state. */
function freshness(o: CommonOpts): { maxAgeMs?: number | null; trustStore: ReturnType<typeof fileTrustStore> } {
  const ms = o.maxAge === undefined ? undefined : parseDuration(o.maxAge);
  return { ...(ms === undefined ? {} : { maxAgeMs: ms === 0 ? null : ms }), trustStore: fileTrustStore(trustDir()) };
}

/** Where the trust anchor comes from: a genesis file, or (null) the node itself. */
export function genesisFile(o: CommonOpts): { file: string; from: string } | null {
  if (o.genesis !== undefined) return { file: resolvePath(o.genesis), from: '--genesis' };
  if (process.env.URBIS_GENESIS) return { file: resolvePath(process.env.URBIS_GENESIS), from: 'URBIS_GENESIS' };
  const local = paths(resolveDir(o)).genesis;
  return existsSync(local) ? { file: local, from: 'the data directory' } : null;
}

export function readGenesisFile(file: string, from: string): unknown {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new UrbisError('CLI_USAGE', `cannot read the genesis file ${file} (${from})`, { path: file }, { cause: e });
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new UrbisError('TX_GENESIS_INVALID', `${file} (${from}) is not JSON`, { path: file }, { cause: e });
  }
}

/**
 * Connects to a node: builds the trust anchor, then checks the node's latest certified header
 * against it, following validator-set changes (`syncAnchor`) when the header says the set moved or
 * its certificate does not verify under the anchor's set.
 *
 * @throws CliFailure exit 5 when the node's answers do not verify against the anchor;
 *   UrbisError TX_GENESIS_INVALID, CLI_USAGE (genesis file), CLIENT_* (node unreachable).
 */
export async function openNode(url: string, o: CommonOpts): Promise<{ target: NodeTarget; via: Record<string, unknown> }> {
  // Loaded on demand: local commands do not pay for the SDK.
  const { UrbisClient } = await import('../../client/client.js');
  const src = genesisFile(o);
  let genesis: unknown;
  let client: UrbisClient;
  let via: Record<string, unknown>;
  let trusted: string;
  if (src) {
    genesis = readGenesisFile(src.file, src.from);
    client = new UrbisClient({ url, anchor: UrbisClient.anchorFromGenesis(genesis), ...freshness(o) });
    via = { node: url, trust: 'genesis file', genesisFile: src.file };
    trusted = `the genesis in ${src.file} (${src.from})`;
  } else {
    const { Http } = await import('../../client/http.js');
    const http = new Http({
      url,
      fetch: globalThis.fetch.bind(globalThis),
      timeoutMs: 10_000,
      retry: { retries: 3, baseDelayMs: 200, maxDelayMs: 2000 },
      maxBodyBytes: 32 * 1024 * 1024,
    });
    const block0 = await http.json('GET', '/v1/blocks/0').catch((e: unknown) => {
      throw connectError(e, url, 'its own block 0');
    });
    const txs = typeof block0 === 'object' && block0 !== null ? (block0 as { txs?: unknown }).txs : undefined;
    genesis = Array.isArray(txs) ? (txs[0] as unknown) : undefined;
    try {
      client = new UrbisClient({ url, anchor: UrbisClient.anchorFromGenesis(genesis), ...freshness(o) });
      // Only self-consistency: block 0 certified by the validators it names, its tx root covering them.
      client.verifier.verifyBlock(block0, 0);
    } catch (e) {
      const err = isUrbisError(e) ? e : new UrbisError('INTERNAL', String(e));
      throw new CliFailure(
        new UrbisError(
          err.code,
          `verification failed: block 0 of ${url} is not a consistent genesis block: ${err.message}`,
          err.details as Record<string, unknown> | undefined,
        ),
        EXIT.VERIFY,
      );
    }
    via = { node: url, trust: 'node-supplied genesis' };
    trusted = `the genesis supplied by ${url}`;
    process.stderr.write(
      `warning: no genesis file (--genesis, URBIS_GENESIS, <dir>/genesis.json): trusting the genesis supplied by ${url} itself (trust on first use). ` +
        `Answers are checked against it, which proves the node consistent, not honest; pass --genesis FILE obtained from a source you trust.\n`,
    );
  }
  try {
    let head: { header: BlockHeader; headerHash: string } | null = null;
    try {
      head = await client.checkpoint();
    } catch (e) {
      // Possibly certified by a validator set that replaced the anchor's: follow the changes below.
      if (!isUrbisError(e) || e.code !== 'CERT_INVALID') throw e;
    }
    if (head === null || head.header.nextValidators !== validatorsHash(client.anchor.validators)) {
      await client.syncAnchor();
      head = await client.checkpoint();
    }
    return { target: new NodeTarget(client, genesis, head), via };
  } catch (e) {
    throw connectError(e, url, trusted);
  }
}

/**
 * Options shared by the commands: --json, --dir, --node, --genesis, --key, and local-only commands.
 *
 * Secrets never come from flags: a key is a file path (`--key`) or comes from the environment.
 */
import { Option, type Command } from 'commander';

import type { OutputOpts } from './output.js';
import { usage } from './failure.js';

/** Options every command has. */
export interface CommonOpts extends OutputOpts {
  json?: boolean;
  dir?: string;
  /** `--key <file>`, repeatable: every key signs (multi-signature thresholds). */
  key?: string[];
  /** `--out <file>`: write the transaction to a file instead of submitting it (offline signing). */
  out?: string;
  /** `--node <url>`: go through a running node (src/cli/target.ts). */
  node?: string;
  /** `--genesis <file>`: the trust anchor when going through a node. */
  genesis?: string;
  /** `--max-age <duration>`: oldest current-state answer accepted from a node (0: any age). */
  maxAge?: string;
  /** Set by `withTarget` when going through a node: `{ node, trust, … }`, added to --json documents. */
  via?: Record<string, unknown>;
}

// No default value: commander would print "(default: [])" in every help text.
export const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

/** True when a repeatable flag was given at least once. */
export function given(a: string[] | undefined): a is string[] {
  return a !== undefined && a.length > 0;
}

/** `--json`. */
export function jsonOption(cmd: Command): Command {
  return cmd.option('--json', 'machine-readable output (one JSON document on stdout)');
}

/** `--dir` and `--json`. */
export function dirOptions(cmd: Command): Command {
  return jsonOption(cmd.option('--dir <path>', 'data directory (default: $URBIS_DIR or ./.urbis)'));
}

/** `--dir`, `--json`, `--node` and `--genesis`: commands that can also go through a running node. */
export function targetOptions(cmd: Command): Command {
  dirOptions(cmd)
    .option('--node <url>', 'go through a running node instead of the data directory (default: $URBIS_NODE)')
    .option('--genesis <file>', "with --node: genesis.json to verify answers against (default: $URBIS_GENESIS, else <dir>/genesis.json, else the node's own)");
  // `code verify` has its own --max-age (the age of the data a verdict rests on), used for the node too.
  if (cmd.options.some((x) => x.long === '--max-age')) return cmd;
  return cmd.option(
    '--max-age <duration>',
    'with --node: refuse answers about the current state whose certified block is older than this: 30s, 15m, 12h, 7d; 0 = any age (default 5m)',
  );
}

/** `--dir`, `--json`, `--node`, `--genesis`, `--key` (repeatable) and `--out`. */
export function writeOptions(cmd: Command): Command {
  targetOptions(cmd).option(
    '--key <file>',
    'signing key file, repeatable: each key signs, for m-of-n controllers (default: $URBIS_KEY_FILE, $URBIS_KEY, else <dir>/keys/root.key)',
    collect,
  );
  // A command that signs but submits no transaction (code make, code sheet) has its own --out.
  if (cmd.options.some((x) => x.long === '--out')) return cmd;
  return cmd.option('--out <file>', 'write the transaction to FILE instead of submitting it, signed by the --key files given (none: unsigned); see urbis tx');
}

/**
 * Marks a command as working on local files only (init, key, verify): a hidden `--node` is
 * accepted only to be refused with a message that says why. URBIS_NODE is ignored by these.
 */
export function localOnly(cmd: Command, what: string): Command {
  return cmd.addOption(new Option('--node <url>').hideHelp()).hook('preAction', (_c, action) => {
    if (action.opts().node !== undefined) usage(`"urbis ${what}" works on local files only; it cannot go through a node (--node)`);
  });
}

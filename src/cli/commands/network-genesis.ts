/**
 * `urbis network genesis`: writes the genesis transaction of a multi-city network (docs/network.md
 * "Genesis"): its chain id, the validators' keys and the root authority.
 */
import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { ed25519PublicKey, generateSeed } from '../../core/crypto/index.js';
import { publicKeyToMultikey, toBase64url } from '../../core/encoding/index.js';
import { writeFileAtomic } from '../../node/data-dir.js';
import { readKeyFile } from '../../keys/keyfile.js';
import { buildGenesis } from '../../network/genesis.js';
import { txHash } from '../../core/ledger/tx.js';
import { emit } from '../output.js';
import { jsonOption, type CommonOpts } from '../options.js';
import { passphraseFromEnv } from '../local.js';
import { usage } from '../failure.js';

interface Opts extends CommonOpts {
  validators: string;
  rootKey?: string[];
  root?: string[];
  rootThreshold?: number;
  out: string;
  chainId?: string;
  time?: number;
  force?: boolean;
}

const collect = (v: string, prev: string[] | undefined): string[] => [...(prev ?? []), v];

export function registerNetworkGenesis(network: Command): void {
  jsonOption(
    network
      .command('genesis')
      .description('write the genesis transaction of a multi-city network')
      .requiredOption('--validators <keys>', 'validator Multikeys, comma-separated (see "urbis key show")')
      .option('--root-key <file>', 'key file of a root-authority key (repeatable); only its public key is used', collect)
      .option('--root <multikey>', 'public Multikey of a root-authority key (repeatable)', collect)
      .option('--root-threshold <m>', 'root signatures required (default 1)', (v) => Number(v))
      .option('--chain-id <id>', 'chain id (default urbis-net-<random>)')
      .option('--time <ms>', 'genesis time, ms since the epoch (default now)', (v) => Number(v))
      .option('--force', 'overwrite --out')
      .requiredOption('--out <file>', 'where to write genesis.json'),
  ).action(async (o: Opts) => {
    if (existsSync(o.out) && !o.force) usage(`${o.out} exists; pass --force to overwrite it`);
    const validators = o.validators
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
    const root: string[] = [...(o.root ?? [])];
    const pass = passphraseFromEnv();
    for (const f of o.rootKey ?? []) {
      const k = await readKeyFile(f, pass === undefined ? {} : { passphrase: pass });
      root.push(publicKeyToMultikey(ed25519PublicKey(k.seed)));
      k.seed.fill(0);
    }
    if (root.length === 0) usage('give the root authority with --root-key <file> or --root <multikey>');
    const threshold = o.rootThreshold ?? 1;
    if (!Number.isInteger(threshold)) usage('--root-threshold must be an integer');
    const time = o.time ?? Date.now();
    if (!Number.isSafeInteger(time) || time < 0) usage('--time must be ms since the epoch');
    const chainId =
      o.chainId ??
      `urbis-net-${toBase64url(generateSeed())
        .slice(0, 8)
        .toLowerCase()
        .replace(/[^a-z0-9]/g, '0')}`;
    const genesis = buildGenesis({ chainId, validators, root: { keys: [...new Set(root)], threshold }, time });
    writeFileAtomic(o.out, `${JSON.stringify(genesis, null, 2)}\n`);
    emit(o, { file: o.out, chainId, validators: genesis.body.payload.validators, root: genesis.body.payload.root, genesisHash: txHash(genesis.body) }, () => [
      `wrote ${o.out}: chain ${chainId}, ${validators.length} validators, root ${threshold}-of-${root.length}`,
    ]);
  });
}

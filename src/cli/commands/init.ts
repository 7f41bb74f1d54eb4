/**
 * `urbis init`: creates a single-node network in a data directory (docs/cli.md "init").
 */
import type { Command } from 'commander';
import { initDataDir } from '../../node/data-dir.js';
import { emit } from '../output.js';
import { jsonOption, localOnly, type CommonOpts } from '../options.js';
import { passphraseFromEnv, resolveDir } from '../local.js';
import { usage } from '../failure.js';

interface Opts extends CommonOpts {
  chainId?: string;
  encrypt?: boolean;
}

export function registerInit(program: Command): void {
  localOnly(
    jsonOption(
      program
        .command('init')
        .description('create a data directory: validator key, root-authority key (1-of-1), genesis block')
        .option('--dir <path>', 'data directory (default: $URBIS_DIR or ./.urbis)')
        .option('--chain-id <id>', 'chain id, [a-z0-9][a-z0-9-]* (default: urbis-local-<random>)')
        .option('--encrypt', 'encrypt both keys with the passphrase from $URBIS_KEY_PASSPHRASE(_FILE)'),
    ),
    'init',
  ).action(async (o: Opts) => {
    const dir = resolveDir(o);
    let passphrase: string | undefined;
    if (o.encrypt) {
      passphrase = passphraseFromEnv();
      if (passphrase === undefined) usage('--encrypt needs a passphrase in URBIS_KEY_PASSPHRASE or URBIS_KEY_PASSPHRASE_FILE');
    }
    if (o.chainId !== undefined && !/^[a-z0-9][a-z0-9-]{0,62}$/.test(o.chainId)) usage('--chain-id must match [a-z0-9][a-z0-9-]{0,62}');
    const r = await initDataDir(dir, {
      ...(o.chainId === undefined ? {} : { chainId: o.chainId }),
      ...(passphrase === undefined ? {} : { passphrase }),
    });
    const d = JSON.stringify(dir);
    emit(o, { dir, chainId: r.chainId, validator: r.validator, root: r.root, genesisHash: r.genesisHash, encrypted: Boolean(o.encrypt) }, () => [
      `initialised ${dir}`,
      `chain id:      ${r.chainId}`,
      `validator key: ${r.validator}  (keys/validator.key)`,
      `root key:      ${r.root}  (keys/root.key)`,
      `genesis hash:  ${r.genesisHash}`,
      '',
      'Next steps (commands sign with keys/root.key unless --key or URBIS_KEY_FILE is given):',
      `  urbis ns create 156 --type country --dir ${d}`,
      `  urbis ns create 156.130100 --type city --dir ${d}`,
      `  urbis id register 156.130100/LAMP-1 --type lamp --dir ${d}`,
      'Move keys/root.key off this machine for any real deployment.',
    ]);
  });
}

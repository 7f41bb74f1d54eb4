/**
 * `urbis key new`: generates an Ed25519 key file (mode 0600, never overwritten).
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { generateSeed, ed25519PublicKey } from '../../core/crypto/index.js';
import { publicKeyToMultikey } from '../../core/encoding/index.js';
import { writeKeyFile } from '../../keys/keyfile.js';
import { emit } from '../output.js';
import { jsonOption, localOnly, type CommonOpts } from '../options.js';
import { passphraseFromEnv } from '../local.js';
import { usage } from '../failure.js';

interface Opts extends CommonOpts {
  out: string;
  encrypt?: boolean;
}

export function registerKeyNew(key: Command): void {
  localOnly(
    jsonOption(
      key
        .command('new')
        .description('generate a signing key file (mode 0600; an existing file is never overwritten)')
        .requiredOption('--out <file>', 'where to write the key file')
        .option('--encrypt', 'encrypt with the passphrase from $URBIS_KEY_PASSPHRASE(_FILE)'),
    ),
    'key new',
  ).action(async (o: Opts) => {
    let passphrase: string | undefined;
    if (o.encrypt) {
      passphrase = passphraseFromEnv();
      if (passphrase === undefined) usage('--encrypt needs a passphrase in URBIS_KEY_PASSPHRASE or URBIS_KEY_PASSPHRASE_FILE');
    }
    const seed = generateSeed();
    await writeKeyFile(o.out, seed, passphrase === undefined ? {} : { passphrase });
    const multikey = publicKeyToMultikey(ed25519PublicKey(seed));
    seed.fill(0);
    emit(o, { file: o.out, publicKey: multikey, did: `did:key:${multikey}`, encrypted: Boolean(o.encrypt) }, () => [
      `wrote ${o.out}${o.encrypt ? ' (encrypted)' : ''}`,
      `public key: ${multikey}`,
      `did:        did:key:${multikey}`,
    ]);
  });
}

/**
 * `urbis key show`: the public key (Multikey, did:key) of the signing key in use. A key file's
 * public key is stored in clear, so no passphrase is needed.
 *
 * Spec: docs/cli.md.
 */
import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { publicKeyToMultikey } from '../../core/encoding/index.js';
import { paths } from '../../node/data-dir.js';
import { loadSigningKey, readPublicKeyFromFile } from '../../keys/keyfile.js';
import { dirOptions, localOnly, type CommonOpts } from '../options.js';
import { emit } from '../output.js';
import { resolveDir } from '../local.js';

export function registerKeyShow(key: Command): void {
  localOnly(
    dirOptions(
      key
        .command('show')
        .description('show the public key of a key file (default: $URBIS_KEY_FILE, $URBIS_KEY, else <dir>/keys/root.key)')
        .option('--key <file>', 'key file'),
    ),
    'key show',
  ).action(async (o: Omit<CommonOpts, 'key'> & { key?: string }) => {
    let file = o.key ?? (process.env.URBIS_KEY_FILE || undefined);
    if (file === undefined && !process.env.URBIS_KEY && existsSync(paths(resolveDir({ ...o, key: undefined })).rootKey))
      file = paths(resolveDir({ ...o, key: undefined })).rootKey;
    const pub = file !== undefined ? await readPublicKeyFromFile(file) : (await loadSigningKey({})).publicKey;
    const multikey = publicKeyToMultikey(pub);
    const source = file ?? 'URBIS_KEY';
    emit(o, { source, publicKey: multikey, did: `did:key:${multikey}` }, () => [
      `key:        ${source}`,
      `public key: ${multikey}`,
      `did:        did:key:${multikey}`,
    ]);
  });
}

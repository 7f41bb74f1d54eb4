/**
 * Key files read inside the browser: the same format as the CLI's (src/keys/keyfile-format.ts),
 * decrypted here with scrypt (@noble/hashes) and AES-256-GCM (WebCrypto). The file and its
 * passphrase never leave the page: nothing here touches the network.
 */
import { scryptAsync } from '@noble/hashes/scrypt.js';
import { fail } from '../../../src/core/errors.js';
import { bytesEqual, concatBytes, fromBase64url } from '../../../src/core/encoding/bytes.js';
import { signerFromSeed, type Signer } from '../../../src/core/ledger/tx.js';
import { aad, invalid, MAX_FILE_SIZE, parseKeyFile } from '../../../src/keys/keyfile-format.js';

/** True when the key file is encrypted (a passphrase is needed). @throws UrbisError KEYFILE_INVALID. */
export function isEncrypted(text: string): boolean {
  return parseKeyFile(text).encrypted !== undefined;
}

/**
 * The signer of a key file's text.
 * @throws UrbisError KEYFILE_INVALID (malformed, too large, public key not matching the seed),
 *   KEYFILE_PASSPHRASE (missing or wrong passphrase, or encrypted files without WebCrypto).
 */
export async function signerFromKeyFile(text: string, passphrase?: string): Promise<Signer> {
  if (text.length > MAX_FILE_SIZE) invalid('This file is too large to be a key file.');
  const doc = parseKeyFile(text);
  let seed: Uint8Array;
  if (doc.seed !== undefined) {
    seed = fromBase64url(doc.seed);
  } else {
    const e = doc.encrypted!;
    if (!passphrase) fail('KEYFILE_PASSPHRASE', 'This key file is encrypted: type its passphrase.');
    const subtle = (globalThis.crypto as Crypto | undefined)?.subtle;
    if (!subtle) fail('KEYFILE_PASSPHRASE', 'Encrypted key files can be opened only on a secure page (https or localhost), where the browser offers AES-GCM.');
    const key = await scryptAsync(passphrase.normalize('NFC'), fromBase64url(e.salt), {
      N: e.N,
      r: e.r,
      p: e.p,
      dkLen: 32,
      maxmem: 2 * 128 * e.N * e.r + 1024 * 1024,
    });
    try {
      const k = await subtle.importKey('raw', key as BufferSource, { name: 'AES-GCM' }, false, ['decrypt']);
      const plain = await subtle.decrypt(
        { name: 'AES-GCM', iv: fromBase64url(e.iv) as BufferSource, additionalData: aad(doc.publicKey) as BufferSource, tagLength: 128 },
        k,
        concatBytes(fromBase64url(e.ciphertext), fromBase64url(e.tag)) as BufferSource,
      );
      seed = new Uint8Array(plain);
    } catch {
      return fail('KEYFILE_PASSPHRASE', 'The passphrase is wrong, or the key file was altered.');
    } finally {
      key.fill(0);
    }
  }
  // The signer keeps the seed (in this page's memory only) for as long as the key stays loaded.
  const signer = signerFromSeed(seed);
  if (!bytesEqual(signer.publicKey, doc.publicKeyBytes)) invalid('The key file publicKey does not match its secret key.');
  return signer;
}

// Key files (docs/protocol.md (Encoding) §5): mode 0600 and O_EXCL on creation, permission check
// on read, scrypt + AES-256-GCM encryption with the public key bound as AAD, environment loading.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import '../../src/platform/node.js';
import { decodeKeyFile, encodeKeyFile, loadSigningKey, readKeyFile, readPublicKeyFromFile, writeKeyFile } from '../../src/keys/keyfile.js';
import { ed25519PublicKey } from '../../src/core/crypto/index.js';
import { fromHex, toBase64url, toHex } from '../../src/core/encoding/bytes.js';
import { publicKeyToMultikey } from '../../src/core/encoding/multikey.js';
import type { ErrorCode } from '../../src/core/errors.js';

// RFC 8032 TEST 1 and TEST 2 keys
const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
const pub = fromHex('d75a980182b10ab7d54bfed3c964073a0ee172f3daa62325af021a68f707511a');
const otherSeed = fromHex('4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb');

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'urbis-keys-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function code(p: Promise<unknown>): Promise<ErrorCode | 'ok'> {
  try {
    await p;
    return 'ok';
  } catch (e) {
    return (e as { code: ErrorCode }).code;
  }
}

describe('plain key files', () => {
  it('writes mode 0600 in a new 0700 directory, reads back', async () => {
    const path = join(dir, 'new', 'sub', 'k.json');
    await writeKeyFile(path, seed);
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'new', 'sub'))).mode & 0o777).toBe(0o700);
    const doc = JSON.parse(await readFile(path, 'utf8'));
    expect(doc).toEqual({ type: 'urbis-ed25519-key', version: 1, publicKey: publicKeyToMultikey(pub), seed: toBase64url(seed) });
    const k = await readKeyFile(path);
    expect(toHex(k.seed)).toBe(toHex(seed));
    expect(toHex(k.publicKey)).toBe(toHex(pub));
    expect(toHex(await readPublicKeyFromFile(path))).toBe(toHex(pub));
  });

  it('never overwrites', async () => {
    const path = join(dir, 'once.json');
    await writeKeyFile(path, seed);
    expect(await code(writeKeyFile(path, otherSeed))).toBe('KEYFILE_EXISTS');
    expect(toHex((await readKeyFile(path)).seed)).toBe(toHex(seed));
    const other = join(dir, 'not-a-key.txt');
    await writeFile(other, 'hello');
    expect(await code(writeKeyFile(other, seed))).toBe('KEYFILE_EXISTS');
    expect(await readFile(other, 'utf8')).toBe('hello');
  });

  it('refuses group/other access unless allowed', async () => {
    const path = join(dir, 'open.json');
    await writeKeyFile(path, seed);
    for (const mode of [0o644, 0o640, 0o604, 0o601, 0o660]) {
      await chmod(path, mode);
      expect(await code(readKeyFile(path))).toBe('KEYFILE_PERMISSIONS');
    }
    await chmod(path, 0o644);
    expect(toHex((await readKeyFile(path, { allowInsecure: true })).seed)).toBe(toHex(seed));
    // the public key needs no secrecy
    expect(toHex(await readPublicKeyFromFile(path))).toBe(toHex(pub));
    await chmod(path, 0o400);
    expect(await code(readKeyFile(path))).toBe('ok');
  });

  it('refuses a public key that does not match the seed', async () => {
    const text = (await encodeKeyFile(seed)).replace(publicKeyToMultikey(pub), publicKeyToMultikey(ed25519PublicKey(otherSeed)));
    expect(await code(decodeKeyFile(text))).toBe('KEYFILE_INVALID');
  });

  it('refuses malformed files', async () => {
    const good = JSON.parse(await encodeKeyFile(seed));
    const bad: unknown[] = [
      'not json',
      '[]',
      { ...good, type: 'other' },
      { ...good, version: 2 },
      { ...good, publicKey: 'z6Mkxx' },
      { ...good, seed: toBase64url(seed.subarray(1)) },
      { ...good, seed: toBase64url(seed) + '=' },
      { ...good, extra: 1 },
      { type: good.type, version: 1, publicKey: good.publicKey },
    ];
    for (const b of bad) expect(await code(decodeKeyFile(typeof b === 'string' ? b : JSON.stringify(b)))).toBe('KEYFILE_INVALID');
    expect(await code(readKeyFile(join(dir, 'missing.json')))).toBe('KEYFILE_INVALID');
    expect(await code(readKeyFile(dir, { allowInsecure: true }))).toBe('KEYFILE_INVALID');
    expect(await code(writeKeyFile(join(dir, 'short.json'), seed.subarray(1)))).toBe('CRYPTO_KEY_INVALID');
  });
});

describe('encrypted key files', () => {
  const passphrase = 'correct horse battery staple';
  let text: string;
  beforeAll(async () => {
    text = await encodeKeyFile(seed, { passphrase });
  });

  it('decrypts with the passphrase and shows the public key without it', async () => {
    const doc = JSON.parse(text);
    expect(doc.seed).toBeUndefined();
    expect(doc.publicKey).toBe(publicKeyToMultikey(pub));
    expect(doc.encrypted).toMatchObject({ kdf: 'scrypt', N: 32768, r: 8, p: 1, cipher: 'aes-256-gcm' });
    expect(text).not.toContain(toBase64url(seed));
    const k = await decodeKeyFile(text, { passphrase });
    expect(toHex(k.seed)).toBe(toHex(seed));
    const path = join(dir, 'enc.json');
    await writeKeyFile(path, seed, { passphrase });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(toHex(await readPublicKeyFromFile(path))).toBe(toHex(pub));
    expect(toHex((await readKeyFile(path, { passphrase })).seed)).toBe(toHex(seed));
  });

  it('missing or wrong passphrase → KEYFILE_PASSPHRASE', async () => {
    expect(await code(decodeKeyFile(text))).toBe('KEYFILE_PASSPHRASE');
    expect(await code(decodeKeyFile(text, { passphrase: '' }))).toBe('KEYFILE_PASSPHRASE');
    expect(await code(decodeKeyFile(text, { passphrase: 'wrong' }))).toBe('KEYFILE_PASSPHRASE');
    expect(await code(encodeKeyFile(seed, { passphrase: '' }))).toBe('KEYFILE_PASSPHRASE');
  });

  it('tampering is detected', async () => {
    const doc = JSON.parse(text);
    const flip = (s: string) => {
      const b = Buffer.from(s, 'base64url');
      b[0]! ^= 1;
      return b.toString('base64url');
    };
    const tampered = [
      { ...doc, encrypted: { ...doc.encrypted, ciphertext: flip(doc.encrypted.ciphertext) } },
      { ...doc, encrypted: { ...doc.encrypted, tag: flip(doc.encrypted.tag) } },
      { ...doc, encrypted: { ...doc.encrypted, iv: flip(doc.encrypted.iv) } },
      { ...doc, encrypted: { ...doc.encrypted, salt: flip(doc.encrypted.salt) } },
      // the clear public key is bound as GCM additional data
      { ...doc, publicKey: publicKeyToMultikey(ed25519PublicKey(otherSeed)) },
    ];
    for (const t of tampered) expect(await code(decodeKeyFile(JSON.stringify(t), { passphrase }))).toBe('KEYFILE_PASSPHRASE');
    // parameters outside the allowed range are refused before any work
    const greedy = { ...doc, encrypted: { ...doc.encrypted, N: 2 ** 22 } };
    expect(await code(decodeKeyFile(JSON.stringify(greedy), { passphrase }))).toBe('KEYFILE_INVALID');
    const notPow2 = { ...doc, encrypted: { ...doc.encrypted, N: 30000 } };
    expect(await code(decodeKeyFile(JSON.stringify(notPow2), { passphrase }))).toBe('KEYFILE_INVALID');
  });
});

describe('loadSigningKey', () => {
  it('from a file, plain or with a passphrase from the environment or a passphrase file', async () => {
    const plain = join(dir, 'load-plain.json');
    await writeKeyFile(plain, seed);
    expect(toHex((await loadSigningKey({ file: plain, env: {} })).publicKey)).toBe(toHex(pub));
    expect(toHex((await loadSigningKey({ env: { URBIS_KEY_FILE: plain } })).publicKey)).toBe(toHex(pub));

    const enc = join(dir, 'load-enc.json');
    await writeKeyFile(enc, otherSeed, { passphrase: 'pw' });
    const otherPub = toHex(ed25519PublicKey(otherSeed));
    expect(await code(loadSigningKey({ file: enc, env: {} }))).toBe('KEYFILE_PASSPHRASE');
    expect(toHex((await loadSigningKey({ file: enc, env: { URBIS_KEY_PASSPHRASE: 'pw' } })).publicKey)).toBe(otherPub);
    const pwFile = join(dir, 'pw.txt');
    await writeFile(pwFile, 'pw\n', { mode: 0o600 });
    expect(toHex((await loadSigningKey({ file: enc, env: { URBIS_KEY_PASSPHRASE_FILE: pwFile } })).publicKey)).toBe(otherPub);
    // the passphrase file wins over the variable
    expect(toHex((await loadSigningKey({ file: enc, env: { URBIS_KEY_PASSPHRASE_FILE: pwFile, URBIS_KEY_PASSPHRASE: 'nope' } })).publicKey)).toBe(otherPub);
    expect(await code(loadSigningKey({ file: enc, env: { URBIS_KEY_PASSPHRASE_FILE: join(dir, 'nope') } }))).toBe('KEYFILE_PASSPHRASE');
    // an explicit file wins over URBIS_KEY
    expect(toHex((await loadSigningKey({ file: plain, env: { URBIS_KEY: toBase64url(otherSeed) } })).publicKey)).toBe(toHex(pub));
  });

  it('from URBIS_KEY', async () => {
    const k = await loadSigningKey({ env: { URBIS_KEY: toBase64url(seed) } });
    expect(toHex(k.seed)).toBe(toHex(seed));
    expect(toHex(k.publicKey)).toBe(toHex(pub));
    expect(await code(loadSigningKey({ env: { URBIS_KEY: toBase64url(seed.subarray(2)) } }))).toBe('CRYPTO_KEY_INVALID');
    expect(await code(loadSigningKey({ env: { URBIS_KEY: 'not base64!' } }))).toBe('CRYPTO_KEY_INVALID');
  });

  it('no key configured', async () => {
    expect(await code(loadSigningKey({ env: {} }))).toBe('CLI_USAGE');
    expect(await code(loadSigningKey({ env: { URBIS_KEY: '' } }))).toBe('CLI_USAGE');
  });

  it('error messages never contain the secret', async () => {
    const secret = toBase64url(seed).slice(0, 40);
    try {
      await loadSigningKey({ env: { URBIS_KEY: secret } });
    } catch (e) {
      expect(JSON.stringify(e) + String(e)).not.toContain(secret);
    }
  });
});

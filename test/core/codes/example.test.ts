// docs/codes.md §12: the worked example, rebuilt byte for byte (issuer key: RFC 8032 §7.1 TEST 1).
import { describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import QRCode from 'qrcode';
import '../../../src/platform/node.js';
import { issuerKid, makeCode, recordDigest, verifyCode } from '../../../src/core/codes/index.js';
import { fromHex, publicKeyToMultikey, toHex } from '../../../src/core/encoding/index.js';
import { ed25519PublicKey } from '../../../src/core/crypto/index.js';
import { objectIdText } from '../../../src/core/ledger/names.js';

const doc = readFileSync(new URL('../../../docs/codes.md', import.meta.url), 'utf8');

describe('docs/codes.md worked example', () => {
  const seed = fromHex('9d61b19deffd5a60ba844af492ec2cc44449c5697b326919703bac031cae7f60');
  const pub = ed25519PublicKey(seed);
  const id = objectIdText('156.130100.42', 'LAMP-000017');
  const record = { type: 'lamp', attributes: { kind: 'led', power: 60 } };
  const made = makeCode({ id, serial: 17, issuedAt: 1_780_000_000, chain: 'urbis-demo', digest: recordDigest(record, ['kind']), fields: ['kind'] }, seed, pub);

  it('matches the document', async () => {
    expect(doc).toContain(id);
    expect(doc).toContain(publicKeyToMultikey(pub));
    expect(doc).toContain(toHex(issuerKid(pub)));
    expect(doc).toContain(toHex(recordDigest(record, ['kind'])));
    expect(doc).toContain(made.text);
    const sig = toHex(made.bytes.slice(-64));
    expect(doc).toContain(sig.slice(0, 64));
    expect(doc).toContain(sig.slice(64));
    expect(made.bytes.length).toBe(178);
    expect(made.text.length).toBe(271);
    expect(QRCode.create(made.text, { errorCorrectionLevel: 'M' }).version).toBe(10);
    const v = await verifyCode(
      made.text,
      () => ({
        source: 'ledger',
        chainId: 'urbis-demo',
        asOf: 1_780_000_000_000,
        issuers: { ns: '156.130100.42', active: [publicKeyToMultikey(pub)], retired: [] },
        identifier: { status: 'active', record, version: 1 },
      }),
      {
        now: 1_780_000_001_000,
        maxAgeMs: 60_000,
      },
    );
    expect(v.verdict).toBe('VALID');
  });
});

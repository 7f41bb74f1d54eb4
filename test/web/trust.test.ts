// The web app's trust anchor (pinned on first use) and its Ed25519 engine (WebCrypto checks that can
// only confirm what the core would accept). Node's WebCrypto stands in for the browser's here; the
// browser tests run the same code in chromium, in a secure and in a non-secure context.
import { DEFAULT_MAX_AGE_MS } from '../../src/client/trust-state.js';
import { describe, expect, it } from 'vitest';
import { BrowserEd25519, certificatesIn } from '../../web/src/lib/accel.js';
import {
  anchorOfGenesis,
  forgetAnchor,
  loadAnchor,
  pinAnchor,
  readMaxAge,
  writeMaxAge,
  MAX_AGE_KEY,
  STORAGE_KEY,
  type KeyValueStore,
} from '../../web/src/lib/anchor.js';
import { signerFromKeyFile, isEncrypted } from '../../web/src/lib/keyfile.js';
import { encodeKeyFile } from '../../src/keys/keyfile.js';
import { ed25519PublicKey, ed25519Verify, getCryptoProvider, setCryptoProvider, generateSeed } from '../../src/core/crypto/index.js';
import { headerSigningInput, signHeader } from '../../src/core/ledger/block.js';
import { fromBase64url, toBase64url, publicKeyToMultikey } from '../../src/core/encoding/index.js';
import { newChain, newSigner } from '../helpers/chain.js';
import type { Tx } from '../../src/core/ledger/types.js';

function memStore(): KeyValueStore & { m: Map<string, string> } {
  const m = new Map<string, string>();
  return { m, getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) };
}

const genesisOf = (chainId: string) => newChain(undefined, chainId).store.block(0)!.txs[0] as Tx<'genesis'>;

describe('trust anchor: pinned on first use, replaceable', () => {
  it('pins the served genesis on first use and keeps it on later loads', () => {
    const store = memStore();
    const g = genesisOf('city-net');
    const first = loadAnchor(store, g, 1000);
    expect(first).toMatchObject({ firstUse: true, mismatch: false });
    expect(first.pinned).toMatchObject({ chainId: 'city-net', validators: g.body.payload.validators, source: 'served', pinnedAt: 1000 });
    const second = loadAnchor(store, g, 2000);
    expect(second).toMatchObject({ firstUse: false, mismatch: false });
    expect(second.pinned!.pinnedAt).toBe(1000);
  });

  it('reports a node serving another genesis, and keeps verifying against the pinned one', () => {
    const store = memStore();
    loadAnchor(store, genesisOf('city-net'), 1000);
    const other = genesisOf('city-net'); // same chain id, other validator key: a different network
    const s = loadAnchor(store, other, 2000);
    expect(s.mismatch).toBe(true);
    expect(s.pinned!.validators).not.toEqual(other.body.payload.validators);
  });

  it('replaces or forgets the anchor; ignores a damaged entry and an unusable served genesis', () => {
    const store = memStore();
    const g = genesisOf('a');
    loadAnchor(store, g, 1);
    const h = anchorOfGenesis(genesisOf('b'), 'file', 5);
    pinAnchor(store, h);
    expect(loadAnchor(store, g, 6)).toMatchObject({ mismatch: true, pinned: { chainId: 'b', source: 'file' } });
    forgetAnchor(store);
    expect(loadAnchor(store, g, 7)).toMatchObject({ firstUse: true, pinned: { chainId: 'a' } });
    store.setItem(STORAGE_KEY, '{not json');
    expect(loadAnchor(store, null, 8)).toMatchObject({ pinned: null, served: null });
    expect(loadAnchor(memStore(), { body: { type: 'ns.create' } }, 9)).toMatchObject({ pinned: null, servedError: expect.stringMatching(/genesis/) });
  });
});

describe('freshness limit', () => {
  it('defaults to the SDK limit (5 min), stores a positive limit in ms and 0 for any age; junk is the default', () => {
    const store = memStore();
    expect(readMaxAge(store)).toBe(DEFAULT_MAX_AGE_MS);
    writeMaxAge(store, 60_000);
    expect(readMaxAge(store)).toBe(60_000);
    writeMaxAge(store, null);
    expect(store.getItem(MAX_AGE_KEY)).toBe('0');
    expect(readMaxAge(store)).toBeNull();
    for (const junk of ['abc', '-5', '1.5', '']) {
      store.setItem(MAX_AGE_KEY, junk);
      expect(readMaxAge(store), junk).toBe(DEFAULT_MAX_AGE_MS);
    }
  });
});

describe('browser Ed25519 engine', () => {
  const validator = newSigner();
  const cert = { height: 3, headerHash: 'ab'.repeat(32), sigs: [signHeader('ab'.repeat(32), validator)] };
  const answer = { key: 'k', proven: { cert }, header: {} };

  it('finds certificates in answers, problems and version answers', () => {
    expect(certificatesIn({ cert })).toEqual([cert]);
    expect(certificatesIn(answer)).toEqual([cert]);
    expect(certificatesIn({ current: { cert } })).toEqual([cert]);
    expect(certificatesIn([cert])).toEqual([]);
  });

  it('accepts through WebCrypto exactly what it checked, and leaves the rest to @noble', async () => {
    const engine = new BrowserEd25519(globalThis.crypto.subtle as never);
    expect(await engine.available()).toBe(true);
    await engine.precheck(answer);
    const saved = getCryptoProvider();
    setCryptoProvider(engine.provider());
    try {
      const msg = headerSigningInput(cert.headerHash);
      const sig = fromBase64url(cert.sigs[0]!.sig);
      expect(ed25519Verify(sig, msg, validator.publicKey)).toBe(true);
      expect(engine.counts).toEqual({ webcrypto: 1, noble: 0 });
      // Any other message: not remembered, so @noble decides (and says no).
      expect(ed25519Verify(sig, headerSigningInput('cd'.repeat(32)), validator.publicKey)).toBe(false);
      expect(engine.counts).toEqual({ webcrypto: 1, noble: 1 });
      // A tampered signature was never accepted by WebCrypto.
      const bad = Uint8Array.from(sig);
      bad[0]! ^= 1;
      await engine.precheck({ cert: { ...cert, sigs: [{ key: validator.id, sig: toBase64url(bad) }] } });
      expect(ed25519Verify(bad, msg, validator.publicKey)).toBe(false);
    } finally {
      setCryptoProvider(saved);
    }
  });

  it('falls back to @noble alone without WebCrypto (non-secure context) or when disabled', async () => {
    const none = new BrowserEd25519(null);
    expect(await none.available()).toBe(false);
    await none.precheck(answer);
    const p = none.provider();
    expect(p.ed25519Verify(fromBase64url(cert.sigs[0]!.sig), headerSigningInput(cert.headerHash), validator.publicKey)).toBe(true);
    expect(none.counts).toEqual({ webcrypto: 0, noble: 1 });
    const off = new BrowserEd25519(globalThis.crypto.subtle as never);
    off.enabled = false;
    await off.precheck(answer);
    off.provider().ed25519Verify(fromBase64url(cert.sigs[0]!.sig), headerSigningInput(cert.headerHash), validator.publicKey);
    expect(off.counts).toEqual({ webcrypto: 0, noble: 1 });
  });

  it('passes non-JSON answers through and rebuilds JSON ones unchanged', async () => {
    const engine = new BrowserEd25519(globalThis.crypto.subtle as never);
    const body = JSON.stringify(answer);
    const f = engine.wrapFetch(async () => new Response(body, { status: 404, headers: { 'content-type': 'application/problem+json' } }));
    const r = await f('http://x/v1/ids/a');
    expect(r.status).toBe(404);
    expect(await r.text()).toBe(body);
    const sse = new Response('data: 1\n\n', { headers: { 'content-type': 'text/event-stream' } });
    expect(await engine.wrapFetch(async () => sse)('http://x/v1/events')).toBe(sse);
  });
});

describe('key files in the browser (docs/protocol.md (Encoding) §5)', () => {
  it('reads plain and encrypted key files with the CLI format', async () => {
    const seed = generateSeed();
    const id = publicKeyToMultikey(ed25519PublicKey(seed));
    const plain = await encodeKeyFile(seed);
    expect(isEncrypted(plain)).toBe(false);
    expect((await signerFromKeyFile(plain)).id).toBe(id);
    const enc = await encodeKeyFile(seed, { passphrase: 'correct horse' });
    expect(isEncrypted(enc)).toBe(true);
    await expect(signerFromKeyFile(enc)).rejects.toMatchObject({ code: 'KEYFILE_PASSPHRASE' });
    await expect(signerFromKeyFile(enc, 'wrong')).rejects.toMatchObject({ code: 'KEYFILE_PASSPHRASE' });
    expect((await signerFromKeyFile(enc, 'correct horse')).id).toBe(id);
  }, 20_000);

  it('refuses malformed files and a public key that does not match the seed', async () => {
    await expect(signerFromKeyFile('nope')).rejects.toMatchObject({ code: 'KEYFILE_INVALID' });
    const doc = JSON.parse(await encodeKeyFile(generateSeed()));
    doc.publicKey = newSigner().id;
    await expect(signerFromKeyFile(JSON.stringify(doc))).rejects.toMatchObject({ code: 'KEYFILE_INVALID' });
    await expect(signerFromKeyFile(' '.repeat(70_000))).rejects.toMatchObject({ code: 'KEYFILE_INVALID' });
  });
});

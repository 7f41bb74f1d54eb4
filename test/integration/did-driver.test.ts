/**
 * The Universal Resolver driver contract, against a node process with the demo data: the
 * application.yml entry of docs/did-method.md §9, used exactly as the Universal Resolver's HTTP
 * driver (uni-resolver `HttpDriver`) uses it: the pattern matched against the DID, the URL built
 * from `url` with `$2` (the DID or DID URL form-encoded as Java's URLEncoder does) or `$1` (as is),
 * `Accept: application/did-resolution,<accept>` for resolve and
 * `Accept: application/did-url-dereferencing,<accept>` for dereference, and the answer read as
 * the driver reads it: a result when the content type says so, its `error.type` when it has one,
 * 303 with Location for a service endpoint.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/platform/node.js';
import { UrbisClient } from '../../src/client/index.js';
import { formatDid, parseIdentifier } from '../../src/core/ids/index.js';
import { nsIdText, objectIdText } from '../../src/core/ledger/names.js';
import { verifyProvenEntry } from '../../src/core/ledger/verify.js';
import type { Tx } from '../../src/core/ledger/types.js';
import { proofFromJson } from '../../src/core/merkle/index.js';
import { startNodeProcess, type NodeProcess } from '../helpers/processes.js';

const E = 'https://www.w3.org/ns/did#';
const dir = mkdtempSync(join(tmpdir(), 'urbis-did-driver-'));
let node: NodeProcess;
let genesis: Tx<'genesis'>;
const did = (text: string) => formatDid(parseIdentifier(text));

/** The driver entry of docs/did-method.md, read as the Universal Resolver reads application.yml. */
function driverEntry(): { pattern: RegExp; url: string; testIdentifiers: string[] } {
  const doc = readFileSync(new URL('../../docs/did-method.md', import.meta.url), 'utf8');
  const block = /<!-- universal-resolver-driver:begin -->\s*```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
  const pattern = /pattern: "(.*)"/.exec(block)![1]!.replace(/\\\\/g, '\\');
  // `${env_var:default}`: the default, as a deployment without the variable uses it.
  const url = /url: \$\{[a-z_]+:(.*)\}\s*$/m.exec(block)![1]!;
  const testIdentifiers = [...block.matchAll(/^\s+- (did:\S+)$/gm)].map((m) => m[1]!);
  return { pattern: new RegExp(pattern), url, testIdentifiers };
}

/** java.net.URLEncoder.encode(s, UTF_8): form encoding; only A-Z a-z 0-9 . - * _ stay. */
function javaUrlEncode(s: string): string {
  return encodeURIComponent(s)
    .replace(/[!'()~]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** The request URL the HTTP driver builds (HttpDriver.resolve / dereference), pointed at our node. */
function driverUrl(template: string, didOrUrl: string): string {
  const base = template.replace(/^https?:\/\/[^/]+/, node.url);
  if (base.includes('$1')) return base.replace('$1', didOrUrl);
  if (base.includes('$2')) return base.replace('$2', javaUrlEncode(didOrUrl));
  return (base.endsWith('/') ? base : `${base}/`) + didOrUrl;
}

async function call(url: string, accept: string) {
  const r = await fetch(url, { headers: { accept }, redirect: 'manual' });
  const type = r.headers.get('content-type') ?? '';
  const text = await r.text();
  const isResult = /application\/did-(resolution|url-dereferencing)/.test(type);
  return { status: r.status, type, location: r.headers.get('location'), text, result: isResult ? (JSON.parse(text) as Record<string, any>) : null };
}

beforeAll(async () => {
  node = await startNodeProcess(['node', 'start', '--dir', dir, '--port', '0', '--rate-limit', '0', '--json']);
  genesis = JSON.parse(readFileSync(join(dir, 'genesis.json'), 'utf8')) as Tx<'genesis'>;
}, 120_000);

afterAll(async () => {
  node?.kill('SIGTERM');
  await node?.exited;
  rmSync(dir, { recursive: true, force: true });
});

describe('Universal Resolver driver (docs/did-method.md §9)', () => {
  it('lists test identifiers of the demo data, all matched by the pattern, and no other method', () => {
    const { pattern, testIdentifiers } = driverEntry();
    expect(testIdentifiers).toEqual([
      did(nsIdText('156.130100')),
      did(nsIdText('156.130100.42')),
      did(objectIdText('156.130100.42', 'CAM-0001')),
      did(objectIdText('156.130100.42', 'LAMP-000001')),
      did(objectIdText('156.110000.3', 'DS-001')),
    ]);
    for (const d of testIdentifiers) expect(pattern.test(d), d).toBe(true);
    for (const other of ['did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', 'did:web:example.com', 'did:urbisx:1:2'])
      expect(pattern.test(other), other).toBe(false);
  });

  it('resolves every test identifier as the driver asks (Accept: application/did-resolution,<accept>), with a proof that verifies', async () => {
    const { url, testIdentifiers } = driverEntry();
    const anchor = UrbisClient.anchorFromGenesis(genesis);
    for (const d of testIdentifiers) {
      for (const accept of ['application/did+ld+json', 'application/did']) {
        const r = await call(driverUrl(url, d), `application/did-resolution,${accept}`);
        expect(r.status, d).toBe(200);
        expect(r.type).toMatch(/^application\/did-resolution/);
        const res = r.result!;
        expect(res.didResolutionMetadata.error).toBeUndefined();
        expect(res.didResolutionMetadata.contentType).toBe(accept);
        expect(res.didDocument.id).toBe(d);
        expect(res.didDocument['@context'][0]).toBe('https://www.w3.org/ns/did/v1');
        // The driver forwards the metadata: a reader re-verifies it against the genesis keys.
        const p = JSON.parse(res.didDocumentMetadata.proof[0].proofValue);
        const v = verifyProvenEntry({ ...p, proof: proofFromJson(p.proof) }, anchor);
        expect(v.present).toBe(true);
        expect(String(v.height)).toBe(res.didDocumentMetadata.proof[0].height);
        expect(String(p.entry.version)).toBe(res.didDocumentMetadata.versionId);
        // A tampered entry does not verify.
        const forged = { ...p, entry: { ...p.entry, version: p.entry.version + 1 }, proof: proofFromJson(p.proof) };
        expect(() => verifyProvenEntry(forged, anchor)).toThrow();
      }
    }
  });

  it('reports errors as the driver reads them: the error type, with its status', async () => {
    const { url } = driverEntry();
    const accept = 'application/did-resolution,application/did+ld+json';
    const absent = await call(driverUrl(url, did(objectIdText('156.130100.42', 'LAMP-999999'))), accept);
    expect([absent.status, absent.result!.didResolutionMetadata.error.type]).toEqual([404, `${E}NOT_FOUND`]);
    expect(absent.result!.didDocument).toBeNull();
    const typo = did(objectIdText('156.130100.42', 'CAM-0001')).replace(/:[^:]$/, (c) => (c === ':A' ? ':B' : ':A'));
    const bad = await call(driverUrl(url, typo), accept);
    expect([bad.status, bad.result!.didResolutionMetadata.error.type]).toEqual([400, `${E}INVALID_DID`]);
    const gone = await call(driverUrl(url, did(objectIdText('156.130100.42', 'LAMP-000003'))), accept);
    expect(gone.status).toBe(410);
    expect(gone.result!.didResolutionMetadata.error).toBeUndefined();
    expect(gone.result!.didDocumentMetadata.deactivated).toBe(true);
    const other = await call(`${node.url}/1.0/identifiers/did:example:123`, accept);
    expect([other.status, other.result!.didResolutionMetadata.error.type]).toEqual([501, `${E}METHOD_NOT_SUPPORTED`]);
  });

  it('dereferences DID URLs as the driver asks (Accept: application/did-url-dereferencing,<accept>)', async () => {
    const { url } = driverEntry();
    const accept = 'application/did-url-dereferencing,application/did+ld+json';
    const cam = did(objectIdText('156.130100.42', 'CAM-0001'));
    const city = did(nsIdText('156.130100'));
    const feed = await call(driverUrl(url, `${cam}#feed`), accept);
    expect(feed.status).toBe(200);
    expect(feed.type).toMatch(/^application\/did-url-dereferencing/);
    expect(feed.result!.contentStream).toMatchObject({ id: `${cam}#feed`, type: 'VideoFeed', serviceEndpoint: 'https://video.sjz.example/cams/1' });
    expect(feed.result!.dereferencingMetadata.contentType).toBe('application/did+ld+json');
    const key = await call(driverUrl(url, `${city}#key-1`), accept);
    expect(key.result!.contentStream).toMatchObject({ id: `${city}#key-1`, type: 'Multikey', controller: city });
    // A service endpoint: 303 to it, empty body, with $2 (encoded) and with $1 (as is).
    const svc = await call(driverUrl(url, `${cam}?service=feed&relativeRef=live`), accept);
    expect([svc.status, svc.location, svc.text]).toEqual([303, 'https://video.sjz.example/cams/live', '']);
    const plain = await call(driverUrl(url.replace('$2', '$1'), `${cam}?service=feed`), accept);
    expect([plain.status, plain.location]).toEqual([303, 'https://video.sjz.example/cams/1']);
    const missing = await call(driverUrl(url, `${cam}#key-1`), accept);
    expect([missing.status, missing.result!.dereferencingMetadata.error.type]).toEqual([404, `${E}NOT_FOUND`]);
  });
});

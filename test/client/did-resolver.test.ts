// did:urbis through the `did-resolver` package: documents rebuilt from verified entries, DID Core
// 1.0 §7.1.3 / §7.3 metadata, and the DID Resolution v1.0 §11 error objects.
import { beforeEach, describe, expect, it } from 'vitest';
import { Resolver } from 'did-resolver';
import { newChain, withCity, type TestChain } from '../helpers/chain.js';
import { fakeNode, type FakeNode } from './fake-node.js';
import { UrbisClient, getResolver } from '../../src/client/index.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import { formatDid, parseIdentifier } from '../../src/core/ids/index.js';
import { newSigner } from '../helpers/chain.js';
import type { Signer } from '../../src/core/ledger/tx.js';

let c: TestChain;
let node: FakeNode;
let city: Signer;
let resolver: Resolver;
const did = (text: string) => formatDid(parseIdentifier(text));
/** did-resolver types the error as a string; DID Resolution §11 makes it an RFC 9457 object. */
const errorType = (r: { didResolutionMetadata: { error?: unknown } }) => (r.didResolutionMetadata.error as { type?: string } | undefined)?.type;

beforeEach(() => {
  c = newChain();
  city = withCity(c);
  node = fakeNode(c);
  // The test chain runs on its own clock (T0): the resolver's freshness rule reads that clock too.
  resolver = new Resolver(
    getResolver({ url: 'http://node.test', anchor: { chainId: c.chainId, validators: [c.validator.id] }, fetch: node.fetch, now: () => c.time }),
  );
});

describe('did:urbis resolver', () => {
  it('builds the document from the verified entry', async () => {
    const client = new UrbisClient({
      url: 'http://node.test',
      anchor: { chainId: c.chainId, validators: [c.validator.id] },
      fetch: node.fetch,
      now: () => c.time,
    });
    const owner = newSigner();
    const id = objectIdText('156.130100', 'CAM-7');
    await client.registerId(
      {
        id,
        record: { type: 'camera', services: [{ id: '#feed', type: 'VideoFeed', serviceEndpoint: 'https://cam.example/7' }] },
        controllers: { keys: [owner.id], threshold: 1 },
      },
      [city],
    );
    const d = did(id);
    const r = await resolver.resolve(d);
    expect(r.didResolutionMetadata).toEqual({ contentType: 'application/did' });
    const vm = `${d}#key-1`;
    expect(r.didDocument).toEqual({
      '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1', { '@vocab': 'urn:urbis:vocab:' }],
      id: d,
      controller: [`did:key:${owner.id}`],
      alsoKnownAs: [`https://id.urbis.city/id/${id}`],
      verificationMethod: [{ id: `${d}#key-1`, type: 'Multikey', controller: d, publicKeyMultibase: owner.id }],
      authentication: [vm],
      assertionMethod: [vm],
      capabilityInvocation: [vm],
      service: [{ id: `${d}#feed`, type: 'VideoFeed', serviceEndpoint: 'https://cam.example/7' }],
    });
    const md = r.didDocumentMetadata;
    expect(md.versionId).toBe('1');
    expect(md.created).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(md.deactivated).toBeUndefined();
    expect(md.proof).toHaveLength(1);
    expect(md.proof[0]).toMatchObject({
      type: 'UrbisStateProof',
      chainId: c.chainId,
      height: String(c.ledger.height()),
      stateRoot: c.ledger.store.head()!.header.stateRoot,
    });
    expect(md.urbis).toEqual({ status: 'active', proven: true });

    // A fragment DID URL resolves the DID (the fragment is the caller's, DID Resolution §8.2.3).
    expect((await resolver.resolve(`${d}#key-1`)).didDocument?.id).toBe(d);
  });

  // docs/protocol.md (Identifiers) §2: check values 18, 24, 26 are written '-', '.', '_', all DID
  // idchars (W3C DID Core §3.1), so the did-resolver package parses these DIDs like any other.
  it.each([
    ['LAMP-5', '-'],
    ['LAMP-2', '.'],
    ['LAMP-1', '_'],
  ])('resolves did:urbis:156.130100:%s:%s (a check character that is not a letter or digit)', async (local, check) => {
    const id = objectIdText('156.130100', local);
    expect(id).toBe(`156.130100/${local}:${check}`);
    c.run('id.register', { id, record: { type: 'lamp' } }, [city]);
    const d = `did:urbis:156.130100:${local}:${check}`;
    expect(did(id)).toBe(d);
    const r = await resolver.resolve(d);
    expect(r.didResolutionMetadata.error).toBeUndefined();
    expect(r.didDocument?.id).toBe(d);
    expect(r.didDocument?.alsoKnownAs).toEqual([`https://id.urbis.city/id/${id}`]);
    expect((await resolver.resolve(`${d}#key-1`)).didDocument?.id).toBe(d);
  });

  it('names the namespace as controller of an identifier without its own keys', async () => {
    const id = objectIdText('156.130100', 'BXN-1');
    c.run('id.register', { id, record: { type: 'infrastructure' } }, [city]);
    const r = await resolver.resolve(did(id));
    expect(r.didDocument?.controller).toEqual([did(c.ledger.store.ns('156.130100')!.id)]);
    expect(r.didDocument?.verificationMethod).toBeUndefined();
  });

  it('resolves namespace DIDs', async () => {
    const nsText = parseIdentifier(c.ledger.store.ns('156.130100')!.id);
    const r = await resolver.resolve(formatDid(nsText));
    expect(r.didDocument?.verificationMethod?.[0]?.publicKeyMultibase).toBe(city.id);
  });

  it('resolves a deactivated identifier to no document, marked deactivated (DID Resolution §4.4 step 5.2)', async () => {
    const id = objectIdText('156.130100', 'ZLD-1');
    c.run('id.register', { id, record: { type: 'lamp' } }, [city]);
    c.run('id.deactivate', { id }, [city]);
    const r = await resolver.resolve(did(id));
    expect(r.didDocument).toBeNull();
    expect(r.didDocumentMetadata.deactivated).toBe(true);
    expect(r.didDocumentMetadata.versionId).toBe('2');
    // The version before deactivation, with its document, proven at the block that wrote it.
    const v1 = await resolver.resolve(`${did(id)}?versionId=1`);
    expect(v1.didDocument?.id).toBe(did(id));
    expect(v1.didDocumentMetadata).toMatchObject({ versionId: '1', nextVersionId: '2', urbis: { proven: true } });
    const p = (v1.didDocumentMetadata as { proof: { height: string; proofValue: string }[] }).proof[0]!;
    expect(JSON.parse(p.proofValue).entry.version).toBe(1);
    expect(Number(p.height)).toBeLessThan(Number(r.didDocumentMetadata.proof?.[0]?.height ?? Infinity));
  });

  it('answers NOT_FOUND only with a proof, INVALID_DID for typos, INTERNAL_ERROR for lies', async () => {
    const E = 'https://www.w3.org/ns/did#';
    const absent = did(objectIdText('156.130100', 'NX-1'));
    const nf = await resolver.resolve(absent);
    expect(errorType(nf)).toBe(`${E}NOT_FOUND`);
    expect(nf.didDocument).toBeNull();
    expect(nf.didDocumentMetadata).toEqual({});

    const typo = absent.slice(0, -1) + (absent.endsWith('A') ? 'B' : 'A');
    expect((await resolver.resolve(typo)).didResolutionMetadata.error).toMatchObject({ type: `${E}INVALID_DID`, code: 'ID_CHECK_MISMATCH' });

    node.tamper = (_p, j, status) => (status === 404 ? { ...j, proven: undefined } : j);
    expect((await resolver.resolve(absent)).didResolutionMetadata.error).toMatchObject({ type: `${E}INTERNAL_ERROR`, code: 'PROOF_INVALID' });

    const id = objectIdText('156.130100', 'LAMP-3');
    c.run('id.register', { id, record: { type: 'lamp' } }, [city]);
    node.tamper = (_p, j) => (j.entry ? { ...j, entry: { ...j.entry, controllers: { keys: [newSigner().id], threshold: 1 } } } : j);
    const forged = await resolver.resolve(did(id));
    expect(forged.didDocument).toBeNull();
    expect(forged.didResolutionMetadata.error).toMatchObject({ type: `${E}INTERNAL_ERROR`, code: 'PROOF_INVALID' });
    expect(forged.didDocumentMetadata).toEqual({});
  });

  it('refuses unsupported representations', async () => {
    const id = objectIdText('156.130100', 'LAMP-4');
    c.run('id.register', { id, record: { type: 'lamp' } }, [city]);
    expect((await resolver.resolve(did(id), { accept: 'application/did+json' })).didResolutionMetadata.contentType).toBe('application/did+json');
    expect((await resolver.resolve(did(id), { accept: 'application/did+json' })).didDocument!['@context']).toBeUndefined();
    expect(errorType(await resolver.resolve(did(id), { accept: 'text/html' }))).toBe('https://www.w3.org/ns/did#REPRESENTATION_NOT_SUPPORTED');
  });
});

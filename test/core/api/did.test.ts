// buildDidDocument / buildDidDocumentMetadata (src/core/api/did.ts): DID Core shapes from entries.
import { describe, expect, it } from 'vitest';
import { buildDidDocument, buildDidDocumentMetadata, didOfEntry } from '../../../src/core/api/did.js';
import { nsIdText, objectIdText } from '../../../src/core/ledger/names.js';
import type { IdEntry, NsEntry } from '../../../src/core/ledger/types.js';

const KEY = 'z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK';
const id: IdEntry = {
  kind: 'id',
  id: objectIdText('156.130100', 'LAMP-1'),
  ns: '156.130100',
  local: 'LAMP-1',
  controllers: null,
  record: { type: 'lamp', services: [{ id: 'api', type: 'Api', serviceEndpoint: 'https://x.example' }] },
  status: 'deactivated',
  version: 3,
  created: 1_700_000_000_123,
  updated: 1_700_000_500_999,
  height: 9,
  tx: 'ab'.repeat(32),
};

describe('buildDidDocument', () => {
  it('governs a keyless identifier by its namespace DID', () => {
    const d = buildDidDocument(id, { urlHost: 'http://localhost:8080' });
    const nsDid = `did:urbis:156.130100:${nsIdText('156.130100').slice(-1)}`;
    expect(d.controller).toEqual([nsDid]);
    expect(d.verificationMethod).toBeUndefined();
    expect(d.authentication).toBeUndefined();
    expect(d.alsoKnownAs).toEqual([`http://localhost:8080/id/${id.id}`]);
    expect(d.service).toEqual([{ id: `${didOfEntry(id)}#api`, type: 'Api', serviceEndpoint: 'https://x.example' }]);
  });

  it('lists namespace controllers for a namespace DID', () => {
    const ns = { kind: 'ns', ns: '156', id: nsIdText('156'), controllers: { keys: [KEY], threshold: 1 }, record: { type: 'country' } } as unknown as NsEntry;
    const d = buildDidDocument(ns);
    expect(d.id).toBe(`did:urbis:156:${nsIdText('156').slice(-1)}`);
    expect(d.controller).toEqual([`did:key:${KEY}`]);
    expect(d.verificationMethod![0]).toEqual({ id: `${d.id}#key-1`, type: 'Multikey', controller: d.id, publicKeyMultibase: KEY });
    expect(d.service).toBeUndefined();
  });

  it('writes DID Core §7.1.3 metadata, only strings, maps, lists and booleans (§7.3)', () => {
    expect(buildDidDocumentMetadata(id)).toEqual({
      created: '2023-11-14T22:13:20Z',
      updated: '2023-11-14T22:21:40Z',
      versionId: '3',
      deactivated: true,
      urbis: { status: 'deactivated', proven: false },
    });
    // Version 1 had no Update operation: no `updated` (DID Resolution §4.3).
    expect(buildDidDocumentMetadata({ ...id, version: 1, status: 'active' }).updated).toBeUndefined();
  });

  it('gives every verification relationship its keys; namespaces also delegate (DID Core §5.3)', () => {
    const keyed = buildDidDocument({ ...id, controllers: { keys: [KEY], threshold: 1 } });
    const ref = `${keyed.id}#key-1`;
    expect([keyed.authentication, keyed.assertionMethod, keyed.capabilityInvocation]).toEqual([[ref], [ref], [ref]]);
    expect(keyed.capabilityDelegation).toBeUndefined();
    expect(keyed.controller).toEqual([`did:key:${KEY}`]);
  });
});

// Access grants as ledger transactions (docs/protocol.md "Grants", docs/sharing.md): who may issue
// and revoke, what the validators refuse, and the gateway's pure decision on a proven grant.
import { describe, expect, it } from 'vitest';
import { codeOf, expectOk, newChain, newSigner, withCity, T0 } from '../../helpers/chain.js';
import { checkGrant, grantRef, pathCovered } from '../../../src/core/ledger/grants.js';
import { keyOfText } from '../../../src/core/ledger/names.js';
import { verifyProvenEntry } from '../../../src/core/ledger/verify.js';
import { isUrbisError } from '../../../src/core/errors.js';
import type { GrantEntry, IdEntry } from '../../../src/core/ledger/types.js';

const DAY = 24 * 3600 * 1000;

function setup() {
  const c = newChain();
  const city = withCity(c);
  const owner = newSigner();
  const other = newSigner();
  // The bus operator's dataset, with its own controller, and an organisation of another city.
  expectOk(
    c.run(
      'id.register',
      {
        id: '156.130100/BUS-GPS',
        record: { type: 'dataset', services: [{ id: '#api', type: 'DataService', serviceEndpoint: 'https://bus.example/api' }] },
        controllers: { keys: [owner.id], threshold: 1 },
      },
      [city],
    ),
  );
  expectOk(
    c.run(
      'ns.create',
      {
        ns: '156.130200',
        controllers: { keys: [other.id], threshold: 1 },
        policy: { ids: { charset: 'alnum', minLength: 1, maxLength: 16 } },
        record: { type: 'city' },
      },
      [c.root],
    ),
  );
  const subject = (c.store.id('156.130100/BUS-GPS') as IdEntry).id;
  const grantee = c.store.ns('156.130200')!.id;
  const ref = grantRef(keyOfText(subject), keyOfText(grantee));
  return { c, city, owner, other, subject, grantee, ref };
}

describe('grant.issue and grant.revoke', () => {
  it('the controllers of the subject issue, re-issue and revoke a grant; each version is provable', () => {
    const { c, owner, subject, grantee, ref } = setup();
    const scope = { access: ['read' as const], paths: ['/buses/'] };
    expectOk(c.run('grant.issue', { subject, grantee, scope, purpose: 'traffic centre', expires: c.time + DAY }, [owner]));
    const g = c.store.grant(ref)!;
    expect(g).toMatchObject({ kind: 'grant', subject, grantee, status: 'active', version: 1, scope });
    const p = c.ledger.prove(`grant:${ref}`);
    expect(verifyProvenEntry({ ...p, key: `grant:${ref}` } as never, { chainId: c.chainId, validators: [c.validator.id] }).present).toBe(true);
    expectOk(c.run('grant.issue', { subject, grantee, scope: { access: ['read', 'write'] }, purpose: 'traffic centre', expires: c.time + 2 * DAY }, [owner]));
    expect(c.store.grant(ref)).toMatchObject({ version: 2, scope: { access: ['read', 'write'] }, created: g.created });
    expectOk(c.run('grant.revoke', { subject, grantee, reason: 'contract ended' }, [owner]));
    expect(c.store.grant(ref)).toMatchObject({ version: 3, status: 'revoked' });
    expect(codeOf(c.run('grant.revoke', { subject, grantee }, [owner]))).toBe('GRANT_REVOKED');
  });

  it('validators refuse grants without authority, to unknown grantees, expired, or naming a missing service', () => {
    const { c, owner, other, city, subject, grantee } = setup();
    const ok = { subject, grantee, scope: { access: ['read' as const] }, purpose: 'p', expires: c.time + DAY };
    // The grantee cannot grant itself access; nor can the city (the dataset has its own controllers).
    expect(codeOf(c.run('grant.issue', ok, [other]))).toBe('AUTH_THRESHOLD');
    expect(codeOf(c.run('grant.issue', ok, [city]))).toBe('AUTH_THRESHOLD');
    expect(codeOf(c.run('grant.issue', { ...ok, grantee: '156.130300' }, [owner]))).toBe('NS_NOT_FOUND');
    expect(codeOf(c.run('grant.issue', { ...ok, grantee: '156.130200/NEMAND' }, [owner]))).toBe('ID_NOT_FOUND');
    expect(codeOf(c.run('grant.issue', { ...ok, expires: T0 }, [owner]))).toBe('GRANT_INVALID');
    expect(codeOf(c.run('grant.issue', { ...ok, scope: { access: ['read'], services: ['#feed'] } }, [owner]))).toBe('GRANT_INVALID');
    expect(codeOf(c.run('grant.issue', { ...ok, subject: '156.130100' }, [city]))).toBe('GRANT_INVALID');
    expect(codeOf(c.run('grant.issue', { ...ok, grantee: subject }, [owner]))).toBe('GRANT_INVALID');
    expect(codeOf(c.run('grant.revoke', { subject, grantee }, [owner]))).toBe('GRANT_NOT_FOUND');
    expect(c.store.grant(grantRef(keyOfText(subject), keyOfText(grantee)))).toBeUndefined();
  });

  it('the schema refuses malformed scopes (dot segments, encoded slashes, unknown access)', () => {
    const { c, owner, subject, grantee } = setup();
    const base = { subject, grantee, purpose: 'p', expires: c.time + DAY };
    for (const scope of [
      { access: [] },
      { access: ['read', 'read'] },
      { access: ['admin'] },
      { access: ['read'], paths: ['buses'] },
      { access: ['read'], paths: ['/a/../b'] },
      { access: ['read'], paths: ['/a/%2e%2e/b'] },
      { access: ['read'], paths: ['/a?x=1'] },
      { access: ['read'], paths: [] },
      { access: ['read'], services: ['api'] },
      { access: ['read'], extra: 1 },
    ]) {
      expect(codeOf(c.run('grant.issue', { ...base, scope } as never, [owner])), JSON.stringify(scope)).toBe('GRANT_INVALID');
    }
  });

  it('revocation stays possible while the subject namespace is suspended', () => {
    const { c, owner, subject, grantee, ref } = setup();
    expectOk(c.run('grant.issue', { subject, grantee, scope: { access: ['read'] }, purpose: 'p', expires: c.time + DAY }, [owner]));
    expectOk(c.run('ns.suspend', { ns: '156.130100' }, [c.root]));
    expectOk(c.run('grant.revoke', { subject, grantee }, [owner]));
    expect(c.store.grant(ref)?.status).toBe('revoked');
  });
});

describe('checkGrant: the gateway decision', () => {
  const g: GrantEntry = {
    kind: 'grant',
    subject: 'S',
    grantee: 'G',
    scope: { access: ['read'], services: ['#api'], paths: ['/buses', '/stops/'] },
    purpose: 'p',
    expires: 2000,
    status: 'active',
    version: 1,
    created: 0,
    updated: 0,
    height: 5,
    tx: 'h',
  };
  const code = (f: () => unknown) => {
    try {
      f();
      return 'OK';
    } catch (e) {
      return isUrbisError(e) ? e.code : String(e);
    }
  };
  it('allows what the scope covers and names the reason for anything else', () => {
    expect(code(() => checkGrant(g, { method: 'GET', path: '/buses/7', service: '#api', now: 1000 }))).toBe('OK');
    expect(code(() => checkGrant(g, { method: 'HEAD', path: '/stops/1', service: '#api', now: 1000 }))).toBe('OK');
    expect(code(() => checkGrant(null, { method: 'GET', path: '/buses', now: 1000 }))).toBe('ACCESS_NO_GRANT');
    expect(code(() => checkGrant({ ...g, status: 'revoked' }, { method: 'GET', path: '/buses', service: '#api', now: 1000 }))).toBe('ACCESS_GRANT_REVOKED');
    expect(code(() => checkGrant(g, { method: 'GET', path: '/buses', service: '#api', now: 2001 }))).toBe('ACCESS_GRANT_EXPIRED');
    expect(code(() => checkGrant(g, { method: 'POST', path: '/buses', service: '#api', now: 1000 }))).toBe('ACCESS_OUT_OF_SCOPE');
    expect(code(() => checkGrant(g, { method: 'GET', path: '/busesX', service: '#api', now: 1000 }))).toBe('ACCESS_OUT_OF_SCOPE');
    expect(code(() => checkGrant(g, { method: 'GET', path: '/stops', service: '#api', now: 1000 }))).toBe('ACCESS_OUT_OF_SCOPE');
    expect(code(() => checkGrant(g, { method: 'GET', path: '/buses/7', service: '#feed', now: 1000 }))).toBe('ACCESS_OUT_OF_SCOPE');
    expect(code(() => checkGrant(g, { method: 'GET', path: '/buses/7', now: 1000 }))).toBe('ACCESS_OUT_OF_SCOPE');
  });
  it('a path that climbs out of its prefix never matches', () => {
    expect(pathCovered('/stops/', '/stops/../admin')).toBe(false);
    expect(pathCovered('/stops/', '/stops/%2e%2e/admin')).toBe(false);
    expect(pathCovered('/stops/', '/stops/..%2fadmin')).toBe(false);
    expect(pathCovered('/stops/', '/stops/a\\..\\b')).toBe(false);
    expect(pathCovered('/stops/', '/stops/12')).toBe(true);
  });
});

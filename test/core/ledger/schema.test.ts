// The structural parser of transactions (src/core/ledger/schema.ts, docs/protocol.md
// "Transactions"): what it accepts and returns (canonical forms, sorted key sets), and the error
// code and path of each way an attacker-controlled JSON value can be malformed.
import { describe, expect, it } from 'vitest';
import { parseContext } from '../../../src/core/ledger/apply.js';
import {
  parseControllers,
  parseLimits,
  parsePolicy,
  parseRecord,
  parseTx,
  parseValidators,
  parseGrantScope,
  isHashHex,
} from '../../../src/core/ledger/schema.js';
import { buildTxBody, signTx } from '../../../src/core/ledger/tx.js';
import { DEFAULT_PARAMS } from '../../../src/core/ledger/types.js';
import { isUrbisError } from '../../../src/core/errors.js';
import { makeIdentifier } from '../../../src/core/ids/index.js';
import { newSigner, T0 } from '../../helpers/chain.js';

const ctx = parseContext(DEFAULT_PARAMS);
const [a, b] = [newSigner(), newSigner()];
const id = makeIdentifier(['156', '130100'], 'LAMP-1').text;
const canonicalTarget = (s: string, p: string) => ctx.canonicalId(s, p);

/** A valid signed transaction as plain JSON, to be broken one field at a time. */
function validTx(): any {
  const body = buildTxBody('id.register', { id, record: { type: 'lamp', attributes: { power: 60 } } }, { chain: 'test-chain', now: T0, nonce: 'n1' });
  return JSON.parse(JSON.stringify(signTx(body, [a])));
}

/** Code and path of what `f` throws ('OK' if nothing). */
function fault(f: () => unknown): { code: string; path?: unknown } {
  try {
    f();
    return { code: 'OK' };
  } catch (e) {
    if (!isUrbisError(e)) throw e;
    return { code: e.code, path: e.details?.path };
  }
}

describe('parseTx', () => {
  it('accepts a valid transaction and returns it in canonical form (identifier forms canonicalised)', () => {
    const tx = validTx();
    expect(parseTx(tx, ctx)).toEqual(tx);
    const lower = validTx();
    lower.body.payload.id = id.toLowerCase();
    expect((parseTx(lower, ctx).body.payload as { id: string }).id).toBe(id);
  });

  const cases: Array<[string, (t: any) => void, string, string?]> = [
    ['not an object', (t) => Object.assign(t, { body: 1 }), 'TX_MALFORMED', 'tx.body'],
    ['an unknown top-level member', (t) => (t.extra = 1), 'TX_MALFORMED', 'tx'],
    ['an unknown body member', (t) => (t.body.extra = 1), 'TX_MALFORMED', 'tx.body'],
    ['protocol version 2', (t) => (t.body.v = 2), 'TX_MALFORMED', 'tx.body.v'],
    ['an upper-case chain id', (t) => (t.body.chain = 'Test'), 'TX_MALFORMED', 'tx.body.chain'],
    ['an empty chain id', (t) => (t.body.chain = ''), 'TX_MALFORMED', 'tx.body.chain'],
    ['an unknown type', (t) => (t.body.type = 'id.steal'), 'TX_TYPE_UNKNOWN', 'tx.body.type'],
    ['a nonce with a space', (t) => (t.body.nonce = 'a b'), 'TX_MALFORMED', 'tx.body.nonce'],
    ['a fractional validFrom', (t) => (t.body.validFrom = 1.5), 'TX_MALFORMED', 'tx.body.validFrom'],
    ['a window ending before it starts', (t) => (t.body.validUntil = t.body.validFrom - 1), 'TX_MALFORMED', 'tx.body.validUntil'],
    ['a missing payload', (t) => delete t.body.payload, 'TX_MALFORMED', 'tx.body.payload'],
    ['an unknown payload member', (t) => (t.body.payload.owner = 'x'), 'TX_MALFORMED', 'tx.body.payload'],
    ['sigs not an array', (t) => (t.sigs = {}), 'TX_MALFORMED', 'tx.sigs'],
    ['a signature too short', (t) => (t.sigs[0].sig = t.sigs[0].sig.slice(1)), 'TX_MALFORMED', 'tx.sigs[0].sig'],
    ['a signing key that is not a Multikey', (t) => (t.sigs[0].key = 'z6Mkxyz'), 'TX_MALFORMED', 'tx.sigs[0].key'],
    ['the same key twice', (t) => t.sigs.push({ ...t.sigs[0] }), 'TX_SIGNER_DUPLICATE', 'tx.sigs'],
    ['a non-finite number', (t) => (t.body.payload.record.attributes.power = Number.NaN), 'TX_MALFORMED', 'tx'],
    ['an identifier with a wrong check character', (t) => (t.body.payload.id = id.slice(0, -1) + (id.endsWith('A') ? 'B' : 'A')), 'ID_CHECK_MISMATCH'],
    ['an unknown record type', (t) => (t.body.payload.record.type = 'spaceship'), 'RECORD_INVALID', 'tx.body.payload.record.type'],
  ];
  for (const [what, breakIt, code, path] of cases) {
    it(`refuses ${what}: ${code}`, () => {
      const t = validTx();
      breakIt(t);
      const f = fault(() => parseTx(t, ctx));
      expect(f.code).toBe(code);
      if (path !== undefined) expect(f.path).toBe(path);
    });
  }

  it('refuses a transaction larger than maxTxBytes (TX_TOO_LARGE) and attributes above maxAttrBytes (RECORD_TOO_LARGE)', () => {
    const t = validTx();
    t.body.payload.record.attributes.note = 'x'.repeat(5000);
    expect(fault(() => parseTx(t, ctx)).code).toBe('RECORD_TOO_LARGE');
    expect(fault(() => parseTx(validTx(), parseContext({ ...DEFAULT_PARAMS, maxTxBytes: 200 }))).code).toBe('TX_TOO_LARGE');
  });

  it('genesis: refuses a bad chain id in the payload (TX_GENESIS_INVALID) and out-of-range parameters', () => {
    const genesis = (payload: unknown) => JSON.parse(JSON.stringify(signTx(buildTxBody('genesis', payload as never, { chain: 'test-chain', now: T0 }), [a])));
    const ok = { chainId: 'test-chain', time: T0, root: { keys: [a.id], threshold: 1 }, validators: [b.id] };
    expect(fault(() => parseTx(genesis(ok), ctx)).code).toBe('OK');
    expect(fault(() => parseTx(genesis({ ...ok, chainId: 'Bad_Chain' }), ctx))).toMatchObject({ code: 'TX_GENESIS_INVALID', path: 'tx.body.payload.chainId' });
    expect(fault(() => parseTx(genesis({ ...ok, params: { maxTxBytes: 1 } }), ctx))).toMatchObject({
      code: 'TX_MALFORMED',
      path: 'tx.body.payload.params.maxTxBytes',
    });
    expect(fault(() => parseTx(genesis({ ...ok, validators: [] }), ctx)).code).toBe('VALIDATORS_INVALID');
  });
});

describe('controller and validator sets', () => {
  it('sorts the keys and keeps the threshold', () => {
    const keys = [a.id, b.id];
    expect(parseControllers({ keys, threshold: 2 }, 'c')).toEqual({ keys: [...keys].sort(), threshold: 2 });
    expect(parseValidators([b.id, a.id], 'v')).toEqual([a.id, b.id].sort());
  });
  it.each([
    [{ keys: [], threshold: 1 }, 'c.keys'],
    [{ keys: [a.id, a.id], threshold: 1 }, 'c.keys'],
    [{ keys: [a.id], threshold: 2 }, 'c.threshold'],
    [{ keys: [a.id], threshold: 0 }, 'c.threshold'],
    [{ keys: ['did:key:x'], threshold: 1 }, 'c.keys[0]'],
    [{ keys: [a.id], threshold: 1, extra: true }, 'c'],
    [[a.id], 'c'],
  ])('refuses %j with CONTROLLERS_INVALID at its path', (v, path) => {
    expect(fault(() => parseControllers(v, 'c'))).toEqual({ code: 'CONTROLLERS_INVALID', path });
  });
  it('refuses empty, duplicate and malformed validator lists with VALIDATORS_INVALID', () => {
    for (const v of [[], [a.id, a.id], ['nope'], 'x', Array.from({ length: 101 }, () => a.id)])
      expect(fault(() => parseValidators(v, 'v')).code).toBe('VALIDATORS_INVALID');
  });
});

describe('policy and limits', () => {
  it('accepts a full policy, upper-cases reserved names and sorts issuers', () => {
    const p = parsePolicy(
      {
        children: { charset: 'digits', minLength: 1, maxLength: 6 },
        ids: { charset: 'alnum', minLength: 1, maxLength: 32, prefixes: ['LAMP-'] },
        types: ['lamp', 'x-kiosk'],
        reserved: ['admin'],
        registrars: [a.id],
        serialWidth: 6,
        issuers: [b.id, a.id],
      },
      'p',
    );
    expect(p.reserved).toEqual(['ADMIN']);
    expect(p.issuers).toEqual([a.id, b.id].sort());
    expect(parseLimits({ maxChildren: 0, maxIds: 5, expiresAt: T0 }, 'l')).toEqual({ maxChildren: 0, maxIds: 5, expiresAt: T0 });
  });
  it.each([
    [{ children: { charset: 'hex', minLength: 1, maxLength: 2 } }, 'p.children.charset'],
    [{ ids: { charset: 'alnum', minLength: 5, maxLength: 4 } }, 'p.ids.maxLength'],
    [{ ids: { charset: 'alnum', minLength: 1, maxLength: 65 } }, 'p.ids.maxLength'],
    [{ ids: { charset: 'alnum', minLength: 1, maxLength: 8, prefixes: ['LOQ-'] } }, 'p.ids.prefixes[0]'],
    [{ types: ['spaceship'] }, 'p.types[0]'],
    [{ issuers: [a.id, a.id] }, 'p.issuers'],
    [{ registrars: ['z'] }, 'p.registrars[0]'],
    [{ serialWidth: 13 }, 'p.serialWidth'],
    [{ owner: a.id }, 'p'],
  ])('refuses policy %j with POLICY_INVALID at its path', (v, path) => {
    expect(fault(() => parsePolicy(v, 'p'))).toEqual({ code: 'POLICY_INVALID', path });
  });
  it('refuses negative or unknown limits with TX_MALFORMED', () => {
    expect(fault(() => parseLimits({ maxIds: -1 }, 'l'))).toEqual({ code: 'TX_MALFORMED', path: 'l.maxIds' });
    expect(fault(() => parseLimits({ maxKeys: 1 }, 'l'))).toEqual({ code: 'TX_MALFORMED', path: 'l' });
  });
});

describe('records', () => {
  const rec = (v: unknown) => parseRecord(v, 'r', DEFAULT_PARAMS, canonicalTarget);
  it('accepts links, services and private references; link targets in canonical form', () => {
    const r = rec({
      type: 'lamp',
      attributes: { power: 60, 'a.b_c-d': [1, { x: null }] },
      links: [{ rel: 'located-in', target: id.toLowerCase() }],
      services: [
        { id: '#feed', type: 'DataFeed', serviceEndpoint: 'https://data.example/lamp' },
        { id: '#urn', type: 'X', serviceEndpoint: 'urn:isbn:123' },
      ],
      privateRefs: [{ name: 'owner', hash: 'a'.repeat(64) }],
    });
    expect(r.links).toEqual([{ rel: 'located-in', target: id }]);
    expect(r.services).toHaveLength(2);
  });
  it.each([
    [{ type: 'lamp', attributes: [] }, 'r.attributes'],
    [{ type: 'lamp', attributes: { 'bad name': 1 } }, 'r.attributes'],
    [{ type: 'lamp', links: [{ rel: 'owns', target: id }] }, 'r.links[0].rel'],
    [{ type: 'lamp', services: [{ id: 'feed', type: 'X', serviceEndpoint: 'https://x.example' }] }, 'r.services[0].id'],
    [{ type: 'lamp', services: [{ id: '#a', type: 'X', serviceEndpoint: 'http://x.example' }] }, 'r.services[0].serviceEndpoint'],
    [
      {
        type: 'lamp',
        services: [
          { id: '#a', type: 'X', serviceEndpoint: 'https://x.example' },
          { id: '#a', type: 'Y', serviceEndpoint: 'https://y.example' },
        ],
      },
      'r.services[1].id',
    ],
    [{ type: 'lamp', privateRefs: [{ name: 'owner', hash: 'A'.repeat(64) }] }, 'r.privateRefs[0].hash'],
    [{ type: 'lamp', colour: 'red' }, 'r'],
    [{ type: 'Lamp' }, 'r.type'],
  ])('refuses record %j with RECORD_INVALID at its path', (v, path) => {
    expect(fault(() => rec(v))).toEqual({ code: 'RECORD_INVALID', path });
  });
  it('refuses a link target that is no identifier with the identifier codec error', () => {
    expect(fault(() => rec({ type: 'lamp', links: [{ rel: 'located-in', target: '!!' }] })).code).toMatch(/^ID_/);
  });
});

describe('grant scopes and hashes', () => {
  it('accepts a scope and refuses malformed ones with GRANT_INVALID', () => {
    expect(fault(() => parseGrantScope({ access: ['read'], services: ['#api'], paths: ['/v1/'] }, 's')).code).toBe('OK');
    for (const s of [
      { access: [] },
      { access: ['read', 'read'] },
      { access: ['delete'] },
      { access: ['read'], services: ['api'] },
      { access: ['read'], paths: ['/a/../b'] },
    ]) {
      expect(fault(() => parseGrantScope(s, 's')).code, JSON.stringify(s)).toBe('GRANT_INVALID');
    }
  });
  it('isHashHex takes lowercase 64-digit hex only', () => {
    expect([isHashHex('a'.repeat(64)), isHashHex('A'.repeat(64)), isHashHex('a'.repeat(63)), isHashHex(1)]).toEqual([true, false, false, false]);
  });
});

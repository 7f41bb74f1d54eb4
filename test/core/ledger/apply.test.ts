import { describe, expect, it } from 'vitest';
import { codeOf, expectOk, newChain, newSigner, OPEN_POLICY, withCity, T0 } from '../../helpers/chain.js';
import { cosignTx, txHash } from '../../../src/core/ledger/tx.js';
import type { Tx } from '../../../src/core/ledger/types.js';

const txHashOf = (t: Tx) => txHash(t.body);
import { verifyProvenEntry } from '../../../src/core/ledger/verify.js';
import { verifyChain } from '../../../src/engine/verify-chain.js';
import { objectIdText } from '../../../src/core/ledger/names.js';

const LAMP = { type: 'lamp', attributes: { power: 60 } };

describe('state machine: namespaces', () => {
  it('lets only the root create top-level namespaces', () => {
    const c = newChain();
    const mallory = newSigner();
    const before = c.store.head()!.header.stateRoot;
    const r = c.run('ns.create', { ns: '156', controllers: { keys: [mallory.id], threshold: 1 }, record: { type: 'country' } }, [mallory]);
    expect(codeOf(r)).toBe('AUTH_THRESHOLD');
    expect(c.store.ns('156')).toBeUndefined();
    expect(c.store.head()!.header.stateRoot).toBe(before);
  });

  it('delegates a city to its controllers and enforces the parent policy and quota', () => {
    const c = newChain();
    const city = withCity(c);
    expect(c.store.ns('156.130100')!.controllers.keys).toEqual([city.id]);
    expect(c.store.ns('156')!.children).toBe(1);
    // The country limits children to digits of length 6 and at most 2 children.
    expectOk(c.run('ns.update', { ns: '156', policy: { ...OPEN_POLICY, children: { charset: 'digits', minLength: 6, maxLength: 6 } } }, [c.root]));
    expectOk(c.run('ns.limits', { ns: '156', limits: { maxChildren: 2 } }, [c.root]));
    expect(codeOf(c.run('ns.create', { ns: '156.ABC', controllers: { keys: [city.id], threshold: 1 }, record: { type: 'city' } }, [c.root]))).toBe(
      'POLICY_SEGMENT_FORMAT',
    );
    expectOk(c.run('ns.create', { ns: '156.110000', controllers: { keys: [city.id], threshold: 1 }, record: { type: 'city' } }, [c.root]));
    expect(codeOf(c.run('ns.create', { ns: '156.120000', controllers: { keys: [city.id], threshold: 1 }, record: { type: 'city' } }, [c.root]))).toBe(
      'QUOTA_CHILDREN',
    );
    expect(codeOf(c.run('ns.create', { ns: '156.110000', controllers: { keys: [city.id], threshold: 1 }, record: { type: 'city' } }, [c.root]))).toBe(
      'NS_EXISTS',
    );
  });

  it('suspension by the parent blocks writes below it until reinstated', () => {
    const c = newChain();
    const city = withCity(c);
    expectOk(c.run('ns.suspend', { ns: '156.130100' }, [c.root]));
    expect(codeOf(c.run('id.register', { id: '156.130100/LAMP-1', record: LAMP }, [city]))).toBe('NS_SUSPENDED');
    // The city cannot lift its own suspension.
    expect(codeOf(c.run('ns.reinstate', { ns: '156.130100' }, [city]))).toBe('AUTH_THRESHOLD');
    expectOk(c.run('ns.reinstate', { ns: '156.130100' }, [c.root]));
    expectOk(c.run('id.register', { id: '156.130100/LAMP-1', record: LAMP }, [city]));
  });

  it('recovers a namespace whose keys were lost through the parent, which still cannot edit its records', () => {
    const c = newChain();
    const city = withCity(c);
    expectOk(c.run('id.register', { id: '156.130100/CAM-1', record: { type: 'camera' } }, [city]));
    const fresh = newSigner();
    expect(codeOf(c.run('ns.recover', { ns: '156.130100', controllers: { keys: [fresh.id], threshold: 1 } }, [city]))).toBe('AUTH_THRESHOLD');
    expectOk(c.run('ns.recover', { ns: '156.130100', controllers: { keys: [fresh.id], threshold: 1 } }, [c.root]));
    expect(codeOf(c.run('id.update', { id: '156.130100/CAM-1', record: { type: 'camera', attributes: { x: 1 } } }, [c.root]))).toBe('AUTH_NOT_REGISTRAR');
    expect(codeOf(c.run('id.update', { id: '156.130100/CAM-1', record: { type: 'camera' } }, [city]))).toBe('AUTH_NOT_REGISTRAR');
    expectOk(c.run('id.update', { id: '156.130100/CAM-1', record: { type: 'camera', attributes: { x: 1 } } }, [fresh]));
  });

  it('refuses writes into an expired namespace until the parent renews it', () => {
    const c = newChain();
    const city = withCity(c);
    expectOk(c.run('ns.limits', { ns: '156.130100', limits: { expiresAt: c.time + 1500 } }, [c.root]));
    c.time += 5000;
    expect(codeOf(c.run('id.register', { id: '156.130100/LAMP-1', record: LAMP }, [city]))).toBe('NS_EXPIRED');
    expectOk(c.run('ns.limits', { ns: '156.130100', limits: { expiresAt: c.time + 100_000 } }, [c.root]));
    expectOk(c.run('id.register', { id: '156.130100/LAMP-1', record: LAMP }, [city]));
  });

  it('applies m-of-n thresholds', () => {
    const c = newChain();
    const [a, b, d] = [newSigner(), newSigner(), newSigner()];
    expectOk(
      c.run('ns.create', { ns: '156', controllers: { keys: [a.id, b.id, d.id], threshold: 2 }, policy: OPEN_POLICY, record: { type: 'country' } }, [c.root]),
    );
    expect(codeOf(c.run('ns.update', { ns: '156', record: { type: 'country', attributes: { n: 1 } } }, [a]))).toBe('AUTH_THRESHOLD');
    const tx = c.tx('ns.update', { ns: '156', record: { type: 'country', attributes: { n: 2 } } }, [a]);
    expectOk(c.commit(cosignTx(tx, [d]))[0]!);
    expect(c.store.ns('156')!.record.attributes).toEqual({ n: 2 });
  });
});

describe('state machine: identifiers', () => {
  it('registers, updates, transfers, deactivates with full history, and never reuses', () => {
    const c = newChain();
    const city = withCity(c);
    expectOk(c.run('id.register', { id: '156.130100/lamp-000017', record: LAMP }, [city]));
    const e = c.store.id('156.130100/LAMP-000017')!;
    expect(e.id).toMatch(/^156\.130100\/LAMP-000017:[0-9A-HJ-NPR-Z._-]$/);
    expect(e.version).toBe(1);
    expectOk(c.run('id.update', { id: e.id, record: { ...LAMP, attributes: { power: 40 } }, ifVersion: 1 }, [city]));
    expect(codeOf(c.run('id.update', { id: e.id, record: LAMP, ifVersion: 1 }, [city]))).toBe('ID_VERSION_CONFLICT');
    const owner = newSigner();
    expectOk(c.run('id.transfer', { id: e.id, controllers: { keys: [owner.id], threshold: 1 } }, [city]));
    // After the transfer the namespace no longer controls the record.
    expect(codeOf(c.run('id.update', { id: e.id, record: LAMP }, [city]))).toBe('AUTH_THRESHOLD');
    expectOk(c.run('id.deactivate', { id: e.id, reason: 'removed' }, [owner]));
    expect(codeOf(c.run('id.update', { id: e.id, record: LAMP }, [owner]))).toBe('ID_DEACTIVATED');
    expect(codeOf(c.run('id.register', { id: '156.130100/LAMP-000017', record: LAMP }, [city]))).toBe('ID_EXISTS');
    const hist = c.store.idHistory('156.130100/LAMP-000017');
    expect(hist.map((h) => h.version)).toEqual([1, 2, 3, 4]);
    expect(hist.map((h) => h.status)).toEqual(['active', 'active', 'active', 'deactivated']);
  });

  it('validates records: type vocabulary, size limit, links, services', () => {
    const c = newChain();
    const city = withCity(c);
    expect(codeOf(c.run('id.register', { id: '156.130100/X1', record: { type: 'spaceship' } }, [city]))).toBe('RECORD_INVALID');
    expectOk(c.run('id.register', { id: '156.130100/X2', record: { type: 'x-spaceship' } }, [city]));
    const big = { type: 'lamp', attributes: { blob: 'a'.repeat(5000) } };
    expect(codeOf(c.run('id.register', { id: '156.130100/X3', record: big }, [city]))).toBe('RECORD_TOO_LARGE');
    const target = objectIdText('156.130100', 'BLDG-1');
    const typo = target.slice(0, -1) + (target.endsWith('0') ? '1' : '0');
    expect(codeOf(c.run('id.register', { id: '156.130100/X4', record: { type: 'lamp', links: [{ rel: 'located-in', target: typo }] } }, [city]))).toBe(
      'ID_CHECK_MISMATCH',
    );
    expectOk(
      c.run(
        'id.register',
        {
          id: '156.130100/X5',
          record: {
            type: 'camera',
            links: [{ rel: 'located-in', target: '156.110000/BLDG-1' }],
            services: [{ id: '#feed', type: 'VideoFeed', serviceEndpoint: 'https://cams.example/x5' }],
          },
        },
        [city],
      ),
    );
    const x5 = c.store.id('156.130100/X5')!;
    expect(x5.record.links![0]!.target).toMatch(/^156\.110000\/BLDG-1:[0-9A-HJ-NPR-Z._-]$/);
    expect(
      codeOf(
        c.run('id.register', { id: '156.130100/X6', record: { type: 'camera', services: [{ id: '#a', type: 'T', serviceEndpoint: 'http://plain' }] } }, [city]),
      ),
    ).toBe('RECORD_INVALID');
  });

  it('enforces local-part policy, reserved names, types and identifier quota', () => {
    const c = newChain();
    const city = withCity(c);
    expectOk(
      c.run(
        'ns.update',
        {
          ns: '156.130100',
          policy: {
            ...OPEN_POLICY,
            ids: { charset: 'alnum', minLength: 3, maxLength: 20, prefixes: ['LAMP-', 'CAM-'] },
            reserved: ['LAMP-0'],
            types: ['lamp', 'camera'],
          },
        },
        [city],
      ),
    );
    // A prefix with a letter outside the identifier alphabet could never be allocated: refused at once.
    expect(
      codeOf(
        c.run('ns.update', { ns: '156.130100', policy: { ...OPEN_POLICY, ids: { charset: 'alnum', minLength: 3, maxLength: 20, prefixes: ['LIGHT-'] } } }, [
          city,
        ]),
      ),
    ).toBe('POLICY_INVALID');
    expectOk(c.run('ns.limits', { ns: '156.130100', limits: { maxIds: 2 } }, [c.root]));
    expect(codeOf(c.run('id.register', { id: '156.130100/BIN-1', record: LAMP }, [city]))).toMatch(/POLICY_LOCAL_FORMAT|ID_CHAR_EXCLUDED/);
    expect(codeOf(c.run('id.register', { id: '156.130100/BUS-1', record: LAMP }, [city]))).toBe('POLICY_LOCAL_FORMAT');
    expect(codeOf(c.run('id.register', { id: '156.130100/LAMP-0', record: LAMP }, [city]))).toBe('POLICY_RESERVED');
    expect(codeOf(c.run('id.register', { id: '156.130100/LAMP-1', record: { type: 'meter' } }, [city]))).toBe('POLICY_TYPE_NOT_ALLOWED');
    expectOk(c.run('id.register', { id: '156.130100/LAMP-1', record: LAMP }, [city]));
    expectOk(c.run('id.register', { id: '156.130100/CAM-1', record: { type: 'camera' } }, [city]));
    expect(codeOf(c.run('id.register', { id: '156.130100/CAM-2', record: { type: 'camera' } }, [city]))).toBe('QUOTA_IDS');
  });

  it('allocates serial ranges in one transaction, skipping taken numbers and never reusing', () => {
    const c = newChain();
    const city = withCity(c);
    expectOk(c.run('ns.update', { ns: '156.130100', policy: { ...OPEN_POLICY, serialWidth: 4 } }, [city]));
    expectOk(c.run('id.register', { id: '156.130100/LAMP-0002', record: LAMP }, [city]));
    expectOk(c.run('id.allocate', { ns: '156.130100', prefix: 'LAMP-', count: 3, record: LAMP }, [city]));
    for (const n of ['0001', '0002', '0003', '0004']) expect(c.store.id(`156.130100/LAMP-${n}`)).toBeDefined();
    expect(c.store.id('156.130100/LAMP-0005')).toBeUndefined();
    expect(c.store.ns('156.130100')!.ids).toBe(4);
    expectOk(c.run('id.deactivate', { id: '156.130100/LAMP-0004', reason: 'broken' }, [city]));
    expectOk(c.run('id.allocate', { ns: '156.130100', prefix: 'LAMP-', count: 1, record: LAMP }, [city]));
    expect(c.store.id('156.130100/LAMP-0005')).toBeDefined();
    expect(c.store.id('156.130100/LAMP-0004')!.status).toBe('deactivated');
  });

  it('lets a delegated registrar register but not change policy, and recovers an identifier through the namespace', () => {
    const c = newChain();
    const city = withCity(c);
    const registrar = newSigner();
    expectOk(c.run('ns.update', { ns: '156.130100', policy: { ...OPEN_POLICY, registrars: [registrar.id] } }, [city]));
    expectOk(c.run('id.register', { id: '156.130100/M-1', record: { type: 'meter' } }, [registrar]));
    expect(codeOf(c.run('ns.update', { ns: '156.130100', policy: OPEN_POLICY }, [registrar]))).toBe('AUTH_THRESHOLD');
    const lost = newSigner();
    expectOk(c.run('id.transfer', { id: '156.130100/M-1', controllers: { keys: [lost.id], threshold: 1 } }, [registrar]));
    const fresh = newSigner();
    expect(codeOf(c.run('id.recover', { id: '156.130100/M-1', controllers: { keys: [fresh.id], threshold: 1 } }, [registrar]))).toBe('AUTH_THRESHOLD');
    expectOk(c.run('id.recover', { id: '156.130100/M-1', controllers: { keys: [fresh.id], threshold: 1 } }, [city]));
    expectOk(c.run('id.update', { id: '156.130100/M-1', record: { type: 'meter', attributes: { a: 1 } } }, [fresh]));
  });
});

describe('state machine: transactions', () => {
  it('rejects a wrong chain id, an expired window, a replay and a bad signature, changing nothing', () => {
    const c = newChain();
    const city = withCity(c);
    const root0 = c.store.head()!.header.stateRoot;
    const wrongChain = c.tx('id.register', { id: '156.130100/A-1', record: LAMP }, [city], { chain: 'other-chain' });
    const expired = c.tx('id.register', { id: '156.130100/A-2', record: LAMP }, [city], { now: T0 - 3_600_000 });
    const good = c.tx('id.register', { id: '156.130100/A-3', record: LAMP }, [city]);
    const tampered = structuredClone(good);
    (tampered.body.payload as { id: string }).id = '156.130100/A-4';
    const results = c.commit(wrongChain, expired, tampered, { not: 'a tx' });
    expect(results.map(codeOf)).toEqual(['TX_CHAIN_MISMATCH', 'TX_EXPIRED', 'TX_SIGNATURE_INVALID', 'TX_MALFORMED']);
    expect(c.store.head()!.header.stateRoot).toBe(root0);
    expect(c.store.head()!.header.txCount).toBe(4);
    expectOk(c.commit(good)[0]!);
    expect(codeOf(c.commit(good)[0]!)).toBe('TX_REPLAYED');
    expect(codeOf(c.commit(c.tx('id.register', { id: '156.130100/A-5', record: LAMP }, [city], { ttlMs: 48 * 3600 * 1000 }))[0]!)).toBe('TX_WINDOW_TOO_LONG');
  });

  it('changes the validator set only with the root threshold, effective for the next block', () => {
    const c = newChain();
    const v2 = newSigner();
    expect(codeOf(c.run('chain.validators', { validators: [v2.id] }, [v2]))).toBe('AUTH_THRESHOLD');
    const before = c.store.head()!.header.nextValidators;
    expectOk(c.run('chain.validators', { validators: [c.validator.id, v2.id] }, [c.root]));
    expect(c.store.chain()!.validators).toHaveLength(2);
    expect(c.store.head()!.header.nextValidators).not.toBe(before);
  });
});

describe('proofs and chain verification', () => {
  it('proves presence and absence against a certified header, and the chain re-verifies', () => {
    const c = newChain();
    const city = withCity(c);
    expectOk(c.run('id.allocate', { ns: '156.130100', prefix: 'L', count: 200, record: LAMP }, [city]));
    const anchor = { chainId: c.chainId, validators: [c.validator.id] };
    const present = c.ledger.prove('id:156.130100/L000123');
    expect(verifyProvenEntry(present, anchor).present).toBe(true);
    const absent = c.ledger.prove('id:156.130100/L999999');
    expect(absent.entry).toBeNull();
    expect(verifyProvenEntry(absent, anchor).present).toBe(false);
    // A forged record fails against the same proof.
    const forged = structuredClone(present);
    (forged.entry as { record: { attributes: unknown } }).record.attributes = { power: 1000 };
    expect(() => verifyProvenEntry(forged, anchor)).toThrow(/PROOF|proof/);
    // Claiming absence of a present key fails.
    expect(() => verifyProvenEntry({ ...present, entry: null }, anchor)).toThrow();
    // An answer certified by someone else fails.
    expect(() => verifyProvenEntry(present, { ...anchor, validators: [newSigner().id] })).toThrow(/validator/);
    const check = verifyChain(c.store);
    expect(check.ok).toBe(true);
  });

  it('names the first faulty block when history is tampered with', () => {
    const c = newChain();
    const city = withCity(c);
    expectOk(c.run('id.register', { id: '156.130100/T-1', record: LAMP }, [city]));
    const h = c.store.head()!.height;
    const block = c.store.block(h)!;
    (block.txs[0]!.body.payload as { record: { attributes?: unknown } }).record.attributes = { power: 1 };
    const check = verifyChain(c.store);
    expect(check.ok).toBe(false);
    expect(check.height).toBe(h);
  });
});

describe('transaction index', () => {
  it('keeps the committed outcome of a transaction when a replayed copy is rejected later', async () => {
    const { SqliteStore } = await import('../../../src/storage/sqlite/sqlite-store.js');
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { MemoryStore } = await import('../../../src/storage/memory/memory-store.js');
    const dir = mkdtempSync(join(tmpdir(), 'urbis-txidx-'));
    try {
      for (const store of [new MemoryStore(), SqliteStore.open(join(dir, 'l.db'))]) {
        const c = newChain(store);
        const city = withCity(c);
        const tx = c.tx('id.register', { id: '156.130100/R-1', record: LAMP }, [city]);
        expectOk(c.commit(tx)[0]!);
        const first = c.store.tx(txHashOf(tx))!;
        expect(codeOf(c.commit(tx)[0]!)).toBe('TX_REPLAYED');
        expect(c.store.tx(txHashOf(tx))).toEqual(first);
        store.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('state machine: transactions the ordering stream carried as text (not canonical JSON)', () => {
  it('records them as invalid (TX_NOT_CANONICAL) without executing any reading of them, and re-execution agrees', () => {
    const c = newChain();
    const city = withCity(c);
    const id = objectIdText('156.130100', 'DUP-1');
    const t = c.tx('id.register', { id, record: LAMP }, [city]);
    // The signed value is what JSON.parse reads (the last "id" wins): executed, it would be valid.
    const dup = JSON.stringify(t).replace(`"id":"${id}"`, `"id":"${objectIdText('156.130100', 'DUP-2')}","id":"${id}"`);
    expect(JSON.parse(dup)).toEqual(t);
    const before = c.store.head()!.header.stateRoot;
    const [r] = c.commit(dup);
    expect(codeOf(r!)).toBe('TX_NOT_CANONICAL');
    expect(c.store.head()!.header.stateRoot).toBe(before);
    expect(c.store.search({ ns: '156.130100', limit: 10 }).items.map((e) => e.id)).not.toContain(id);
    // Its replay protection is not consumed: the canonical transaction is still accepted.
    expectOk(c.commit(t)[0]!);
    expect(verifyChain(c.store).ok).toBe(true);
  });
});

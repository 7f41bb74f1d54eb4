// Who may issue codes (policy.issuers, withdrawn keys remembered in retiredIssuers) and label.revoke:
// docs/protocol.md "Allocation policy" and "Transaction types", docs/codes.md §7.
import { describe, expect, it } from 'vitest';
import { codeOf, expectOk, newChain, newSigner, OPEN_POLICY, withCity } from '../../helpers/chain.js';
import { objectIdText } from '../../../src/core/ledger/names.js';
import { verifyChain } from '../../../src/engine/verify-chain.js';
import { MAX_REVOKED_LABELS } from '../../../src/core/ledger/types.js';

const LAMP = { type: 'lamp', attributes: { kind: 'led' } };

describe('state machine: code issuers and label revocation', () => {
  it('sets issuers by ns.update (own controllers only), keeps them sorted, remembers withdrawn keys', () => {
    const c = newChain();
    const city = withCity(c);
    const [a, b] = [newSigner(), newSigner()];
    expect(codeOf(c.run('ns.update', { ns: '156.130100', policy: { ...OPEN_POLICY, issuers: [a.id] } }, [c.root]))).toBe('AUTH_THRESHOLD');
    expect(codeOf(c.run('ns.update', { ns: '156.130100', policy: { ...OPEN_POLICY, issuers: [a.id, a.id] } }, [city]))).toBe('POLICY_INVALID');
    expect(codeOf(c.run('ns.update', { ns: '156.130100', policy: { ...OPEN_POLICY, issuers: ['z6Mkbad'] } }, [city]))).toBe('POLICY_INVALID');
    expectOk(c.run('ns.update', { ns: '156.130100', policy: { ...OPEN_POLICY, issuers: [b.id, a.id] } }, [city]));
    expect(c.store.ns('156.130100')!.policy.issuers).toEqual([a.id, b.id].sort());
    expect(c.store.ns('156.130100')!.retiredIssuers).toBeUndefined();
    // Withdraw a: remembered as retired.
    expectOk(c.run('ns.update', { ns: '156.130100', policy: { ...OPEN_POLICY, issuers: [b.id] } }, [city]));
    expect(c.store.ns('156.130100')!.retiredIssuers).toEqual([a.id]);
    // A record-only update leaves issuers and retired keys alone.
    expectOk(c.run('ns.update', { ns: '156.130100', record: { type: 'city', attributes: { n: 1 } } }, [city]));
    expect(c.store.ns('156.130100')!.retiredIssuers).toEqual([a.id]);
    // Re-adding a removes it from the retired list (its codes verify again).
    expectOk(c.run('ns.update', { ns: '156.130100', policy: { ...OPEN_POLICY, issuers: [a.id, b.id] } }, [city]));
    expect('retiredIssuers' in c.store.ns('156.130100')!).toBe(false);
    expect(verifyChain(c.store).ok).toBe(true);
  });

  it('revokes one label serial without changing record, status or controllers; authority is the identifier’s or one issuer’s', () => {
    const c = newChain();
    const city = withCity(c);
    const issuer = newSigner();
    const stranger = newSigner();
    expectOk(c.run('ns.update', { ns: '156.130100', policy: { ...OPEN_POLICY, issuers: [issuer.id] } }, [city]));
    const id = objectIdText('156.130100', 'LAMP-1');
    expectOk(c.run('id.register', { id, record: LAMP }, [city]));
    const before = c.store.id('156.130100/LAMP-1')!;

    expect(codeOf(c.run('label.revoke', { id, serial: 7 }, [stranger]))).toBe('AUTH_NOT_REGISTRAR');
    expect(codeOf(c.run('label.revoke', { id, serial: -1 }, [issuer]))).toBe('TX_MALFORMED');
    expect(codeOf(c.run('label.revoke', { id, serial: 2 ** 32 }, [issuer]))).toBe('TX_MALFORMED');
    expect(codeOf(c.run('label.revoke', { id: objectIdText('156.130100', 'NXPE'), serial: 1 }, [issuer]))).toBe('ID_NOT_FOUND');
    expectOk(c.run('label.revoke', { id, serial: 7, reason: 'stolen' }, [issuer]));
    expectOk(c.run('label.revoke', { id, serial: 3 }, [city]));
    expect(codeOf(c.run('label.revoke', { id, serial: 7 }, [city]))).toBe('LABEL_ALREADY_REVOKED');

    const after = c.store.id('156.130100/LAMP-1')!;
    expect(after.revokedLabels).toEqual([3, 7]);
    expect(after.record).toEqual(before.record);
    expect(after.status).toBe('active');
    expect(after.controllers).toEqual(before.controllers);
    expect(after.version).toBe(before.version + 2); // each revocation is a version with its transaction
    // The identifier itself keeps working.
    expectOk(c.run('id.update', { id, record: { ...LAMP, attributes: { kind: 'led', h: 8 } } }, [city]));
    expect(c.store.id('156.130100/LAMP-1')!.revokedLabels).toEqual([3, 7]);
    // A deactivated identifier has no labels left to revoke.
    expectOk(c.run('id.deactivate', { id }, [city]));
    expect(codeOf(c.run('label.revoke', { id, serial: 9 }, [issuer]))).toBe('ID_DEACTIVATED');
    expect(verifyChain(c.store).ok).toBe(true);
  });

  it('an issuer of one namespace cannot revoke labels in another; an identifier with own controllers accepts them or an issuer', () => {
    const c = newChain();
    const city = withCity(c);
    const issuer = newSigner();
    const owner = newSigner();
    expectOk(
      c.run(
        'ns.create',
        {
          ns: '156.130100.42',
          controllers: { keys: [city.id], threshold: 1 },
          policy: { ...OPEN_POLICY, issuers: [issuer.id] },
          record: { type: 'organisation' },
        },
        [city],
      ),
    );
    expectOk(c.run('id.register', { id: '156.130100/CAM-1', record: { type: 'camera' } }, [city]));
    expect(codeOf(c.run('label.revoke', { id: '156.130100/CAM-1', serial: 1 }, [issuer]))).toBe('AUTH_NOT_REGISTRAR');
    expectOk(c.run('id.register', { id: '156.130100.42/CAM-2', record: { type: 'camera' }, controllers: { keys: [owner.id], threshold: 1 } }, [city]));
    expect(codeOf(c.run('label.revoke', { id: '156.130100.42/CAM-2', serial: 1 }, [city]))).toBe('AUTH_THRESHOLD');
    expectOk(c.run('label.revoke', { id: '156.130100.42/CAM-2', serial: 1 }, [owner]));
    expectOk(c.run('label.revoke', { id: '156.130100.42/CAM-2', serial: 2 }, [issuer]));
  });

  it('bounds the revoked serials of one identifier', () => {
    const c = newChain();
    const city = withCity(c);
    const id = objectIdText('156.130100', 'LAMP-2');
    expectOk(c.run('id.register', { id, record: LAMP }, [city]));
    const txs = Array.from({ length: MAX_REVOKED_LABELS }, (_, i) => c.tx('label.revoke', { id, serial: i }, [city]));
    expect(c.commit(...txs).every((r) => r.ok)).toBe(true);
    expect(codeOf(c.run('label.revoke', { id, serial: MAX_REVOKED_LABELS }, [city]))).toBe('LABEL_REVOKED_LIMIT');
  });
});

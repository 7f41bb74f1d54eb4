// What a committed transaction determines about the versions it writes (src/core/ledger/writes.ts),
// checked against the state machine itself: every transaction type runs on a chain, and every
// version each block wrote must be explained by its transaction (writesOf), and every identifier's
// history must be re-derived exactly from its transactions (nextIdVersion).
import { describe, expect, it } from 'vitest';
import { nextIdVersion, writesOf } from '../../../src/core/ledger/writes.js';
import { stateKey } from '../../../src/core/ledger/state.js';
import { txHash } from '../../../src/core/ledger/tx.js';
import type { IdEntry, Tx } from '../../../src/core/ledger/types.js';
import { sameJson } from '../../../src/core/ledger/verify.js';
import { expectOk, newChain, newSigner, thrownCode, withCity, type TestChain } from '../../helpers/chain.js';

/** A chain on which every transaction type that writes a version has run. */
function busyChain(): TestChain {
  const c = newChain();
  const city = withCity(c);
  const issuer = newSigner();
  const owner = newSigner();
  const ok = (r: ReturnType<TestChain['run']>) => expectOk(r);
  ok(
    c.run(
      'ns.create',
      {
        ns: '156.130100.42',
        controllers: { keys: [city.id], threshold: 1 },
        policy: { ids: { charset: 'alnum', minLength: 1, maxLength: 20 } },
        record: { type: 'district' },
      },
      [city],
    ),
  );
  ok(
    c.run(
      'ns.update',
      {
        ns: '156.130100.42',
        record: { type: 'district', attributes: { name: 'North' } },
        policy: { ids: { charset: 'alnum', minLength: 1, maxLength: 20 }, issuers: [issuer.id] },
      },
      [city],
    ),
  );
  ok(c.run('ns.limits', { ns: '156.130100.42', limits: { maxIds: 100 } }, [city]));
  ok(c.run('ns.suspend', { ns: '156.130100.42' }, [city]));
  ok(c.run('ns.reinstate', { ns: '156.130100.42' }, [city]));
  ok(c.run('ns.recover', { ns: '156.130100.42', controllers: { keys: [city.id], threshold: 1 } }, [city]));
  ok(c.run('id.register', { id: '156.130100.42/LAMP1', record: { type: 'lamp' }, controllers: { keys: [owner.id], threshold: 1 } }, [city]));
  ok(
    c.run(
      'id.registerBatch',
      {
        ns: '156.130100.42',
        items: [
          { local: 'B1', record: { type: 'meter' } },
          { local: 'B2', record: { type: 'meter' } },
        ],
      },
      [city],
    ),
  );
  ok(c.run('id.allocate', { ns: '156.130100.42', prefix: 'S', count: 2, record: { type: 'sensor' } }, [city]));
  ok(c.run('id.update', { id: '156.130100.42/LAMP1', record: { type: 'lamp', attributes: { watts: 40 } } }, [owner]));
  ok(c.run('id.transfer', { id: '156.130100.42/LAMP1', controllers: null }, [owner]));
  ok(c.run('id.recover', { id: '156.130100.42/LAMP1', controllers: { keys: [owner.id], threshold: 1 } }, [city]));
  ok(c.run('label.revoke', { id: '156.130100.42/LAMP1', serial: 7 }, [issuer]));
  ok(c.run('label.revoke', { id: '156.130100.42/LAMP1', serial: 3 }, [issuer]));
  ok(
    c.run(
      'id.register',
      { id: '156.130100.42/FEED', record: { type: 'service', services: [{ id: '#api', type: 'x', serviceEndpoint: 'https://a.example' }] } },
      [city],
    ),
  );
  const grant = { subject: '156.130100.42/FEED', grantee: '156.130100.42/B1', scope: { access: ['read' as const] }, purpose: 'test', expires: c.time + 1e9 };
  ok(c.run('grant.issue', grant, [city]));
  ok(c.run('grant.revoke', { subject: grant.subject, grantee: grant.grantee }, [city]));
  // Two writes of one identifier in one block.
  const [a, b] = c.commit(
    c.tx('id.update', { id: '156.130100.42/B2', record: { type: 'meter', attributes: { n: 1 } } }, [city]),
    c.tx('id.deactivate', { id: '156.130100.42/B2' }, [city]),
  );
  ok(a!);
  ok(b!);
  ok(c.run('chain.validators', { validators: [c.validator.id] }, [c.root]));
  return c;
}

describe('writes of a transaction (docs/protocol.md "Transaction inclusion")', () => {
  const c = busyChain();
  const head = c.store.head()!.height;

  it('every version every block wrote is explained by its transaction', () => {
    let checked = 0;
    for (let h = 0; h <= head; h++) {
      const block = c.store.block(h)!;
      const byHash = new Map(block.txs.map((t) => [txHash(t.body), t]));
      for (const v of c.store.changes(h)) {
        const tx = byHash.get(v.tx)!;
        const w = writesOf(tx.body).find((x) => x.key(stateKey(v)));
        expect(w, `${tx.body.type} writes ${stateKey(v)}`).toBeDefined();
        const status = (v as { status?: string }).status;
        if (w!.status !== undefined) expect(status).toBe(w!.status);
        if (w!.version !== undefined) expect(v.version).toBe(w!.version);
        if (w!.record !== undefined) expect(sameJson((v as IdEntry).record, w!.record)).toBe(true);
        if (w!.controllers !== undefined) expect(sameJson((v as IdEntry).controllers, w!.controllers)).toBe(true);
        checked++;
      }
    }
    expect(checked).toBeGreaterThan(20);
  });

  it('every identifier history is re-derived exactly from its transactions', () => {
    const ids = [...c.store.allEntries()].filter((e): e is IdEntry => e.kind === 'id');
    expect(ids.length).toBeGreaterThanOrEqual(6);
    for (const cur of ids) {
      const key = stateKey(cur);
      let prev: IdEntry | null = null;
      for (const v of c.store.idHistory(key.slice(3))) {
        const tx = c.store.block(v.height)!.txs.find((t) => txHash(t.body) === v.tx) as Tx;
        prev = nextIdVersion(prev, key, tx.body, v.tx, v.height, c.store.header(v.height)!.time);
        expect(prev, `${key} v${v.version}`).toEqual(v);
      }
      expect(prev).toEqual(cur);
    }
  });

  it('a transaction about another identifier, or a second creation, explains nothing', () => {
    const lamp = c.store.id('156.130100.42/LAMP1')!;
    const reg = c.store.block(lamp.height)!.txs.find((t) => txHash(t.body) === lamp.tx)!;
    expect(thrownCode(() => nextIdVersion(null, 'id:156.130100.42/B1', reg.body, lamp.tx, 1, 1))).toBe('PROOF_INVALID');
    const first = c.store.idHistory('156.130100.42/B1')[0]!;
    const batch = c.store.block(first.height)!.txs.find((t) => txHash(t.body) === first.tx)!;
    expect(thrownCode(() => nextIdVersion(first, 'id:156.130100.42/B1', batch.body, first.tx, 1, 1))).toBe('PROOF_INVALID');
  });
});

/**
 * `POST /v1/tx/check` (docs/api.md "Checking a transaction"): admission's dry run at the head for a
 * transaction signed by some, all or none of its signers. It says who has signed, each authority
 * rule with what is missing and who may still sign, and the outcome; it admits nothing. Each error
 * answer the OpenAPI document lists for it is produced here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { OPEN_POLICY, expectOk, newSigner, withCity } from '../helpers/chain.js';
import { newTestNode, type TestNode } from '../helpers/node.js';
import { txHash } from '../../src/core/ledger/tx.js';
import type { Signer } from '../../src/core/ledger/tx.js';
import type { Payloads, TxType } from '../../src/core/ledger/types.js';
import type { TxCheckAnswer } from '../../src/core/api/types.js';

let n: TestNode;
let city: Signer;
let other: Signer;
let third: Signer;
let registrar: Signer;
/** A transaction of the wall clock's window, as the CLI builds one (the route checks at Date.now()). */
const tx = <T extends TxType>(type: T, payload: Payloads[T], signers: Signer[]) => n.chain.tx(type, payload, signers, { now: Date.now() });
const check = async (payload: unknown, extra: { url?: string; headers?: Record<string, string> } = {}) =>
  n.app.inject({ method: 'POST', url: extra.url ?? '/v1/tx/check', payload: payload as string, ...(extra.headers ? { headers: extra.headers } : {}) });

beforeAll(() => {
  n = newTestNode({ rateLimit: 0, webApp: null, bodyLimit: 100_000 });
  city = withCity(n.chain);
  [other, third, registrar] = [newSigner(), newSigner(), newSigner()];
  // The city's namespace: 2 of its 3 officers, and one delegated registrar.
  expectOk(
    n.chain.run(
      'ns.update',
      { ns: '156.130100', controllers: { keys: [city.id, other.id, third.id].sort(), threshold: 2 }, policy: { ...OPEN_POLICY, registrars: [registrar.id] } },
      [city],
    ),
  );
});

describe('POST /v1/tx/check', () => {
  it('unsigned: nobody has signed, two of the three are missing, it would be refused; nothing is admitted', async () => {
    const head = n.chain.store.head()!.height;
    const t = tx('ns.update', { ns: '156.130100', record: { type: 'city', attributes: { a: 1 } } }, []);
    const r = await check(t);
    expect(r.statusCode, r.body).toBe(200);
    const a = r.json<TxCheckAnswer>();
    expect(a).toMatchObject({ hash: txHash(t.body), height: head, signedBy: [], admissible: false, result: { ok: false, code: 'AUTH_THRESHOLD' } });
    expect(a.authority).toEqual([
      {
        what: 'namespace 156.130100',
        threshold: 2,
        keys: [city.id, other.id, third.id].sort(),
        signers: [],
        missing: 2,
        candidates: [city.id, other.id, third.id].sort(),
        met: false,
      },
    ]);
    n.sequencer.cut();
    expect(n.chain.store.head()!.height).toBe(head);
    expect((await n.app.inject({ method: 'GET', url: `/v1/tx/${a.hash}` })).statusCode).toBe(404);
  });

  it('partly and fully signed: who signed, who may still sign, and the outcome', async () => {
    const one = (await check(tx('ns.update', { ns: '156.130100', record: { type: 'city' } }, [other]))).json<TxCheckAnswer>();
    expect(one.signedBy).toEqual([other.id]);
    expect(one.authority[0]).toMatchObject({ signers: [other.id], missing: 1, candidates: [city.id, third.id].sort(), met: false });
    const two = (await check(tx('ns.update', { ns: '156.130100', record: { type: 'city' } }, [other, third]))).json<TxCheckAnswer>();
    expect(two).toMatchObject({ admissible: true, result: { ok: true } });
    expect(two.authority[0]).toMatchObject({ missing: 0, candidates: [city.id], met: true });
  });

  it('registering: the controllers threshold or any one registrar; another rule failing first reaches no authority', async () => {
    const none = (await check(tx('id.register', { id: '156.130100/BUS-1', record: { type: 'vehicle' } }, []))).json<TxCheckAnswer>();
    expect(none).toMatchObject({ admissible: false, result: { code: 'AUTH_NOT_REGISTRAR' } });
    expect(none.authority[0]).toMatchObject({ registrars: [registrar.id], missing: 2, met: false });
    const byRegistrar = (await check(tx('id.register', { id: '156.130100/BUS-1', record: { type: 'vehicle' } }, [registrar]))).json<TxCheckAnswer>();
    expect(byRegistrar).toMatchObject({ admissible: true, result: { ok: true } });
    expect(byRegistrar.authority[0]).toMatchObject({ missing: 2, met: true });
    const nowhere = (await check(tx('id.register', { id: '999.1/BUS-1', record: { type: 'vehicle' } }, []))).json<TxCheckAnswer>();
    expect(nowhere).toMatchObject({ authority: [], admissible: true, result: { ok: false, code: 'NS_NOT_FOUND' } });
  });

  it('answers the error statuses the OpenAPI document lists for it', async () => {
    const t = tx('ns.update', { ns: '156.130100', record: { type: 'city' } }, [other]);
    const code = async (p: Promise<{ statusCode: number; json: () => { code: string } }>) => {
      const r = await p;
      return [r.statusCode, r.json().code];
    };
    expect(await code(check({ body: { v: 1 }, sigs: [] }))).toEqual([400, 'TX_MALFORMED']);
    expect(await code(check(t, { url: '/v1/tx/check?x=1' }))).toEqual([400, 'HTTP_BAD_REQUEST']);
    const forged = { ...t, sigs: [{ key: third.id, sig: t.sigs[0]!.sig }] };
    expect(await code(check(forged))).toEqual([401, 'TX_SIGNATURE_INVALID']);
    expect(await code(check({ ...t, pad: 'x'.repeat(120_000) }))).toEqual([413, 'HTTP_BODY_TOO_LARGE']);
    expect(await code(check(JSON.stringify(t), { headers: { 'content-type': 'text/plain' } }))).toEqual([415, 'HTTP_UNSUPPORTED_MEDIA']);
    const notReady = n.runtime.notReady;
    n.runtime.notReady = () => 'catching up';
    try {
      expect(await code(check(t))).toEqual([503, 'NODE_NOT_READY']);
    } finally {
      n.runtime.notReady = notReady;
    }
  });
});

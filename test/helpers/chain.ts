/**
 * Test helper: an in-memory single-node chain with a root key and a validator, and shortcuts to
 * build, sign and commit transactions.
 */
import '../../src/platform/node.js';
import { generateSeed } from '../../src/core/crypto/index.js';
import { isUrbisError } from '../../src/core/errors.js';
import { buildTxBody, signTx, signerFromSeed, type Signer } from '../../src/core/ledger/tx.js';
import type { Payloads, Tx, TxResult, TxType } from '../../src/core/ledger/types.js';
import { Ledger } from '../../src/engine/ledger.js';
import { MemoryStore } from '../../src/storage/memory/memory-store.js';
import type { LedgerStore } from '../../src/storage/types.js';
import { buildGenesis } from '../../src/network/genesis.js';

export const T0 = 1_700_000_000_000;

export function newSigner(): Signer {
  return signerFromSeed(generateSeed());
}

export interface TestChain {
  chainId: string;
  root: Signer;
  validator: Signer;
  store: LedgerStore;
  ledger: Ledger;
  /** Clock used for transaction windows and block times. */
  time: number;
  tx<T extends TxType>(type: T, payload: Payloads[T], signers: Signer[], opts?: { chain?: string; ttlMs?: number; now?: number }): Tx<T>;
  /** Commits one block with the given transactions; returns their results. */
  commit(...txs: unknown[]): TxResult[];
  /** Commits one transaction and returns its result. */
  run<T extends TxType>(type: T, payload: Payloads[T], signers: Signer[]): TxResult;
}

export function newChain(store: LedgerStore = new MemoryStore(), chainId = 'test-chain'): TestChain {
  const root = newSigner();
  const validator = newSigner();
  const ledger = new Ledger(store, { validator });
  ledger.commitGenesis(buildGenesis({ chainId, validators: [validator.id], root: { keys: [root.id], threshold: 1 }, time: T0 }));
  const c: TestChain = {
    chainId,
    root,
    validator,
    store,
    ledger,
    time: T0 + 1000,
    tx(type, payload, signers, opts = {}) {
      const body = buildTxBody(type, payload, { chain: opts.chain ?? chainId, now: opts.now ?? c.time, ...(opts.ttlMs ? { ttlMs: opts.ttlMs } : {}) });
      return signTx(body, signers);
    },
    commit(...txs) {
      c.time += 1000;
      return ledger.commitBlock(txs, c.time).results;
    },
    run(type, payload, signers) {
      return c.commit(c.tx(type, payload, signers))[0]!;
    },
  };
  return c;
}

export const OPEN_POLICY = {
  children: { charset: 'alnum' as const, minLength: 1, maxLength: 16 },
  ids: { charset: 'alnum' as const, minLength: 1, maxLength: 64 },
};

/** Creates `156` (root) and `156.130100` controlled by `city`. */
export function withCity(c: TestChain, city: Signer = newSigner()): Signer {
  expectOk(c.run('ns.create', { ns: '156', controllers: { keys: [c.root.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'country' } }, [c.root]));
  expectOk(c.run('ns.create', { ns: '156.130100', controllers: { keys: [city.id], threshold: 1 }, policy: OPEN_POLICY, record: { type: 'city' } }, [c.root]));
  return city;
}

export function expectOk(r: TxResult): void {
  if (!r.ok) throw new Error(`expected ok, got ${r.code}: ${r.message}`);
}

export function codeOf(r: TxResult): string {
  return r.ok ? 'OK' : r.code;
}

/** The error code `f` throws: 'OK' when it returns, the Urbis code, or the message of another error. */
export function thrownCode(f: () => unknown): string {
  try {
    f();
    return 'OK';
  } catch (e) {
    return isUrbisError(e) ? e.code : String(e);
  }
}

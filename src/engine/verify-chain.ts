/**
 * Full re-verification of a stored chain (`urbis verify`): hash links, heights, times, transaction
 * roots, certificates under the validator set in force at each height, and state roots recomputed
 * by re-executing every block from genesis in a scratch in-memory ledger.
 *
 * It names the first fault with its height; it never repairs anything.
 */
import { isUrbisError } from '../core/errors.js';
import { headerHash, verifyCertificate, ZERO_HASH } from '../core/ledger/block.js';
import type { Tx } from '../core/ledger/types.js';
import { lookupState, stateKey } from '../core/ledger/state.js';
import { canonicalJson } from '../core/encoding/index.js';
import { MemoryStore } from '../storage/memory/memory-store.js';
import type { LedgerStore } from '../storage/types.js';
import { Ledger } from './ledger.js';

export type ChainCheck = { ok: true; height: number; headerHash: string; stateRoot: string } | { ok: false; height: number; code: string; message: string };

/**
 * Verifies `store` block by block.
 *
 * @param onProgress called after each verified block (for progress bars).
 */
export function verifyChain(store: LedgerStore, onProgress?: (height: number, head: number) => void): ChainCheck {
  const head = store.head();
  if (!head) return { ok: false, height: 0, code: 'STORE_NOT_INITIALIZED', message: 'the store holds no blocks' };
  const scratch = new MemoryStore();
  const replay = new Ledger(scratch);
  let prevHash = ZERO_HASH;
  let prevTime = 0;
  for (let h = 0; h <= head.height; h++) {
    const fault = (code: string, message: string): ChainCheck => ({ ok: false, height: h, code, message: `block ${h}: ${message}` });
    const block = store.block(h);
    const cert = store.cert(h);
    if (!block || !cert) return fault('CHAIN_FAULT', 'block or certificate is missing');
    const hdr = block.header;
    if (hdr.height !== h) return fault('CHAIN_FAULT', `header says height ${hdr.height}`);
    if (hdr.prev !== prevHash) return fault('CHAIN_FAULT', 'previous-header hash does not match the previous block');
    if (h > 0 && hdr.time < prevTime) return fault('CHAIN_FAULT', 'block time goes backwards');
    if (hdr.txCount !== block.txs.length) return fault('CHAIN_FAULT', 'transaction count does not match');
    // Validators in force for this block: from the state before it (genesis names block 0's).
    const validators = h === 0 ? ((block.txs[0] as Tx<'genesis'> | undefined)?.body?.payload?.validators ?? []) : scratch.chain()!.validators;
    try {
      verifyCertificate(hdr, cert, validators);
    } catch (e) {
      return fault('CERT_INVALID', (e as Error).message);
    }
    try {
      replay.replayBlock(block, cert);
    } catch (e) {
      if (!isUrbisError(e)) throw e;
      return fault(e.code === 'BLOCK_INVALID' ? 'CHAIN_FAULT' : e.code, e.message);
    }
    const stored = store.block(h)!.results;
    const again = scratch.block(h)!.results;
    if (JSON.stringify(stored) !== JSON.stringify(again)) return fault('CHAIN_FAULT', 'stored transaction results differ from re-execution');
    prevHash = headerHash(hdr);
    prevTime = hdr.time;
    onProgress?.(h, head.height);
  }
  if (prevHash !== head.headerHash) return { ok: false, height: head.height, code: 'CHAIN_FAULT', message: 'head pointer does not match the last block' };
  // The live state must be the replayed state: a store whose entries were edited behind the
  // ledger's back would otherwise serve answers that no longer match their proofs.
  let live = 0;
  for (const e of store.allEntries()) {
    live++;
    const key = stateKey(e);
    const want = lookupState(scratch, key);
    if (!want || canonicalJson(want) !== canonicalJson(e)) {
      return { ok: false, height: head.height, code: 'CHAIN_FAULT', message: `live state entry ${key} differs from the state the chain produces` };
    }
  }
  const expected = [...scratch.allEntries()].length;
  if (live !== expected) {
    return { ok: false, height: head.height, code: 'CHAIN_FAULT', message: `live state holds ${live} entries, the chain produces ${expected}` };
  }
  return { ok: true, height: head.height, headerHash: head.headerHash, stateRoot: head.header.stateRoot };
}

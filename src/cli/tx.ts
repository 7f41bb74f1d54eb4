/**
 * Committing a transaction from the CLI and reporting its outcome.
 */
import { ERROR_CODES, UrbisError, type ErrorCode } from '../core/errors.js';
import { buildTxBody, signTx, type Signer } from '../core/ledger/tx.js';
import { type Payloads, type TxType } from '../core/ledger/types.js';
import { type OpenDir } from '../node/data-dir.js';
import type { TxOutcome } from '../ordering/types.js';

import { CliFailure, EXIT } from './failure.js';
import type { CommonOpts } from './options.js';
import { emit } from './output.js';

/** A transaction committed as invalid: exit 4 with its code. */
export function rejected(out: TxOutcome): CliFailure {
  const r = out.result as { ok: false; code: string; message: string };
  const code = (r.code in ERROR_CODES ? r.code : 'INTERNAL') as ErrorCode;
  return new CliFailure(
    new UrbisError(code, `${r.message} (tx ${out.hash} committed as invalid in block ${out.height})`, { hash: out.hash, height: out.height, index: out.index }),
    EXIT.REJECTED,
  );
}

/**
 * Builds, signs, submits and commits one transaction at once (single-node mode).
 *
 * @throws CliFailure exit 4 if the ledger committed it as invalid; UrbisError from the pre-checks.
 */
export async function commitTx<T extends TxType>(d: OpenDir, signers: Signer[], type: T, payload: Payloads[T]): Promise<TxOutcome> {
  const tx = signTx(buildTxBody(type, payload, { chain: d.config.chainId, now: Date.now() }), signers);
  const { done } = d.sequencer.submit(tx);
  d.sequencer.cut();
  const out = await done;
  if (!out.result.ok) throw rejected(out);
  return out;
}

/** Prints the outcome of a committed transaction plus command-specific fields. */
export function emitTx(o: CommonOpts, what: string, out: TxOutcome, extra: Record<string, unknown> = {}, lines: string[] = []): void {
  emit(o, { ok: true, hash: out.hash, height: out.height, ...extra }, () => [what, ...lines, `tx ${out.hash} committed in block ${out.height}`]);
}

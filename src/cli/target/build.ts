/**
 * `--out <file>` on a write command (and `urbis tx build`): the command runs as usual against its
 * target, reading what it needs, but the transaction it would commit is written to a file instead,
 * signed by the `--key` files given (none: unsigned), for co-signers on other machines
 * (src/cli/txfile.ts).
 */
import { buildTxBody, signTx, txHash, type Signer } from '../../core/ledger/tx.js';
import type { Payloads, Tx, TxType } from '../../core/ledger/types.js';
import type { TxOutcome } from '../../ordering/types.js';
import { usage } from '../failure.js';
import { writeTxFile } from '../txfile.js';
import type { Target } from './types.js';

/** Thrown by {@link BuildTarget.commit} once the file is written: the command's work ends there. */
export class TxWritten extends Error {
  constructor(
    readonly file: string,
    readonly tx: Tx,
    readonly hash: string,
  ) {
    super(`transaction written to ${file}`);
    this.name = 'TxWritten';
  }
}

/** Margin kept below the chain's largest validity window (the body starts a minute early). */
const WINDOW_MARGIN_MS = 2 * 60_000;

/** A target whose reads are the real target's and whose commit writes a transaction file. */
export function buildTarget(inner: Target, file: string): Target {
  return Object.assign(Object.create(inner) as Target, {
    async commit<T extends TxType>(signers: Signer[], type: T, payload: Payloads[T]): Promise<TxOutcome> {
      // Co-signers need time: the widest window the chain allows (24 h by default).
      const ttlMs = Math.max(60_000, inner.params.maxTxWindowMs - WINDOW_MARGIN_MS);
      const tx = signTx(buildTxBody(type, payload, { chain: inner.chainId, now: Date.now(), ttlMs }), signers);
      writeTxFile(file, tx, false);
      throw new TxWritten(file, tx, txHash(tx.body));
    },
    submitMany(): Promise<TxOutcome | Error>[] {
      usage('this command submits many transactions; --out writes one (sign and submit it with urbis tx)');
    },
  });
}

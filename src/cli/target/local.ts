/**
 * The local data directory as a {@link Target}: reads from the store, proofs from the ledger checked
 * against the genesis validator keys, writes through the local sequencer.
 */
import { UrbisError, isUrbisError } from '../../core/errors.js';
import type { Identifier } from '../../core/ids/index.js';
import { formatStateKey, idRef } from '../../core/ledger/state.js';
import { type Signer } from '../../core/ledger/tx.js';
import { sameJson, verifyProvenEntry } from '../../core/ledger/verify.js';
import { type ChainParams, type IdEntry, type NsEntry, type Payloads, type Tx, type TxType } from '../../core/ledger/types.js';
import { type OpenDir } from '../../node/data-dir.js';
import type { TxOutcome } from '../../ordering/types.js';
import type { TxCheckAnswer } from '../../core/api/types.js';
import type { Page } from '../../storage/types.js';
import { CliFailure, EXIT } from '../failure.js';
import { commitTx } from '../tx.js';
import type { ChainStatus, PastAsk, Resolved, Target } from './types.js';
import { toError } from './errors.js';

export class LocalTarget implements Target {
  readonly kind = 'local';
  readonly cheapReads = true;

  constructor(readonly d: OpenDir) {}

  get location(): string {
    return this.d.dir;
  }
  get chainId(): string {
    return this.d.config.chainId;
  }
  get params(): ChainParams {
    return this.d.ledger.params();
  }
  get batchesInFlight(): number {
    return this.d.sequencer.maxBlockTxs;
  }

  async ns(path: string): Promise<NsEntry | undefined> {
    return this.d.store.ns(path);
  }

  async id(ident: Identifier): Promise<IdEntry | undefined> {
    return this.d.store.id(idStoreKey(ident));
  }

  async history(ident: Identifier): Promise<IdEntry[]> {
    const versions = this.d.store.idHistory(idStoreKey(ident));
    const key = formatStateKey({ kind: 'id', ns: ident.namespace.join('.'), local: ident.local ?? '' });
    for (const v of versions) {
      // Each row against the tree of the block that wrote it, unless that height is pruned.
      if (v.height < this.d.store.provableFrom()) continue;
      const r = await this.past(key, { version: v.version });
      if (!sameJson(r.entry, v))
        throw new CliFailure(new UrbisError('PROOF_INVALID', `verification failed: version ${v.version} differs from the proven one`), EXIT.VERIFY);
    }
    return versions;
  }

  async resolvePast(ident: Identifier, ask: PastAsk): Promise<Resolved> {
    if (ident.local === null) throw new UrbisError('ID_LOCAL_INVALID', 'past versions are kept for identifiers, not namespaces');
    return this.past(formatStateKey({ kind: 'id', ns: ident.namespace.join('.'), local: ident.local }), ask);
  }

  private async past(key: string, ask: PastAsk): Promise<Resolved> {
    const l = this.d.ledger;
    const proven =
      'version' in ask
        ? l.proveVersion(key, this.d.store.idHistory(key.slice('id:'.length)), ask.version)
        : l.proveAt(key, 'height' in ask ? ask.height : l.heightAt(ask.time));
    const g = this.d.genesis.body.payload;
    const verified = asVerification(() => verifyProvenEntry(proven, { chainId: g.chainId, validators: g.validators }, true));
    return { present: verified.present, entry: proven.entry, verified, proof: proven.proof, header: proven.header, cert: proven.cert };
  }

  async resolve(ident: Identifier): Promise<Resolved> {
    const ns = ident.namespace.join('.');
    const proven = this.d.ledger.prove(formatStateKey(ident.local === null ? { kind: 'ns', ns } : { kind: 'id', ns, local: ident.local }));
    const g = this.d.genesis.body.payload;
    // Checked against the genesis validator keys, not the database's word.
    const verified = asVerification(() => verifyProvenEntry(proven, { chainId: g.chainId, validators: g.validators }));
    return { present: verified.present, entry: proven.entry, verified, proof: proven.proof, header: proven.header, cert: proven.cert };
  }

  async children(parent: string | null, cursor: string | null, limit: number): Promise<Page<NsEntry>> {
    return this.d.store.children(parent, cursor, limit);
  }

  async idsIn(ns: string, cursor: string | null, limit: number): Promise<Page<IdEntry>> {
    return this.d.store.idsIn(ns, cursor, limit);
  }

  async status(): Promise<ChainStatus> {
    const head = this.d.store.head()!;
    const chain = this.d.ledger.chain();
    return {
      chainId: chain.chainId,
      height: head.height,
      headHash: head.headerHash,
      stateRoot: head.header.stateRoot,
      time: head.header.time,
      validators: chain.validators,
      root: chain.root,
    };
  }

  commit<T extends TxType>(signers: Signer[], type: T, payload: Payloads[T]): Promise<TxOutcome> {
    return commitTx(this.d, signers, type, payload);
  }

  async checkTx(tx: Tx): Promise<TxCheckAnswer> {
    return this.d.ledger.checkTx(tx, Date.now());
  }

  submitMany(txs: Tx[]): Promise<TxOutcome | Error>[] {
    const seq = this.d.sequencer;
    const out = txs.map((tx) => {
      try {
        return seq.submit(tx).done.then(
          (o) => o,
          (e: unknown) => toError(e),
        );
      } catch (e) {
        return Promise.resolve(toError(e));
      }
    });
    // Submitting and cutting in one synchronous run keeps the sequencer's timer from cutting a
    // block after the first transaction (it cannot fire in between).
    while (seq.pending() > 0) if (!seq.cut()) break;
    return out;
  }
}

/** Local verification: whatever it throws means the stored answer does not verify. */
function asVerification<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (!isUrbisError(e)) throw e;
    throw new CliFailure(new UrbisError(e.code, `verification failed: ${e.message}`, e.details as Record<string, unknown> | undefined), EXIT.VERIFY);
  }
}

function idStoreKey(ident: Identifier): string {
  return idRef(ident.namespace.join('.'), ident.local ?? '');
}

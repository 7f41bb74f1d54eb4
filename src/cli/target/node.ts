/**
 * A running node as a {@link Target}, through the SDK (docs/sdk.md). The node's answers are
 * attacker-controlled: every read is verified by the SDK against the trust anchor; a failed
 * verification is a CliFailure with exit 5.
 */
import { UrbisError, isUrbisError } from '../../core/errors.js';
import type { Identifier } from '../../core/ids/index.js';
import { txHash, type Signer } from '../../core/ledger/tx.js';
import {
  DEFAULT_PARAMS,
  type BlockHeader,
  type ChainParams,
  type IdEntry,
  type NsEntry,
  type Payloads,
  type Tx,
  type TxType,
} from '../../core/ledger/types.js';
import type { TxOutcome } from '../../ordering/types.js';
import type { TxCheckAnswer } from '../../core/api/types.js';
import type { Page } from '../../storage/types.js';
import type { Resolution, UrbisClient } from '../../client/client.js';
import { CliFailure, EXIT } from '../failure.js';
import { rejected } from '../tx.js';
import type { ChainStatus, PastAsk, Resolved, Target } from './types.js';
import { toError } from './errors.js';

/** Codes by which the SDK says an answer does not verify against the anchor. */
const NOT_VERIFIED = new Set<string>([
  'PROOF_INVALID',
  'PROOF_MALFORMED',
  'CERT_INVALID',
  'TX_CHAIN_MISMATCH',
  'BLOCK_INVALID',
  'CLIENT_STALE',
  'CLIENT_ROLLBACK',
  'CLIENT_FORK',
  'CRYPTO_SIGNATURE_INVALID',
]);

/** Namespaces walked at most through a node for `status` totals (one request per parent). */
export const REMOTE_MAX_WALK = 1000;

export class NodeTarget implements Target {
  readonly kind = 'node';
  readonly cheapReads = false;
  /** A few batches in flight: enough to fill blocks, little to resubmit if the node goes away. */
  readonly batchesInFlight = 4;
  readonly params: ChainParams;

  constructor(
    readonly client: UrbisClient,
    genesis: unknown,
    /** The latest certified header, verified when connecting. */
    private readonly head: { header: BlockHeader; headerHash: string },
  ) {
    this.params = genesisParams(genesis);
  }

  get location(): string {
    return this.client.http.base;
  }
  get chainId(): string {
    return this.client.anchor.chainId;
  }

  async ns(path: string): Promise<NsEntry | undefined> {
    const r = await verified(this.client.ns(path));
    return r.present ? r.entry : undefined;
  }

  async id(ident: Identifier): Promise<IdEntry | undefined> {
    const r = await verified(this.client.resolve(ident.text));
    return r.present ? (r.entry as IdEntry) : undefined;
  }

  /** Every version proven by its transaction in its certified block, complete (docs/sdk.md "Verified listings"). */
  async history(ident: Identifier): Promise<IdEntry[]> {
    try {
      return (await verified(this.client.historyVerified(ident.text))).versions;
    } catch (e) {
      // Proven absent: no history.
      if (isUrbisError(e) && e.code === 'ID_NOT_FOUND') return [];
      throw e;
    }
  }

  async resolvePast(ident: Identifier, ask: PastAsk): Promise<Resolved> {
    const c = this.client;
    const r = await verified(
      'version' in ask
        ? c.resolveVersion(ident.text, ask.version).then((v) => v.resolution)
        : c.resolveAt(ident.text, 'height' in ask ? ask.height : new Date(ask.time)),
    );
    return this.resolved(r);
  }

  async resolve(ident: Identifier): Promise<Resolved> {
    return this.resolved(await verified(this.client.resolve(ident.text)));
  }

  private resolved(r: Resolution): Resolved {
    const a = r.answer as { proof?: unknown; header: BlockHeader; cert?: unknown };
    return {
      present: r.present,
      entry: r.entry,
      verified: { present: r.present, height: r.height, stateRoot: r.stateRoot, signers: r.signers, validators: this.client.anchor.validators.length },
      proof: a.proof,
      header: a.header,
      cert: a.cert,
    };
  }

  /** Each identifier proven current (a node can still leave some out). */
  async idsIn(ns: string, cursor: string | null, limit: number): Promise<Page<IdEntry>> {
    // /v1/search?ns= also answers identifiers of child namespaces: keep the namespace's own.
    const r = await verified(this.client.searchVerified({ ns, cursor, limit: Math.min(limit, 1000) }));
    return { items: r.items.filter((e) => e.ns === ns), next: r.next };
  }

  /** Each child proven current; complete where the proven parent counts its children. */
  async children(parent: string | null, cursor: string | null, limit: number): Promise<Page<NsEntry>> {
    if (parent === null) {
      // GET /v1/ns answers the first 1000 top-level namespaces in one page, unpaged: page here.
      const r = await verified(this.client.listNamespaceVerified(null));
      const items = r.items.filter((e) => cursor === null || e.ns > cursor);
      const page = items.slice(0, limit);
      return { items: page, next: items.length > limit ? page[page.length - 1]!.ns : null };
    }
    const r = await verified(this.client.listNamespaceVerified(parent, { ...(cursor !== null ? { cursor } : {}), limit: Math.min(limit, 1000) }));
    return { items: r.items, next: r.next };
  }

  async status(): Promise<ChainStatus> {
    const h = this.head.header;
    return {
      chainId: h.chain,
      height: h.height,
      headHash: this.head.headerHash,
      stateRoot: h.stateRoot,
      time: h.time,
      validators: this.client.anchor.validators,
      root: null,
    };
  }

  async commit<T extends TxType>(signers: Signer[], type: T, payload: Payloads[T]): Promise<TxOutcome> {
    const out = await this.submit(this.client.tx(type, payload, signers));
    if (!out.result.ok) throw rejected(out);
    return out;
  }

  async checkTx(tx: Tx): Promise<TxCheckAnswer> {
    return this.client.checkTx(tx);
  }

  submitMany(txs: Tx[]): Promise<TxOutcome | Error>[] {
    return txs.map((tx) =>
      this.submit(tx).then(
        (o) => o,
        (e: unknown) => toError(e),
      ),
    );
  }

  /** Submits and waits; a transaction committed as invalid is an outcome, not an error (as locally). */
  private async submit(tx: Tx): Promise<TxOutcome> {
    const hash = txHash(tx.body);
    try {
      const st = await this.client.submitAndWait(tx);
      return { hash, height: st.height, index: st.index, result: { ok: true } };
    } catch (e) {
      // docs/sdk.md: committed as invalid = the ledger's code with details { hash, height, index };
      // a node's refusal carries details.httpStatus instead.
      const d = isUrbisError(e) ? e.details : undefined;
      if (isUrbisError(e) && d && d.hash === hash && typeof d.height === 'number' && typeof d.index === 'number' && d.httpStatus === undefined) {
        const code = typeof d.code === 'string' ? d.code : e.code;
        return { hash, height: d.height, index: d.index, result: { ok: false, code, message: e.message } };
      }
      throw e;
    }
  }
}

/**
 * Chain parameters of a genesis: they are fixed there (src/core/ledger/apply.ts), and the API
 * serves no chain entry. The genesis may be the node's own word: only positive integers are taken.
 */
function genesisParams(genesis: unknown): ChainParams {
  const p = (genesis as Tx<'genesis'>).body.payload.params;
  const out: ChainParams = { ...DEFAULT_PARAMS };
  if (typeof p !== 'object' || p === null) return out;
  for (const k of Object.keys(DEFAULT_PARAMS) as (keyof ChainParams)[]) {
    const v = (p as Record<string, unknown>)[k];
    if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) out[k] = v;
  }
  return out;
}

/** Runs an SDK read; an answer that does not verify becomes exit 5 ("verification failed"). */
async function verified<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw notVerified(e);
  }
}

/** An error met while connecting to `url`: unreachable, or not verifying against `trusted`. */
export function connectError(e: unknown, url: string, trusted: string): unknown {
  if (isUrbisError(e) && e.code === 'CLIENT_HTTP' && e.details?.network === true) {
    return new UrbisError('CLIENT_HTTP', `cannot reach the node at ${url}: ${e.message}`, { ...e.details }, { cause: e });
  }
  return notVerified(e, `the answers of ${url} do not verify against ${trusted}: `);
}

function notVerified(e: unknown, context = ''): unknown {
  if (!isUrbisError(e) || !NOT_VERIFIED.has(e.code)) return e;
  const hint = e.code === 'CLIENT_STALE' ? ' (the node is behind, or its chain cuts no heartbeat blocks; --max-age sets the limit, 0 = any age)' : '';
  return new CliFailure(
    new UrbisError(e.code, `verification failed: ${context}${e.message}${hint}`, e.details as Record<string, unknown> | undefined),
    EXIT.VERIFY,
  );
}

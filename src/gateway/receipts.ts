/**
 * The gateway's access receipts (docs/sharing.md "Receipts"): one receipt per served request,
 * batched every `intervalMs` into an RFC 9162 Merkle tree whose root the gateway anchors on the
 * ledger with a `receipts.anchor` transaction signed by a controller key of the service. The
 * receipts stay with the gateway, which hands each one with its inclusion proof to whoever names
 * its leaf hash (the consumer gets it in the `Urbis-Receipt` header of the response).
 */
import { toHex } from '../core/encoding/index.js';
import { UrbisError } from '../core/errors.js';
import { buildBatch, receiptLeaf, type Receipt, type ReceiptProof } from '../core/receipts/index.js';
import type { Signer } from '../core/ledger/tx.js';
import type { UrbisClient } from '../client/client.js';
import type { ServedRequest } from './plugin.js';

export interface ReceiptBatcherOptions {
  client: UrbisClient;
  /** Canonical text of the service. */
  service: string;
  /** A controller key of the service: signs the anchors. */
  signer: Signer;
  /** Anchoring interval, ms (default 5000). */
  intervalMs?: number;
  /** Largest batch; a full batch is anchored at once (default 100 000). */
  maxBatch?: number;
  /** Proofs kept for lookup (default 1 000 000, oldest dropped first). */
  maxKept?: number;
  /** Called after each anchored batch. */
  onAnchored?: (a: { root: string; count: number; tx: string; height: number }) => void;
  /** Called when anchoring fails (the batch is retried at the next interval). */
  onError?: (e: unknown) => void;
}

export class ReceiptBatcher {
  private pending: { receipt: Receipt; leaf: Uint8Array }[] = [];
  private readonly kept = new Map<string, ReceiptProof>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private flushing: Promise<void> | null = null;
  /** Receipts anchored so far and batches anchored. */
  anchored = 0;
  batches = 0;

  constructor(private readonly o: ReceiptBatcherOptions) {}

  start(): void {
    this.timer = setInterval(() => void this.flush().catch((e: unknown) => this.o.onError?.(e)), this.o.intervalMs ?? 5000);
    this.timer.unref?.();
  }

  /** Stops the timer and anchors what is pending. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.flush();
  }

  /** Records a served request; returns its leaf hash (hex), the receipt's name. */
  add(s: ServedRequest): string {
    const receipt: Receipt = {
      v: 1,
      service: this.o.service,
      grantee: s.grantee,
      key: s.key,
      grant: s.grant.tx,
      height: s.height,
      request: s.request,
      method: s.method,
      path: s.path,
      status: s.status,
      time: s.time,
      response: s.response,
    };
    const leaf = receiptLeaf(receipt);
    this.pending.push({ receipt, leaf });
    if (this.pending.length >= (this.o.maxBatch ?? 100_000)) void this.flush().catch((e: unknown) => this.o.onError?.(e));
    return toHex(leaf);
  }

  /** A receipt with its inclusion proof (once its batch is anchored: `anchorTx` set). */
  proof(leaf: string): ReceiptProof | undefined {
    return this.kept.get(leaf);
  }

  /** Anchors the pending receipts as one batch; one flush at a time. */
  flush(): Promise<void> {
    if (!this.flushing) {
      this.flushing = this.anchor().finally(() => {
        this.flushing = null;
      });
    }
    return this.flushing;
  }

  private async anchor(): Promise<void> {
    if (this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const b = buildBatch(batch.map((x) => x.leaf));
    const root = toHex(b.root);
    let from = Infinity;
    let until = 0;
    for (const x of batch) {
      from = Math.min(from, x.receipt.time);
      until = Math.max(until, x.receipt.time);
    }
    const payload = { service: this.o.service, root, count: batch.length, from, until };
    let committed;
    try {
      committed = await this.o.client.submitAndWait(this.o.client.tx('receipts.anchor', payload, [this.o.signer]));
    } catch (e) {
      // Nothing lost: the receipts go back in front of the queue for the next interval.
      this.pending = [...batch, ...this.pending];
      throw e instanceof UrbisError ? e : new UrbisError('GATEWAY_LEDGER_UNAVAILABLE', `anchoring receipts failed: ${(e as Error).message}`);
    }
    batch.forEach((x, i) => {
      this.kept.set(toHex(x.leaf), { receipt: x.receipt, index: i, size: batch.length, path: b.path(i).map(toHex), root, anchorTx: committed.hash });
    });
    const max = this.o.maxKept ?? 1_000_000;
    for (const k of this.kept.keys()) {
      if (this.kept.size <= max) break;
      this.kept.delete(k);
    }
    this.anchored += batch.length;
    this.batches++;
    this.o.onAnchored?.({ root, count: batch.length, tx: committed.hash, height: committed.height });
  }
}

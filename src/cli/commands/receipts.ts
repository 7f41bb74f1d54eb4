/**
 * `urbis receipts verify <file|url>`: checks an access receipt (docs/sharing.md "Receipts"): its
 * inclusion proof against the batch root, and that root against the ledger: a `receipts.anchor`
 * transaction of the same service, valid, in a block certified by the network's validators.
 *
 * Spec: docs/cli.md.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UrbisError, isUrbisError } from '../../core/errors.js';
import { verifyReceiptProof, type ReceiptProof } from '../../core/receipts/index.js';
import type { Payloads, Tx } from '../../core/ledger/types.js';
import { keyOfText } from '../../core/ledger/names.js';
import { anchoredClient } from '../anchored-client.js';
import { usage } from '../failure.js';
import { jsonOption, type CommonOpts } from '../options.js';
import { emit } from '../output.js';

async function readProof(src: string): Promise<ReceiptProof> {
  let text: string;
  if (/^https?:\/\//i.test(src)) {
    const res = await fetch(src);
    if (!res.ok) throw new UrbisError('RECEIPT_NOT_FOUND', `${src} answered ${res.status}`);
    text = await res.text();
  } else {
    try {
      text = readFileSync(src, 'utf8');
    } catch (e) {
      throw new UrbisError('CLI_USAGE', `cannot read ${src}`, { path: src }, { cause: e });
    }
  }
  let p: unknown;
  try {
    p = JSON.parse(text);
  } catch {
    throw new UrbisError('RECEIPT_INVALID', `${src} is not JSON`);
  }
  const o = p as ReceiptProof;
  if (typeof o !== 'object' || o === null || typeof o.receipt !== 'object' || !Array.isArray(o.path) || typeof o.root !== 'string') {
    throw new UrbisError('RECEIPT_INVALID', `${src} is not a receipt with its proof`);
  }
  return o;
}

export function registerReceipts(program: Command): void {
  const receipts = program.command('receipts').description('access receipts of provider gateways');
  jsonOption(
    receipts
      .command('verify')
      .description('verify a receipt: its place in the batch, and the batch root anchored on the ledger by the service')
      .argument('<receipt>', 'a receipt file, or its URL at the gateway (/.well-known/urbis/receipts/<leaf>)')
      .option('--node <url>', 'a node of the network (default: $URBIS_NODE)')
      .option('--genesis <file>', 'genesis.json of the network (default: $URBIS_GENESIS)'),
  ).action(async (src: string, o: CommonOpts) => {
    const p = await readProof(src);
    try {
      verifyReceiptProof(p);
    } catch (e) {
      throw new UrbisError('RECEIPT_INVALID', `the receipt is not in its batch: ${(e as Error).message}`);
    }
    if (typeof p.anchorTx !== 'string' || !/^[0-9a-f]{64}$/.test(p.anchorTx)) usage('the receipt names no anchor transaction (its batch is not anchored yet)');
    const { client } = await anchoredClient(o, 'receipts verify');
    try {
      const st = await client.status(p.anchorTx!);
      if (st.status !== 'committed' || !st.result.ok) throw new UrbisError('RECEIPT_INVALID', `the anchor transaction ${p.anchorTx} is not committed as valid`);
      const block = await client.block(st.height);
      const tx = block.txs[st.index] as Tx<'receipts.anchor'> | undefined;
      const pay = tx?.body.payload as Payloads['receipts.anchor'] | undefined;
      if (!tx || tx.body.type !== 'receipts.anchor' || !pay || !block.results[st.index]?.ok) {
        throw new UrbisError('RECEIPT_INVALID', `transaction ${st.index} of block ${st.height} is not a valid receipts anchor`);
      }
      if (pay.root !== p.root || pay.count !== p.size || keyOfText(pay.service) !== keyOfText(p.receipt.service)) {
        throw new UrbisError('RECEIPT_INVALID', `the anchor in block ${st.height} is for another batch or service`, { anchored: pay });
      }
      emit(o, { ok: true, receipt: p.receipt, root: p.root, anchorTx: p.anchorTx, height: st.height, headerHash: block.headerHash }, () => [
        `verified: ${p.receipt.method} ${p.receipt.path} by ${p.receipt.grantee} (status ${p.receipt.status}) was served by ${p.receipt.service}`,
        `receipt ${p.index + 1} of ${p.size} in batch ${p.root}, anchored by tx ${p.anchorTx} in certified block ${st.height}`,
      ]);
    } catch (e) {
      if (isUrbisError(e) && (e.code === 'PROOF_INVALID' || e.code === 'CERT_INVALID')) throw new UrbisError('RECEIPT_INVALID', e.message);
      throw e;
    }
  });
}

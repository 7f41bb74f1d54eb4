/**
 * `urbis tx show <file>`: what a transaction file does and who has signed it, before anyone signs or
 * submits it (docs/cli.md "Multi-signature"). Every signature shown as signed has been verified.
 */
import type { Command } from 'commander';
import type { TxType } from '../../core/ledger/types.js';
import { jsonOption, type CommonOpts } from '../options.js';
import { emit, isoTime } from '../output.js';
import { readTxFile } from '../txfile.js';

/** What each transaction type does, in the words docs/protocol.md uses. */
const WHAT: Record<TxType, string> = {
  genesis: 'starts a chain',
  'ns.create': 'creates a namespace',
  'ns.update': "changes a namespace's record, policy or controllers",
  'ns.limits': "sets a namespace's quotas",
  'ns.suspend': 'suspends a namespace',
  'ns.reinstate': 'reinstates a suspended namespace',
  'ns.recover': "replaces a namespace's controllers (parent's recovery)",
  'id.register': 'registers an identifier',
  'id.registerBatch': 'registers identifiers in one namespace',
  'id.allocate': 'allocates serial identifiers',
  'id.update': "changes an identifier's record",
  'id.transfer': "changes an identifier's controllers",
  'id.deactivate': 'deactivates an identifier for good',
  'id.recover': "replaces an identifier's controllers (namespace's recovery)",
  'label.revoke': 'revokes a signed label',
  'grant.issue': 'grants access to data about an identifier',
  'grant.revoke': 'revokes an access grant',
  'receipts.anchor': 'anchors a batch of access receipts',
  'chain.validators': 'changes the validator set',
  'chain.root': 'changes the root authority',
};

/** The subject of a payload: the namespace or identifier it is about. */
function subject(p: Record<string, unknown>): string {
  for (const k of ['id', 'ns', 'subject', 'service']) if (typeof p[k] === 'string') return p[k] as string;
  return '';
}

export function registerTxShow(tx: Command): void {
  jsonOption(
    tx.command('show').description('show what a transaction file does and who has signed it (signatures verified)').argument('<file>', 'transaction file'),
  ).action(async (file: string, o: CommonOpts) => {
    const t = readTxFile(file);
    const b = t.tx.body;
    const p = b.payload as Record<string, unknown>;
    const now = Date.now();
    const state = now < b.validFrom ? 'not yet valid' : now > b.validUntil ? 'EXPIRED' : 'valid';
    emit(
      o,
      {
        file,
        hash: t.hash,
        type: b.type,
        what: WHAT[b.type],
        subject: subject(p),
        chain: b.chain,
        validFrom: isoTime(b.validFrom),
        validUntil: isoTime(b.validUntil),
        window: state,
        signedBy: t.signed,
        payload: p,
      },
      () => [
        `${b.type}: ${WHAT[b.type]}${subject(p) ? ` ${subject(p)}` : ''}`,
        `chain:     ${b.chain}`,
        `hash:      ${t.hash}`,
        `valid:     ${isoTime(b.validFrom)} to ${isoTime(b.validUntil)} (${state})`,
        `signed by: ${t.signed.length ? '' : 'nobody yet'}`,
        ...t.signed.map((k) => `  ${k} (signature verified)`),
        'payload:',
        ...JSON.stringify(p, null, 2)
          .split('\n')
          .map((l) => `  ${l}`),
        'Whose signatures it needs is checked when it is submitted: an unmet threshold names the keys still missing.',
      ],
    );
  });
}

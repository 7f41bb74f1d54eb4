/**
 * `urbis tx show <file>`: what a transaction file does and who has signed it, before anyone signs or
 * submits it (docs/cli.md "Multi-signature"). Every signature shown as signed has been verified.
 *
 * Who else may sign depends on the ledger's state (the controllers in force), so it is told only
 * when asked of a ledger: `--node URL` (or URBIS_NODE: the node's dry run, `POST /v1/tx/check`) or
 * `--dir DIR` (the data directory, read-only). Without either, nothing is read but the file.
 */
import type { Command } from 'commander';
import type { TxCheckAnswer } from '../../core/api/types.js';
import type { AuthorityCheck } from '../../core/ledger/apply.js';
import type { TxType } from '../../core/ledger/types.js';
import { targetOptions, type CommonOpts } from '../options.js';
import { emit, isoTime } from '../output.js';
import { nodeUrl, withTarget } from '../target.js';
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

const NUMBERS = ['no', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];

/** One authority rule in words: "namespace 156.130100: 2 of 3 signatures needed, 1 given: missing one of z6MkB…, z6MkC…". */
export function authorityLine(a: AuthorityCheck): string {
  const head = `${a.what}: ${a.threshold} of ${a.keys.length} signatures needed, ${a.signers.length} given`;
  const registrars = a.registrars?.length ? ` (or one registrar of ${a.registrars.join(', ')})` : '';
  if (a.met) return `${head}: enough${a.missing > 0 ? `, a registrar signed` : ''}`;
  return `${head}: missing ${NUMBERS[a.missing] ?? a.missing} of ${a.candidates.join(', ')}${registrars}`;
}

/** The outcome of the dry run in words. */
function verdict(c: TxCheckAnswer): string {
  const r = c.result;
  if (r.ok) return `at block ${c.height} it would be admitted and applied`;
  if (r.code === 'TX_REPLAYED') return `it is already committed (block ${c.height} or before)`;
  if (!c.admissible) return `at block ${c.height} it would be refused: ${r.code}`;
  return `at block ${c.height} it would be admitted but fail: ${r.code}: ${r.message}`;
}

export function registerTxShow(tx: Command): void {
  targetOptions(
    tx
      .command('show')
      .description(
        'show what a transaction file does and who has signed it (signatures verified); with --node or --dir, who else may sign and what is missing at the head',
      )
      .argument('<file>', 'transaction file'),
  ).action(async (file: string, o: CommonOpts) => {
    const t = readTxFile(file);
    // Only a ledger asked for: the default data directory is not opened behind the user's back.
    const ask = nodeUrl(o) !== undefined || o.dir !== undefined;
    const check = ask ? await withTarget(o, true, async (target) => ({ at: target.location, kind: target.kind, ...(await target.checkTx(t.tx)) })) : null;
    const source =
      check === null ? '' : check.kind === 'node' ? `the node's word at block ${check.height}, not a proof` : `data directory, block ${check.height}`;
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
        check,
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
        ...(check === null
          ? ['who else may sign: cannot tell from the file alone; ask the ledger with --node URL or --dir DIR']
          : [
              `authority (${source}):`,
              ...(check.authority.length ? check.authority.map((a) => `  ${authorityLine(a)}`) : ['  no authority rule was reached']),
              `  ${verdict(check)}`,
            ]),
      ],
    );
  });
}

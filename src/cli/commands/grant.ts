/**
 * `urbis grant issue` and `urbis grant revoke`: access grants on the ledger (docs/sharing.md).
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import type { GrantAccess, Payloads } from '../../core/ledger/types.js';
import { withTarget } from '../target.js';
import { parseDate, parseIdArg, parseObjectIdArg } from '../args.js';
import { usage } from '../failure.js';
import { loadSigners } from '../local.js';
import { writeOptions, type CommonOpts } from '../options.js';
import { emitTx } from '../tx.js';

interface IssueOpts extends CommonOpts {
  read?: boolean;
  write?: boolean;
  service?: string[];
  path?: string[];
  purpose: string;
  expires: string;
}

const repeat = (v: string, acc: string[] = []) => [...acc, v];

export function registerGrant(program: Command): void {
  const grant = program.command('grant').description('access grants: issue, revoke');
  writeOptions(
    grant
      .command('issue')
      .description("grant an identifier access to a dataset or service (signed by the subject's controllers)")
      .argument('<subject>', 'the dataset or service identifier')
      .argument('<grantee>', 'the identifier or namespace granted access')
      .option('--read', 'allow reads (GET, HEAD, OPTIONS)')
      .option('--write', 'allow every other method')
      .option('--service <fragment>', 'limit to a service of the subject, e.g. #api (repeatable)', repeat)
      .option('--path <prefix>', 'limit to a path prefix, e.g. /buses/ (repeatable)', repeat)
      .requiredOption('--purpose <text>', 'why the data is shared (no personal data)')
      .requiredOption('--expires <date>', 'end of the grant: ISO 8601 date/time, or +<n>d / +<n>h from now'),
  ).action(async (subjectArg: string, granteeArg: string, o: IssueOpts) => {
    const { id: subject } = parseObjectIdArg(subjectArg);
    const grantee = parseIdArg(granteeArg);
    const access: GrantAccess[] = [];
    if (o.read) access.push('read');
    if (o.write) access.push('write');
    if (access.length === 0) usage('give --read, --write or both');
    const rel = /^\+(\d{1,5})([dh])$/.exec(o.expires);
    const expires = rel ? Date.now() + Number(rel[1]) * (rel[2] === 'd' ? 86_400_000 : 3_600_000) : parseDate(o.expires, '--expires');
    const payload: Payloads['grant.issue'] = {
      subject: subject.text,
      grantee: grantee.text,
      scope: { access, ...(o.service ? { services: o.service } : {}), ...(o.path ? { paths: o.path } : {}) },
      purpose: o.purpose,
      expires,
    };
    const signers = await loadSigners(o);
    await withTarget(o, false, async (t) =>
      emitTx(o, `granted ${grantee.text} ${access.join('+')} access to ${subject.text}`, await t.commit(signers, 'grant.issue', payload), {
        subject: subject.text,
        grantee: grantee.text,
        expires,
      }),
    );
  });

  writeOptions(
    grant
      .command('revoke')
      .description('revoke a grant (signed by the subject controllers)')
      .argument('<subject>', 'the dataset or service identifier')
      .argument('<grantee>', 'the grantee')
      .option('--reason <text>', 'reason, kept in the transaction'),
  ).action(async (subjectArg: string, granteeArg: string, o: CommonOpts & { reason?: string }) => {
    const { id: subject } = parseObjectIdArg(subjectArg);
    const grantee = parseIdArg(granteeArg);
    const payload: Payloads['grant.revoke'] = { subject: subject.text, grantee: grantee.text };
    if (o.reason !== undefined) payload.reason = o.reason;
    const signers = await loadSigners(o);
    await withTarget(o, false, async (t) =>
      emitTx(o, `revoked the grant of ${subject.text} to ${grantee.text}`, await t.commit(signers, 'grant.revoke', payload), {
        subject: subject.text,
        grantee: grantee.text,
      }),
    );
  });
}

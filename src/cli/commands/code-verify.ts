/**
 * `urbis code verify <image|payload|url>`: the verdict on a code (docs/codes.md §7) — online
 * against the data directory or a node (`--node`, verified by the SDK), or with `--offline <bundle>`
 * against a trust bundle with no network at all. Exit 0 for VALID, 7 for any other verdict.
 *
 * Spec: docs/cli.md "Codes".
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UrbisError } from '../../core/errors.js';
import { isProofCode, openTrustBundle, verifyCode, verifyProofCode, type CodeVerdict } from '../../core/codes/index.js';
import { DEFAULT_OFFLINE_MAX_AGE_MS } from '../../client/codes.js';
import { withTarget } from '../target.js';
import { targetOptions, type CommonOpts } from '../options.js';
import { emit } from '../output.js';
import { CliFailure } from '../failure.js';
import { parseDuration } from '../args.js';
import { codeFromArg, offlineAnchor, targetFacts, verdictExit } from '../codes.js';

interface CodeVerifyOpts extends CommonOpts {
  offline?: string;
  maxAge?: string;
}

function lines(v: CodeVerdict, from: string): string[] {
  const c = v.evidence.claims as Record<string, unknown> | undefined;
  const out = [`${v.verdict} (${v.reason}): ${v.message}`];
  if (c)
    out.push(`  identifier: ${String(c.id)}  serial ${String(c.serial)}  issued ${String(c.issuedAt)}${c.expiresAt ? `  expires ${String(c.expiresAt)}` : ''}`);
  if (v.evidence.issuer) out.push(`  issuer:     ${String(v.evidence.issuer)}`);
  out.push(`  checked:    ${String(v.evidence.source ?? 'decoding')} as of ${String(v.evidence.asOf ?? '-')} (code read from ${from})`);
  return out;
}

export function registerCodeVerify(code: Command): void {
  targetOptions(
    code
      .command('verify')
      .description('verify a code: an image file (PNG/JPEG), the UC1: text, a label URL, or a file holding the text')
      .argument('<code>', 'image file, UC1: text, label URL, or text file')
      .option('--offline <bundle>', 'verify against this trust bundle (urbis trust export) with no network')
      .option('--max-age <duration>', 'oldest accepted data: 30s, 15m, 12h, 7d (offline default 1d; online default no limit)'),
  ).action(async (arg: string, o: CodeVerifyOpts) => {
    const { input, from } = await codeFromArg(arg);
    const maxAge = o.maxAge === undefined ? undefined : parseDuration(o.maxAge);
    let v: CodeVerdict;
    if (isProofCode(input)) {
      // It carries its own proofs: checked against the genesis anchor alone, no network.
      const { anchor, from: anchorFrom } = offlineAnchor(o);
      if (anchor === undefined)
        throw new UrbisError('CLI_USAGE', 'a proof-carrying code is checked against a genesis: give --genesis FILE (or URBIS_GENESIS, or --dir)');
      v = await verifyProofCode(input, anchor, { now: Date.now(), ...(maxAge === undefined ? {} : { maxAgeMs: maxAge }) });
      v = { ...v, evidence: { ...v.evidence, anchorFrom } };
    } else if (o.offline !== undefined) {
      let bytes: Uint8Array;
      try {
        bytes = new Uint8Array(readFileSync(o.offline));
      } catch (e) {
        throw new UrbisError('CLI_USAGE', `cannot read the trust bundle ${o.offline}`, { path: o.offline }, { cause: e });
      }
      const { anchor, from: anchorFrom } = offlineAnchor(o);
      const bundle = await openTrustBundle(bytes, anchor);
      v = await verifyCode(input, (c) => bundle.factsFor(c), { now: Date.now(), maxAgeMs: maxAge ?? DEFAULT_OFFLINE_MAX_AGE_MS });
      v = { ...v, evidence: { ...v.evidence, anchorFrom } };
    } else {
      v = await withTarget(o, true, (t) => verifyCode(input, (c) => targetFacts(t, c), { now: Date.now(), maxAgeMs: maxAge ?? Number.POSITIVE_INFINITY }));
    }
    emit(o, { ...v, input: from === 'argument' ? undefined : input, from }, () => lines(v, from));
    const exit = verdictExit(v);
    if (exit !== 0) throw new CliFailure(new UrbisError('CODE_NOT_VALID', `${v.verdict}: ${v.message}`), exit, true);
  });
}

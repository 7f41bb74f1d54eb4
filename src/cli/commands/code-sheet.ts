/**
 * `urbis code sheet <ns>`: a printable PDF of signed codes for the identifiers of a namespace, each
 * with the identifier under it; `--prefix` and a numeric `--from`/`--to` range select them (the
 * number is the digits that follow the prefix, as `id.allocate` writes them).
 *
 * Spec: docs/cli.md "Codes".
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { codeUrl } from '../../core/codes/index.js';
import { parseIdentifier } from '../../core/ids/index.js';
import type { IdEntry } from '../../core/ledger/types.js';
import { withTarget } from '../target.js';
import { loadSigner } from '../local.js';
import { parseNsArg, parseDate, intArg } from '../args.js';
import { collect, writeOptions, type CommonOpts } from '../options.js';
import { emit } from '../output.js';
import { usage } from '../failure.js';
import { makeCodeFromTarget } from './code-make.js';

/** Most labels one sheet command makes. */
export const MAX_SHEET_LABELS = 10_000;

interface CodeSheetOpts extends CommonOpts {
  out: string;
  prefix?: string;
  from?: number;
  to?: number;
  field?: string[];
  expires?: string;
  url?: boolean;
  baseUrl?: string;
}

/** True if `local` is `prefix` followed by digits whose value lies in [from, to]. */
export function inRange(local: string, prefix: string, from: number | undefined, to: number | undefined): boolean {
  if (!local.startsWith(prefix)) return false;
  if (from === undefined && to === undefined) return true;
  const rest = local.slice(prefix.length);
  if (!/^[0-9]{1,15}$/.test(rest)) return false;
  const n = Number(rest);
  return (from === undefined || n >= from) && (to === undefined || n <= to);
}

export function registerCodeSheet(code: Command): void {
  writeOptions(
    code
      .command('sheet')
      .description('a printable PDF sheet of signed codes for the identifiers of a namespace')
      .argument('<ns>', 'namespace path')
      .requiredOption('--out <file>', 'PDF file to write')
      .option('--prefix <p>', 'only local parts starting with this prefix')
      .option('--from <n>', 'with --prefix: lowest number after the prefix', intArg(0))
      .option('--to <n>', 'with --prefix: highest number after the prefix', intArg(0))
      .option('--field <name>', 'attribute the codes vouch for besides the type (repeatable)', collect)
      .option('--expires <time>', 'expiry, ISO 8601')
      .option('--url', 'print the URL form (opens in a phone camera) instead of the UC1: text')
      .option('--base-url <url>', 'public base URL of the url form (default https://id.urbis.city)'),
  ).action(async (nsArg: string, o: CodeSheetOpts) => {
    const ns = parseNsArg(nsArg);
    const prefix = (o.prefix ?? '').toUpperCase();
    if ((o.from !== undefined || o.to !== undefined) && o.from !== undefined && o.to !== undefined && o.from > o.to) usage('--from must not exceed --to');
    const expiresAt = o.expires === undefined ? undefined : parseDate(o.expires, '--expires');
    const issuer = await loadSigner(o);
    await withTarget(o, true, async (t) => {
      const picked: IdEntry[] = [];
      let cursor: string | null = null;
      do {
        const page = await t.idsIn(ns, cursor, 1000);
        for (const e of page.items) if (e.status !== 'deactivated' && inRange(e.local, prefix, o.from, o.to)) picked.push(e);
        cursor = page.next;
      } while (cursor !== null && picked.length <= MAX_SHEET_LABELS);
      if (picked.length > MAX_SHEET_LABELS) usage(`more than ${MAX_SHEET_LABELS} identifiers match: narrow with --prefix, --from and --to`);
      const now = Date.now();
      const labels = [];
      for (const e of picked) {
        const { made, serial } = await makeCodeFromTarget(t, parseIdentifier(e.id), issuer, { fields: o.field, expiresAt, now });
        labels.push({ code: o.url ? codeUrl(o.baseUrl ?? 'https://id.urbis.city', e.id, made.bytes) : made.text, caption: e.id, serial });
      }
      // Loaded on use: the PDF library is not needed by the other commands.
      const { labelSheet } = await import('../../codes/sheet.js');
      writeFileSync(o.out, await labelSheet(labels, `Urbis labels ${ns}`));
      emit(o, { ns, out: o.out, labels: labels.map((l) => ({ id: l.caption, serial: l.serial })) }, () => [
        `${labels.length} labels of ${ns} written to ${o.out}`,
      ]);
    });
  });
}

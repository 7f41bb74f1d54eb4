/**
 * `urbis export --ns NS [--format ndjson|csv|ngsi-ld] [--out FILE]` (docs/cli.md): the identifiers of a
 * namespace and of every namespace below it, with their records (or as NGSI-LD entities, one per
 * line: docs/sharing.md "Linksets and NGSI-LD"), in identifier-text order, streamed
 * page by page (memory stays flat however many there are). Reads the store read-only without the directory lock, so it works
 * beside a running node (WAL: one consistent view per page).
 */
import { createWriteStream, existsSync, renameSync, rmSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Writable } from 'node:stream';
import type { Command } from 'commander';
import { Option } from 'commander';
import { UrbisError } from '../../core/errors.js';
import { canonicalNsPath } from '../../core/ledger/names.js';
import { ngsiLdEntity } from '../../core/api/ngsi-ld.js';
import type { IdEntry } from '../../core/ledger/types.js';
import { paths } from '../../node/data-dir.js';
import { SqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { resolveDir } from '../local.js';
import { dirOptions, localOnly, type CommonOpts } from '../options.js';

const PAGE = 1000;

/** CSV columns; nested values are JSON text. */
export const EXPORT_COLUMNS = [
  'id',
  'ns',
  'local',
  'type',
  'status',
  'version',
  'created',
  'updated',
  'height',
  'tx',
  'attributes',
  'links',
  'services',
  'controllers',
] as const;

/** RFC 4180 field: quoted when it holds a comma, quote, CR or LF. */
function csvField(v: unknown): string {
  const s = v === undefined || v === null ? '' : typeof v === 'string' ? v : typeof v === 'number' ? String(v) : JSON.stringify(v);
  return /[",\r\n]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
}

function csvRow(e: IdEntry): string {
  const r = e.record;
  const cells = [e.id, e.ns, e.local, r.type, e.status, e.version, e.created, e.updated, e.height, e.tx, r.attributes, r.links, r.services, e.controllers];
  return `${cells.map(csvField).join(',')}\r\n`;
}

/** Set when the reader went away (`urbis export … | head`): the export stops quietly. */
class ReaderGone extends Error {}

async function write(out: Writable, text: string): Promise<void> {
  if (out.destroyed || out.errored) throw out.errored ?? new ReaderGone();
  if (!out.write(text)) await new Promise((r) => out.once('drain', r));
}

export function registerExport(program: Command): void {
  localOnly(
    dirOptions(
      program
        .command('export')
        .description('write the identifiers of a namespace and those below it, with their records, as NDJSON, CSV or NGSI-LD entities')
        .requiredOption('--ns <path>', 'namespace, e.g. 156.130100')
        .addOption(new Option('--format <format>', 'output format').choices(['ndjson', 'csv', 'ngsi-ld']).default('ndjson'))
        .option('--out <file>', 'file to write (default: stdout); written to <file>.partial, renamed when complete')
        .option('--force', 'replace an existing --out file'),
    ),
    'export',
  ).action(async (o: CommonOpts & { ns: string; format: 'ndjson' | 'csv' | 'ngsi-ld'; out?: string; force?: boolean }) => {
    const dir = resolveDir(o);
    const ns = canonicalNsPath(o.ns, 'ns');
    const db = paths(dir).db;
    if (!existsSync(db)) throw new UrbisError('STORE_NOT_INITIALIZED', `${dir} holds no ledger`);
    const store = SqliteStore.open(db, { readonly: true });
    const target = o.out === undefined ? null : resolve(o.out);
    if (target && existsSync(target) && !o.force)
      throw new UrbisError('BACKUP_TARGET_EXISTS', `${target} exists; give --force to replace it`, { file: target });
    const out: Writable = target ? createWriteStream(`${target}.partial`) : process.stdout;
    let count = 0;
    // A failed or closed output ends the wait for 'drain'; the next write throws its error.
    out.on('error', () => out.emit('drain'));
    try {
      if (!store.ns(ns)) throw new UrbisError('NS_NOT_FOUND', `namespace ${ns} does not exist`, { ns });
      if (o.format === 'csv') await write(out, `${EXPORT_COLUMNS.join(',')}\r\n`);
      // The namespace's subtree in identifier-text order, one page in memory at a time.
      let cursor: string | null = null;
      do {
        const page = store.idsIn(ns, cursor, PAGE);
        let text = '';
        for (const e of page.items) {
          text += o.format === 'csv' ? csvRow(e) : `${JSON.stringify(o.format === 'ngsi-ld' ? ngsiLdEntity(e) : e)}\n`;
        }
        count += page.items.length;
        if (text) await write(out, text);
        cursor = page.next;
      } while (cursor !== null);
      if (target) {
        await new Promise<void>((res, rej) => out.end((e?: Error | null) => (e ? rej(e) : res())));
        renameSync(`${target}.partial`, target);
      }
    } catch (e) {
      if (e instanceof ReaderGone || (e as NodeJS.ErrnoException).code === 'EPIPE') return;
      if (target) {
        out.destroy();
        rmSync(`${target}.partial`, { force: true });
      }
      throw e;
    } finally {
      store.close();
    }
    const summary = `exported ${count} identifiers of ${ns} and below${target ? ` to ${target}` : ''} (${o.format})`;
    if (target) {
      if (o.json) process.stdout.write(`${JSON.stringify({ ns, format: o.format, count, file: target })}\n`);
      else process.stdout.write(`${summary}\n`);
    } else process.stderr.write(`${summary}\n`);
  });
}

/**
 * Reading and checking the rows of an `urbis import` file (docs/cli.md "import"): CSV (RFC 4180,
 * with a header) or NDJSON, streamed line by line; each row becomes one `id.registerBatch` item
 * after the same checks the ledger will make (identifier syntax, record schema, namespace policy),
 * so that a bad row is reported with its line number instead of sinking its whole batch.
 *
 * The file is untrusted input: every fault becomes an UrbisError attached to its row.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { UrbisError, isUrbisError, type ErrorCode } from '../core/errors.js';
import { makeIdentifier } from '../core/ids/index.js';
import { canonicalIdText, parseIdLenient } from '../core/ledger/names.js';
import { parseRecord } from '../core/ledger/schema.js';
import type { ChainParams, NameRule, NsEntry, RecordBody } from '../core/ledger/types.js';
import { CsvRecordAssembler, parseCsvRecord } from './csv.js';

export type ImportFormat = 'csv' | 'ndjson';

/** A row as read, before checks. */
export interface RawRow {
  local?: unknown;
  id?: unknown;
  type?: unknown;
  attributes?: unknown;
  links?: unknown;
  services?: unknown;
  privateRefs?: unknown;
}

/** One record of the file: a row, or the fault that prevented reading it. */
export interface ReadRow {
  /** 1-based line where the record starts. */
  line: number;
  row?: RawRow;
  error?: UrbisError;
  /** Bytes of the file consumed so far (for progress). */
  bytes: number;
}

/** A checked row, ready to be a batch item. */
export interface CheckedRow {
  line: number;
  local: string;
  record: RecordBody;
}

const NDJSON_FIELDS = new Set(['local', 'id', 'type', 'attributes', 'links', 'services', 'privateRefs']);
const CSV_COLUMNS = new Set(['local', 'id', 'type', 'attributes', 'links']);

function rowError(message: string, code: ErrorCode = 'IMPORT_ROW_INVALID'): UrbisError {
  return new UrbisError(code, message);
}

/** Format from the flag or the file extension. */
export function detectFormat(file: string, flag?: string): ImportFormat {
  const f = (flag ?? '').toLowerCase();
  if (f === 'csv' || f === 'ndjson') return f;
  if (f !== '') throw new UrbisError('CLI_USAGE', `--format must be csv or ndjson, not "${flag}"`);
  if (/\.csv$/i.test(file)) return 'csv';
  if (/\.(ndjson|jsonl)$/i.test(file)) return 'ndjson';
  throw new UrbisError('IMPORT_FILE_INVALID', `cannot tell the format of ${file} from its name; give --format csv|ndjson`);
}

/** `rel=target;rel=target` → links. */
function csvLinks(cell: string): unknown[] {
  return cell
    .split(';')
    .map((s) => s.trim())
    .filter((s) => s !== '')
    .map((s) => {
      const i = s.indexOf('=');
      if (i <= 0) throw rowError(`link "${s}" must be rel=target`);
      return { rel: s.slice(0, i).trim(), target: s.slice(i + 1).trim() };
    });
}

/** Maps the CSV header to a function building a {@link RawRow} from a record's fields. */
function csvMapper(header: string[]): (fields: string[]) => RawRow {
  const cols = header.map((h) => h.trim());
  for (const c of cols) {
    if (!CSV_COLUMNS.has(c) && !(c.startsWith('attr.') && c.length > 5)) {
      throw new UrbisError('IMPORT_FILE_INVALID', `line 1: unknown column "${c}" (expected local or id, type, attributes, links, attr.<name>)`);
    }
  }
  if (!cols.includes('local') && !cols.includes('id')) throw new UrbisError('IMPORT_FILE_INVALID', 'line 1: the header needs a "local" or an "id" column');
  if (new Set(cols).size !== cols.length) throw new UrbisError('IMPORT_FILE_INVALID', 'line 1: a column appears twice');
  return (fields) => {
    if (fields.length !== cols.length) throw rowError(`has ${fields.length} fields, the header has ${cols.length}`);
    const row: RawRow = {};
    let attrs: Record<string, unknown> | undefined;
    cols.forEach((c, i) => {
      const v = fields[i]!;
      if (v === '') return;
      if (c === 'attributes') {
        let o: unknown;
        try {
          o = JSON.parse(v);
        } catch {
          throw rowError('the attributes column is not valid JSON');
        }
        if (typeof o !== 'object' || o === null || Array.isArray(o)) throw rowError('the attributes column must be a JSON object');
        attrs = { ...(o as Record<string, unknown>), ...attrs };
      } else if (c.startsWith('attr.')) {
        attrs = { ...attrs, [c.slice(5)]: v };
      } else if (c === 'links') {
        row.links = csvLinks(v);
      } else {
        (row as Record<string, unknown>)[c] = v;
      }
    });
    if (attrs) row.attributes = attrs;
    return row;
  };
}

function ndjsonRow(line: string): RawRow {
  let o: unknown;
  try {
    o = JSON.parse(line);
  } catch {
    throw rowError('is not valid JSON');
  }
  if (typeof o !== 'object' || o === null || Array.isArray(o)) throw rowError('must be a JSON object');
  for (const k of Object.keys(o)) if (!NDJSON_FIELDS.has(k)) throw rowError(`unknown field "${k.slice(0, 40)}"`);
  const row = o as RawRow;
  // Links may also be written "rel=target", as in CSV.
  if (Array.isArray(row.links)) row.links = row.links.map((l) => (typeof l === 'string' ? csvLinks(l)[0] : l));
  return row;
}

function asError(e: unknown): UrbisError {
  if (isUrbisError(e)) return e;
  return rowError(e instanceof Error ? e.message : String(e));
}

/**
 * Streams the rows of `file`. Blank lines are skipped; a CSV file's first record is its header.
 *
 * @throws UrbisError IMPORT_FILE_INVALID if the file cannot be read or its header is wrong.
 */
export async function* readRows(file: string, format: ImportFormat): AsyncGenerator<ReadRow> {
  const input = createReadStream(file, { encoding: 'utf8' });
  const opened = new Promise<void>((resolve, reject) => {
    input.once('open', () => resolve());
    input.once('error', (e) =>
      reject(new UrbisError('IMPORT_FILE_INVALID', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? e.message}`, { path: file }, { cause: e })),
    );
  });
  await opened;
  const rl = createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let bytes = 0;
  let map: ((f: string[]) => RawRow) | null = null;
  const csv = new CsvRecordAssembler();
  try {
    for await (let line of rl) {
      lineNo++;
      bytes += Buffer.byteLength(line) + 1;
      if (lineNo === 1 && line.charCodeAt(0) === 0xfeff) line = line.slice(1);
      if (format === 'ndjson') {
        if (line.trim() === '') continue;
        try {
          yield { line: lineNo, row: ndjsonRow(line), bytes };
        } catch (e) {
          if (e instanceof UrbisError && e.code === 'IMPORT_FILE_INVALID') throw e;
          yield { line: lineNo, error: asError(e), bytes };
        }
        continue;
      }
      if (csv.rest() === null && line.trim() === '') continue;
      const text = csv.push(line, lineNo);
      if (text === null) continue;
      const start = csv.startLine;
      if (map === null) {
        try {
          map = csvMapper(parseCsvRecord(text));
        } catch (e) {
          throw new UrbisError('IMPORT_FILE_INVALID', `line ${start}: bad header: ${asError(e).message}`, { line: start });
        }
        continue;
      }
      let r: ReadRow;
      try {
        r = { line: start, row: map(parseCsvRecord(text)), bytes };
      } catch (e) {
        r = { line: start, error: asError(e), bytes };
      }
      yield r;
    }
    if (csv.rest() !== null) yield { line: csv.startLine, error: rowError('unterminated quoted field at end of file'), bytes };
    if (format === 'csv' && map === null) throw new UrbisError('IMPORT_FILE_INVALID', `${file} is empty: a CSV file needs a header line`);
  } finally {
    rl.close();
    input.destroy();
  }
}

/** Mirror of the ledger's name rule check (src/core/ledger/apply.ts), to reject rows early. */
function checkLocal(rule: NameRule | undefined, local: string, reserved: string[] | undefined): void {
  if (!rule) throw rowError('the namespace does not allow identifiers', 'POLICY_LOCAL_FORMAT');
  if (local.length < rule.minLength || local.length > rule.maxLength) {
    throw rowError(`local part "${local}" must have ${rule.minLength}..${rule.maxLength} characters`, 'POLICY_LOCAL_FORMAT');
  }
  if (rule.charset === 'digits' && !/^[0-9]+$/.test(local)) throw rowError(`local part "${local}" must be digits only`, 'POLICY_LOCAL_FORMAT');
  if (rule.prefixes && !rule.prefixes.some((p) => local.startsWith(p))) {
    throw rowError(`local part "${local}" must start with one of ${rule.prefixes.join(', ')}`, 'POLICY_LOCAL_FORMAT');
  }
  if (reserved?.includes(local)) throw rowError(`local part "${local}" is reserved by the namespace policy`, 'POLICY_RESERVED');
}

/**
 * Checks a row against identifier syntax, the record schema and the namespace policy.
 *
 * @param defaultType record type for rows without one.
 * @throws UrbisError the first fault (ID_*, RECORD_*, POLICY_*, IMPORT_ROW_INVALID).
 */
export function checkRow(raw: RawRow, line: number, ns: NsEntry, params: ChainParams, defaultType?: string): CheckedRow {
  let local: string;
  if (raw.id !== undefined) {
    if (typeof raw.id !== 'string') throw rowError('"id" must be a string');
    if (raw.local !== undefined) throw rowError('give "id" or "local", not both');
    const ident = parseIdLenient(raw.id.trim());
    if (ident.local === null || ident.namespace.join('.') !== ns.ns) throw rowError(`${ident.text} is not an identifier in namespace ${ns.ns}`);
    local = ident.local;
  } else {
    if (typeof raw.local !== 'string' || raw.local.trim() === '') throw rowError('"local" is missing');
    const given = raw.local.trim();
    try {
      local = makeIdentifier(ns.ns.split('.'), given).local!;
    } catch (e) {
      // Positions index the whole identifier; name the local part the row gave instead.
      if (isUrbisError(e)) {
        const off = ns.ns.length + 1;
        const msg = e.message.replace(/position (\d+)/g, (_, n: string) => `position ${Math.max(0, Number(n) - off)}`);
        const pos = typeof e.details?.position === 'number' ? { position: Math.max(0, e.details.position - off) } : {};
        throw new UrbisError(e.code, `local part "${given.slice(0, 64)}": ${msg}`, { ...e.details, ...pos });
      }
      throw e;
    }
  }
  const rec: Record<string, unknown> = { type: raw.type ?? defaultType };
  if (rec.type === undefined) throw rowError('"type" is missing (or give --type)');
  for (const k of ['attributes', 'links', 'services', 'privateRefs'] as const) if (raw[k] !== undefined) rec[k] = raw[k];
  const record = parseRecord(rec, 'record', params, canonicalIdText);
  checkLocal(ns.policy.ids, local, ns.policy.reserved);
  if (ns.policy.types && !ns.policy.types.includes(record.type)) {
    throw rowError(`namespace ${ns.ns} allows record types ${ns.policy.types.join(', ')}, not ${record.type}`, 'POLICY_TYPE_NOT_ALLOWED');
  }
  return { line, local, record };
}

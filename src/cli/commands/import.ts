/**
 * `urbis import`: bulk registration from a CSV or NDJSON file (docs/cli.md "import").
 *
 * Rows are streamed, checked one by one (src/cli/import-rows.ts) and packed into `id.registerBatch`
 * transactions; several batches are submitted before a block is cut, and at most that many are
 * held in memory, so memory stays flat whatever the file size. Re-running a file registers nothing
 * twice: a row whose identifier already holds the same record counts as "already registered".
 *
 * Through a node (--node) a lookup is a request, so rows are not looked up one by one before
 * batching: only the rows of a batch the ledger rejected for a row's fault are resolved (verified),
 * to tell "already registered" from a conflict, before the others are retried one by one.
 */
import { statSync } from 'node:fs';
import type { Command } from 'commander';
import cliProgress from 'cli-progress';
import { UrbisError, isUrbisError } from '../../core/errors.js';
import { canonicalJson } from '../../core/encoding/index.js';
import { makeIdentifier } from '../../core/ids/index.js';
import { buildTxBody, signTx, type Signer } from '../../core/ledger/tx.js';
import type { NsEntry, RecordBody } from '../../core/ledger/types.js';
import type { TxOutcome } from '../../ordering/types.js';
import { checkRow, detectFormat, readRows, type CheckedRow } from '../import-rows.js';
import { withTarget, type Target } from '../target.js';
import { CliFailure, EXIT, exitCodeFor } from '../failure.js';
import { emit } from '../output.js';
import { intArg, parseNsArg } from '../args.js';
import { loadSigners } from '../local.js';
import { rejected } from '../tx.js';
import { writeOptions, type CommonOpts } from '../options.js';

interface Opts extends CommonOpts {
  ns: string;
  format?: string;
  batch: number;
  type?: string;
}

/** Rows kept in the summary: all of them up to this many in --json, fewer in text. */
const MAX_REASONS_JSON = 1000;
const MAX_REASONS_TEXT = 20;
/** Rows in flight (submitted, not yet committed) at most; bounds memory. */
const ROWS_IN_FLIGHT = 8000;
/** Resolutions in flight at once when classifying rejected rows through a node. */
const LOOKUPS_IN_FLIGHT = 16;

/** Ledger codes that belong to one row; other codes (authority, suspension) stop the import. */
function rowCode(code: string): boolean {
  return /^(ID_|POLICY_|RECORD_|QUOTA_IDS$|TX_TOO_LARGE$)/.test(code);
}

interface Reason {
  line: number;
  local?: string;
  code: string;
  message: string;
}

interface InFlight {
  rows: CheckedRow[];
  /** Outcome, or the error that kept the batch out of a block. */
  done: Promise<TxOutcome | Error>;
}

/** True for an error about a row (the batch is retried row by row), false for one that stops the import. */
function rowError(e: Error): boolean {
  return isUrbisError(e) && rowCode(e.code);
}

class Importer {
  read = 0;
  registered = 0;
  already = 0;
  rejectedRows = 0;
  reasons: Reason[] = [];
  private batch: CheckedRow[] = [];
  private batchBytes = 0;
  /** Full batches waiting to be submitted together (see {@link drain}). */
  private ready: CheckedRow[][] = [];
  /** Rows submitted or batched but not yet committed, by local part (duplicates in the file). */
  private pending = new Map<string, CheckedRow>();
  /** Batches committed per block. */
  private readonly maxInflight: number;
  private readonly maxBytes: number;
  private readonly path: string[];

  private constructor(
    private readonly t: Target,
    private readonly signers: Signer[],
    private readonly ns: string,
    private readonly batchSize: number,
    /** The namespace entry, read again after every commit (its identifier count moves). */
    public nsCur: NsEntry,
  ) {
    this.maxInflight = Math.max(1, Math.min(t.batchesInFlight, Math.ceil(ROWS_IN_FLIGHT / batchSize)));
    // Room for the transaction envelope and signature inside the size limit.
    this.maxBytes = t.params.maxTxBytes - 4096;
    this.path = ns.split('.');
  }

  static async open(t: Target, signers: Signer[], ns: string, batchSize: number): Promise<Importer> {
    return new Importer(t, signers, ns, batchSize, await nsEntry(t, ns));
  }

  reject(line: number, code: string, message: string, local?: string): void {
    this.rejectedRows++;
    if (this.reasons.length < MAX_REASONS_JSON) this.reasons.push({ line, ...(local === undefined ? {} : { local }), code, message });
  }

  /** Decides what to do with a checked row: skip, reject, or add to the batch. */
  async add(row: CheckedRow): Promise<void> {
    const same = (r: RecordBody) => canonicalJson(r) === canonicalJson(row.record);
    const dup = this.pending.get(row.local);
    if (dup) {
      if (same(dup.record)) this.already++;
      else this.reject(row.line, 'ID_EXISTS', `${row.local} appears again with a different record (first at line ${dup.line})`, row.local);
      return;
    }
    if (this.t.cheapReads && (await this.existing(row))) return;
    const full = () => this.nsCur.limits.maxIds !== undefined && this.nsCur.ids + this.pending.size + 1 > this.nsCur.limits.maxIds;
    if (full() && !this.t.cheapReads) {
      // Through a node, pending rows were not looked up and may exist already (they take no quota):
      // commit them first, so that the count is the ledger's, then look this row up.
      if (this.pending.size > 0) {
        await this.flush();
        await this.drain();
      }
      if (await this.existing(row)) return;
    }
    if (full()) {
      this.reject(row.line, 'QUOTA_IDS', `namespace ${this.ns} may hold ${this.nsCur.limits.maxIds} identifiers`, row.local);
      return;
    }
    const size = Buffer.byteLength(JSON.stringify({ local: row.local, record: row.record })) + 1;
    if (this.batch.length > 0 && this.batchBytes + size > this.maxBytes) await this.flush();
    this.batch.push(row);
    this.batchBytes += size;
    this.pending.set(row.local, row);
    if (this.batch.length >= this.batchSize) await this.flush();
  }

  /** If the row's identifier exists already, counts the row (already registered, or rejected) and returns true. */
  private async existing(row: CheckedRow): Promise<boolean> {
    const cur = await this.t.id(makeIdentifier(this.path, row.local));
    if (!cur) return false;
    if (cur.status === 'deactivated') this.reject(row.line, 'ID_DEACTIVATED', `${cur.id} is deactivated`, row.local);
    else if (canonicalJson(cur.record) === canonicalJson(row.record)) this.already++;
    else this.reject(row.line, 'ID_EXISTS', `${cur.id} is already registered with a different record`, row.local);
    return true;
  }

  /** The rows whose identifier does not exist yet; the others are counted (a few lookups at a time). */
  private async fresh(rows: CheckedRow[]): Promise<CheckedRow[]> {
    const found = new Array<boolean>(rows.length);
    let next = 0;
    const worker = async () => {
      while (next < rows.length) {
        const i = next++;
        found[i] = await this.existing(rows[i]!);
      }
    };
    await Promise.all(Array.from({ length: Math.min(LOOKUPS_IN_FLIGHT, rows.length) }, worker));
    return rows.filter((_, i) => !found[i]);
  }

  /** Submits batches together (one block locally; a few requests in flight through a node). */
  private submit(batches: CheckedRow[][]): InFlight[] {
    const txs = batches.map((rows) =>
      signTx(
        buildTxBody(
          'id.registerBatch',
          { ns: this.ns, items: rows.map((r) => ({ local: r.local, record: r.record })) },
          { chain: this.t.chainId, now: Date.now() },
        ),
        this.signers,
      ),
    );
    const done = this.t.submitMany(txs);
    return batches.map((rows, i) => ({ rows, done: done[i]! }));
  }

  /** Closes the current batch; commits the waiting batches once there are enough of them. */
  async flush(): Promise<void> {
    if (this.batch.length > 0) {
      this.ready.push(this.batch);
      this.batch = [];
      this.batchBytes = 0;
    }
    if (this.ready.length >= this.maxInflight) await this.drain();
  }

  /**
   * Submits the waiting batches and commits them (in one block locally); a batch rejected for a
   * row's fault is retried row by row.
   */
  async drain(): Promise<void> {
    const inflight = this.submit(this.ready);
    this.ready = [];
    let retry: CheckedRow[] = [];
    // A rejection that is not about a row stops the import, after counting what did commit.
    let stop: TxOutcome | Error | null = null;
    for (const f of inflight) {
      const out = await f.done;
      if (out instanceof Error) {
        if (rowError(out)) retry.push(...f.rows);
        else stop ??= out;
      } else if (out.result.ok) this.registered += f.rows.length;
      else if (rowCode(out.result.code)) retry.push(...f.rows);
      else stop ??= out;
    }
    if (stop) throw stop instanceof Error ? stop : rejected(stop);
    // Rows were not looked up before batching: those that exist now are counted, not retried.
    if (retry.length > 0 && !this.t.cheapReads) retry = await this.fresh(retry);
    if (retry.length > 0) {
      const singles = this.submit(retry.map((r) => [r]));
      for (const f of singles) {
        const r = f.rows[0]!;
        const out = await f.done;
        if (out instanceof Error) {
          if (rowError(out)) this.reject(r.line, (out as UrbisError).code, out.message, r.local);
          else throw out;
        } else if (out.result.ok) this.registered++;
        else if (rowCode(out.result.code)) this.reject(r.line, out.result.code, out.result.message, r.local);
        else throw rejected(out);
      }
    }
    this.pending.clear();
    this.nsCur = await nsEntry(this.t, this.ns);
  }
}

async function nsEntry(t: Target, ns: string): Promise<NsEntry> {
  const e = await t.ns(ns);
  if (!e) throw new UrbisError('NS_NOT_FOUND', `namespace ${ns} does not exist`, { ns });
  return e;
}

export function registerImport(program: Command): void {
  writeOptions(
    program
      .command('import')
      .description('register identifiers in bulk from a CSV or NDJSON file (idempotent: re-running registers nothing twice)')
      .argument('<file>', 'CSV (header: local|id,type,attributes,links,attr.<name>) or NDJSON file')
      .requiredOption('--ns <ns>', 'namespace the identifiers are registered in')
      .option('--format <format>', 'csv or ndjson (default: from the file extension)')
      .option('--batch <n>', 'identifiers per transaction (capped by the chain maxBatch)', intArg(1), 1000)
      .option('--type <type>', 'record type of rows that have none'),
  ).action(async (file: string, o: Opts) => {
    const format = detectFormat(file, o.format);
    const nsPath = parseNsArg(o.ns);
    const signers = await loadSigners(o);
    const started = Date.now();
    await withTarget(o, false, async (t) => {
      const params = t.params;
      const imp = await Importer.open(t, signers, nsPath, Math.min(o.batch, params.maxBatch));
      const total = (() => {
        try {
          return statSync(file).size;
        } catch {
          return 0;
        }
      })();
      const bar =
        process.stderr.isTTY && !o.json
          ? new cliProgress.SingleBar(
              { stream: process.stderr, format: 'import [{bar}] {percentage}% | {rows} rows | {registered} registered | {rejected} rejected' },
              cliProgress.Presets.shades_classic,
            )
          : null;
      bar?.start(total, 0, { rows: 0, registered: 0, rejected: 0 });
      let fatal: unknown = null;
      try {
        let sinceDrain = 0;
        for await (const r of readRows(file, format)) {
          imp.read++;
          if (r.error) imp.reject(r.line, r.error.code, r.error.message);
          else {
            let row: CheckedRow | null = null;
            try {
              row = checkRow(r.row!, r.line, imp.nsCur, params, o.type);
            } catch (e) {
              if (!isUrbisError(e)) throw e;
              imp.reject(r.line, e.code, e.message);
            }
            if (row) await imp.add(row);
          }
          if (++sinceDrain >= 1000) {
            sinceDrain = 0;
            bar?.update(r.bytes, { rows: imp.read, registered: imp.registered, rejected: imp.rejectedRows });
          }
        }
        await imp.flush();
        await imp.drain();
      } catch (e) {
        fatal = e;
      } finally {
        bar?.update(total, { rows: imp.read, registered: imp.registered, rejected: imp.rejectedRows });
        bar?.stop();
      }
      if (fatal && !(fatal instanceof CliFailure) && !isUrbisError(fatal)) throw fatal;
      imp.reasons.sort((a, b) => a.line - b.line);
      const elapsed = (Date.now() - started) / 1000;
      const rate = elapsed > 0 ? Math.round(imp.read / elapsed) : imp.read;
      const failure: CliFailure | null =
        fatal instanceof CliFailure
          ? fatal
          : fatal
            ? new CliFailure(fatal as UrbisError, 0)
            : imp.rejectedRows > 0
              ? new CliFailure(
                  new UrbisError('IMPORT_ROW_INVALID', `${imp.rejectedRows} of ${imp.read} rows rejected (see the summary)`, { rejected: imp.rejectedRows }),
                  EXIT.REJECTED,
                )
              : null;
      const summary = {
        file,
        ns: nsPath,
        read: imp.read,
        registered: imp.registered,
        alreadyRegistered: imp.already,
        rejected: imp.rejectedRows,
        reasons: imp.reasons,
        elapsedSeconds: elapsed,
        rowsPerSecond: rate,
        ...(failure ? { error: { code: failure.error.code, message: failure.error.message, details: failure.error.details ?? {} } } : {}),
      };
      emit(o, summary, () => [
        `${fatal ? 'import stopped' : 'import done'}: ${file} into ${nsPath}`,
        `read:               ${imp.read}`,
        `registered:         ${imp.registered}`,
        `already registered: ${imp.already}`,
        `rejected:           ${imp.rejectedRows}`,
        ...imp.reasons.slice(0, MAX_REASONS_TEXT).map((r) => `  line ${r.line}: ${r.code}: ${r.message}`),
        ...(imp.rejectedRows > MAX_REASONS_TEXT ? [`  ... and ${imp.rejectedRows - MAX_REASONS_TEXT} more (--json lists up to ${MAX_REASONS_JSON})`] : []),
        `elapsed:            ${elapsed.toFixed(1)} s (${rate} rows/s)`,
      ]);
      if (failure) {
        const exit = failure.exitCode || exitCodeFor(failure.error.code);
        throw new CliFailure(failure.error, exit, Boolean(o.json));
      }
    });
  });
}

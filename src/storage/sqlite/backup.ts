/**
 * Online backups of an SQLite store (docs/operations.md "Backup and restore").
 *
 * The copy is made with SQLite's online backup API on a second, read-only connection: the source is
 * only read (a process killed mid-backup cannot harm it), and a running node keeps committing
 * meanwhile (WAL). All pages are copied in one step after the first, i.e. inside one read
 * transaction, so the copy is the database as of one commit, never a mixture; a step restarted by a
 * concurrent commit starts over from that newer commit. The copy is written to `<out>.partial`,
 * switched out of WAL mode, stamped, fsynced and only then renamed to `<out>`: `<out>` either does
 * not exist or is a complete backup.
 */
import { closeSync, fsyncSync, openSync, renameSync, rmSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';
import { UrbisError } from '../../core/errors.js';

/** Metadata keys a backup carries besides the store (readable with `getMeta`). */
export const BACKUP_META = { time: 'backup.time', config: 'backup.config' } as const;

export interface BackupResult {
  file: string;
  bytes: number;
  ms: number;
}

function fsyncPath(p: string): void {
  const fd = openSync(p, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * Copies the store in `src` to `out` (see the module comment).
 *
 * @param stamp metadata written into the copy (`x.<key>` rows of its meta table), e.g. the node's config.
 * @throws UrbisError STORE_NOT_INITIALIZED when `src` does not exist; INTERNAL when the copy fails.
 */
export async function backupSqlite(src: string, out: string, stamp: Record<string, string> = {}): Promise<BackupResult> {
  const started = Date.now();
  const tmp = `${out}.partial`;
  let db: Database.Database;
  try {
    db = new Database(src, { readonly: true, fileMustExist: true });
  } catch (e) {
    throw new UrbisError('STORE_NOT_INITIALIZED', `cannot open ${src}: ${(e as Error).message}`, undefined, { cause: e });
  }
  try {
    rmSync(tmp, { force: true });
    // Everything that remains in one step: one read transaction, one consistent state.
    await db.backup(tmp, { progress: ({ remainingPages }) => Math.max(100, remainingPages) });
  } catch (e) {
    rmSync(tmp, { force: true });
    throw new UrbisError('INTERNAL', `backup of ${src} failed: ${(e as Error).message}`, undefined, { cause: e });
  } finally {
    db.close();
  }
  const copy = new Database(tmp);
  try {
    // A single self-contained file: no -wal beside it.
    copy.pragma('journal_mode = DELETE');
    const put = copy.prepare('INSERT OR REPLACE INTO meta (k, v) VALUES (?, ?)');
    copy.transaction(() => {
      for (const [k, v] of Object.entries(stamp)) put.run(`x.${k}`, v);
    })();
  } finally {
    copy.close();
  }
  fsyncPath(tmp);
  renameSync(tmp, out);
  fsyncPath(dirname(out));
  return { file: out, bytes: statSync(out).size, ms: Date.now() - started };
}

/**
 * Puts the store file `from` in place of `target` (a store no process has open): the target's WAL is
 * checkpointed away first, so that no stale WAL frame can ever be applied to the new file, then the
 * new file is copied beside it, fsynced and renamed over it.
 */
export function replaceSqlite(from: string, target: string): void {
  const tmp = `${target}.restore`;
  rmSync(tmp, { force: true });
  const src = new Database(from, { readonly: true, fileMustExist: true });
  try {
    // Through SQLite, not a byte copy: the result is consistent even if `from` had a WAL.
    src.exec(`VACUUM INTO '${tmp.replaceAll("'", "''")}'`);
  } finally {
    src.close();
  }
  fsyncPath(tmp);
  try {
    const old = new Database(target, { fileMustExist: true });
    try {
      old.pragma('wal_checkpoint(TRUNCATE)');
      old.pragma('journal_mode = DELETE');
    } finally {
      old.close();
    }
  } catch {
    // No target yet, or one too damaged to open (the reason for a restore): its WAL goes below.
  }
  for (const f of [`${target}-wal`, `${target}-shm`]) rmSync(f, { force: true });
  renameSync(tmp, target);
  fsyncPath(dirname(target));
}

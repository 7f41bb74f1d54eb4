/**
 * `urbis backup` and `urbis restore` (docs/operations.md "Backup and restore", docs/cli.md).
 *
 * backup: an online, consistent copy of a data directory's store, from a running node or a stopped
 * one (no lock is taken; the store is only read), checked before it is reported done.
 * restore: the chain in a backup is re-verified from genesis before anything is written; the target
 * directory is locked (not while a node runs on it) and its store replaced only with --force.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { UrbisError, ERROR_CODES, type ErrorCode } from '../../core/errors.js';
import { txHash } from '../../core/ledger/tx.js';
import type { Tx } from '../../core/ledger/types.js';
import { quickCheck, verifyChain, type ChainCheck } from '../../engine/verify-chain.js';
import { acquireLock, DEFAULT_CONFIG, paths, writeFileAtomic } from '../../node/data-dir.js';
import { BACKUP_META, backupSqlite, replaceSqlite } from '../../storage/sqlite/backup.js';
import { SqliteStore } from '../../storage/sqlite/sqlite-store.js';
import { CliFailure, EXIT } from '../failure.js';
import { resolveDir } from '../local.js';
import { dirOptions, localOnly, type CommonOpts } from '../options.js';
import { emit } from '../output.js';

/** Opens a store file read-only and checks it; throws as `urbis verify` does. */
function checked(file: string, full: boolean): { check: ChainCheck & { ok: true }; genesis: Tx<'genesis'>; config?: string; base: number } {
  let store: SqliteStore;
  try {
    store = SqliteStore.open(file, { readonly: true });
  } catch (e) {
    throw new UrbisError('BACKUP_INVALID', `${file} is not an Urbis store: ${(e as Error).message}`, { file }, { cause: e });
  }
  try {
    const base = store.baseHeight();
    // A store started from a snapshot has no history to replay from genesis: its startup check.
    const r = full && base === 0 ? verifyChain(store) : quickCheck(store);
    if (!r.ok) {
      const code = (r.code in ERROR_CODES ? r.code : 'CHAIN_FAULT') as ErrorCode;
      throw new CliFailure(new UrbisError(code, `${file}: ${r.message} (first fault at height ${r.height})`, { height: r.height }), EXIT.VERIFY, false);
    }
    const genesis = (store.block(0)?.txs[0] ?? null) as Tx<'genesis'> | null;
    if (!genesis && base === 0) throw new UrbisError('BACKUP_INVALID', `${file} holds no genesis block`, { file });
    const config = store.getMeta(BACKUP_META.config);
    return { check: r, genesis: genesis!, base, ...(config === undefined ? {} : { config }) };
  } finally {
    store.close();
  }
}

export function registerBackup(program: Command): void {
  localOnly(
    dirOptions(
      program
        .command('backup')
        .description("copy a data directory's ledger (node running or not) into one consistent, checked file")
        .requiredOption('--out <file>', 'backup file to write (refused if it exists, unless --force)')
        .option('--force', 'replace an existing backup file'),
    ),
    'backup',
  ).action(async (o: CommonOpts & { out: string; force?: boolean }) => {
    const dir = resolveDir(o);
    const p = paths(dir);
    const out = resolve(o.out);
    if (existsSync(out) && !o.force) throw new UrbisError('BACKUP_TARGET_EXISTS', `${out} exists; give --force to replace it`, { file: out });
    if (!existsSync(p.db)) throw new UrbisError('STORE_NOT_INITIALIZED', `${dir} holds no ledger`);
    const stamp: Record<string, string> = { [BACKUP_META.time]: new Date().toISOString() };
    if (existsSync(p.config)) stamp[BACKUP_META.config] = readFileSync(p.config, 'utf8');
    const r = await backupSqlite(p.db, out, stamp);
    const { check } = checked(out, false);
    emit(o, { file: out, bytes: r.bytes, ms: r.ms, height: check.height, headerHash: check.headerHash, stateRoot: check.stateRoot }, () => [
      `backup of ${dir} written to ${out} (${r.bytes} bytes, ${r.ms} ms)`,
      `height:     ${check.height}`,
      `head:       ${check.headerHash}`,
      `state root: ${check.stateRoot}`,
    ]);
  });

  localOnly(
    dirOptions(
      program
        .command('restore')
        .description('verify a backup from genesis, then make it the ledger of a data directory')
        .requiredOption('--from <file>', 'backup file (from urbis backup)')
        .option('--force', "replace the directory's existing ledger"),
    ),
    'restore',
  ).action(async (o: CommonOpts & { from: string; force?: boolean }) => {
    const dir = resolveDir(o);
    const p = paths(dir);
    const from = resolve(o.from);
    if (!existsSync(from)) throw new UrbisError('BACKUP_INVALID', `${from} does not exist`, { file: from });
    // Verified before anything in the directory is touched.
    const { check, genesis, config, base } = checked(from, true);
    const chainId = genesis?.body.payload.chainId ?? (config ? (JSON.parse(config) as { chainId: string }).chainId : undefined);
    if (existsSync(p.genesis) && genesis) {
      const mine = JSON.parse(readFileSync(p.genesis, 'utf8')) as Tx<'genesis'>;
      if (txHash(mine.body) !== txHash(genesis.body) && !o.force) {
        throw new UrbisError('BACKUP_TARGET_EXISTS', `${dir} belongs to another chain than the backup; give --force to replace it`, { dir });
      }
    }
    if (existsSync(p.db) && !o.force) throw new UrbisError('BACKUP_TARGET_EXISTS', `${dir} already holds a ledger; give --force to replace it`, { dir });
    mkdirSync(dir, { recursive: true });
    // Not under a running node: the directory lock.
    const release = acquireLock(p.lock);
    try {
      replaceSqlite(from, p.db);
      if (genesis) writeFileAtomic(p.genesis, `${JSON.stringify(genesis, null, 2)}\n`);
      if (!existsSync(p.config) || o.force) {
        writeFileAtomic(p.config, config ?? `${JSON.stringify({ chainId, ...DEFAULT_CONFIG }, null, 2)}\n`);
      }
    } finally {
      release();
    }
    const hasKey = existsSync(p.validatorKey);
    emit(
      o,
      {
        dir,
        from,
        height: check.height,
        headerHash: check.headerHash,
        stateRoot: check.stateRoot,
        verified: base === 0 ? 'full' : 'quick',
        validatorKey: hasKey,
      },
      () => [
        `restored ${from} into ${dir}: ${base === 0 ? 'chain verified from genesis' : `startup check passed (store began at snapshot height ${base})`} to height ${check.height}`,
        `head:       ${check.headerHash}`,
        `state root: ${check.stateRoot}`,
        ...(hasKey ? [] : [`no validator key in ${p.keys}: backups never hold keys; put the node's key there before urbis node start`]),
      ],
    );
  });
}

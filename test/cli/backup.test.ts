/**
 * Backup, restore and export with real processes (docs/operations.md "Backup and restore"):
 * `urbis backup` copies a running node's store consistently while it takes writes; `urbis restore`
 * verifies the chain from genesis before it writes anything, refuses to overwrite without --force and
 * refuses a tampered backup; a backup killed midway leaves the source intact and no backup file;
 * `urbis export` streams identifiers with their records as NDJSON, CSV (RFC 4180) and NGSI-LD. A single node
 * serves /v1/snapshot, which another store imports after checking its certificate.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import '../../src/platform/node.js';
import { importSnapshot } from '../../src/network/snapshot.js';
import { SqliteStore } from '../../src/storage/sqlite/sqlite-store.js';
import { parseCsvRecord } from '../../src/cli/csv.js';
import { formatDid, parseIdentifier } from '../../src/core/ids/forms.js';
import { BIN, cleanEnv, runCli, startNodeProcess, type NodeProcess } from '../helpers/processes.js';

const tmp = mkdtempSync(join(tmpdir(), 'urbis-backup-'));
const src = join(tmp, 'src');
let node: NodeProcess;
let validator = '';
let chainId = '';

beforeAll(async () => {
  node = await startNodeProcess(['node', 'start', '--dir', src, '--port', '0', '--json', '--rate-limit', '0', '--block-interval-ms', '10'], cleanEnv());
  const start = JSON.parse(
    node
      .output()
      .split('\n')
      .find((l) => l.startsWith('{"url"'))!,
  ) as { validator: string; chainId: string };
  validator = start.validator;
  chainId = start.chainId;
  for (const [ns, type] of [
    ['900', 'city'],
    ['900.1', 'district'],
  ])
    await cli(['ns', 'create', ns!, '--type', type!, ...via()]);
  await cli(['id', 'register', '900/BK-0', '--type', 'lamp', ...via()]);
}, 180_000);

afterAll(async () => {
  if (node && node.child.exitCode === null) {
    node.kill('SIGTERM');
    await node.exited;
  }
  rmSync(tmp, { recursive: true, force: true });
}, 60_000);

function cli(args: string[], expect = 0) {
  return runCli(args, { expect, env: cleanEnv() });
}
/** Through the running node, signed by the root key. */
const via = () => ['--node', node.url, '--genesis', join(src, 'genesis.json'), '--key', join(src, 'keys', 'root.key')];
const writer = (i: number) => cli(['id', 'register', `900.1/BK-${i}`, '--type', 'lamp', ...via()]);

describe('backup and restore', () => {
  it('backs up a running node while it takes writes; the backup restores, verifies from genesis and matches a head the node had', async () => {
    const out = join(tmp, 'b1.db');
    const writes = Promise.all([1, 2, 3, 4].map(writer));
    const b = JSON.parse((await cli(['backup', '--dir', src, '--out', out, '--json'])).stdout) as { height: number; headerHash: string; stateRoot: string };
    await writes;
    expect(existsSync(out)).toBe(true);
    expect(existsSync(`${out}.partial`)).toBe(false);
    // The backup's head is a block the node committed (consistent: one commit, never a mixture).
    const blk = (await (await fetch(`${node.url}/v1/blocks/${b.height}`)).json()) as { hash?: string; headerHash?: string; header?: unknown };
    expect(JSON.stringify(blk)).toContain(b.headerHash);

    const dest = join(tmp, 'restored');
    const r = JSON.parse((await cli(['restore', '--from', out, '--dir', dest, '--json'])).stdout) as Record<string, unknown>;
    expect(r).toMatchObject({ height: b.height, headerHash: b.headerHash, stateRoot: b.stateRoot, verified: 'full', validatorKey: false });
    expect(JSON.parse(readFileSync(join(dest, 'genesis.json'), 'utf8'))).toEqual(JSON.parse(readFileSync(join(src, 'genesis.json'), 'utf8')));
    expect(JSON.parse(readFileSync(join(dest, 'config.json'), 'utf8')).chainId).toBe(chainId);
    const v = await cli(['verify', '--dir', dest]);
    expect(v.stdout).toContain(`to height ${b.height}`);

    // Never over an existing ledger without --force; with it, replaced.
    const again = await cli(['restore', '--from', out, '--dir', dest], 2);
    expect(again.stderr).toMatch(/BACKUP_TARGET_EXISTS/);
    await cli(['restore', '--from', out, '--dir', dest, '--force']);
    // Nor over an existing backup file.
    expect((await cli(['backup', '--dir', src, '--out', out], 2)).stderr).toMatch(/BACKUP_TARGET_EXISTS/);
  }, 120_000);

  it('refuses a tampered backup and leaves the target directory untouched', async () => {
    const out = join(tmp, 'b2.db');
    await cli(['backup', '--dir', src, '--out', out]);
    const bad = join(tmp, 'tampered.db');
    copyFileSync(out, bad);
    const db = new Database(bad);
    // Rewrite a stored transaction result of block 3: re-execution disagrees.
    const row = db.prepare('SELECT height, results FROM blocks WHERE height = 3').get() as { height: number; results: string };
    db.prepare('UPDATE blocks SET results = ? WHERE height = 3').run(row.results.replace('"ok":true', '"ok":false'));
    db.close();
    const dest = join(tmp, 'never');
    const r = await cli(['restore', '--from', bad, '--dir', dest], 5);
    expect(r.stderr).toMatch(/urbis: (CHAIN_FAULT|CERT_INVALID|STORE_CORRUPT)/);
    expect(existsSync(join(dest, 'ledger.db'))).toBe(false);
    // Not a store at all.
    const junk = join(tmp, 'junk.db');
    copyFileSync(join(src, 'genesis.json'), junk);
    expect((await cli(['restore', '--from', junk, '--dir', dest], 2)).stderr).toMatch(/BACKUP_INVALID/);
  }, 60_000);

  it('a backup killed midway leaves the source intact and no backup file', async () => {
    for (let i = 0; i < 3; i++) {
      const out = join(tmp, `killed-${i}.db`);
      const child = spawn(process.execPath, [BIN, 'backup', '--dir', src, '--out', out], { env: { ...process.env, ...cleanEnv() }, stdio: 'ignore' });
      // Listened for from the start: a quick backup may end before the kill, and its exit must not be missed.
      const exited = new Promise((r) => child.once('exit', r));
      await new Promise((r) => setTimeout(r, 150 + i * 120));
      child.kill('SIGKILL');
      await exited;
      // Either no backup at all, or a complete one (the kill came after the rename).
      if (existsSync(out)) {
        const s = SqliteStore.open(out, { readonly: true });
        s.close();
      }
    }
    // The node kept running on its store; stopped, the store verifies from genesis.
    expect((await fetch(`${node.url}/healthz`)).status).toBe(200);
    await writer(99);
    node.kill('SIGTERM');
    await node.exited;
    const v = await cli(['verify', '--dir', src]);
    expect(v.stdout).toMatch(/^OK: chain verified from genesis/);
    node = await startNodeProcess(['node', 'start', '--dir', src, '--port', '0', '--json', '--rate-limit', '0', '--block-interval-ms', '10'], cleanEnv());
  }, 120_000);
});

describe('export', () => {
  it('streams the identifiers of a namespace and those below it, with their records, as NDJSON and CSV', async () => {
    const ndjson = (await cli(['export', '--dir', src, '--ns', '900'])).stdout.trim().split('\n');
    const docs = ndjson.map((l) => JSON.parse(l) as { id: string; ns: string; record: { type: string }; kind: string });
    // The subtree in identifier-text order ('.' sorts before '/'), each identifier once.
    expect(docs.map((d) => d.id.split(':')[0])).toEqual(['900.1/BK-1', '900.1/BK-2', '900.1/BK-3', '900.1/BK-4', '900.1/BK-99', '900/BK-0']);
    expect(docs.every((d) => d.kind === 'id' && d.record.type === 'lamp')).toBe(true);
    // The node agrees on a sample.
    const one = docs[0]!;
    const r = (await (await fetch(`${node.url}/v1/ids/${encodeURIComponent(one.id)}`)).json()) as { entry?: { id: string }; id?: string };
    expect(JSON.stringify(r)).toContain(one.id);

    const file = join(tmp, 'ids.csv');
    const done = await cli(['export', '--dir', src, '--ns', '900', '--format', 'csv', '--out', file, '--json']);
    expect(JSON.parse(done.stdout)).toMatchObject({ count: docs.length, format: 'csv' });
    const lines = readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
    expect(lines[0]).toBe('id,ns,local,type,status,version,created,updated,height,tx,attributes,links,services,controllers');
    expect(lines.length).toBe(docs.length + 1);
    const rows = lines.slice(1).map(parseCsvRecord);
    expect(rows.map((c) => c[0]).sort()).toEqual(docs.map((d) => d.id).sort());
    expect((await cli(['export', '--dir', src, '--ns', '999'], 3)).stderr).toMatch(/NS_NOT_FOUND/);

    // NGSI-LD (ETSI GS CIM 009 clause 4.5.1): one entity per line, the same as the node's answer.
    const entities = (await cli(['export', '--dir', src, '--ns', '900', '--format', 'ngsi-ld'])).stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(entities.map((e) => e.id)).toEqual(docs.map((d) => formatDid(parseIdentifier(d.id))));
    const served = await fetch(`${node.url}/v1/ids/${encodeURIComponent(one.id)}`, { headers: { accept: 'application/ld+json' } });
    expect(entities[0]).toEqual(await served.json());
  }, 60_000);
});

describe('/v1/snapshot on a single node', () => {
  it('streams a certified snapshot that another store imports after checking it', async () => {
    const file = join(tmp, 'seeded.db');
    const r = await importSnapshot({ url: node.url, dbFile: file, chainId, trusted: [validator] });
    expect(r.height).toBeGreaterThan(0);
    const s = SqliteStore.open(file, { readonly: true });
    try {
      const head = await (await fetch(`${node.url}/v1/blocks/${r.height}`)).text();
      expect(head).toContain(s.head()!.headerHash);
    } finally {
      s.close();
    }
    // A certificate by another key is refused.
    await expect(
      importSnapshot({ url: node.url, dbFile: join(tmp, 'x.db'), chainId, trusted: ['z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'] }),
    ).rejects.toThrow(/NET_SNAPSHOT_INVALID|quorum/);
  }, 60_000);
});

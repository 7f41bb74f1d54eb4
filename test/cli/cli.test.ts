/**
 * End-to-end tests of the `urbis` CLI (docs/cli.md): each test spawns the compiled program
 * (bin/urbis.js; `npm test` builds it first) against a temporary data directory. Spawning costs a few
 * hundred milliseconds, so each step checks several things at once and the steps share one chain.
 */
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdentifier } from '../../src/core/ids/index.js';
import { runCli, type CliResult } from '../helpers/processes.js';

let tmp: string;
let dir: string;
const env = (): NodeJS.ProcessEnv => ({
  URBIS_DIR: dir,
  URBIS_KEY_FILE: '',
  URBIS_KEY: '',
  URBIS_KEY_PASSPHRASE: '',
  URBIS_KEY_PASSPHRASE_FILE: '',
  URBIS_NODE: '',
  URBIS_GENESIS: '',
});
const cli = (args: string[], expectCode: number | null = 0): Promise<CliResult> => runCli(args, { expect: expectCode, env: env() });
const json = <T = Record<string, unknown>>(r: CliResult): T => JSON.parse(r.stdout) as T;

/** The one stderr line of a failed command. */
function errorLine(r: CliResult): string {
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('urbis: '));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

const lamp = makeIdentifier(['156', '130100'], 'LAMP-1');

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'urbis-cli-'));
  dir = join(tmp, 'data');
});

afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

describe('urbis CLI', () => {
  it('prints help and refuses bad command lines with exit 2', async () => {
    const help = await cli(['--help']);
    expect(help.stdout).toContain('Usage: urbis');
    expect(help.stdout).toContain('import');
    const sub = await cli(['id', 'register', '--help']);
    expect(sub.stdout).toContain('--controller');
    const bad = await cli(['status', '--bogus', '--json'], 2);
    expect(errorLine(bad)).toMatch(/^urbis: CLI_USAGE: unknown option '--bogus'/);
    expect(json<{ error: { code: string } }>(bad).error.code).toBe('CLI_USAGE');
    const noDir = await cli(['status', '--dir', join(tmp, 'nothing')], 3);
    expect(errorLine(noDir)).toMatch(/^urbis: STORE_NOT_INITIALIZED: /);
  });

  it('init creates the network with keys of mode 0600', async () => {
    const r = json<{ chainId: string; root: string; validator: string; genesisHash: string }>(await cli(['init', '--chain-id', 'test-chain', '--json']));
    expect(r.chainId).toBe('test-chain');
    expect(r.root).toMatch(/^z6Mk/);
    expect(r.genesisHash).toMatch(/^[0-9a-f]{64}$/);
    for (const k of ['root.key', 'validator.key']) expect(statSync(join(dir, 'keys', k)).mode & 0o777).toBe(0o600);
    const again = await cli(['init'], 2);
    expect(errorLine(again)).toMatch(/STORE_ALREADY_INITIALIZED/);
  });

  it('creates namespaces and registers, shows, resolves an identifier', async () => {
    await cli(['ns', 'create', '156']);
    const city = json<{ ns: string; id: string; height: number }>(await cli(['ns', 'create', '156.130100', '--attr', 'name=Shanghai', '--json']));
    expect(city.ns).toBe('156.130100');
    const reg = json<{ id: string; did: string; hash: string; height: number }>(
      await cli(['id', 'register', '156.130100/lamp-1', '--type', 'lamp', '--attr', 'height=8', '--link', `located-in=${city.id}`, '--json']),
    );
    expect(reg.id).toBe(lamp.text);
    expect(reg.height).toBeGreaterThan(city.height);

    // Any form, any case.
    const shown = json<{ entry: { id: string; record: { attributes: Record<string, string> }; status: string } }>(
      await cli(['id', 'show', `did:urbis:156.130100:lamp-1:${lamp.check.toLowerCase()}`, '--json']),
    );
    expect(shown.entry.id).toBe(lamp.text);
    expect(shown.entry.record.attributes).toEqual({ height: '8' });

    const resolved = await cli(['id', 'resolve', `https://id.urbis.city/id/${lamp.text}`]);
    expect(resolved.stdout).toMatch(/verified: inclusion proof against block \d+ \(state root [0-9a-f]{64}\), certified by 1 of 1 validators/);

    const absent = makeIdentifier(['156', '130100'], 'LAMP-999').text;
    const none = await cli(['id', 'resolve', absent], 3);
    expect(none.stdout).toContain('verified: not registered (non-inclusion proof');
    expect(errorLine(none)).toMatch(/^urbis: ID_NOT_FOUND: /);

    const ns = json<{ quota: { ids: { used: number } } }>(await cli(['ns', 'show', '156.130100', '--json']));
    expect(ns.quota.ids.used).toBe(1);
  });

  it('reports a typo as ID_CHECK_MISMATCH, not as not found', async () => {
    const wrong = lamp.check === 'A' ? 'B' : 'A';
    const r = await cli(['id', 'show', `156.130100/LAMP-1:${wrong}`, '--json'], 2);
    expect(errorLine(r)).toMatch(/^urbis: ID_CHECK_MISMATCH: /);
    expect(json<{ error: { code: string } }>(r).error.code).toBe('ID_CHECK_MISMATCH');
    const swapped = await cli(['id', 'history', `156.130100/LAMP-1:${wrong}`], 2);
    expect(errorLine(swapped)).toMatch(/ID_CHECK_MISMATCH/);
  });

  // docs/protocol.md (Identifiers) §2: the check character is never I, O or Q. LAMP-5, LAMP-1 and
  // LAMP-2 have the check values 18, 26 and 24, written '-', '_' and '.'.
  it('prints check characters without look-alikes and reads them back in every form', async () => {
    expect(lamp.text).toBe('156.130100/LAMP-1:_');
    const reg = json<{ id: string; did: string }>(await cli(['id', 'register', '156.130100/LAMP-5', '--type', 'lamp', '--json']));
    expect(reg.id).toBe('156.130100/LAMP-5:-');
    expect(reg.did).toBe('did:urbis:156.130100:LAMP-5:-');
    for (const form of ['156.130100/lamp-5:-', 'did:urbis:156.130100:LAMP-5:-', 'https://id.urbis.city/id/156.130100/LAMP-5%3A-']) {
      const r = await cli(['id', 'resolve', form]);
      expect(r.stdout).toMatch(/verified: inclusion proof/);
    }
    const shown = json<{ entry: { id: string } }>(await cli(['id', 'show', 'did:urbis:156.130100:LAMP-1:_', '--json']));
    expect(shown.entry.id).toBe('156.130100/LAMP-1:_');
    // The ISO letter of the same value is refused as a look-alike, with its position.
    const old = await cli(['id', 'show', '156.130100/LAMP-5:I', '--json'], 2);
    expect(errorLine(old)).toMatch(/^urbis: ID_CHAR_EXCLUDED: 'I' at position 18 /);
    expect(json<{ error: { details: { position: number } } }>(old).error.details.position).toBe(18);
  });

  it('updates, transfers and deactivates; an unauthorised key gets exit 4 with AUTH_*', async () => {
    await cli(['id', 'update', lamp.text, '--merge', '--attr', 'colour=red']);
    const other = join(tmp, 'other.key');
    const k = json<{ publicKey: string; did: string }>(await cli(['key', 'new', '--out', other, '--json']));
    expect(statSync(other).mode & 0o777).toBe(0o600);
    expect(k.did).toBe(`did:key:${k.publicKey}`);
    const exists = await cli(['key', 'new', '--out', other], 2);
    expect(errorLine(exists)).toMatch(/KEYFILE_EXISTS/);

    const denied = await cli(['id', 'register', '156.130100/LAMP-2', '--type', 'lamp', '--key', other, '--json'], 4);
    expect(errorLine(denied)).toMatch(/^urbis: AUTH_NOT_REGISTRAR: refused at admission/);
    expect(json<{ error: { code: string; details: { hash: string } } }>(denied).error.details.hash).toMatch(/^[0-9a-f]{64}$/);

    await cli(['id', 'transfer', lamp.text, '--controller', k.did]);
    const notOwner = await cli(['id', 'deactivate', lamp.text], 4);
    expect(errorLine(notOwner)).toMatch(/^urbis: AUTH_THRESHOLD: /);
    await cli(['id', 'deactivate', lamp.text, '--key', other, '--reason', 'removed']);

    const h = json<{ versions: Array<{ version: number; status: string; record: { attributes: Record<string, string> } }> }>(
      await cli(['id', 'history', lamp.text, '--json']),
    );
    expect(h.versions.map((v) => v.version)).toEqual([1, 2, 3, 4]);
    expect(h.versions[1]!.record.attributes).toEqual({ height: '8', colour: 'red' });
    expect(h.versions.at(-1)!.status).toBe('deactivated');
  });

  it('imports CSV and NDJSON, reports bad rows by line, and never registers twice', async () => {
    const csv = join(tmp, 'lamps.csv');
    writeFileSync(
      csv,
      [
        'local,type,attributes,links,attr.street',
        'LAMP-100,lamp,"{""height"":8}",located-in=156.130100,"Main St, 5"',
        'LAMP-101,lamp,,,"two',
        'lines"',
        'LAMP-1O2,lamp,,,', // line 5: excluded letter O
        'LAMP-103,no-such-type,,,', // line 6
        '',
        'LAMP-104,lamp,,,"say ""hi"""',
        'LAMP-100,lamp,"{""height"":9}",,', // line 9: same id, other record
      ].join('\n'),
    );
    type Summary = {
      read: number;
      registered: number;
      alreadyRegistered: number;
      rejected: number;
      reasons: Array<{ line: number; code: string }>;
      error?: { code: string };
    };
    const first = await cli(['import', csv, '--ns', '156.130100', '--json'], 4);
    const s1 = json<Summary>(first);
    expect(s1).toMatchObject({ read: 6, registered: 3, alreadyRegistered: 0, rejected: 3 });
    expect(s1.reasons.map((r) => [r.line, r.code])).toEqual([
      [5, 'ID_CHAR_EXCLUDED'],
      [6, 'RECORD_INVALID'],
      [9, 'ID_EXISTS'],
    ]);
    expect(s1.error?.code).toBe('IMPORT_ROW_INVALID');
    expect(errorLine(first)).toMatch(/^urbis: IMPORT_ROW_INVALID: 3 of 6 rows rejected/);

    const s2 = json<Summary>(await cli(['import', csv, '--ns', '156.130100', '--json'], 4));
    expect(s2).toMatchObject({ read: 6, registered: 0, alreadyRegistered: 3, rejected: 3 });

    const nd = join(tmp, 'cams.ndjson');
    writeFileSync(
      nd,
      [
        '{"local":"CAM-1","type":"camera","attributes":{"model":"X2"},"links":[{"rel":"located-in","target":"156.130100"}]}',
        '{"id":"156.130100/cam-2","type":"camera"}',
        'not json',
        '{"local":"CAM-3","type":"camera"}',
      ].join('\n'),
    );
    const s3 = json<Summary>(await cli(['import', nd, '--ns', '156.130100', '--batch', '2', '--json'], 4));
    expect(s3).toMatchObject({ read: 4, registered: 3, rejected: 1 });
    expect(s3.reasons[0]).toMatchObject({ line: 3, code: 'IMPORT_ROW_INVALID' });

    const text = await cli(['import', nd, '--ns', '156.130100'], 4);
    expect(text.stdout).toMatch(/already registered: 3/);
    const cam = await cli(['id', 'show', makeIdentifier(['156', '130100'], 'CAM-2').text, '--json']);
    expect(json<{ entry: { record: { type: string } } }>(cam).entry.record.type).toBe('camera');
  });

  it('allocates serials, limits, suspends and lists namespaces', async () => {
    await cli(['ns', 'create', '156.130100.42', '--type', 'organisation', '--ids', 'alnum:1:20', '--id-prefix', 'CAN-', '--serial-width', '4']);
    const a = json<{ first: string; last: string; count: number }>(
      await cli(['id', 'allocate', '156.130100.42', '--prefix', 'can-', '--count', '3', '--type', 'device', '--json']),
    );
    expect(a.first).toBe(makeIdentifier(['156', '130100', '42'], 'CAN-0001').text);
    expect(a.last).toBe(makeIdentifier(['156', '130100', '42'], 'CAN-0003').text);
    const badPrefix = await cli(['id', 'register', '156.130100.42/LAMP-1', '--type', 'lamp'], 4);
    expect(errorLine(badPrefix)).toMatch(/^urbis: POLICY_LOCAL_FORMAT: /);

    await cli(['ns', 'limits', '156.130100.42', '--max-ids', '4']);
    await cli(['ns', 'suspend', '156.130100.42', '--reason', 'audit']);
    const frozen = await cli(['id', 'register', '156.130100.42/CAN-9', '--type', 'device'], 4);
    expect(errorLine(frozen)).toMatch(/^urbis: NS_SUSPENDED: /);
    await cli(['ns', 'reinstate', '156.130100.42']);
    const over = await cli(['id', 'allocate', '156.130100.42', '--prefix', 'CAN-', '--count', '2', '--type', 'device'], 4);
    expect(errorLine(over)).toMatch(/^urbis: QUOTA_IDS: /);

    const list = json<{ items: Array<{ ns: string; ids: number }>; next: string | null }>(await cli(['ns', 'list', '156.130100', '--json']));
    expect(list.items).toEqual([expect.objectContaining({ ns: '156.130100.42', ids: 3 })]);
    expect(list.next).toBeNull();
  });

  it('status summarises the chain and verify re-checks it', async () => {
    const st = json<{ chainId: string; height: number; validators: string[]; namespaces: number; ids: number }>(await cli(['status', '--json']));
    expect(st.chainId).toBe('test-chain');
    expect(st.validators).toHaveLength(1);
    expect(st.namespaces).toBe(3);
    expect(st.ids).toBe(1 + 1 + 3 + 3 + 3); // LAMP-1, LAMP-5 (check characters), imports, serials
    const v = await cli(['verify']);
    expect(v.stdout).toMatch(new RegExp(`^OK: chain verified from genesis to height ${st.height}`));
  });

  it('encrypted keys are unlocked by the passphrase from the environment only', async () => {
    const enc = join(tmp, 'enc');
    const pass = { URBIS_DIR: enc, URBIS_KEY_PASSPHRASE: 'correct horse' };
    await runCli(['init', '--encrypt'], { env: { ...env(), ...pass } });
    const locked = await runCli(['ns', 'create', '1'], { expect: 2, env: { ...env(), URBIS_DIR: enc } });
    expect(errorLine(locked)).toMatch(/^urbis: KEYFILE_PASSPHRASE: /);
    await runCli(['ns', 'create', '1'], { env: { ...env(), ...pass } });
  });

  it('a record edited behind the ledger fails resolve and verify with exit 5', async () => {
    const db = new Database(join(dir, 'ledger.db'));
    const changed = db.prepare("UPDATE entries SET body = json_set(body, '$.record.attributes.model', 'FORGED') WHERE key LIKE '%/CAM-1'").run().changes;
    db.close();
    expect(changed).toBe(1);
    const cam = makeIdentifier(['156', '130100'], 'CAM-1').text;
    const r = await cli(['id', 'resolve', cam], 5);
    expect(errorLine(r)).toMatch(/^urbis: PROOF_INVALID: verification failed/);
    const v = await cli(['verify', '--json'], 5);
    expect(errorLine(v)).toMatch(/^urbis: CHAIN_FAULT: .*first fault at height \d+/);
    expect(json<{ ok: boolean; code: string }>(v)).toMatchObject({ ok: false, code: 'CHAIN_FAULT' });
  });
});

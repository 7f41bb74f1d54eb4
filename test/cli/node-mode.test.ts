/**
 * The `urbis` CLI going through a running node (`--node`, docs/cli.md "Working through a node"): a
 * node is started in-process (src/node/runtime.ts) and the compiled CLI (bin/urbis.js; `npm test`
 * builds it first) is spawned against it with the node's genesis as trust anchor. Spawning costs
 * about a second here, so the steps share one chain and each checks several things.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeIdentifier } from '../../src/core/ids/index.js';
import { initDataDir } from '../../src/node/data-dir.js';
import { startNode, type RunningNode } from '../../src/node/runtime.js';
import { runCli, type CliResult } from '../helpers/processes.js';
import { startLyingProxy } from '../helpers/lying-proxy.js';

let tmp: string;
let node: RunningNode;
let genesis: string;
let rootKey: string;

/** No data directory, key or node from the environment: everything comes from the flags. */
const env = (extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  URBIS_DIR: join(tmp, 'no-such-dir'),
  URBIS_KEY_FILE: '',
  URBIS_KEY: '',
  URBIS_KEY_PASSPHRASE: '',
  URBIS_KEY_PASSPHRASE_FILE: '',
  URBIS_NODE: '',
  URBIS_GENESIS: '',
  ...extra,
});
const via = (): string[] => ['--node', node.url, '--genesis', genesis];
/** A read through the node. */
const read = (args: string[], expect = 0): Promise<CliResult> => runCli([...args, ...via()], { expect, env: env() });
/** A write through the node, signed with `key` (default the root authority). */
const write = (args: string[], expect = 0, key = rootKey): Promise<CliResult> => runCli([...args, ...via(), '--key', key], { expect, env: env() });
const json = <T = Record<string, unknown>>(r: CliResult): T => JSON.parse(r.stdout) as T;

function errorLine(r: CliResult): string {
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('urbis: '));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

const lamp = makeIdentifier(['156', '130100'], 'LAMP-1');

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'urbis-cli-node-'));
  const dir = join(tmp, 'node');
  node = await startNode({ dir, port: 0, init: true, demo: false });
  genesis = join(dir, 'genesis.json');
  rootKey = join(dir, 'keys', 'root.key');
});

afterAll(async () => {
  await node?.close();
  rmSync(tmp, { recursive: true, force: true });
});

describe('urbis CLI through a node (--node)', () => {
  it('writes: ns create and id register are signed here and committed by the node', async () => {
    await write(['ns', 'create', '156']);
    const city = json<{ ns: string; height: number; node: string; trust: string }>(
      await write(['ns', 'create', '156.130100', '--attr', 'name=Shanghai', '--json']),
    );
    expect(city).toMatchObject({ ns: '156.130100', node: node.url, trust: 'genesis file' });
    const reg = json<{ id: string; height: number }>(await write(['id', 'register', '156.130100/lamp-1', '--type', 'lamp', '--attr', 'height=8', '--json']));
    expect(reg.id).toBe(lamp.text);
    expect(reg.height).toBeGreaterThan(city.height);
    // The node's own store holds what the CLI reported.
    expect(node.runtime.store.id('156.130100/LAMP-1')).toMatchObject({ id: lamp.text, height: reg.height });
  });

  it('reads are verified against the genesis: resolve, show, ns list, status', async () => {
    const resolved = await read(['id', 'resolve', `did:urbis:156.130100:lamp-1:${lamp.check.toLowerCase()}`]);
    expect(resolved.stdout).toContain(`identifier:  ${lamp.text}  (active)`);
    expect(resolved.stdout).toMatch(/verified: inclusion proof against block \d+ \(state root [0-9a-f]{64}\), certified by 1 of 1 validators/);

    const absent = makeIdentifier(['156', '130100'], 'LAMP-999').text;
    const none = await read(['id', 'resolve', absent], 3);
    expect(none.stdout).toContain('verified: not registered (non-inclusion proof');
    expect(errorLine(none)).toMatch(/^urbis: ID_NOT_FOUND: /);

    const shown = json<{ entry: { id: string; record: { attributes: Record<string, string> } } }>(await read(['id', 'show', lamp.text, '--json']));
    expect(shown.entry).toMatchObject({ id: lamp.text, record: { attributes: { height: '8' } } });

    const list = json<{ items: Array<{ ns: string; ids: number; children: number }>; next: string | null }>(await read(['ns', 'list', '--json']));
    expect(list.items).toEqual([expect.objectContaining({ ns: '156', children: 1 })]);
    expect(list.next).toBeNull();

    // URBIS_NODE and URBIS_GENESIS stand for the flags.
    const st = json<{ chainId: string; height: number; validators: string[]; namespaces: number; ids: number; trust: string }>(
      await runCli(['status', '--json'], { env: env({ URBIS_NODE: node.url, URBIS_GENESIS: genesis }) }),
    );
    expect(st).toMatchObject({ chainId: node.runtime.chainId, height: node.runtime.store.head()!.height, namespaces: 2, ids: 1, trust: 'genesis file' });
    expect(st.validators).toEqual(node.runtime.anchor.validators);
  });

  it('a typo is ID_CHECK_MISMATCH (exit 2), caught before any request', async () => {
    const wrong = lamp.check === 'A' ? 'B' : 'A';
    const r = await read(['id', 'show', `156.130100/LAMP-1:${wrong}`, '--json'], 2);
    expect(errorLine(r)).toMatch(/^urbis: ID_CHECK_MISMATCH: /);
    expect(json<{ error: { code: string } }>(r).error.code).toBe('ID_CHECK_MISMATCH');
  });

  it('import submits batches through the node and counts existing rows as already registered', async () => {
    const nd = join(tmp, 'lamps.ndjson');
    writeFileSync(
      nd,
      ['{"local":"LAMP-1","type":"lamp","attributes":{"height":"8"}}', '{"local":"LAMP-2","type":"lamp"}', '{"local":"LAMP-3","type":"lamp"}'].join('\n'),
    );
    const s = json<{ read: number; registered: number; alreadyRegistered: number; rejected: number }>(
      await write(['import', nd, '--ns', '156.130100', '--json']),
    );
    expect(s).toMatchObject({ read: 3, registered: 2, alreadyRegistered: 1, rejected: 0 });
    expect(node.runtime.store.id('156.130100/LAMP-3')?.record.type).toBe('lamp');
  });

  it('update, deactivate and history; an unauthorised key gets exit 4 with the ledger code', async () => {
    await write(['id', 'update', lamp.text, '--merge', '--attr', 'colour=red']);
    const other = join(tmp, 'other.key');
    await runCli(['key', 'new', '--out', other], { env: env() });
    const denied = await write(['id', 'register', '156.130100/LAMP-9', '--type', 'lamp', '--json'], 4, other);
    expect(errorLine(denied)).toMatch(/^urbis: AUTH_NOT_REGISTRAR: refused at admission/);
    expect(json<{ error: { code: string; details: { hash: string } } }>(denied).error.details.hash).toMatch(/^[0-9a-f]{64}$/);

    await write(['id', 'deactivate', lamp.text, '--reason', 'removed']);
    const h = json<{ versions: Array<{ version: number; status: string; record: { attributes: Record<string, string> } }> }>(
      await read(['id', 'history', lamp.text, '--json']),
    );
    expect(h.versions.map((v) => v.version)).toEqual([1, 2, 3]);
    expect(h.versions[1]!.record.attributes).toEqual({ height: '8', colour: 'red' });
    expect(h.versions.at(-1)!.status).toBe('deactivated');
  });

  it('listings through a lying proxy: an invented namespace or an altered history row is refused with exit 5', async () => {
    const proxy = await startLyingProxy(node.url);
    const viaProxy = (args: string[], code: number) => runCli([...args, '--node', proxy.url, '--genesis', genesis], { expect: code, env: env() });
    try {
      proxy.json = (path, b) => {
        if (!path.startsWith('/v1/ns/156?')) return b;
        const c = b.children;
        const fake = { ...c.items[0], ns: '156.999999', id: '156.999999' };
        return { ...b, children: { ...c, items: [...c.items, fake], proofs: [...c.proofs, c.proofs[0]] } };
      };
      expect(errorLine(await viaProxy(['ns', 'list', '156'], 5))).toMatch(/^urbis: PROOF_INVALID: verification failed: /);
      proxy.json = (path, b) => (path.includes('/history') ? { ...b, versions: b.versions.map((v: { status: string }) => ({ ...v, status: 'active' })) } : b);
      expect(errorLine(await viaProxy(['id', 'history', lamp.text], 5))).toMatch(/^urbis: PROOF_INVALID: verification failed: /);
      proxy.json = null;
      expect((await viaProxy(['ns', 'list', '156'], 0)).stdout).toContain('156.130100');
    } finally {
      await proxy.close();
    }
  });

  it('without a genesis file the anchor is the node’s own, and says so', async () => {
    const r = await runCli(['ns', 'show', '156.130100', '--node', node.url, '--json'], { env: env() });
    expect(r.stderr).toMatch(/trust on first use/);
    expect(json<{ entry: { ns: string }; trust: string }>(r)).toMatchObject({ entry: { ns: '156.130100' }, trust: 'node-supplied genesis' });
  });

  it('a genesis of another network, or forged validator keys, fail verification with exit 5', async () => {
    const otherDir = join(tmp, 'other-net');
    await initDataDir(otherDir, { chainId: 'other-chain' });
    const foreign = join(otherDir, 'genesis.json');
    const r = await runCli(['id', 'show', lamp.text, '--node', node.url, '--genesis', foreign], { expect: 5, env: env() });
    expect(errorLine(r)).toMatch(/^urbis: TX_CHAIN_MISMATCH: verification failed: /);

    // Same chain id, other validators: the node's certificates do not verify.
    const forged = JSON.parse(readFileSync(genesis, 'utf8')) as { body: { payload: { validators: string[] } } };
    forged.body.payload.validators = (JSON.parse(readFileSync(foreign, 'utf8')) as typeof forged).body.payload.validators;
    const forgedFile = join(tmp, 'forged-genesis.json');
    writeFileSync(forgedFile, JSON.stringify(forged));
    const w = await runCli(['ns', 'create', '157', '--node', node.url, '--genesis', forgedFile, '--key', rootKey], { expect: 5, env: env() });
    expect(errorLine(w)).toMatch(/^urbis: CERT_INVALID: verification failed: /);
    expect(node.runtime.store.ns('157')).toBeUndefined();
  });

  it('local-only commands refuse --node with CLI_USAGE', async () => {
    const r = await runCli(['verify', '--node', node.url], { expect: 2, env: env() });
    expect(errorLine(r)).toMatch(/^urbis: CLI_USAGE: "urbis verify" works on local files only/);
  });
});

/**
 * Multi-signature from the command line (docs/cli.md "Multi-signature"): a repeatable --key, the
 * offline flow for signers on different machines (build → sign → combine → show → submit), an unmet
 * threshold reported as AUTH_THRESHOLD naming who signed and who may still sign, and `tx show` telling
 * who else may sign when asked of a ledger (--dir, or --node: the node's POST /v1/tx/check). Each
 * flow runs against a data directory and against a running node process.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, startNodeProcess, type CliResult, type NodeProcess } from '../helpers/processes.js';

let tmp: string;
let dir: string;
const keys: Record<'a' | 'b' | 'c', { file: string; id: string }> = {} as never;
const env = (): NodeJS.ProcessEnv => cleanEnv({ URBIS_DIR: dir });
const cli = (args: string[], expectCode: number | null = 0): Promise<CliResult> => runCli(args, { expect: expectCode, env: env() });
const json = <T = Record<string, unknown>>(r: CliResult): T => JSON.parse(r.stdout) as T;
const f = (name: string) => join(tmp, name);
/** Keys as a controller set lists them (sorted). */
const inOrder = (...k: Array<'a' | 'b' | 'c'>) =>
  k
    .map((x) => keys[x].id)
    .sort()
    .join(', ');
function errorLine(r: CliResult): string {
  const lines = r.stderr.split('\n').filter((l) => l.startsWith('urbis: '));
  expect(lines).toHaveLength(1);
  return lines[0]!;
}

beforeAll(async () => {
  tmp = mkdtempSync(join(tmpdir(), 'urbis-msig-'));
  dir = join(tmp, 'data');
  await cli(['init', '--chain-id', 'msig']);
  for (const k of ['a', 'b', 'c'] as const) {
    const file = f(`${k}.key`);
    keys[k] = { file, id: json<{ publicKey: string }>(await cli(['key', 'new', '--out', file, '--json'])).publicKey };
  }
  await cli(['ns', 'create', '156']);
  // A city registry whose namespace needs 2 of its 3 officers.
  await cli(['ns', 'create', '156.130100', ...['a', 'b', 'c'].flatMap((k) => ['--controller', keys[k as 'a'].id]), '--threshold', '2']);
}, 60_000);

afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('multi-signature from the CLI', () => {
  it('--key is repeatable: two officers sign one command', async () => {
    const r = json<{ ok: boolean }>(
      await cli(['ns', 'update', '156.130100', '--attr', 'name=Shijiazhuang', '--key', keys.a.file, '--key', keys.b.file, '--json']),
    );
    expect(r.ok).toBe(true);
    const ns = json<{ entry: { record: { attributes: Record<string, string> } } }>(await cli(['ns', 'show', '156.130100', '--json']));
    expect(ns.entry.record.attributes).toEqual({ name: 'Shijiazhuang' });
    const twice = await cli(['ns', 'update', '156.130100', '--attr', 'x=1', '--key', keys.a.file, '--key', keys.a.file], 2);
    expect(errorLine(twice)).toMatch(/CLI_USAGE: .*same key/);
  });

  it('an unmet threshold is AUTH_THRESHOLD naming who signed and who may still sign', async () => {
    const one = await cli(['ns', 'update', '156.130100', '--attr', 'x=1', '--key', keys.a.file, '--json'], 4);
    const line = errorLine(one);
    expect(line).toMatch(/^urbis: AUTH_THRESHOLD: /);
    expect(line).toContain(`2 of 3 signatures needed, 1 given: ${keys.a.id}`);
    expect(line).toContain(keys.b.id);
    expect(line).toContain(keys.c.id);
    // Registering in the namespace with too few controllers: the threshold is what is missing.
    const reg = await cli(['id', 'register', '156.130100/LAMP-9', '--type', 'lamp', '--key', keys.c.file], 4);
    expect(errorLine(reg)).toMatch(/^urbis: AUTH_THRESHOLD: /);
    expect(errorLine(reg)).toContain(`namespace 156.130100: 2 of 3 signatures needed, 1 given: ${keys.c.id}`);
    // A key that is no controller at all is still AUTH_NOT_REGISTRAR.
    const other = f('other.key');
    await cli(['key', 'new', '--out', other]);
    const stranger = await cli(['id', 'register', '156.130100/LAMP-9', '--type', 'lamp', '--key', other], 4);
    expect(errorLine(stranger)).toMatch(/^urbis: AUTH_NOT_REGISTRAR: /);
  });

  it('offline: build unsigned, sign on two machines, combine, show, submit', async () => {
    const built = json<{ file: string; hash: string; signedBy: string[] }>(
      await cli(['tx', 'build', 'ns', 'update', '156.130100', '--attr', 'name=Shijiazhuang', '--attr', 'zone=north', '--out', f('u.json'), '--json']),
    );
    expect(built.signedBy).toEqual([]);
    const unsigned = await cli(['tx', 'show', f('u.json')]);
    expect(unsigned.stdout).toMatch(/^ns\.update: changes a namespace's record, policy or controllers 156\.130100/);
    expect(unsigned.stdout).toContain('signed by: nobody yet');
    expect(unsigned.stdout).toContain('"zone": "north"');
    // From the file alone, who else may sign cannot be told: the controllers are the ledger's.
    expect(unsigned.stdout).toContain('who else may sign: cannot tell from the file alone; ask the ledger with --node URL or --dir DIR');
    expect(json<{ check: unknown }>(await cli(['tx', 'show', f('u.json'), '--json'])).check).toBeNull();
    // Asked of the data directory: nobody has signed, two of the three are missing.
    const atDir = await cli(['tx', 'show', f('u.json'), '--dir', dir]);
    expect(atDir.stdout).toMatch(/authority \(data directory, block \d+\):/);
    expect(atDir.stdout).toContain(`namespace 156.130100: 2 of 3 signatures needed, 0 given: missing two of ${inOrder('a', 'b', 'c')}`);
    expect(atDir.stdout).toMatch(/it would be refused: AUTH_THRESHOLD/);

    // Each officer signs a copy on their own machine.
    await cli(['tx', 'sign', f('u.json'), '--key', keys.a.file, '--out', f('a.json')]);
    await cli(['tx', 'sign', f('u.json'), '--key', keys.c.file, '--out', f('c.json')]);
    const oneDir = json<{ check: { admissible: boolean; signedBy: string[]; authority: Array<{ missing: number; candidates: string[]; signers: string[] }> } }>(
      await cli(['tx', 'show', f('a.json'), '--dir', dir, '--json']),
    ).check;
    expect(oneDir).toMatchObject({ admissible: false, signedBy: [keys.a.id] });
    expect(oneDir.authority).toEqual([expect.objectContaining({ missing: 1, signers: [keys.a.id], candidates: [keys.b.id, keys.c.id].sort() })]);
    // One signature is not enough: submitting it names what is missing, nothing is written.
    const early = await cli(['tx', 'submit', f('a.json')], 4);
    expect(errorLine(early)).toContain(`2 of 3 signatures needed, 1 given: ${keys.a.id}`);

    const combined = json<{ signedBy: string[] }>(await cli(['tx', 'combine', f('a.json'), f('c.json'), '--out', f('ac.json'), '--json']));
    expect(combined.signedBy.sort()).toEqual([keys.a.id, keys.c.id].sort());
    const shown = json<{ type: string; subject: string; signedBy: string[]; window: string; hash: string }>(await cli(['tx', 'show', f('ac.json'), '--json']));
    expect(shown).toMatchObject({ type: 'ns.update', subject: '156.130100', window: 'valid', hash: built.hash });
    expect(shown.signedBy.sort()).toEqual([keys.a.id, keys.c.id].sort());
    const ready = await cli(['tx', 'show', f('ac.json'), '--dir', dir]);
    expect(ready.stdout).toContain('namespace 156.130100: 2 of 3 signatures needed, 2 given: enough');
    expect(ready.stdout).toMatch(/at block \d+ it would be admitted and applied/);

    const sub = json<{ ok: boolean; hash: string; height: number }>(await cli(['tx', 'submit', f('ac.json'), '--json']));
    expect(sub).toMatchObject({ ok: true, hash: built.hash });
    const ns = json<{ entry: { record: { attributes: Record<string, string> } } }>(await cli(['ns', 'show', '156.130100', '--json']));
    expect(ns.entry.record.attributes).toEqual({ name: 'Shijiazhuang', zone: 'north' });
    // Submitting the same file again is idempotent: the same transaction in the same block, once.
    const again = json<{ hash: string; height: number }>(await cli(['tx', 'submit', f('ac.json'), '--json']));
    expect(again).toMatchObject({ hash: sub.hash, height: sub.height });
  });

  it('hostile transaction files are refused before anything is signed or shown as signed', async () => {
    await cli(['tx', 'build', 'ns', 'suspend', '156.130100', '--key', keys.a.file, '--out', f('s.json')]);
    // Another body under the same signature: the signature no longer verifies.
    const t = JSON.parse(readFileSync(f('s.json'), 'utf8')) as { body: { payload: { ns: string } } };
    t.body.payload.ns = '156';
    writeFileSync(f('tampered.json'), JSON.stringify(t));
    const shown = await cli(['tx', 'show', f('tampered.json')], 2);
    expect(errorLine(shown)).toMatch(/TX_SIGNATURE_INVALID/);
    expect(shown.stdout).toBe('');
    expect(errorLine(await cli(['tx', 'sign', f('tampered.json'), '--key', keys.b.file], 2))).toMatch(/TX_SIGNATURE_INVALID/);
    writeFileSync(f('junk.json'), '{"body": 1}');
    expect(errorLine(await cli(['tx', 'show', f('junk.json')], 2))).toMatch(/TX_MALFORMED/);
    // Copies of different transactions do not combine.
    await cli(['tx', 'build', 'ns', 'suspend', '156.130100', '--key', keys.b.file, '--out', f('s2.json')]);
    expect(errorLine(await cli(['tx', 'combine', f('s.json'), f('s2.json'), '--out', f('x.json')], 2))).toMatch(/another transaction/);
    // --out never overwrites.
    expect(errorLine(await cli(['tx', 'build', 'ns', 'suspend', '156.130100', '--out', f('s.json')], 2))).toMatch(/exists/);
  });
});

describe('multi-signature from the CLI through a running node (--node)', () => {
  let nodeTmp: string;
  let node: NodeProcess;
  let genesis: string;
  let root: string;
  /** Through the node only: the environment names no data directory, key or node. */
  const viaNode = (args: string[], expectCode: number | null = 0): Promise<CliResult> =>
    runCli([...args, '--node', node.url, '--genesis', genesis], { expect: expectCode, env: cleanEnv({ URBIS_DIR: join(nodeTmp, 'none') }) });
  const g = (name: string) => join(nodeTmp, name);

  beforeAll(async () => {
    nodeTmp = mkdtempSync(join(tmpdir(), 'urbis-msig-node-'));
    const d = join(nodeTmp, 'node');
    node = await startNodeProcess(['node', 'start', '--dir', d, '--port', '0', '--no-demo', '--rate-limit', '0', '--json'], cleanEnv());
    genesis = join(d, 'genesis.json');
    root = join(d, 'keys', 'root.key');
    await viaNode(['ns', 'create', '156', '--key', root]);
    // The 2-of-3 namespace is made through the node too.
    await viaNode(['ns', 'create', '156.130100', ...['a', 'b', 'c'].flatMap((k) => ['--controller', keys[k as 'a'].id]), '--threshold', '2', '--key', root]);
  }, 90_000);

  afterAll(async () => {
    node?.kill('SIGTERM');
    await node?.exited;
    rmSync(nodeTmp, { recursive: true, force: true });
  });

  it('two officers sign one command with a repeated --key; one alone is refused naming who is missing', async () => {
    const r = json<{ ok: boolean; node: string }>(
      await viaNode(['ns', 'update', '156.130100', '--attr', 'name=Shijiazhuang', '--key', keys.a.file, '--key', keys.b.file, '--json']),
    );
    expect(r).toMatchObject({ ok: true, node: node.url });
    const ns = json<{ entry: { record: { attributes: Record<string, string> } } }>(await viaNode(['ns', 'show', '156.130100', '--json']));
    expect(ns.entry.record.attributes).toEqual({ name: 'Shijiazhuang' });
    // The node refuses it at admission (403): nothing is ordered.
    const one = await viaNode(['ns', 'update', '156.130100', '--attr', 'x=1', '--key', keys.b.file], 4);
    expect(errorLine(one)).toMatch(/^urbis: AUTH_THRESHOLD: /);
    expect(errorLine(one)).toContain(`2 of 3 signatures needed, 1 given: ${keys.b.id}`);
    expect(errorLine(one)).toContain(inOrder('a', 'c'));
    // Registering with two of its controllers works through the node as well.
    const reg = json<{ id: string }>(
      await viaNode(['id', 'register', '156.130100/LAMP-7', '--type', 'lamp', '--key', keys.c.file, '--key', keys.a.file, '--json']),
    );
    expect(reg.id).toMatch(/^156\.130100\/LAMP-7:/);
  });

  it('offline flow with --node: build, show (who else may sign), sign, combine, show, submit', async () => {
    const built = json<{ hash: string; signedBy: string[] }>(
      await viaNode(['tx', 'build', 'ns', 'update', '156.130100', '--attr', 'name=Shijiazhuang', '--attr', 'zone=south', '--out', g('u.json'), '--json']),
    );
    expect(built.signedBy).toEqual([]);
    const unsigned = await viaNode(['tx', 'show', g('u.json')]);
    expect(unsigned.stdout).toContain('signed by: nobody yet');
    expect(unsigned.stdout).toMatch(/authority \(the node's word at block \d+, not a proof\):/);
    expect(unsigned.stdout).toContain(`namespace 156.130100: 2 of 3 signatures needed, 0 given: missing two of ${inOrder('a', 'b', 'c')}`);

    await runCli(['tx', 'sign', g('u.json'), '--key', keys.b.file, '--out', g('b.json')], { env: cleanEnv() });
    await runCli(['tx', 'sign', g('u.json'), '--key', keys.c.file, '--out', g('c.json')], { env: cleanEnv() });
    const half = await viaNode(['tx', 'show', g('b.json')]);
    expect(half.stdout).toContain(`namespace 156.130100: 2 of 3 signatures needed, 1 given: missing one of ${inOrder('a', 'c')}`);
    expect(half.stdout).toMatch(/at block \d+ it would be refused: AUTH_THRESHOLD/);
    const halfJson = json<{ hash: string; node: string; check: { hash: string; admissible: boolean; result: { ok: boolean; code: string } } }>(
      await viaNode(['tx', 'show', g('b.json'), '--json']),
    );
    expect(halfJson).toMatchObject({
      hash: built.hash,
      node: node.url,
      check: { hash: built.hash, admissible: false, result: { ok: false, code: 'AUTH_THRESHOLD' } },
    });
    // Asking changed nothing on the node: the transaction is unknown there.
    expect((await fetch(`${node.url}/v1/tx/${built.hash}`)).status).toBe(404);

    await runCli(['tx', 'combine', g('b.json'), g('c.json'), '--out', g('bc.json')], { env: cleanEnv() });
    const ready = await viaNode(['tx', 'show', g('bc.json')]);
    expect(ready.stdout).toContain('namespace 156.130100: 2 of 3 signatures needed, 2 given: enough');
    expect(ready.stdout).toMatch(/at block \d+ it would be admitted and applied/);

    const sub = json<{ ok: boolean; hash: string }>(await viaNode(['tx', 'submit', g('bc.json'), '--json']));
    expect(sub).toMatchObject({ ok: true, hash: built.hash });
    const ns = json<{ entry: { record: { attributes: Record<string, string> } } }>(await viaNode(['ns', 'show', '156.130100', '--json']));
    expect(ns.entry.record.attributes).toEqual({ name: 'Shijiazhuang', zone: 'south' });
    expect((await viaNode(['tx', 'show', g('bc.json')])).stdout).toMatch(/it is already committed/);
  });
});

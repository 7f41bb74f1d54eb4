/**
 * Multi-signature from the command line (docs/cli.md "Multi-signature"): a repeatable --key, the
 * offline flow for signers on different machines (build → sign → combine → show → submit), and an
 * unmet threshold reported as AUTH_THRESHOLD naming who signed and who may still sign.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cleanEnv, runCli, type CliResult } from '../helpers/processes.js';

let tmp: string;
let dir: string;
const keys: Record<'a' | 'b' | 'c', { file: string; id: string }> = {} as never;
const env = (): NodeJS.ProcessEnv => cleanEnv({ URBIS_DIR: dir });
const cli = (args: string[], expectCode: number | null = 0): Promise<CliResult> => runCli(args, { expect: expectCode, env: env() });
const json = <T = Record<string, unknown>>(r: CliResult): T => JSON.parse(r.stdout) as T;
const f = (name: string) => join(tmp, name);
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

    // Each officer signs a copy on their own machine.
    await cli(['tx', 'sign', f('u.json'), '--key', keys.a.file, '--out', f('a.json')]);
    await cli(['tx', 'sign', f('u.json'), '--key', keys.c.file, '--out', f('c.json')]);
    // One signature is not enough: submitting it names what is missing, nothing is written.
    const early = await cli(['tx', 'submit', f('a.json')], 4);
    expect(errorLine(early)).toContain(`2 of 3 signatures needed, 1 given: ${keys.a.id}`);

    const combined = json<{ signedBy: string[] }>(await cli(['tx', 'combine', f('a.json'), f('c.json'), '--out', f('ac.json'), '--json']));
    expect(combined.signedBy.sort()).toEqual([keys.a.id, keys.c.id].sort());
    const shown = json<{ type: string; subject: string; signedBy: string[]; window: string; hash: string }>(await cli(['tx', 'show', f('ac.json'), '--json']));
    expect(shown).toMatchObject({ type: 'ns.update', subject: '156.130100', window: 'valid', hash: built.hash });
    expect(shown.signedBy.sort()).toEqual([keys.a.id, keys.c.id].sort());

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

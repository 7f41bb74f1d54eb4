/**
 * `urbis network genesis` (docs/cli.md, docs/network.md "Genesis"): builds the genesis of a network
 * from public keys only, and refuses bad keys and overwrites.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'urbis-netgen-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('urbis network genesis', () => {
  it('writes a genesis naming the validators and the root authority', async () => {
    const keys: string[] = [];
    for (const name of ['root', 'v1', 'v2', 'v3']) {
      const r = await runCli(['key', 'new', '--out', join(dir, `${name}.key`), '--json']);
      keys.push(JSON.parse(r.stdout).publicKey);
    }
    const out = join(dir, 'genesis.json');
    const r = await runCli([
      'network',
      'genesis',
      '--validators',
      keys.slice(1).join(','),
      '--root-key',
      join(dir, 'root.key'),
      '--chain-id',
      'urbis-t',
      '--time',
      '1700000000000',
      '--out',
      out,
      '--json',
    ]);
    expect(JSON.parse(r.stdout)).toMatchObject({ chainId: 'urbis-t', validators: keys.slice(1).sort(), root: { keys: [keys[0]], threshold: 1 } });
    const g = JSON.parse(readFileSync(out, 'utf8'));
    expect(g.body).toMatchObject({ type: 'genesis', chain: 'urbis-t', payload: { time: 1700000000000 } });
    const again = await runCli(['network', 'genesis', '--validators', keys[1]!, '--root', keys[0]!, '--out', out], { expect: 2 });
    expect(again.stderr).toMatch(/CLI_USAGE: .*--force/);
    const bad = await runCli(['network', 'genesis', '--validators', 'z6Mnope', '--root', keys[0]!, '--out', join(dir, 'g2.json')], { expect: 2 });
    expect(bad.stderr).toMatch(/VALIDATORS_INVALID/);
  });
});

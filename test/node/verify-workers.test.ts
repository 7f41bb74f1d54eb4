/**
 * The size of a node's signature-checking worker pool: config.json's `verifyWorkers`, overridden per
 * run by `--verify-workers` / `URBIS_VERIFY_WORKERS` (docs/cli.md "urbis node start").
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { initDataDir, paths, readConfig } from '../../src/node/data-dir.js';
import { startNode } from '../../src/node/runtime.js';
import { defaultVerifyWorkers } from '../../src/engine/verify-pool.js';
import { isUrbisError } from '../../src/core/errors.js';
import { cleanEnv, runCli } from '../helpers/processes.js';

const tmp = mkdtempSync(join(tmpdir(), 'urbis-workers-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

function setConfig(dir: string, patch: Record<string, unknown>): void {
  const file = paths(dir).config;
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), ...patch }));
}

describe('verification workers setting', () => {
  it('takes config.json, then the start option over it; the default is the cores less one', async () => {
    const dir = join(tmp, 'a');
    await initDataDir(dir);
    expect(readConfig(dir).verifyWorkers).toBeUndefined();
    let n = await startNode({ dir, port: 0 });
    expect(n.verifyWorkers).toBe(defaultVerifyWorkers());
    await n.close();
    setConfig(dir, { verifyWorkers: 3 });
    n = await startNode({ dir, port: 0 });
    expect(n.verifyWorkers).toBe(3);
    await n.close();
    n = await startNode({ dir, port: 0, verifyWorkers: 2 });
    expect(n.verifyWorkers).toBe(2);
    await n.close();
  });

  it('refuses a config.json value that is not an integer from 1 to 256', async () => {
    const dir = join(tmp, 'b');
    await initDataDir(dir);
    for (const bad of [0, 1.5, '2', 257]) {
      setConfig(dir, { verifyWorkers: bad });
      let err: unknown;
      try {
        readConfig(dir);
      } catch (e) {
        err = e;
      }
      expect(isUrbisError(err, 'STORE_CORRUPT')).toBe(true);
    }
  });

  it('the CLI refuses a bad --verify-workers or URBIS_VERIFY_WORKERS before starting', async () => {
    const dir = join(tmp, 'c');
    const flag = await runCli(['node', 'start', '--dir', dir, '--port', '0', '--verify-workers', '300', '--json'], { expect: null, env: cleanEnv() });
    expect(flag.code).not.toBe(0);
    expect(flag.stderr).toContain('--verify-workers must be an integer from 1 to 256');
    const env = await runCli(['node', 'start', '--dir', dir, '--port', '0', '--json'], { expect: null, env: cleanEnv({ URBIS_VERIFY_WORKERS: 'many' }) });
    expect(env.code).not.toBe(0);
    expect(env.stderr).toContain('URBIS_VERIFY_WORKERS must be an integer from 1 to 256');
  });
});

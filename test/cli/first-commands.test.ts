/**
 * The first commands a new user copies (README "Quick start" and the hints `urbis node start` prints)
 * verify against the network's genesis file, so the first thing they see is a verified answer, not a
 * trust-on-first-use warning (docs/cli.md "Working through a node").
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/processes.js';

const root = new URL('../../', import.meta.url);
const tmp = mkdtempSync(join(tmpdir(), 'urbis-first-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

/** Splits a shell command line of the simple kind the hints print (single quotes, no escapes). */
function words(line: string): string[] {
  return [...line.matchAll(/'([^']*)'|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...process.env, URBIS_DIR: '', URBIS_GENESIS: '', URBIS_NODE: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('first commands', () => {
  it("the node's printed `id resolve` hint verifies against the genesis without a warning", async () => {
    // Not the default ./.urbis: the hint itself must name the genesis file.
    const data = join(tmp, 'city-node');
    const child = spawn(process.execPath, [BIN, 'node', 'start', '--dir', data, '--port', '0'], {
      cwd: tmp,
      env: { ...process.env, URBIS_KEY: '', URBIS_KEY_FILE: '' },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    try {
      const hint = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no hint printed: ${out}`)), 90_000);
        child.stdout.on('data', () => {
          const line = out.split('\n').find((l) => l.trim().startsWith('npx urbis id resolve'));
          if (line && out.includes('Stop with Ctrl-C.')) {
            clearTimeout(timer);
            resolve(line.trim());
          }
        });
        child.on('exit', (code) => reject(new Error(`node exited ${code}: ${out}`)));
      });
      const args = words(hint).slice(2); // drop `npx urbis`
      expect(args).toContain('--genesis');
      const r = await run(args, tmp);
      expect(r.stderr).not.toMatch(/warning|trust on first use/i);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/verified: inclusion proof/);
    } finally {
      child.kill('SIGTERM');
    }
  }, 120_000);

  it("the README's `id resolve --node` command names the genesis file that `npm start` writes", () => {
    const readme = readFileSync(new URL('README.md', root), 'utf8');
    const pkg = JSON.parse(readFileSync(new URL('package.json', root), 'utf8')) as { scripts: { start: string } };
    const dir = /--dir (\S+)/.exec(pkg.scripts.start)![1]!.replace(/^\.\//, '');
    const lines = readme.split('\n').filter((l) => /^npx urbis .*--node /.test(l));
    expect(lines.length).toBeGreaterThan(0);
    for (const l of lines) expect(words(l)).toEqual(expect.arrayContaining(['--genesis', `${dir}/genesis.json`]));
  });
});

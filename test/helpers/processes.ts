/**
 * Test helper: runs the real `urbis` CLI (bin/urbis.js, compiled by `npm test`'s pretest build) and
 * real node processes.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/urbis.js', import.meta.url));

/** An environment with no key, passphrase, node or genesis from the caller's: only flags count. */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return { URBIS_KEY_FILE: '', URBIS_KEY: '', URBIS_KEY_PASSPHRASE: '', URBIS_KEY_PASSPHRASE_FILE: '', URBIS_NODE: '', URBIS_GENESIS: '', ...extra };
}

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `urbis <args>`; rejects unless the exit code is `expect` (default 0). */
export function runCli(args: string[], opts: { expect?: number | null; env?: NodeJS.ProcessEnv; input?: string } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...opts.env }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(opts.input ?? '');
    child.on('error', reject);
    child.on('close', (code) => {
      const r = { code: code ?? -1, stdout, stderr };
      const want = opts.expect === undefined ? 0 : opts.expect;
      if (want !== null && r.code !== want) reject(new Error(`urbis ${args.join(' ')} exited ${r.code} (expected ${want}): ${stderr}${stdout}`));
      else resolve(r);
    });
  });
}

export interface NodeProcess {
  url: string;
  child: ChildProcess;
  kill(signal: NodeJS.Signals): void;
  exited: Promise<number | null>;
  output(): string;
}

/** Starts `urbis <args>` (a `node start ... --json` command) and waits for its first JSON line. */
export function startNodeProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<NodeProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let started = false;
    const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
    const timer = setTimeout(() => {
      if (!started) {
        child.kill('SIGKILL');
        reject(new Error(`node did not start in time: ${out}`));
      }
    }, 60_000);
    child.stderr!.on('data', (d) => (out += d));
    child.stdout!.on('data', (d) => {
      out += d;
      if (started) return;
      // The start line is the first JSON line with a `url` (with --log, log lines come before it).
      for (const line of out.split('\n')) {
        if (!line.startsWith('{')) continue;
        let doc: { url?: unknown };
        try {
          doc = JSON.parse(line) as { url?: unknown };
        } catch {
          continue; // partial line: wait for more
        }
        if (typeof doc.url !== 'string') continue;
        started = true;
        clearTimeout(timer);
        resolve({ url: doc.url, child, kill: (s) => child.kill(s), exited, output: () => out });
        return;
      }
    });
    child.on('exit', (code) => {
      if (!started) {
        clearTimeout(timer);
        reject(new Error(`node exited with ${code} before starting: ${out}`));
      }
    });
  });
}

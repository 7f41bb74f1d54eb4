/**
 * Benchmark reporting: the machine a figure was measured on, and one JSON line per result so that
 * docs/benchmarks.md can be updated from a run's output.
 */
import { cpus, loadavg, totalmem } from 'node:os';

export function machine(): Record<string, string | number> {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? 'unknown',
    cores: c.length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

/**
 * Prints one result line. `load1` is the 1-minute load average when the result was taken: a figure
 * measured beside other work on this machine reads differently from one taken on a quiet machine.
 */
export function report(name: string, result: Record<string, unknown>, env: Record<string, unknown> = machine()): void {
  const load1 = Math.round(loadavg()[0]! * 100) / 100;
  process.stdout.write(`${JSON.stringify({ bench: name, ...result, load1, machine: env })}\n`);
}

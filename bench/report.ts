/**
 * Benchmark reporting: the machine a figure was measured on, and one JSON line per result so that
 * docs/benchmarks.md can be updated from a run's output.
 */
import { cpus, totalmem } from 'node:os';

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

export function report(name: string, result: Record<string, unknown>, env: Record<string, unknown> = machine()): void {
  process.stdout.write(`${JSON.stringify({ bench: name, ...result, machine: env })}\n`);
}

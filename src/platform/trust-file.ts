/**
 * The Node file store of the SDK's trust state (docs/sdk.md "Freshness and rollback"): one small
 * JSON file per chain, `<dir>/<chain>.<digest>.json`, written atomically (temp file, fsync,
 * rename) with mode 0600, so a crash leaves the old state or the new one, never half of one.
 */
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A trust store (the SDK's `TrustStore`, src/client/trust-state.ts, structurally) keeping each
 * chain's state in a file under `dir` (created on first save).
 */
export function fileTrustStore(dir: string): { load(key: string): unknown; save(key: string, head: unknown): void } {
  const file = (key: string) => join(dir, `${key.replace(/[^A-Za-z0-9._-]/g, '_')}.json`);
  return {
    load(key) {
      try {
        return JSON.parse(readFileSync(file(key), 'utf8')) as unknown;
      } catch {
        // Absent or unreadable: no state (an unreadable one is ignored, never trusted).
        return null;
      }
    },
    save(key: string, head: unknown) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      const f = file(key);
      const tmp = `${f}.tmp-${process.pid}`;
      const fd = openSync(tmp, 'w', 0o600);
      try {
        writeSync(fd, `${JSON.stringify(head)}\n`);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(tmp, f);
    },
  };
}

/**
 * Every test file keeps the CLI's and the SDK's persisted trust state (URBIS_TRUST_DIR, see
 * src/cli/target/connect.ts) in a directory of its own, never under the user's home, so no run
 * sees the heads another run or another file verified. Child processes inherit it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';

const dir = mkdtempSync(join(tmpdir(), 'urbis-trust-'));
process.env.URBIS_TRUST_DIR = dir;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

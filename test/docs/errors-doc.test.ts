/**
 * Keeps the error registry (src/core/errors.ts) and docs/errors.md in sync: every code is
 * documented with its HTTP status, and the docs name no code that does not exist.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';

const doc = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
const rows = new Map<string, number>();
for (const m of doc.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|/gm)) rows.set(m[1]!, Number(m[2]));

describe('docs/errors.md', () => {
  it('documents every code with its HTTP status', () => {
    for (const [code, def] of Object.entries(ERROR_CODES)) {
      expect(rows.get(code), `docs/errors.md is missing ${code}`).toBe(def.status);
    }
  });
  it('names no unknown code', () => {
    for (const code of rows.keys()) expect(Object.keys(ERROR_CODES), `docs/errors.md documents unknown ${code}`).toContain(code);
  });
});

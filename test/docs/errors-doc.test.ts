/**
 * Keeps the error registry (src/core/errors.ts) and docs/errors.md in sync: every code is
 * documented with its HTTP status, and the docs name no code that does not exist.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ERROR_CODES } from '../../src/core/errors.js';
import { DID_ERRORS } from '../../src/core/api/did-resolution.js';

const full = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8');
// The Urbis codes; the DID Resolution error types have their own table after them.
const [doc, didDoc = ''] = full.split('\n## DID resolution errors');
const rows = new Map<string, number>();
for (const m of doc!.matchAll(/^\|\s*`([A-Z0-9_]+)`\s*\|\s*(\d{3})\s*\|/gm)) rows.set(m[1]!, Number(m[2]));

describe('docs/errors.md', () => {
  it('documents every code with its HTTP status', () => {
    for (const [code, def] of Object.entries(ERROR_CODES)) {
      expect(rows.get(code), `docs/errors.md is missing ${code}`).toBe(def.status);
    }
  });
  it('lists every DID Resolution error type with its HTTP status (DID Resolution §12.1)', () => {
    const did = new Map<string, number>();
    for (const m of didDoc.matchAll(/^\|\s*`([A-Z_]+)`\s*\|\s*(\d{3})\s*\|/gm)) did.set(m[1]!, Number(m[2]));
    expect(Object.fromEntries(did)).toEqual(Object.fromEntries(Object.entries(DID_ERRORS).map(([k, v]) => [k, v.status])));
  });
  it('names no unknown code', () => {
    for (const code of rows.keys()) expect(Object.keys(ERROR_CODES), `docs/errors.md documents unknown ${code}`).toContain(code);
  });
});

/**
 * Search semantics shared by the store adapters: which identifier entries match a {@link SearchQuery}.
 * Adapters may use indexes to find candidates, but the final decision is this function's.
 */
import type { IdEntry } from '../core/ledger/types.js';
import type { SearchQuery } from './types.js';

/** Attribute values are compared as strings: `attr.floors=3` matches both 3 and "3". */
function attrMatches(v: unknown, want: string): boolean {
  if (typeof v === 'string') return v === want;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v) === want;
  return false;
}

/** True when `e` satisfies every filter of `q`. */
export function matchesQuery(e: IdEntry, q: SearchQuery): boolean {
  if (q.type !== undefined && e.record.type !== q.type) return false;
  if (q.ns !== undefined && e.ns !== q.ns && !e.ns.startsWith(`${q.ns}.`)) return false;
  if (q.status !== undefined && e.status !== q.status) return false;
  if (q.linkedTo !== undefined && !(e.record.links ?? []).some((l) => l.target === q.linkedTo)) return false;
  if (q.attrs) {
    for (const [k, v] of Object.entries(q.attrs)) if (!attrMatches(e.record.attributes?.[k], v)) return false;
  }
  return true;
}

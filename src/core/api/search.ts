/**
 * Search semantics (docs/api.md "Search"): which identifier entries match a search filter. The store
 * adapters use indexes to find candidates, but the final decision is this function's; the SDK runs
 * it too, so a verified search item that does not answer the question is refused. Pure.
 */
import type { IdEntry } from '../ledger/types.js';

/** The filters of `GET /v1/search` (canonical forms: `ns` a namespace path, `linkedTo` identifier text). */
export interface SearchFilter {
  type?: string;
  ns?: string;
  /** Canonical text of an identifier that the results link to. */
  linkedTo?: string;
  status?: string;
  /** Attribute equality filters: attributes[k] === v (compared as canonical JSON scalars). */
  attrs?: Record<string, string>;
}

/** Attribute values are compared as strings: `attr.floors=3` matches both 3 and "3". */
function attrMatches(v: unknown, want: string): boolean {
  if (typeof v === 'string') return v === want;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v) === want;
  return false;
}

/** True when `e` satisfies every filter of `q`. */
export function matchesQuery(e: IdEntry, q: SearchFilter): boolean {
  if (q.type !== undefined && e.record.type !== q.type) return false;
  if (q.ns !== undefined && e.ns !== q.ns && !e.ns.startsWith(`${q.ns}.`)) return false;
  if (q.status !== undefined && e.status !== q.status) return false;
  if (q.linkedTo !== undefined && !(e.record.links ?? []).some((l) => l.target === q.linkedTo)) return false;
  if (q.attrs) {
    for (const [k, v] of Object.entries(q.attrs)) if (!attrMatches(e.record.attributes?.[k], v)) return false;
  }
  return true;
}

/** Small pure formatting helpers for the pages. */

/** `abcdef…7890` for long hashes and keys. */
export function short(s: string, head = 8, tail = 6): string {
  return s.length <= head + tail + 1 ? s : `${s.slice(0, head)}…${s.slice(-tail)}`;
}

/** "12 s ago", "5 min ago", "3 h ago", else the date. */
export function ago(ms: number, now: number): string {
  const d = Math.max(0, now - ms);
  if (d < 60_000) return `${Math.round(d / 1000)} s ago`;
  if (d < 3_600_000) return `${Math.round(d / 60_000)} min ago`;
  if (d < 86_400_000) return `${Math.round(d / 3_600_000)} h ago`;
  return new Date(ms).toISOString().slice(0, 10);
}

/** ISO time, to the second, UTC. */
export function isoTime(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** "3 of 10" with a percentage when there is a limit. */
export function quota(used: number, limit: number | undefined): string {
  if (limit === undefined) return `${used} (no limit)`;
  return `${used} of ${limit} (${Math.round((100 * used) / Math.max(1, limit))}%)`;
}

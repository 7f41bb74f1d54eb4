/**
 * The `at` of a past-state request (`GET /v1/ids/{id}?at=`, `urbis id resolve --at`): a block
 * height, or an RFC 3339 date-time with its zone (RFC 3339 §5.6), never whatever Date.parse accepts.
 * Spec: docs/protocol.md (State map) §10, docs/api.md. Pure.
 */

const HEIGHT = /^(0|[1-9][0-9]{0,15})$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::(\d{2})(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})$/;

/**
 * @returns `{ height }`, `{ time }` (ms since the epoch), or null when `v` is neither.
 * @example parsePastAt('12') // { height: 12 }; parsePastAt('2026-01-31T12:00:00Z') // { time: 1769860800000 }
 */
export function parsePastAt(v: string): { height: number } | { time: number } | null {
  if (HEIGHT.test(v)) {
    const height = Number(v);
    return Number.isSafeInteger(height) ? { height } : null;
  }
  const m = DATE_TIME.exec(v);
  if (!m) return null;
  // Fields out of range (month 13, day 32, hour 24) are refused rather than rolled over.
  if (+m[2]! < 1 || +m[2]! > 12 || +m[3]! < 1 || +m[3]! > 31 || +m[4]! > 23 || +m[5]! > 59 || +(m[6] ?? 0) > 59) return null;
  const time = Date.parse(v);
  return Number.isFinite(time) ? { time } : null;
}

/**
 * Checks a route makes before it answers: is the node able to answer reliably, and did the store
 * read succeed (a storage failure is 503, never "not found").
 */
import { UrbisError, isUrbisError } from '../core/errors.js';
import type { NodeRuntime } from './types.js';

/** Throws NODE_DIVERGED or NODE_NOT_READY when the node cannot answer reliably. */
export function requireReady(rt: NodeRuntime): void {
  const diverged = rt.network?.diverged();
  if (diverged) throw new UrbisError('NODE_DIVERGED', diverged, { retryAfterMs: 60_000 });
  const why = rt.notReady();
  if (why) throw new UrbisError('NODE_NOT_READY', why, { retryAfterMs: 5000 });
}

/** Reads the store, turning a storage failure into 503 (never into "not found"). */
export function guarded<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (isUrbisError(e)) throw e;
    throw new UrbisError('STORE_UNAVAILABLE', 'the node cannot read its store', { retryAfterMs: 2000 }, { cause: e });
  }
}

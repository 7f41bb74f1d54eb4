/** Errors of a target turned into what the CLI reports. */
import { UrbisError } from '../../core/errors.js';

/** Any thrown value as an Error (outcome lists hold errors, never other values). */
export function toError(e: unknown): Error {
  return e instanceof Error ? e : new UrbisError('INTERNAL', String(e));
}

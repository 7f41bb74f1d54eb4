/**
 * Access grants (docs/sharing.md "Grants"): naming of grant entries, and the pure decision a
 * provider gateway takes on a request, given proven ledger entries. Pure: the time is passed in.
 */
import { UrbisError } from '../errors.js';
import type { ControllerSet, GrantEntry, IdEntry, NsEntry } from './types.js';

export { grantRef } from './state.js';

/** Methods a `read` grant covers (RFC 9110 §9.2.1 safe methods); every other method needs `write`. */
export const READ_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/** A request as the gateway sees it, reduced to what a grant decides on. */
export interface AccessRequest {
  method: string;
  /** Request path as received (no query). */
  path: string;
  /** Service fragment the gateway serves (`#api`), if configured. */
  service?: string;
  /** Current time, ms since epoch. */
  now: number;
}

function deny(
  code: 'ACCESS_NO_GRANT' | 'ACCESS_GRANT_REVOKED' | 'ACCESS_GRANT_EXPIRED' | 'ACCESS_OUT_OF_SCOPE',
  message: string,
  details?: Record<string, unknown>,
): never {
  throw new UrbisError(code, message, details);
}

/**
 * Decides whether a (verified) grant entry allows a request.
 *
 * A path matches a prefix that ends with `/` when it starts with it, and a prefix without a final
 * `/` when it is equal to it or continues with `/` (so `/buses` covers `/buses/7`, not `/busesX`).
 * Paths with dot segments or encoded slashes never match: the gateway forwards the path it checked.
 *
 * @throws UrbisError ACCESS_NO_GRANT (no entry), ACCESS_GRANT_REVOKED, ACCESS_GRANT_EXPIRED,
 *   ACCESS_OUT_OF_SCOPE.
 */
export function checkGrant(g: GrantEntry | null, req: AccessRequest): GrantEntry {
  if (!g) deny('ACCESS_NO_GRANT', 'the ledger holds no grant from this service to the grantee');
  if (g.status === 'revoked') deny('ACCESS_GRANT_REVOKED', `the grant was revoked at height ${g.height}`, { height: g.height, tx: g.tx });
  if (req.now > g.expires) deny('ACCESS_GRANT_EXPIRED', `the grant expired at ${new Date(g.expires).toISOString()}`, { expires: g.expires });
  const need = READ_METHODS.has(req.method.toUpperCase()) ? 'read' : 'write';
  if (!g.scope.access.includes(need))
    deny('ACCESS_OUT_OF_SCOPE', `the grant allows ${g.scope.access.join(' and ')}, this ${req.method} needs ${need}`, { need });
  if (g.scope.services && !(req.service !== undefined && g.scope.services.includes(req.service))) {
    deny('ACCESS_OUT_OF_SCOPE', `the grant covers the services ${g.scope.services.join(', ')}, not ${req.service ?? 'this one'}`, {
      services: g.scope.services,
    });
  }
  if (g.scope.paths && !g.scope.paths.some((p) => pathCovered(p, req.path))) {
    deny('ACCESS_OUT_OF_SCOPE', `the grant covers the paths ${g.scope.paths.join(', ')}, not ${req.path.slice(0, 200)}`, { paths: g.scope.paths });
  }
  return g;
}

/** True if `path` lies under the grant prefix `prefix` (see {@link checkGrant}). */
export function pathCovered(prefix: string, path: string): boolean {
  if (/(^|\/)\.\.?(\/|$)/.test(path) || /%2e|%2f|%5c|\\/i.test(path)) return false;
  if (prefix.endsWith('/')) return path.startsWith(prefix);
  return path === prefix || path.startsWith(`${prefix}/`);
}

/**
 * The keys that act for a grantee: an identifier's own controllers, or (when it has none) its
 * namespace's; a namespace's controllers.
 */
export function granteeControllers(grantee: IdEntry | NsEntry, ns: NsEntry | null): ControllerSet | null {
  if (grantee.kind === 'ns') return grantee.controllers;
  return grantee.controllers ?? ns?.controllers ?? null;
}

/**
 * Deep links: every view of the app has a URL, and the label URL of an identifier
 * (`/id/{identifier}`) opens it in the explorer. The node serves the app for these paths when a
 * browser asks for HTML.
 */

export type Route =
  | { view: 'resolve'; q: string; code?: string }
  | { view: 'ns'; path: string | null; cursor: string | null }
  | { view: 'ledger' }
  | { view: 'block'; height: number }
  | { view: 'tx'; hash: string }
  | { view: 'scan' }
  | { view: 'manage' }
  | { view: 'trust' }
  | { view: 'missing'; path: string };

function decode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** The route of a location (`pathname` and `search`). */
export function parseRoute(pathname: string, search: string): Route {
  const params = new URLSearchParams(search);
  const p = pathname.replace(/\/+$/, '') || '/';
  if (p === '/') return { view: 'resolve', q: params.get('q') ?? '' };
  if (p.startsWith('/id/')) {
    // A label URL with its signed code (`?c=`, docs/codes.md §6): the explorer verifies the code too.
    const code = params.get('c');
    return code ? { view: 'resolve', q: decode(p.slice(4)), code } : { view: 'resolve', q: decode(p.slice(4)) };
  }
  if (p === '/ns') return { view: 'ns', path: null, cursor: params.get('cursor') };
  if (p.startsWith('/ns/')) return { view: 'ns', path: decode(p.slice(4)), cursor: params.get('cursor') };
  if (p === '/ledger') return { view: 'ledger' };
  const block = /^\/ledger\/(\d{1,15})$/.exec(p);
  if (block) return { view: 'block', height: Number(block[1]) };
  const tx = /^\/tx\/([0-9a-fA-F]{64})$/.exec(p);
  if (tx) return { view: 'tx', hash: tx[1]!.toLowerCase() };
  if (p === '/scan') return { view: 'scan' };
  if (p === '/manage') return { view: 'manage' };
  if (p === '/trust') return { view: 'trust' };
  return { view: 'missing', path: p };
}

/** The URL of an identifier's page: its label URL path (`:` kept readable). */
export function idHref(id: string): string {
  return '/id/' + encodeURI(id).replace(/#/g, '%23').replace(/\?/g, '%3F');
}

export function nsHref(path: string | null, cursor?: string | null): string {
  return (path ? `/ns/${encodeURI(path)}` : '/ns') + (cursor ? `?cursor=${encodeURIComponent(cursor)}` : '');
}

export const blockHref = (h: number) => `/ledger/${h}`;
export const txHref = (hash: string) => `/tx/${hash}`;

/** The top-level section a route belongs to (for the navigation's current item). */
export function section(r: Route): string {
  switch (r.view) {
    case 'resolve':
      return 'resolve';
    case 'ns':
      return 'ns';
    case 'ledger':
    case 'block':
    case 'tx':
      return 'ledger';
    default:
      return r.view;
  }
}

/**
 * Links of an identifier as an RFC 9264 linkset (§4.2, `application/linkset+json`) and as an
 * RFC 8288 `Link` header field (§3). One builder for the label URL `/id/{id}` and for
 * `GET /v1/ids/{id}` (docs/api.md), so both list the same links. Pure.
 *
 * Each link: its context is the identifier's label URL (`anchor`, RFC 9264 §4.2.2: given explicitly
 * so the set stands on its own, §5); `describedby` is the proven JSON resolution, `alternate` the
 * DID, one extension relation type (a URI, RFC 8288 §2.1.2) per typed link of the record, `service`
 * per service endpoint.
 */
import { formatDid, type Identifier } from '../ids/index.js';
import type { IdEntry, NsEntry } from '../ledger/types.js';

/** RFC 9264 §4.2.4: a link target. `type` and `title` are single strings (§4.2.4.1). */
export interface LinkTarget {
  href: string;
  type?: string;
  title?: string;
}

/** RFC 9264 §4.2.2: one link context object: `anchor` and one array of targets per relation type. */
export type LinkContext = { anchor: string } & { [rel: string]: LinkTarget[] | string };

/** RFC 9264 §4.2.1: the document. */
export interface Linkset {
  linkset: LinkContext[];
}

/** Base of the extension relation types of Urbis typed links: `https://urbis.city/rel/<rel>`. */
export const URBIS_REL_BASE = 'https://urbis.city/rel/';

/** Media type of RFC 9264 §4.2 documents. */
export const LINKSET_JSON = 'application/linkset+json';

/** The API path of an identifier's (or namespace's) proven JSON resolution. */
export function resolutionPath(id: Identifier): string {
  return id.local === null ? `/v1/ns/${encodeURIComponent(id.namespace.join('.'))}` : `/v1/ids/${encodeURIComponent(id.text)}`;
}

/**
 * The linkset of an identifier as the node holds it.
 * @param base public base URL of the node (no trailing slash)
 */
export function idLinkset(base: string, id: Identifier, entry: IdEntry | NsEntry): Linkset {
  const ctx: Record<string, LinkTarget[] | string> = {
    anchor: `${base}/id/${id.text}`,
    describedby: [{ href: `${base}${resolutionPath(id)}`, type: 'application/json' }],
    alternate: [{ href: formatDid(id) }],
  };
  for (const l of entry.record.links ?? []) {
    ((ctx[`${URBIS_REL_BASE}${l.rel}`] ??= []) as LinkTarget[]).push({ href: `${base}/id/${l.target}` });
  }
  for (const s of entry.record.services ?? []) {
    ((ctx.service ??= []) as LinkTarget[]).push({ href: s.serviceEndpoint, title: `${s.type} ${s.id}` });
  }
  return { linkset: [ctx as LinkContext] };
}

/** RFC 8288 §3 / RFC 9110 §5.6.4: a quoted-string (printable ASCII only: header fields are not UTF-8). */
function quoted(s: string): string | null {
  if (!/^[\x20-\x7e]*$/.test(s)) return null;
  return `"${s.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

/**
 * The links of a linkset as one `Link` field value (RFC 8288 §3), each with its `anchor`
 * parameter; plus `extra` links first. Targets whose URI could not stand between `<` and `>`
 * (RFC 3986 characters only) are left out; the linkset itself has them all. Stops before the value
 * would exceed `maxBytes` (header fields have practical limits); the `linkset` link, given first in
 * `extra`, tells a client where the complete set is.
 */
export function linkHeader(set: Linkset, extra: Array<LinkTarget & { rel: string }> = [], maxBytes = 8192): string {
  const parts: string[] = [];
  let size = 0;
  const add = (href: string, rel: string, t: { type?: string; title?: string }, anchor?: string): boolean => {
    if (!/^[\x21-\x7e]+$/.test(href) || /[<>"\\^`{|}]/.test(href)) return true;
    let p = `<${href}>; rel=${quoted(rel)}`;
    if (anchor !== undefined) p += `; anchor=${quoted(anchor)}`;
    if (t.type !== undefined) p += `; type=${quoted(t.type)}`;
    const title = t.title === undefined ? null : quoted(t.title);
    if (title !== null) p += `; title=${title}`;
    if (size + p.length + 2 > maxBytes) return false;
    parts.push(p);
    size += p.length + 2;
    return true;
  };
  for (const e of extra) if (!add(e.href, e.rel, e)) return parts.join(', ');
  for (const ctx of set.linkset) {
    for (const [rel, targets] of Object.entries(ctx)) {
      if (rel === 'anchor' || typeof targets === 'string') continue;
      for (const t of targets) if (!add(t.href, rel, t, ctx.anchor)) return parts.join(', ');
    }
  }
  return parts.join(', ');
}

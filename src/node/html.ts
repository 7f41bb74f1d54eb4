/**
 * The plain HTML page of `/id/{identifier}` for browsers (a phone camera that opened a label URL):
 * what the node's ledger says about the identifier and, when the URL carries a code, its verdict.
 * Small and in one place on purpose: the web explorer replaces it (docs/api.md "Label URLs").
 * Everything interpolated is escaped; the page loads nothing (no script, no style sheet, no image).
 */
import type { CodeVerdict } from '../core/codes/index.js';
import type { IdEntry, NsEntry } from '../core/ledger/types.js';

/** HTML-escapes text for element content and double-quoted attributes. */
export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const COLOURS: Record<string, string> = { VALID: '#0a6b2d', REVOKED: '#8a1c1c', FORGED: '#8a1c1c', ALTERED: '#8a5a00', EXPIRED: '#8a5a00', STALE: '#555' };

export interface IdPage {
  id: string;
  entry: IdEntry | NsEntry | null;
  height: number;
  headerTime: number;
  verdict?: CodeVerdict | undefined;
  codeError?: string | undefined;
  jsonUrl: string;
}

/** The page. */
export function idPage(p: IdPage): string {
  const rows: Array<[string, unknown]> = [];
  if (p.entry) {
    rows.push(['status', p.entry.status], ['type', p.entry.record.type], ['version', p.entry.version]);
    for (const [k, v] of Object.entries(p.entry.record.attributes ?? {})) rows.push([k, typeof v === 'string' ? v : JSON.stringify(v)]);
  }
  const verdict = p.verdict
    ? `<p style="font-size:1.4em;color:${COLOURS[p.verdict.verdict] ?? '#000'}"><strong>${esc(p.verdict.verdict)}</strong> — ${esc(p.verdict.message)}</p>`
    : p.codeError
      ? `<p style="color:#8a1c1c"><strong>Not a valid code</strong> — ${esc(p.codeError)}</p>`
      : '';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>${esc(p.id)} — Urbis</title></head>
<body style="font-family:system-ui,sans-serif;max-width:40em;margin:1em auto;padding:0 1em">
<h1 style="font-size:1.2em;word-break:break-all">${esc(p.id)}</h1>
${verdict}
${p.entry ? `<table>${rows.map(([k, v]) => `<tr><th style="text-align:left;padding-right:1em">${esc(k)}</th><td>${esc(v)}</td></tr>`).join('')}</table>` : '<p>Not registered.</p>'}
<p style="color:#555;font-size:.85em">Ledger state at block ${esc(p.height)} (${esc(new Date(p.headerTime).toISOString())}), as this node holds it. Verify it yourself: <a href="${esc(p.jsonUrl)}">proof (JSON)</a>.</p>
</body></html>
`;
}

/**
 * Output of the CLI: one JSON document on stdout with --json, else text lines.
 */
import { parseIdentifier, formatDid, formatUrl } from '../core/ids/index.js';

/** What output depends on: --json, and (through a node) what to add to JSON documents. */
export interface OutputOpts {
  json?: boolean;
  /** Set by `withTarget` when going through a node: `{ node, trust, … }`, added to --json documents. */
  via?: Record<string, unknown>;
}

export function writeJson(doc: unknown): void {
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
}

/**
 * Prints `doc` as JSON with --json, else the text lines. Through a node, the JSON document also
 * names the node and where the trust anchor came from (`o.via`).
 */
export function emit(o: OutputOpts, doc: unknown, text: () => string[]): void {
  if (o.json) writeJson(o.via && typeof doc === 'object' && doc !== null && !Array.isArray(doc) ? { ...doc, ...o.via } : doc);
  else process.stdout.write(`${text().join('\n')}\n`);
}

export function isoTime(ms: number): string {
  return new Date(ms).toISOString();
}

/** The three forms of an identifier given as canonical text. */
export function forms(text: string): { text: string; did: string; url: string } {
  const id = parseIdentifier(text);
  return { text: id.text, did: formatDid(id), url: formatUrl(id) };
}

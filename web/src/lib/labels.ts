/**
 * Pure logic behind the label form of the Manage page: the identifiers and options typed in, checked
 * before anything is signed; the file names of the images. The labels themselves are made by the
 * SDK's `makeCodeFor` (docs/codes.md), which checks the issuer against the verified namespace.
 */
import { isUrbisError } from '../../../src/core/errors.js';
import { normaliseFields } from '../../../src/core/codes/label.js';
import { parseIdLenient } from '../../../src/core/ledger/names.js';
import { FieldError } from './forms.js';

/** Most labels one request of the page makes (a printed sheet, not a batch job: the CLI does those). */
export const MAX_PAGE_LABELS = 200;

/** What the label form asks for. */
export interface LabelFields {
  /** Identifiers, one per line, any form. */
  ids: string;
  /** Attribute names the labels vouch for besides the type, separated by commas or spaces. */
  fields: string;
  /** Expiry date (YYYY-MM-DD, end of that day UTC), or empty. */
  expires: string;
}

/** A checked label request. */
export interface LabelRequest {
  /** Identifiers in canonical text form (check character computed if it was left out), without repeats. */
  ids: string[];
  /** The namespaces of those identifiers, each once, in order. */
  namespaces: string[];
  fields: string[];
  expiresAt?: number;
}

/**
 * Checks the label form.
 * @throws FieldError naming the field (`label-ids`, `label-fields`, `label-expires`) and line
 */
export function parseLabelRequest(f: LabelFields, now: number): LabelRequest {
  const ids: string[] = [];
  const namespaces: string[] = [];
  f.ids.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line) return;
    try {
      const ident = parseIdLenient(line);
      if (ident.local === null) throw new FieldError('label-ids', `line ${i + 1}: ${line} is a namespace; labels are made for identifiers`);
      const text = ident.text;
      const ns = ident.namespace.join('.');
      if (!ids.includes(text)) ids.push(text);
      if (!namespaces.includes(ns)) namespaces.push(ns);
    } catch (e) {
      if (e instanceof FieldError) throw e;
      throw new FieldError('label-ids', `line ${i + 1}: ${isUrbisError(e) ? e.message : String(e)}`);
    }
  });
  if (ids.length === 0) throw new FieldError('label-ids', 'type at least one identifier');
  if (ids.length > MAX_PAGE_LABELS)
    throw new FieldError('label-ids', `at most ${MAX_PAGE_LABELS} labels at a time here; the CLI (urbis code sheet) makes more`);
  let fields: string[];
  try {
    fields = normaliseFields(f.fields.split(/[\s,]+/).filter(Boolean));
  } catch (e) {
    throw new FieldError('label-fields', isUrbisError(e) ? e.message : String(e));
  }
  const out: LabelRequest = { ids, namespaces, fields };
  if (f.expires.trim()) {
    const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(f.expires.trim());
    const at = m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), 23, 59, 59) : NaN;
    if (!m || Number.isNaN(at) || new Date(at).getUTCDate() !== Number(m[3])) throw new FieldError('label-expires', 'write a date as YYYY-MM-DD');
    if (at <= now) throw new FieldError('label-expires', 'the expiry date has passed');
    out.expiresAt = at;
  }
  return out;
}

/** A file name for a label image: the identifier with characters unsafe in file names replaced. */
export function labelFileName(id: string, serial: number, ext: 'svg' | 'png'): string {
  return `label-${id.replace(/[^A-Za-z0-9.-]+/g, '_')}-${serial}.${ext}`;
}

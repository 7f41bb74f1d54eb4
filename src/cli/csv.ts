/**
 * A small, strict RFC 4180 CSV parser for `urbis import`, fed one physical line at a time so that a
 * file of any size is read with flat memory.
 *
 * RFC 4180 §2: fields are separated by commas; a field may be enclosed in double quotes, and must be
 * if it contains a comma, a double quote or a line break; a double quote inside a quoted field is
 * written twice. A quoted field may span lines, so a record is complete only when its quotes balance.
 * Line breaks inside quoted fields come back as "\n" (readline strips the original \r\n or \n).
 */
import { UrbisError } from '../core/errors.js';

/** Largest record accepted (bytes of text), so a stray quote cannot make us buffer a whole file. */
export const MAX_CSV_RECORD = 1_048_576;

/**
 * Parses the text of one complete record into its fields.
 *
 * @throws UrbisError IMPORT_ROW_INVALID for a quote inside an unquoted field, text after a closing
 *   quote, or an unterminated quoted field.
 */
export function parseCsvRecord(text: string): string[] {
  const fields: string[] = [];
  let i = 0;
  const n = text.length;
  for (;;) {
    if (text.charCodeAt(i) === 0x22) {
      // Quoted field.
      let out = '';
      let j = i + 1;
      for (;;) {
        const q = text.indexOf('"', j);
        if (q < 0) throw new UrbisError('IMPORT_ROW_INVALID', `unterminated quoted field (column ${fields.length + 1})`, { column: fields.length + 1 });
        out += text.slice(j, q);
        if (text.charCodeAt(q + 1) === 0x22) {
          out += '"';
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      fields.push(out);
      if (i === n) return fields;
      if (text.charCodeAt(i) !== 0x2c) {
        throw new UrbisError('IMPORT_ROW_INVALID', `unexpected character after the closing quote of column ${fields.length}`, { column: fields.length });
      }
      i++;
    } else {
      const c = text.indexOf(',', i);
      const end = c < 0 ? n : c;
      const f = text.slice(i, end);
      if (f.includes('"')) {
        throw new UrbisError('IMPORT_ROW_INVALID', `a double quote inside unquoted column ${fields.length + 1}; quote the field and double the quote`, {
          column: fields.length + 1,
        });
      }
      fields.push(f);
      if (c < 0) return fields;
      i = c + 1;
    }
  }
}

function countQuotes(s: string): number {
  let k = 0;
  for (let i = s.indexOf('"'); i >= 0; i = s.indexOf('"', i + 1)) k++;
  return k;
}

/**
 * Assembles physical lines into records: a record whose quotes are unbalanced continues on the next
 * line.
 */
export class CsvRecordAssembler {
  private parts: string[] = [];
  private size = 0;
  private quotes = 0;
  /** Line number (1-based) where the record being assembled started. */
  startLine = 0;

  /**
   * Feeds one physical line (without its line break).
   *
   * @returns the record text when complete, else null (more lines needed).
   * @throws UrbisError IMPORT_FILE_INVALID if a record grows beyond {@link MAX_CSV_RECORD}.
   */
  push(line: string, lineNo: number): string | null {
    if (this.parts.length === 0) this.startLine = lineNo;
    this.parts.push(line);
    this.size += line.length + 1;
    this.quotes += countQuotes(line);
    if (this.quotes % 2 === 1) {
      if (this.size > MAX_CSV_RECORD) {
        throw new UrbisError('IMPORT_FILE_INVALID', `line ${this.startLine}: a quoted field is never closed`, { line: this.startLine });
      }
      return null;
    }
    const text = this.parts.length === 1 ? line : this.parts.join('\n');
    this.parts = [];
    this.size = 0;
    this.quotes = 0;
    return text;
  }

  /** Text of an unfinished record at end of file, if any. */
  rest(): string | null {
    return this.parts.length === 0 ? null : this.parts.join('\n');
  }
}

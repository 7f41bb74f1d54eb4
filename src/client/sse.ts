/**
 * Server-sent events over `fetch` streaming: WHATWG HTML §9.2 "Server-sent events" (the event
 * stream format and the Last-Event-ID reconnection rule). `EventSource` is not used because it
 * cannot set headers, cannot run in Node 20 without a polyfill, and hides the HTTP status.
 */
import { UrbisError } from '../core/errors.js';

/** One dispatched event. */
export interface SseMessage {
  /** Last event id in force (the stream's, per the spec's "last event ID buffer"). */
  id: string;
  event: string;
  data: string;
}

/**
 * Incremental parser of `text/event-stream`. Feed decoded text in any chunking; complete events
 * come out in order. Bounded: a line longer than `maxLine` characters is an error, so a hostile
 * stream without newlines cannot grow memory.
 */
export class SseParser {
  private buf = '';
  private data: string[] = [];
  private event = '';
  private dataBytes = 0;
  /** The last event ID buffer; survives dispatch (and reconnection, by the caller). */
  lastEventId: string;
  /** The stream's `retry:` field, ms, if it sent one. */
  retryMs: number | null = null;

  constructor(
    lastEventId = '',
    private readonly maxLine = 1 << 20,
  ) {
    this.lastEventId = lastEventId;
  }

  /**
   * Feeds text; returns the events completed by it.
   * @throws UrbisError CLIENT_HTTP when a line or an event's data exceeds the bound (the caller reconnects).
   */
  push(text: string): SseMessage[] {
    this.buf += text;
    const out: SseMessage[] = [];
    let start = 0;
    for (;;) {
      let i = start;
      const n = this.buf.length;
      while (i < n && this.buf.charCodeAt(i) !== 10 && this.buf.charCodeAt(i) !== 13) i++;
      if (i >= n) break;
      // A lone CR at the very end may be the first half of CRLF: wait for more input.
      if (this.buf.charCodeAt(i) === 13 && i + 1 >= n) break;
      const line = this.buf.slice(start, i);
      start = this.buf.charCodeAt(i) === 13 && this.buf.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
      const m = this.line(line);
      if (m) out.push(m);
    }
    this.buf = this.buf.slice(start);
    if (this.buf.length > this.maxLine) throw new UrbisError('CLIENT_HTTP', 'event stream line too long');
    return out;
  }

  private line(line: string): SseMessage | null {
    if (line === '') {
      const data = this.data;
      const event = this.event;
      this.data = [];
      this.event = '';
      this.dataBytes = 0;
      if (data.length === 0) return null;
      return { id: this.lastEventId, event: event || 'message', data: data.join('\n') };
    }
    if (line.charCodeAt(0) === 58) return null; // ':' comment (keep-alive)
    const c = line.indexOf(':');
    const field = c < 0 ? line : line.slice(0, c);
    let value = c < 0 ? '' : line.slice(c + 1);
    if (value.charCodeAt(0) === 32) value = value.slice(1);
    switch (field) {
      case 'data':
        this.dataBytes += value.length;
        if (this.dataBytes > this.maxLine) throw new UrbisError('CLIENT_HTTP', 'event stream event too large');
        this.data.push(value);
        break;
      case 'event':
        this.event = value;
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      case 'retry':
        if (/^\d{1,9}$/.test(value)) this.retryMs = Number(value);
        break;
      default:
        break;
    }
    return null;
  }
}

/**
 * The change feed: one event per state-entry version written by a committed block, in commit order.
 *
 * Event ids are `<height>.<seq>` (seq = position of the version within its block), so a client that
 * reconnects with `Last-Event-ID` resumes right after the last event it saw: the past comes from the
 * store (`changes(height)`), the present from the live hub, with no gap and no duplicate.
 */
import type { ChangeEvent } from '../core/api/types.js';
import type { StateEntry } from '../core/ledger/types.js';
import type { LedgerStore } from '../storage/types.js';
import { stateKey } from '../core/ledger/state.js';

/** Turns the versions of one block into events. */
export function toEvents(height: number, time: number, versions: StateEntry[]): ChangeEvent[] {
  return versions.map((e, seq) => {
    const base = { height, seq, version: e.version, tx: e.tx, time };
    switch (e.kind) {
      case 'chain':
        return { ...base, key: stateKey(e), kind: 'chain' };
      case 'ns':
        return { ...base, key: stateKey(e), kind: 'ns', id: e.id, ns: e.ns, type: e.record.type, status: e.status };
      case 'id':
        return { ...base, key: stateKey(e), kind: 'id', id: e.id, ns: e.ns, type: e.record.type, status: e.status };
      case 'grant':
        // A grant belongs to its subject's namespace (so a namespace's subscribers see its grants).
        return { ...base, key: stateKey(e), kind: 'grant', id: e.subject, ns: e.subject.slice(0, e.subject.indexOf('/')), status: e.status };
    }
  });
}

/** Filter of a subscription. */
export interface EventFilter {
  /** Namespace: events of it and of everything below it. */
  ns?: string;
  /** Record type. */
  type?: string;
  kind?: StateEntry['kind'];
}

export function eventMatches(ev: ChangeEvent, f: EventFilter): boolean {
  if (f.kind && ev.kind !== f.kind) return false;
  if (f.type && ev.type !== f.type) return false;
  if (f.ns && !(ev.ns === f.ns || ev.ns?.startsWith(`${f.ns}.`))) return false;
  return true;
}

/** Parses a `Last-Event-ID` (`<height>.<seq>`); null when absent or malformed. */
export function parseEventId(s: unknown): { height: number; seq: number } | null {
  if (typeof s !== 'string' || !/^\d{1,15}\.\d{1,9}$/.test(s)) return null;
  const [h, q] = s.split('.');
  return { height: Number(h), seq: Number(q) };
}

type Listener = (height: number, events: ChangeEvent[]) => void;

/** Live fan-out of committed blocks' events. */
export class EventHub {
  private readonly listeners = new Set<Listener>();
  /** Highest height published to listeners. */
  published = -1;

  constructor(private readonly store: LedgerStore) {
    this.published = store.head()?.height ?? -1;
  }

  /** Called once per committed block, in height order. */
  publish(height: number): void {
    const h = this.store.header(height);
    if (!h) return;
    const events = toEvents(height, h.time, this.store.changes(height));
    this.published = height;
    for (const l of this.listeners) l(height, events);
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  /**
   * The first height whose events this node holds: 0, or the height after the snapshot the store
   * started from (the snapshot's own block carries no changes).
   */
  earliest(): number {
    const base = this.store.baseHeight?.() ?? 0;
    return base === 0 ? 0 : base + 1;
  }

  /** Events of one past block from the store. */
  past(height: number): ChangeEvent[] {
    const h = this.store.header(height);
    return h ? toEvents(height, h.time, this.store.changes(height)) : [];
  }

  size(): number {
    return this.listeners.size;
  }
}

/**
 * The change feed on NATS subjects, one per namespace (docs/sharing.md "Real-time feeds"), for city
 * systems that already speak NATS; and the MQTT topics the bridge maps them to.
 *
 * Subject of an event: `urbis.<chain>.changes.<ns tokens>.<kind>`, the namespace path one token per
 * level (`156.130100.42`) and the kind (`id`, `ns`, `grant`) last; chain events:
 * `urbis.<chain>.changes.chain`. The kind closes the subject, so NATS wildcards select by namespace:
 * - `urbis.<chain>.changes.156.130100.>`: the city and everything below it;
 * - `urbis.<chain>.changes.156.130100.*`: the city's own events (its entry, its identifiers and
 *   their grants), not its sub-namespaces' (namespace segments are upper case or digits, kinds
 *   lower case, so a kind never reads as a segment);
 * - `urbis.<chain>.changes.*.*.id`: identifiers directly in any city.
 * An identifier's events go to its namespace, a namespace's to its own path, a grant's to its
 * subject's namespace. MQTT topics are the same levels joined by `/`
 * (`urbis/<chain>/changes/156/130100/id`), where `+` and `#` do what `*` and `>` do.
 *
 * A message is the change event of `GET /v1/events` (docs/api.md) plus `chain`, as
 * JSON. It proves nothing by itself (anyone allowed to publish on the subject could forge one): it
 * says where to look. A subscriber that acts on it fetches the entry with its proof
 * (`GET /v1/ids/{id}`, the SDK's `resolve`) or the block at `height` with its certificate and checks
 * that `tx` is in it.
 */
import { headers as natsHeaders, type NatsConnection } from '@nats-io/transport-node';
import { UrbisError } from '../core/errors.js';
import type { ChangeEvent } from '../core/api/types.js';
import { canonicalNsPath } from '../core/ledger/names.js';

/** A change event as published: the SSE event plus the chain id. */
export interface ChangeMessage extends ChangeEvent {
  chain: string;
}

/** `urbis.<chain>.changes`: the root of a chain's change subjects. */
export function changeRoot(chainId: string): string {
  return `urbis.${chainId}.changes`;
}

/** The subject of one event. */
export function changeSubject(chainId: string, ev: Pick<ChangeEvent, 'kind' | 'ns'>): string {
  if (ev.kind === 'chain' || ev.ns === undefined) return `${changeRoot(chainId)}.chain`;
  return `${changeRoot(chainId)}.${ev.ns}.${ev.kind}`;
}

/**
 * The subscription of a namespace and everything below it (`urbis.<chain>.changes.156.130100.>`),
 * or of the whole chain without one.
 * @throws UrbisError NS_INVALID (via canonicalNsPath) for a malformed namespace.
 */
export function changeFilter(chainId: string, ns?: string): string {
  return ns === undefined ? `${changeRoot(chainId)}.>` : `${changeRoot(chainId)}.${canonicalNsPath(ns, 'ns')}.>`;
}

/** The MQTT topic of a change subject: the same levels under `prefix` (default `urbis`), joined by `/`. */
export function mqttTopic(subject: string, prefix = 'urbis'): string {
  const levels = subject.split('.');
  if (levels[0] !== 'urbis' || levels[2] !== 'changes') throw new UrbisError('HTTP_BAD_REQUEST', `not a change subject: ${subject.slice(0, 200)}`);
  return [prefix, ...levels.slice(1)].join('/');
}

/**
 * Publishes each committed block's events on their subjects. Each message carries
 * `Nats-Msg-Id: <chain>.<height>.<seq>`, so a JetStream stream over `urbis.<chain>.changes.>` keeps
 * one copy when several nodes publish.
 */
export class ChangePublisher {
  published = 0;
  constructor(
    private readonly nc: NatsConnection,
    private readonly chainId: string,
  ) {}

  publish(events: readonly ChangeEvent[]): void {
    for (const ev of events) {
      const h = natsHeaders();
      h.set('Nats-Msg-Id', `${this.chainId}.${ev.height}.${ev.seq}`);
      const msg: ChangeMessage = { chain: this.chainId, ...ev };
      this.nc.publish(changeSubject(this.chainId, ev), JSON.stringify(msg), { headers: h });
      this.published++;
    }
  }
}

/**
 * Checks a received message (it comes from the network: hostile until checked) and returns it.
 * @throws UrbisError HTTP_BAD_REQUEST when it is not a change event of this chain on its own subject.
 */
export function parseChangeMessage(chainId: string, subject: string, data: Uint8Array): ChangeMessage {
  let m: unknown;
  try {
    if (data.length > 64 * 1024) throw new Error('too large');
    m = JSON.parse(new TextDecoder().decode(data));
  } catch (e) {
    throw new UrbisError('HTTP_BAD_REQUEST', `not a change message: ${(e as Error).message}`);
  }
  const o = m as Partial<ChangeMessage>;
  const ok =
    typeof o === 'object' &&
    o !== null &&
    o.chain === chainId &&
    Number.isSafeInteger(o.height) &&
    o.height! >= 0 &&
    Number.isSafeInteger(o.seq) &&
    o.seq! >= 0 &&
    typeof o.tx === 'string' &&
    ['id', 'ns', 'chain', 'grant'].includes(o.kind as string) &&
    (o.ns === undefined || typeof o.ns === 'string');
  if (!ok) throw new UrbisError('HTTP_BAD_REQUEST', 'not a change message of this chain');
  if (changeSubject(chainId, o as ChangeMessage) !== subject)
    throw new UrbisError('HTTP_BAD_REQUEST', `a change of ${o.ns ?? 'the chain'} on the wrong subject ${subject}`);
  return o as ChangeMessage;
}

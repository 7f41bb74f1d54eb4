/**
 * `urbis mqtt-bridge` (docs/sharing.md "Real-time feeds"): forwards the change feed from its NATS
 * subjects (./changes.ts) to an MQTT broker, one topic per namespace, for device fleets and city
 * platforms that speak MQTT. Messages are forwarded unchanged (JSON change events), with QoS 1 by
 * default and in the order they arrive; an event at or before the last forwarded one (another node
 * publishing the same block) is dropped, so the topics carry each change once.
 *
 * The bridge adds no trust: what it forwards is as (un)proven as what it received. Subscribers
 * verify against the ledger (docs/sharing.md says how).
 */
import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import type { NatsConnection, Subscription } from '@nats-io/transport-node';
import { UrbisError, isUrbisError } from '../core/errors.js';
import { changeFilter, mqttTopic, parseChangeMessage } from './changes.js';

export interface MqttBridgeOptions {
  nc: NatsConnection;
  chainId: string;
  /** Broker URL: `mqtt://host:1883`, `mqtts://…`, `ws://…`. */
  mqttUrl: string;
  /** Credentials for the broker (from the environment, never flags). */
  username?: string;
  password?: string;
  /** Forward only this namespace and everything below it. */
  ns?: string;
  /** First topic level (default `urbis`). */
  prefix?: string;
  qos?: 0 | 1 | 2;
  log?: (line: string) => void;
}

export interface RunningMqttBridge {
  /** NATS subject subscribed to. */
  subject: string;
  forwarded(): number;
  dropped(): number;
  close(): Promise<void>;
}

/**
 * Connects to the broker, subscribes to the change subjects and forwards until closed.
 * @throws UrbisError NODE_NOT_READY when the broker cannot be reached at start.
 */
export async function startMqttBridge(o: MqttBridgeOptions): Promise<RunningMqttBridge> {
  const log = o.log ?? (() => {});
  const subject = changeFilter(o.chainId, o.ns);
  const qos = o.qos ?? 1;
  const opts: IClientOptions = {
    clientId: `urbis-bridge-${o.chainId}-${process.pid}`,
    reconnectPeriod: 1000,
    connectTimeout: 10_000,
    ...(o.username === undefined ? {} : { username: o.username }),
    ...(o.password === undefined ? {} : { password: o.password }),
  };
  let client: MqttClient;
  try {
    client = await mqtt.connectAsync(o.mqttUrl, opts);
  } catch (e) {
    throw new UrbisError('NODE_NOT_READY', `cannot connect to the MQTT broker at ${o.mqttUrl}: ${(e as Error).message}`, { retryAfterMs: 5000 }, { cause: e });
  }
  client.on('error', (e) => log(`MQTT: ${e.message}`));
  let forwarded = 0;
  let dropped = 0;
  let last = { height: -1, seq: -1 };
  const sub: Subscription = o.nc.subscribe(subject);
  const loop = (async () => {
    for await (const m of sub) {
      let ev;
      try {
        ev = parseChangeMessage(o.chainId, m.subject, m.data);
      } catch (e) {
        if (!isUrbisError(e)) throw e;
        dropped++;
        log(`dropped a message on ${m.subject}: ${e.message}`);
        continue;
      }
      if (ev.height < last.height || (ev.height === last.height && ev.seq <= last.seq)) {
        dropped++;
        continue;
      }
      last = { height: ev.height, seq: ev.seq };
      try {
        await client.publishAsync(mqttTopic(m.subject, o.prefix), Buffer.from(m.data), { qos });
        forwarded++;
      } catch (e) {
        // The client queues while disconnected; an error here means the message is lost.
        dropped++;
        log(`MQTT publish of ${ev.height}.${ev.seq} failed: ${(e as Error).message}`);
      }
    }
  })();
  log(`forwarding ${subject} to ${o.mqttUrl} as ${o.prefix ?? 'urbis'}/${o.chainId}/changes/…`);
  return {
    subject,
    forwarded: () => forwarded,
    dropped: () => dropped,
    async close() {
      sub.unsubscribe();
      await loop.catch(() => undefined);
      await client.endAsync();
    },
  };
}

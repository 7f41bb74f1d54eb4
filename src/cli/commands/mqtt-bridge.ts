/**
 * `urbis mqtt-bridge`: forwards a network's change feed from NATS (published by nodes started with
 * `--publish-changes`) to an MQTT broker, one topic per namespace (docs/sharing.md "Real-time
 * feeds"). Runs until SIGINT or SIGTERM.
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { canonicalNsPath } from '../../core/ledger/names.js';
import { intArg } from '../args.js';
import { usage } from '../failure.js';
import { jsonOption, type CommonOpts } from '../options.js';

interface MqttBridgeOpts extends CommonOpts {
  network: string;
  mqtt: string;
  ns?: string;
  topicPrefix: string;
  qos: number;
}

export function registerMqttBridge(program: Command): void {
  jsonOption(
    program
      .command('mqtt-bridge')
      .description("forward the network's change feed from its NATS subjects to an MQTT broker, one topic per namespace")
      .requiredOption('--network <file>', 'the network file (docs/network.md): chain id and NATS servers')
      .requiredOption('--mqtt <url>', 'MQTT broker, e.g. mqtt://127.0.0.1:1883 (credentials: $URBIS_MQTT_USERNAME, $URBIS_MQTT_PASSWORD)')
      .option('--ns <namespace>', 'forward only this namespace and everything below it')
      .option('--topic-prefix <level>', 'first MQTT topic level', 'urbis')
      .option('--qos <n>', 'MQTT QoS of the forwarded messages (0, 1 or 2)', intArg(0), 1),
  ).action(async (o: MqttBridgeOpts) => {
    if (!/^(mqtts?|wss?):\/\/[^\s/]+/.test(o.mqtt)) usage(`--mqtt must be an mqtt://, mqtts://, ws:// or wss:// URL, not ${o.mqtt}`);
    if (o.qos > 2) usage('--qos must be 0, 1 or 2');
    if (!/^[A-Za-z0-9_-]{1,64}$/.test(o.topicPrefix)) usage('--topic-prefix must be one topic level of letters, digits, _ and -');
    const ns = o.ns === undefined ? undefined : canonicalNsPath(o.ns, '--ns');
    const { loadNetworkConfig } = await import('../../network/config.js');
    const { connectNats } = await import('../../ordering/jetstream/streams.js');
    const { startMqttBridge } = await import('../../network/mqtt-bridge.js');
    const network = loadNetworkConfig(o.network);
    const log = (line: string) => process.stderr.write(`${new Date().toISOString()} ${line}\n`);
    const nc = await connectNats(network.nats, `urbis-mqtt-bridge-${network.chainId}-${process.pid}`);
    const bridge = await startMqttBridge({
      nc,
      chainId: network.chainId,
      mqttUrl: o.mqtt,
      ...(process.env.URBIS_MQTT_USERNAME ? { username: process.env.URBIS_MQTT_USERNAME } : {}),
      ...(process.env.URBIS_MQTT_PASSWORD ? { password: process.env.URBIS_MQTT_PASSWORD } : {}),
      ...(ns === undefined ? {} : { ns }),
      prefix: o.topicPrefix,
      qos: o.qos as 0 | 1 | 2,
      log,
    }).catch(async (e: unknown) => {
      await nc.close();
      throw e;
    });
    const line = {
      subject: bridge.subject,
      mqtt: o.mqtt,
      topics: `${o.topicPrefix}/${network.chainId}/changes/${ns === undefined ? '' : `${ns.replaceAll('.', '/')}/`}#`,
    };
    process.stdout.write(o.json ? `${JSON.stringify(line)}\n` : `forwarding ${line.subject} to ${o.mqtt} (topics ${line.topics})\n`);
    await new Promise<void>((done) => {
      const stop = () => {
        void bridge
          .close()
          .then(() => nc.close())
          .catch((e: unknown) => process.stderr.write(`urbis: stopping the bridge: ${(e as Error).message}\n`))
          .then(() => done());
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });
}

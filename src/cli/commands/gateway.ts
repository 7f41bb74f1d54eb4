/**
 * `urbis gateway`: the provider gateway (docs/sharing.md "Gateway"), a reverse proxy in front of a
 * data service that admits only RFC 9421-signed requests of grantees holding a valid grant of the
 * service on the ledger. It follows one node, verifying every answer against the genesis given with
 * --genesis (never the node's own: an access decision does not trust on first use).
 *
 * Spec: docs/cli.md.
 */
import type { Command } from 'commander';
import { parseIdentifier } from '../../core/ids/index.js';
import { anchoredClient } from '../anchored-client.js';
import { intArg } from '../args.js';
import { usage } from '../failure.js';
import { loadSigner } from '../local.js';
import { jsonOption, type CommonOpts } from '../options.js';

// --max-age here is the signature age of the gateway, not the node-read option of CommonOpts.
interface GatewayOpts extends Omit<CommonOpts, 'maxAge'> {
  upstream: string;
  service: string;
  fragment?: string;
  port: number;
  host: string;
  authority?: string[];
  maxAge: number;
  refreshMs?: number;
  feed: boolean;
  receipts?: boolean;
  receiptsIntervalMs: number;
}

export function registerGateway(program: Command): void {
  jsonOption(
    program
      .command('gateway')
      .description('run a provider gateway: admit signed requests of granted consumers and forward them upstream')
      .requiredOption('--upstream <url>', 'base URL of the protected service, e.g. http://127.0.0.1:9000')
      .requiredOption('--service <id>', 'the service or dataset identifier whose grants are enforced')
      .option('--fragment <id>', 'the service of the record this gateway serves, e.g. #api (checked against grant scopes)')
      .option('--node <url>', 'the node to follow (default: $URBIS_NODE)')
      .option('--genesis <file>', 'genesis.json of the network: the trust anchor (default: $URBIS_GENESIS)')
      .option('--port <n>', 'TCP port (0 = any free port)', intArg(0), 8443)
      .option('--host <addr>', 'address to listen on', '127.0.0.1')
      .option(
        '--authority <host:port>',
        'authority requests must be signed for (repeatable; default: the listening address and the service endpoints of the record)',
        (v: string, acc: string[] = []) => [...acc, v],
      )
      .option('--max-age <seconds>', 'oldest accepted signature', intArg(1), 60)
      .option('--refresh-ms <n>', 'how often the node head is polled (default 1000, or 250 with --no-feed)', intArg(50))
      .option('--no-feed', "do not follow the node's change feed (poll only)")
      .option('--receipts', 'record access receipts and anchor their batch roots on the ledger (needs --key)')
      .option('--receipts-interval-ms <n>', 'how often receipts are anchored', intArg(100), 5000)
      .option('--key <file>', 'with --receipts: a controller key of the service (default: $URBIS_KEY_FILE, $URBIS_KEY)'),
  ).action(async (o: GatewayOpts) => {
    const service = parseIdentifier(o.service).text;
    const { client, node } = await anchoredClient(o, 'gateway');
    const { GrantView } = await import('../../gateway/view.js');
    const { createGatewayServer } = await import('../../gateway/proxy.js');
    const { ReceiptBatcher } = await import('../../gateway/receipts.js');
    let receipts: InstanceType<typeof ReceiptBatcher> | undefined;
    if (o.receipts) {
      if (o.key === undefined && !process.env.URBIS_KEY_FILE && !process.env.URBIS_KEY)
        usage('--receipts needs a controller key of the service: --key FILE, or URBIS_KEY_FILE / URBIS_KEY');
      const signer = await loadSigner({ ...o, maxAge: undefined });
      receipts = new ReceiptBatcher({
        client,
        service,
        signer,
        intervalMs: o.receiptsIntervalMs,
        onAnchored: (a) => process.stderr.write(`${new Date().toISOString()} anchored ${a.count} receipts, root ${a.root}, tx ${a.tx} in block ${a.height}\n`),
        onError: (e) => process.stderr.write(`${new Date().toISOString()} anchoring receipts failed (will retry): ${(e as Error).message}\n`),
      });
    }
    const view = new GrantView(client, service, { feed: o.feed, ...(o.refreshMs === undefined ? {} : { refreshMs: o.refreshMs }) });
    await view.start();
    const rec = await client.resolve(service);
    if (!rec.present || !rec.entry) usage(`${service} is not registered (verified by a proof at block ${rec.height})`);
    const authorities = new Set((o.authority ?? []).map((a) => a.toLowerCase()));
    if (!o.authority) {
      for (const s of rec.entry.record.services ?? []) {
        if (/^https?:/.test(s.serviceEndpoint)) authorities.add(new URL(s.serviceEndpoint).host.toLowerCase());
      }
    }
    const app = createGatewayServer({
      upstream: o.upstream,
      view,
      authorities,
      maxAgeSec: o.maxAge,
      ...(o.fragment ? { service: o.fragment } : {}),
      ...(receipts ? { receipts } : {}),
    });
    receipts?.start();
    const addr = await app.listen({ port: o.port, host: o.host });
    const url = new URL(addr);
    // The gateway reads the set by reference: its own address is added once the port is known.
    if (!o.authority) authorities.add(url.host.toLowerCase());
    const line = { url: addr, service, node, upstream: o.upstream, authorities: [...authorities], height: view.height };
    process.stdout.write(
      o.json ? `${JSON.stringify(line)}\n` : `gateway for ${service} on ${addr}, following ${node} (height ${view.height}), forwarding to ${o.upstream}\n`,
    );
    await new Promise<void>((done) => {
      const stop = () => {
        view.stop();
        void app
          .close()
          .then(() => receipts?.stop())
          .catch((e: unknown) => process.stderr.write(`urbis: anchoring the last receipts failed: ${(e as Error).message}\n`))
          .then(() => done());
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
    });
  });
}

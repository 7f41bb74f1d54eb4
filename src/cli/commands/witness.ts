/**
 * `urbis witness key` and `urbis witness cosign`: a small witness of a chain's checkpoints
 * (docs/protocol.md "Checkpoints and witnesses", c2sp.org/tlog-cosignature). It cosigns the
 * node's latest checkpoint only after checking that it extends the last checkpoint it cosigned
 * (`GET /v1/consistency`, the SDK's verifyExtends), and keeps that checkpoint's certified header in
 * its state file, so that it never cosigns two histories.
 *
 * Spec: docs/cli.md "Witness".
 */
import { join } from 'node:path';
import type { Command } from 'commander';
import { UrbisError } from '../../core/errors.js';
import { cosigner } from '../../core/note/index.js';
import { loadSigningKey } from '../../keys/keyfile.js';
import { parseTrustedHead } from '../../client/trust-state.js';
import { fileTrustStore } from '../../platform/trust-file.js';
import { usage } from '../failure.js';
import { emit } from '../output.js';
import { targetOptions, type CommonOpts } from '../options.js';
import { nodeUrl, openNode, trustDir } from '../target/connect.js';

interface WitnessOpts extends Omit<CommonOpts, 'key'> {
  key?: string;
  name?: string;
  state?: string;
}

async function witnessKey(o: WitnessOpts) {
  if (!o.key) usage('give the witness key file: --key FILE (create one with urbis key new --out FILE)');
  if (!o.name) usage('give the witness name: --name NAME (a schema-less URL such as witness.example.org/w1)');
  const key = await loadSigningKey({ file: o.key });
  return cosigner(o.name, key.seed);
}

export function registerWitness(program: Command): void {
  const w = program.command('witness').description('witness a chain: cosign its checkpoints after checking consistency (docs/cli.md "Witness")');
  w.command('key')
    .description("print the witness's verifier key (name+keyID+base64(0x04 ‖ key)), what nodes and clients are given")
    .requiredOption('--key <file>', 'witness key file')
    .requiredOption('--name <name>', 'witness name, e.g. witness.example.org/w1')
    .option('--json', 'machine-readable output (one JSON document on stdout)')
    .action(async (o: WitnessOpts) => {
      const c = await witnessKey(o);
      emit(o, { name: c.name, keyId: c.keyId, vkey: c.vkey }, () => [c.vkey]);
    });
  targetOptions(
    w
      .command('cosign')
      .description("cosign the node's latest checkpoint if it extends the last one this witness cosigned")
      .requiredOption('--key <file>', 'witness key file')
      .requiredOption('--name <name>', 'witness name, e.g. witness.example.org/w1')
      .option('--state <dir>', "where the witness keeps the last checkpoint it cosigned (default: the CLI's trust directory, under witness/)"),
  ).action(async (o: WitnessOpts) => {
    const url = nodeUrl(o as CommonOpts);
    if (url === undefined) usage('urbis witness cosign needs --node URL (or URBIS_NODE)');
    const c = await witnessKey(o);
    const { target } = await openNode(url, o as CommonOpts);
    const client = target.client;
    const chainId = client.anchor.chainId;
    const store = fileTrustStore(o.state ?? join(trustDir(), 'witness'));
    const stateKey = `${chainId}.${c.keyId}`;
    const { checkpoint, header } = await client.checkpointNote();
    const last = parseTrustedHead(store.load(stateKey), chainId);
    if (last) {
      if (checkpoint.size < last.height) {
        throw new UrbisError(
          'CLIENT_ROLLBACK',
          `the node's checkpoint of size ${checkpoint.size} is older than the one this witness cosigned (${last.height})`,
          {
            size: checkpoint.size,
            cosigned: last.height,
          },
        );
      }
      // CHAIN_FORKED (reported to the node as evidence) or CHAIN_INCONSISTENT: never cosigned.
      await client.verifyExtends({ header: last.header, headerHash: last.headerHash, cert: last.cert, signers: last.cert.sigs.length }, header);
    }
    // Kept before cosigning: what the witness saw is what it will check the next checkpoint against.
    store.save(stateKey, { height: header.header.height, headerHash: header.headerHash, time: header.header.time, header: header.header, cert: header.cert });
    const time = Math.floor(Date.now() / 1000);
    const line = c.cosign(checkpoint.text, time);
    const stored = await client.submitCosignature(checkpoint.size, c.vkey, line);
    emit(
      o,
      { node: url, witness: c.vkey, size: checkpoint.size, root: checkpoint.root, headerHash: header.headerHash, previous: last?.height ?? null, time, stored },
      () => [
        `cosigned checkpoint ${checkpoint.size} (root ${checkpoint.root}) of ${chainId}`,
        last ? `extends the checkpoint ${last.height} cosigned before` : 'first checkpoint cosigned by this witness for this chain',
        `witness: ${c.vkey}`,
      ],
    );
  });
}

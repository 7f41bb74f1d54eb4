/**
 * `urbis trust export`: writes a trust bundle (docs/codes.md §8) for offline verification: from the
 * data directory, signed with its validator key, or fetched from a node (`--node`) and verified
 * against the trust anchor before it is written.
 *
 * Spec: docs/cli.md "Codes".
 */
import { writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { UrbisError } from '../../core/errors.js';
import { decodeTrustBundle, openTrustBundle } from '../../core/codes/index.js';
import { exportTrustBundle } from '../../engine/trust-bundle.js';
import { withDir } from '../local.js';
import { nodeUrl } from '../target.js';
import { targetOptions, type CommonOpts } from '../options.js';
import { emit, isoTime } from '../output.js';
import { offlineAnchor } from '../codes.js';

export function registerTrustExport(trust: Command): void {
  targetOptions(
    trust
      .command('export')
      .description('write a signed trust bundle: certified checkpoint, validator and issuer keys, revocations')
      .requiredOption('--out <file>', 'bundle file to write'),
  ).action(async (o: CommonOpts & { out: string }) => {
    const url = nodeUrl(o);
    let bytes: Uint8Array;
    let source: string;
    if (url === undefined) {
      // The validator key signs: the directory is opened for writing (its key loaded), nothing is written.
      bytes = await withDir(o, false, (d) => {
        if (!d.validator) throw new UrbisError('BUNDLE_UNAVAILABLE', 'the data directory holds no validator key');
        return exportTrustBundle(d.store, d.validator, Date.now()).bytes;
      });
      source = 'the data directory';
    } else {
      let res: Response;
      try {
        res = await fetch(`${url.replace(/\/+$/, '')}/v1/trust/bundle`, { signal: AbortSignal.timeout(60_000) });
      } catch (e) {
        throw new UrbisError('CLIENT_TIMEOUT', `the node at ${url} did not answer: ${(e as Error).message}`);
      }
      if (!res.ok) throw new UrbisError('CLIENT_HTTP', `the node answered ${res.status} to /v1/trust/bundle: ${(await res.text()).slice(0, 300)}`);
      bytes = new Uint8Array(await res.arrayBuffer());
      source = url;
    }
    // Whatever its origin, check it before writing it: signature, certificate, anchor.
    const { anchor, from } = offlineAnchor(o);
    const b = await openTrustBundle(bytes, anchor);
    writeFileSync(o.out, bytes);
    const c = decodeTrustBundle(bytes).content;
    const doc = {
      out: o.out,
      bytes: bytes.length,
      chain: c.chain,
      height: c.header.height,
      checkpointTime: isoTime(c.header.time),
      issuedAt: isoTime(c.issuedAt),
      signer: b.signer,
      anchor: from,
      namespacesWithIssuers: c.issuers.length,
      revocations: { items: c.revocations.m, bytes: c.revocations.data.length, p: c.revocations.p },
      source,
    };
    emit(o, doc, () => [
      `trust bundle of ${c.chain} at block ${c.header.height} written to ${o.out} (${bytes.length} bytes)`,
      `  signed by ${b.signer}; ${c.issuers.length} namespaces with issuers; ${c.revocations.m} revocations (${c.revocations.data.length} bytes); checked against ${from}`,
    ]);
  });
}

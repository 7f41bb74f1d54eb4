/**
 * End to end: `urbis node start` as a real process (first start: keys, genesis, demo data), talked
 * to over a socket by the SDK, which verifies every answer against the genesis in the data
 * directory; a write through the SDK; DID resolution through the `did-resolver` package; a clean
 * shutdown on SIGTERM that keeps everything.
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Resolver } from 'did-resolver';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/platform/node.js';
import { UrbisClient, getResolver } from '../../src/client/index.js';
import { signerFromSeed } from '../../src/core/ledger/tx.js';
import type { Tx } from '../../src/core/ledger/types.js';
import { readKeyFile } from '../../src/keys/keyfile.js';
import { isUrbisError } from '../../src/core/errors.js';
import { objectIdText } from '../../src/core/ledger/names.js';
import { runCli, startNodeProcess } from '../helpers/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'urbis-e2e-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('a node process and the SDK', () => {
  it('starts with demo data, answers verified resolutions, takes writes, and stops cleanly', async () => {
    const node = await startNodeProcess(['node', 'start', '--dir', dir, '--port', '0', '--json']);
    let exited = false;
    try {
      const genesis = JSON.parse(readFileSync(join(dir, 'genesis.json'), 'utf8')) as Tx<'genesis'>;
      const client = new UrbisClient({ url: node.url, anchor: UrbisClient.anchorFromGenesis(genesis) });
      // Keys are files with mode 0600.
      for (const k of ['validator.key', 'root.key', 'city-130100.key']) expect(statSync(join(dir, 'keys', k)).mode & 0o777).toBe(0o600);

      const cams = await client.search({ type: 'camera', limit: 3 });
      expect(cams.items.length).toBe(3);
      const cam = await client.resolve(cams.items[0]!.id);
      expect(cam.present).toBe(true);
      // Links across the two cities: Beijing datasets derived from Shijiazhuang lamps.
      const lamp = (await client.search({ type: 'lamp', ns: '156.130100.42', limit: 1 })).items[0]!;
      const linked = await client.search({ linkedTo: lamp.id });
      expect(linked.items.some((e) => e.ns.startsWith('156.110000'))).toBe(true);
      const deactivated = await client.search({ status: 'deactivated' });
      expect(deactivated.items.length).toBeGreaterThan(0);

      const city = signerFromSeed((await readKeyFile(join(dir, 'keys', 'city-130100.key'))).seed);
      const done = await client.registerId({ id: '156.130100/PANEL-1', record: { type: 'device', attributes: { kind: 'info-panel' } } }, [city]);
      expect(done.result.ok).toBe(true);
      const kiosk = await client.resolve(objectIdText('156.130100', 'PANEL-1'));
      expect(kiosk.present).toBe(true);
      // Absent: a verified proof of non-inclusion, not an error.
      const absent = await client.resolve(objectIdText('156.130100', 'PANEL-2'));
      expect(absent.present).toBe(false);
      // Without its check character a read is refused as a typo would be, never answered "not found".
      const unchecked = await client.resolve('156.130100/PANEL-2').catch((e: unknown) => e);
      expect(isUrbisError(unchecked, 'ID_CHECK_MISSING')).toBe(true);

      // An unauthorised write is committed as invalid and reported with its code.
      const stranger = signerFromSeed(new Uint8Array(32).fill(7));
      const refused = await client.registerId({ id: '156.130100/PANEL-9', record: { type: 'device' } }, [stranger]).catch((e: unknown) => e);
      expect(isUrbisError(refused, 'AUTH_NOT_REGISTRAR')).toBe(true);

      const resolver = new Resolver(getResolver({ url: node.url, anchor: UrbisClient.anchorFromGenesis(genesis) }));
      const did = await resolver.resolve(cam.did);
      expect(did.didDocument?.id).toBe(cam.did);
      expect(did.didDocumentMetadata.versionId).toBe(String(cam.entry!.version));

      node.kill('SIGTERM');
      expect(await node.exited).toBe(0);
      exited = true;
      // Everything is still there, and the chain re-verifies.
      const verify = JSON.parse((await runCli(['verify', '--dir', dir, '--json'])).stdout) as { ok: boolean };
      expect(verify.ok).toBe(true);
    } finally {
      if (!exited) node.kill('SIGKILL');
    }
  }, 120_000);
});

/**
 * The demo data set loaded on a node's first start: one country, two cities, a few organisations and
 * a few hundred objects of several types, linked across the two cities, a few of them deactivated.
 *
 * Everything goes through signed transactions like any other write. The city keys are written to
 * `<dir>/keys/city-<code>.key` (mode 0600) so that a user can go on writing in those namespaces.
 */
import { join } from 'node:path';
import { generateSeed } from '../core/crypto/index.js';
import { UrbisError } from '../core/errors.js';
import { buildTxBody, signTx, signerFromSeed, type Signer } from '../core/ledger/tx.js';
import type { Payloads, Policy, TxType } from '../core/ledger/types.js';
import { objectIdText } from '../core/ledger/names.js';
import { paths, type OpenDir } from './data-dir.js';
import { readKeyFile, writeKeyFile } from '../keys/keyfile.js';

const CITY_POLICY: Policy = {
  children: { charset: 'digits', minLength: 1, maxLength: 6 },
  ids: { charset: 'alnum', minLength: 1, maxLength: 32 },
  serialWidth: 6,
};
/** Organisations register objects but have no sub-namespaces in the demo. */
const ORG_POLICY: Policy = { ids: { charset: 'alnum', minLength: 1, maxLength: 32 }, serialWidth: 6 };

/**
 * Loads the demo data set into an open data directory.
 *
 * @returns the number of transactions committed.
 */
export async function loadDemo(dir: OpenDir): Promise<number> {
  const rootKey = await readKeyFile(paths(dir.dir).rootKey);
  const root = signerFromSeed(rootKey.seed);
  const cityKey = async (code: string): Promise<Signer> => {
    const seed = generateSeed();
    await writeKeyFile(join(paths(dir.dir).keys, `city-${code}.key`), seed);
    return signerFromSeed(seed);
  };
  const sjz = await cityKey('130100');
  const bj = await cityKey('110000');
  let count = 0;
  let time = Date.now();
  const run = async <T extends TxType>(type: T, payload: Payloads[T], signer: Signer): Promise<void> => {
    const tx = signTx(buildTxBody(type, payload, { chain: dir.config.chainId, now: time }), [signer]);
    const { done } = dir.sequencer.submit(tx);
    dir.sequencer.cut();
    const o = await done;
    if (!o.result.ok) throw new UrbisError('INTERNAL', `demo transaction ${type} failed: ${o.result.code}: ${o.result.message}`);
    count++;
    time += 1;
  };
  const owner = (s: Signer) => ({ keys: [s.id], threshold: 1 });

  await run(
    'ns.create',
    {
      ns: '156',
      controllers: owner(root),
      policy: { ...CITY_POLICY, children: { charset: 'digits', minLength: 6, maxLength: 6 } },
      record: { type: 'country', attributes: { name: 'China', iso3166: '156' } },
    },
    root,
  );
  await run(
    'ns.create',
    {
      ns: '156.130100',
      controllers: owner(sjz),
      policy: CITY_POLICY,
      limits: { maxChildren: 100, maxIds: 1_000_000 },
      record: { type: 'city', attributes: { name: 'Shijiazhuang', adminCode: '130100' } },
    },
    root,
  );
  await run(
    'ns.create',
    {
      ns: '156.110000',
      controllers: owner(bj),
      policy: CITY_POLICY,
      limits: { maxChildren: 100, maxIds: 1_000_000 },
      record: { type: 'city', attributes: { name: 'Beijing', adminCode: '110000' } },
    },
    root,
  );
  const orgs: Array<[string, Signer, string]> = [
    ['156.130100.42', sjz, 'Street Lighting Department'],
    ['156.130100.7', sjz, 'Public Transport Company'],
    ['156.110000.3', bj, 'Municipal Data Bureau'],
  ];
  for (const [ns, s, name] of orgs) {
    await run('ns.create', { ns, controllers: owner(s), policy: ORG_POLICY, record: { type: 'organisation', attributes: { name } } }, s);
  }
  // Buildings in each city, then objects located in them.
  for (const [city, s] of [
    ['156.130100', sjz],
    ['156.110000', bj],
  ] as const) {
    await run('id.allocate', { ns: city, prefix: 'BLDG-', count: 12, record: { type: 'building', attributes: { floors: 6 } } }, s);
  }
  const bldg = (city: string, n: number) => objectIdText(city, `BLDG-${String(n).padStart(6, '0')}`);
  await run(
    'id.allocate',
    {
      ns: '156.130100.42',
      prefix: 'LAMP-',
      count: 160,
      record: {
        type: 'lamp',
        attributes: { power: 60, technology: 'LED' },
        links: [{ rel: 'operated-by', target: objectIdText('156.130100', 'BLDG-000001') }],
      },
    },
    sjz,
  );
  for (let i = 1; i <= 40; i++) {
    await run(
      'id.register',
      {
        id: `156.130100.42/CAM-${String(i).padStart(4, '0')}`,
        record: {
          type: 'camera',
          attributes: { resolution: '1080p', zone: `Z${1 + (i % 5)}` },
          links: [{ rel: 'located-in', target: bldg('156.130100', 1 + (i % 12)) }],
          services: [{ id: '#feed', type: 'VideoFeed', serviceEndpoint: `https://video.sjz.example/cams/${i}` }],
        },
      },
      sjz,
    );
  }
  await run('id.allocate', { ns: '156.130100.7', prefix: 'BUS-', count: 30, record: { type: 'vehicle', attributes: { kind: 'bus', fuel: 'electric' } } }, sjz);
  await run('id.allocate', { ns: '156.110000', prefix: 'MTR-', count: 40, record: { type: 'meter', attributes: { kind: 'water' } } }, bj);
  // Datasets and services in Beijing that describe and link to objects of Shijiazhuang.
  for (let i = 1; i <= 10; i++) {
    await run(
      'id.register',
      {
        id: `156.110000.3/DS-${String(i).padStart(3, '0')}`,
        record: {
          type: 'dataset',
          attributes: { title: `Shared street data ${i}`, licence: 'CC-BY-4.0' },
          links: [
            { rel: 'derived-from', target: objectIdText('156.130100.42', `LAMP-${String(i).padStart(6, '0')}`) },
            { rel: 'located-in', target: bldg('156.110000', i) },
          ],
          services: [{ id: '#data', type: 'DataAPI', serviceEndpoint: `https://data.bj.example/datasets/${i}` }],
        },
      },
      bj,
    );
  }
  await run(
    'id.register',
    {
      id: '156.110000.3/SVC-DATA',
      record: {
        type: 'service',
        attributes: { title: 'Cross-city open data service' },
        links: [{ rel: 'serves', target: objectIdText('156.130100', 'BLDG-000002') }],
        services: [{ id: '#api', type: 'OpenDataAPI', serviceEndpoint: 'https://data.bj.example/api' }],
      },
    },
    bj,
  );
  // A few retired objects.
  for (const n of [3, 7, 11]) {
    await run('id.deactivate', { id: objectIdText('156.130100.42', `LAMP-${String(n).padStart(6, '0')}`), reason: 'replaced' }, sjz);
  }
  return count;
}

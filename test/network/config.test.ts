/**
 * The network file (docs/network.md "Configuration"): every fault is NET_CONFIG_INVALID naming the
 * field; the config record pins what nodes must agree on.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import '../../src/platform/node.js';
import { generateSeed } from '../../src/core/crypto/index.js';
import { signerFromSeed } from '../../src/core/ledger/tx.js';
import { loadNetworkConfig, parseNetworkConfig } from '../../src/network/config.js';
import { checkConfigRecord, configRecord, streamNames } from '../../src/ordering/jetstream/settings.js';
import { buildGenesis } from '../../src/network/genesis.js';
import { isUrbisError } from '../../src/core/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'urbis-netcfg-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const keys = Array.from({ length: 4 }, () => signerFromSeed(generateSeed()).id);
const genesis = buildGenesis({ chainId: 'urbis-test', validators: keys, root: { keys: [keys[0]!], threshold: 1 }, time: 1_700_000_000_000 });
const base = { chainId: 'urbis-test', genesis, nats: { servers: ['nats://127.0.0.1:4222'] } };

function fieldOf(doc: unknown): string {
  try {
    parseNetworkConfig(doc, dir);
  } catch (e) {
    if (isUrbisError(e) && e.code === 'NET_CONFIG_INVALID') return String(e.details?.field);
    throw e;
  }
  return 'ok';
}

describe('network file', () => {
  it('fills documented defaults and derives stream names', () => {
    const c = parseNetworkConfig(base, dir);
    expect(c).toMatchObject({ chainId: 'urbis-test', replicas: 3, duplicateWindowMs: 120_000, blockIntervalMs: 50, maxBlockTxs: 2000, maxInFlight: 2000 });
    expect(c.names).toEqual({
      stream: 'URBIS_URBIS_TEST',
      sigStream: 'URBIS_SIG_URBIS_TEST',
      tx: 'urbis.urbis-test.tx',
      tick: 'urbis.urbis-test.tick',
      config: 'urbis.urbis-test.config',
      sig: 'urbis.urbis-test.sig',
    });
    expect(streamNames('a-b', 'MINE').sigStream).toBe('MINE_SIG');
  });

  it('reads the genesis from a path relative to the file, and TLS paths likewise', () => {
    writeFileSync(join(dir, 'genesis.json'), JSON.stringify(genesis));
    writeFileSync(join(dir, 'net.json'), JSON.stringify({ ...base, genesis: 'genesis.json', nats: { servers: ['tls://h:4222'], tls: { ca: 'ca.pem' } } }));
    const c = loadNetworkConfig(join(dir, 'net.json'));
    expect(c.genesis).toEqual(genesis);
    expect(c.nats.tls?.ca).toBe(join(dir, 'ca.pem'));
  });

  it('names the offending field', () => {
    expect(fieldOf({ ...base, chainId: 'Bad_Chain' })).toBe('chainId');
    expect(fieldOf({ ...base, chainId: 'other' })).toBe('genesis');
    expect(fieldOf({ ...base, nats: { servers: [] } })).toBe('nats.servers');
    expect(fieldOf({ ...base, nats: { servers: ['http://x'] } })).toBe('nats.servers[0]');
    expect(fieldOf({ ...base, nats: { servers: ['nats://h:1'], pass: 'x' } })).toBe('nats.pass');
    expect(fieldOf({ ...base, nats: { servers: ['nats://h:1'], user: 'u', token: 't' } })).toBe('nats');
    expect(fieldOf({ ...base, nats: { servers: ['nats://h:1'], tls: { cert: 'c' } } })).toBe('nats.tls');
    expect(fieldOf({ ...base, stream: { replicas: 7 } })).toBe('stream.replicas');
    expect(fieldOf({ ...base, stream: { name: 'a.b' } })).toBe('stream.name');
    expect(fieldOf({ ...base, maxBlockTxs: 0 })).toBe('maxBlockTxs');
    expect(fieldOf({ ...base, blockIntervalMs: 1.5 })).toBe('blockIntervalMs');
    expect(fieldOf({ ...base, heartbeatMs: 50 })).toBe('heartbeatMs');
    expect(fieldOf({ ...base, heartbeatMs: -1 })).toBe('heartbeatMs');
    expect(parseNetworkConfig({ ...base, heartbeatMs: 0 }, dir).heartbeatMs).toBe(0);
    expect(fieldOf({ ...base, validatorKey: 'secret' })).toBe('validatorKey');
    expect(fieldOf({ ...base, genesis: 'missing.json' })).toBe('genesis');
    expect(fieldOf({ ...base, genesis: { ...genesis, body: { ...genesis.body, type: 'ns.create' } } })).toBe('genesis.body.type');
    expect(fieldOf([])).toBe('(document)');
  });

  it('refuses to join a network whose config record disagrees', () => {
    const mine = configRecord(parseNetworkConfig(base, dir));
    expect(() => checkConfigRecord(mine, mine)).not.toThrow();
    expect(() => checkConfigRecord({ ...mine, maxBlockTxs: 10 }, mine)).toThrow(/maxBlockTxs/);
    expect(() => checkConfigRecord({ ...mine, genesisHash: 'x' }, mine)).toThrow(/genesisHash/);
    // The heartbeat is part of the cutting rule: pinned, default 30 s; a record stored before it
    // existed means 0 (off), and a node expecting heartbeats refuses to cut differently.
    expect(mine.heartbeatMs).toBe(30_000);
    expect(() => checkConfigRecord({ ...mine, heartbeatMs: 5000 }, mine)).toThrow(/heartbeatMs/);
    const { heartbeatMs: _omit, ...old } = mine;
    expect(() => checkConfigRecord(old, mine)).toThrow(/heartbeatMs/);
    expect(() => checkConfigRecord(old, { ...mine, heartbeatMs: 0 })).not.toThrow();
    expect(() => checkConfigRecord(null, mine)).toThrow(/chainId/);
  });

  it('builds a genesis only from well-formed validator and root keys', () => {
    expect(genesis.body.payload.validators).toEqual([...keys].sort());
    expect(() => buildGenesis({ chainId: 'x', validators: ['nope'], root: { keys: [keys[0]!], threshold: 1 }, time: 1 })).toThrow(/Multikey/);
    expect(() => buildGenesis({ chainId: 'x', validators: [keys[0]!, keys[0]!], root: { keys: [keys[0]!], threshold: 1 }, time: 1 })).toThrow(/twice/);
    expect(() => buildGenesis({ chainId: 'x', validators: keys, root: { keys: [keys[0]!], threshold: 2 }, time: 1 })).toThrow();
  });
});

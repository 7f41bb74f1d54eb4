/**
 * The network file: docs/network.md "Configuration". One JSON document shared by every node of a
 * network (only the data directory, port and validator key differ between nodes):
 *
 * ```json
 * {
 *   "chainId": "urbis-demo",
 *   "genesis": "genesis.json",
 *   "nats": { "servers": ["nats://10.0.0.1:4222"], "user": "urbis", "pass": "…", "credsFile": "…",
 *             "tls": { "ca": "ca.pem", "cert": "node.pem", "key": "node-key.pem" } },
 *   "stream": { "name": "URBIS_URBIS_DEMO", "replicas": 3 },
 *   "blockIntervalMs": 50,
 *   "maxBlockTxs": 2000,
 *   "heartbeatMs": 30000
 * }
 * ```
 *
 * Relative paths are relative to the file. The validator key never comes from this file: it is the
 * data directory's `keys/validator.key`, or `URBIS_KEY_FILE`. Every fault is NET_CONFIG_INVALID with
 * the offending field in `details.field`.
 */
import { readFileSync } from 'node:fs';
import { dirname, isAbsolute, resolve } from 'node:path';
import { UrbisError } from '../core/errors.js';
import { txHash } from '../core/ledger/tx.js';
import type { Tx } from '../core/ledger/types.js';
import { streamNames, type JetStreamSettings, type NatsSettings } from '../ordering/jetstream/settings.js';

/** Default heartbeat of a network (docs/network.md "Heartbeat"): as a single node's. */
export const DEFAULT_NETWORK_HEARTBEAT_MS = 30_000;

const CHAIN_RE = /^[a-z0-9][a-z0-9-]{0,62}$/;
const STREAM_RE = /^[A-Za-z0-9_-]{1,64}$/;

/** A parsed and checked network file. */
export interface NetworkConfig extends JetStreamSettings {
  genesis: Tx<'genesis'>;
  blockIntervalMs: number;
  /** Most submissions awaiting their stream acknowledgement per node (default 2000). */
  maxInFlight: number;
  /** Most ordered but not yet applied transactions before submissions are refused (default 50,000). */
  maxBacklog: number;
  /**
   * How long transactions may wait without a certified block, or the ordering stream stay
   * unreachable, before `/readyz` reports the node not ready (default 10,000 ms).
   */
  readyStallMs: number;
  /**
   * Validator keys a joining node trusts to certify a snapshot, when the set changed so much since
   * genesis that no quorum of the genesis validators signs any more (default: the genesis set).
   */
  trustedValidators?: string[];
}

function bad(field: string, message: string): never {
  throw new UrbisError('NET_CONFIG_INVALID', `network file: ${field}: ${message}`, { field });
}

function obj(v: unknown, field: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) bad(field, 'must be an object');
  return v as Record<string, unknown>;
}

function onlyKeys(o: Record<string, unknown>, allowed: string[], field: string): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) bad(field ? `${field}.${k}` : k, 'unknown field');
}

function str(v: unknown, field: string, max = 4096): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > max) bad(field, `must be a non-empty string of at most ${max} characters`);
  return v as string;
}

function int(v: unknown, field: string, min: number, max: number, dflt?: number): number {
  if (v === undefined && dflt !== undefined) return dflt;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < min || v > max) bad(field, `must be an integer in ${min}..${max}`);
  return v as number;
}

function path(v: unknown, field: string, base: string): string {
  const p = str(v, field);
  return isAbsolute(p) ? p : resolve(base, p);
}

function checkGenesis(g: unknown, chainId: string): Tx<'genesis'> {
  const tx = obj(g, 'genesis');
  const body = obj(tx.body, 'genesis.body');
  if (body.type !== 'genesis') bad('genesis.body.type', 'must be "genesis"');
  const payload = obj(body.payload, 'genesis.body.payload');
  if (payload.chainId !== chainId || body.chain !== chainId) bad('genesis', `is for chain "${String(payload.chainId)}", the file says "${chainId}"`);
  if (!Array.isArray(payload.validators) || payload.validators.length === 0 || payload.validators.some((k) => typeof k !== 'string')) {
    bad('genesis.body.payload.validators', 'must be a non-empty list of Multikeys');
  }
  if (!Array.isArray(tx.sigs)) bad('genesis.sigs', 'must be a list');
  return g as Tx<'genesis'>;
}

/**
 * Checks a parsed network document.
 *
 * @param base directory that relative paths are resolved against.
 * @throws UrbisError NET_CONFIG_INVALID naming the field.
 */
export function parseNetworkConfig(doc: unknown, base: string): NetworkConfig {
  const o = obj(doc, '(document)');
  onlyKeys(
    o,
    [
      'chainId',
      'genesis',
      'nats',
      'stream',
      'blockIntervalMs',
      'maxBlockTxs',
      'heartbeatMs',
      'maxInFlight',
      'maxBacklog',
      'readyStallMs',
      'trustedValidators',
      '$comment',
    ],
    '',
  );
  const chainId = str(o.chainId, 'chainId', 63);
  if (!CHAIN_RE.test(chainId)) bad('chainId', 'must match [a-z0-9][a-z0-9-]{0,62}');

  let genesisDoc: unknown = o.genesis;
  if (typeof o.genesis === 'string') {
    const file = path(o.genesis, 'genesis', base);
    try {
      genesisDoc = JSON.parse(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new UrbisError('NET_CONFIG_INVALID', `network file: genesis: cannot read ${file}: ${(e as Error).message}`, { field: 'genesis' }, { cause: e });
    }
  }
  const genesis = checkGenesis(genesisDoc, chainId);

  const n = obj(o.nats, 'nats');
  onlyKeys(n, ['servers', 'user', 'pass', 'token', 'credsFile', 'tls'], 'nats');
  if (!Array.isArray(n.servers) || n.servers.length === 0 || n.servers.length > 64) bad('nats.servers', 'must be a non-empty list of URLs');
  const servers = (n.servers as unknown[]).map((s, i) => {
    const u = str(s, `nats.servers[${i}]`, 512);
    if (!/^(nats|tls):\/\/[^\s/]+$/.test(u) && !/^[^\s/:]+:\d{1,5}$/.test(u)) bad(`nats.servers[${i}]`, 'must look like nats://host:port');
    return u;
  });
  const nats: NatsSettings = { servers };
  if (n.user !== undefined) nats.user = str(n.user, 'nats.user', 256);
  if (n.pass !== undefined) nats.pass = str(n.pass, 'nats.pass', 1024);
  if (n.token !== undefined) nats.token = str(n.token, 'nats.token', 4096);
  if (n.pass !== undefined && n.user === undefined) bad('nats.pass', 'needs nats.user');
  if (n.credsFile !== undefined) nats.credsFile = path(n.credsFile, 'nats.credsFile', base);
  if ([nats.user, nats.token, nats.credsFile].filter((x) => x !== undefined).length > 1) bad('nats', 'give one of user/pass, token or credsFile');
  if (n.tls !== undefined) {
    const t = obj(n.tls, 'nats.tls');
    onlyKeys(t, ['ca', 'cert', 'key'], 'nats.tls');
    nats.tls = {};
    if (t.ca !== undefined) nats.tls.ca = path(t.ca, 'nats.tls.ca', base);
    if (t.cert !== undefined) nats.tls.cert = path(t.cert, 'nats.tls.cert', base);
    if (t.key !== undefined) nats.tls.key = path(t.key, 'nats.tls.key', base);
    if ((nats.tls.cert === undefined) !== (nats.tls.key === undefined)) bad('nats.tls', 'cert and key go together');
  }

  const s = o.stream === undefined ? {} : obj(o.stream, 'stream');
  onlyKeys(s, ['name', 'replicas', 'duplicateWindowMs'], 'stream');
  let name: string | undefined;
  if (s.name !== undefined) {
    name = str(s.name, 'stream.name', 64);
    if (!STREAM_RE.test(name)) bad('stream.name', 'must match [A-Za-z0-9_-]{1,64}');
  }
  const replicas = int(s.replicas, 'stream.replicas', 1, 5, 3);
  const duplicateWindowMs = int(s.duplicateWindowMs, 'stream.duplicateWindowMs', 1000, 24 * 3600 * 1000, 120_000);

  let trustedValidators: string[] | undefined;
  if (o.trustedValidators !== undefined) {
    if (!Array.isArray(o.trustedValidators) || o.trustedValidators.length === 0) bad('trustedValidators', 'must be a non-empty list of Multikeys');
    trustedValidators = (o.trustedValidators as unknown[]).map((k, i) => str(k, `trustedValidators[${i}]`, 100));
  }

  const cfg: NetworkConfig = {
    chainId,
    genesis,
    genesisHash: txHash(genesis.body),
    nats,
    names: streamNames(chainId, name),
    replicas,
    duplicateWindowMs,
    blockIntervalMs: int(o.blockIntervalMs, 'blockIntervalMs', 1, 60_000, 50),
    maxBlockTxs: int(o.maxBlockTxs, 'maxBlockTxs', 1, 100_000, 2000),
    heartbeatMs: int(o.heartbeatMs, 'heartbeatMs', 0, 3_600_000, DEFAULT_NETWORK_HEARTBEAT_MS),
    maxInFlight: int(o.maxInFlight, 'maxInFlight', 1, 100_000, 2000),
    maxBacklog: int(o.maxBacklog, 'maxBacklog', 1, 10_000_000, 50_000),
    readyStallMs: int(o.readyStallMs, 'readyStallMs', 500, 3_600_000, 10_000),
  };
  if (cfg.heartbeatMs !== 0 && cfg.heartbeatMs < 100) bad('heartbeatMs', 'must be 0 (off) or at least 100');
  if (trustedValidators) cfg.trustedValidators = trustedValidators;
  return cfg;
}

/**
 * Reads and checks a network file.
 *
 * @throws UrbisError NET_CONFIG_INVALID.
 */
export function loadNetworkConfig(file: string): NetworkConfig {
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UrbisError('NET_CONFIG_INVALID', `cannot read network file ${file}: ${(e as Error).message}`, { field: '(file)' }, { cause: e });
  }
  return parseNetworkConfig(doc, dirname(resolve(file)));
}

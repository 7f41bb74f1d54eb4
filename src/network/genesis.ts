/**
 * The genesis transaction of a multi-city network: docs/network.md "Genesis". Block 0 holds it
 * alone; it names the chain, the root authority (a controller set) and the validator keys, and is
 * what every reader trusts.
 */
import { UrbisError } from '../core/errors.js';
import { multikeyToPublicKey } from '../core/encoding/index.js';
import { PROTOCOL_VERSION, type ChainParams, type ControllerSet, type Tx } from '../core/ledger/types.js';

export interface GenesisOptions {
  chainId: string;
  /** Validator Multikeys (1..100, distinct). */
  validators: string[];
  /** Root authority. */
  root: ControllerSet;
  /** Genesis time, ms since the epoch. */
  time: number;
  params?: Partial<ChainParams>;
}

/**
 * Builds (does not sign: genesis carries no signature) the genesis transaction.
 *
 * @throws UrbisError VALIDATORS_INVALID, CONTROLLERS_INVALID, NET_CONFIG_INVALID (chain id).
 */
export function buildGenesis(o: GenesisOptions): Tx<'genesis'> {
  if (!/^[a-z0-9][a-z0-9-]{0,62}$/.test(o.chainId))
    throw new UrbisError('NET_CONFIG_INVALID', `chain id "${o.chainId}" must match [a-z0-9][a-z0-9-]{0,62}`, { field: 'chainId' });
  if (o.validators.length === 0 || o.validators.length > 100) throw new UrbisError('VALIDATORS_INVALID', 'a network needs 1 to 100 validators');
  if (new Set(o.validators).size !== o.validators.length) throw new UrbisError('VALIDATORS_INVALID', 'a validator key is listed twice');
  for (const k of o.validators) {
    try {
      multikeyToPublicKey(k);
    } catch (e) {
      throw new UrbisError('VALIDATORS_INVALID', `"${k}" is not an Ed25519 Multikey`, { key: k }, { cause: e });
    }
  }
  if (o.root.keys.length === 0 || o.root.threshold < 1 || o.root.threshold > o.root.keys.length) {
    throw new UrbisError('CONTROLLERS_INVALID', 'the root authority needs 1..n keys and a threshold in 1..n');
  }
  return {
    body: {
      v: PROTOCOL_VERSION,
      chain: o.chainId,
      type: 'genesis',
      nonce: 'genesis',
      validFrom: o.time,
      validUntil: o.time,
      payload: {
        chainId: o.chainId,
        time: o.time,
        root: { keys: [...o.root.keys].sort(), threshold: o.root.threshold },
        validators: [...o.validators].sort(),
        ...(o.params ? { params: o.params } : {}),
      },
    },
    sigs: [],
  };
}

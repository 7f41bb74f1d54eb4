/**
 * Exports a trust bundle (docs/codes.md §8) from a node's store: the certified head, the validators
 * that certified it, the issuer keys of every namespace, and the revocation set (deactivated
 * identifiers and revoked label serials), signed by the node's validator key.
 */
import { fail } from '../core/errors.js';
import type { Signer } from '../core/ledger/tx.js';
import { validatorsHash } from '../core/ledger/block.js';
import { buildRevocationSet, DEFAULT_GCS_P, makeTrustBundle, revokedIdItem, revokedLabelItem, type IssuerKeys } from '../core/codes/index.js';
import type { LedgerStore } from '../storage/types.js';

/** Sizes of an exported bundle, for reports. */
export interface TrustBundleStats {
  bytes: number;
  height: number;
  namespaces: number;
  issuerKeys: number;
  revokedIds: number;
  revokedLabels: number;
  revocationSetBytes: number;
}

/**
 * Builds and signs a bundle of the store's certified head.
 * @param signer the signing validator's key (it must be in the set that certified the head)
 * @param now issue time, ms
 * @throws UrbisError STORE_NOT_INITIALIZED (no head), CERT_INVALID (head not certified, or the
 *   signer is not a validator in force)
 */
export function exportTrustBundle(store: LedgerStore, signer: Signer, now: number, p = DEFAULT_GCS_P): { bytes: Uint8Array; stats: TrustBundleStats } {
  const head = store.head();
  const chain = store.chain();
  if (!head || !chain) fail('STORE_NOT_INITIALIZED', 'the store has no certified head');
  const cert = store.cert(head.header.height);
  if (!cert) fail('CERT_INVALID', `block ${head.header.height} has no finality certificate yet`);
  // The set that certified block h is the one in force after block h − 1 (its header commits to it).
  const prev = head.header.height > 0 ? store.header(head.header.height - 1) : undefined;
  if (prev !== undefined && prev.nextValidators !== validatorsHash(chain.validators)) {
    fail('CERT_INVALID', 'the validator set changed in the head block; export after the next block');
  }
  if (!chain.validators.includes(signer.id)) fail('CERT_INVALID', 'a trust bundle is signed by a validator key in force');

  const issuers: IssuerKeys[] = [];
  const items: string[] = [];
  let revokedIds = 0;
  let revokedLabels = 0;
  for (const e of store.allEntries()) {
    if (e.kind === 'ns') {
      if ((e.policy.issuers?.length ?? 0) > 0 || (e.retiredIssuers?.length ?? 0) > 0) {
        issuers.push({ ns: e.ns, active: e.policy.issuers ?? [], retired: e.retiredIssuers ?? [] });
      }
    } else if (e.kind === 'id') {
      const key = `${e.ns}/${e.local}`;
      if (e.status === 'deactivated') {
        items.push(revokedIdItem(key));
        revokedIds++;
      } else {
        for (const s of e.revokedLabels ?? []) {
          items.push(revokedLabelItem(key, s));
          revokedLabels++;
        }
      }
    }
  }
  const revocations = buildRevocationSet(chain.chainId, items, p);
  const bytes = makeTrustBundle(
    { chain: chain.chainId, issuedAt: Math.max(now, head.header.time), header: head.header, cert, validators: chain.validators, issuers, revocations },
    signer,
  );
  return {
    bytes,
    stats: {
      bytes: bytes.length,
      height: head.header.height,
      namespaces: issuers.length,
      issuerKeys: issuers.reduce((n, i) => n + i.active.length + i.retired.length, 0),
      revokedIds,
      revokedLabels,
      revocationSetBytes: revocations.data.length,
    },
  };
}

/**
 * What a committed transaction determines about the state versions it writes (docs/protocol.md
 * "Transaction inclusion"): which state keys, and where the transaction says so, the status,
 * version, record and controllers of the new version. A reader that holds a transaction proven in
 * its block (audit path against the certified transaction root) checks a claimed version — a
 * change-feed event, a history row — against it, without the state before it. Pure.
 *
 * The rules mirror the state machine (apply.ts); a transaction that wrote a version not described
 * here would make an honest node's answers fail, so test/core/ledger/writes.test.ts runs every
 * transaction type through the state machine and checks each version it wrote against these rules.
 */
import { UrbisError } from '../errors.js';
import { canonicalIdText, keyOfText, objectIdText } from './names.js';
import { CHAIN_KEY, grantKey, grantRef, idKey, nsKey, parseStateKey } from './state.js';
import type { ControllerSet, IdEntry, RecordBody, TxBody } from './types.js';

/** What one transaction determines about one version it writes. */
export interface Write {
  /** True for the state keys this write may be about. */
  key(k: string): boolean;
  status?: string;
  version?: number;
  record?: RecordBody;
  /** `null` for "controlled by the namespace". */
  controllers?: ControllerSet | null;
}

const exact =
  (want: string) =>
  (k: string): boolean =>
    k === want;

function idWrite(text: string, w: Omit<Write, 'key'> = {}): Write {
  return { key: exact(idKey(keyOfText(text))), ...w };
}

/**
 * The versions a valid transaction writes. Payloads are as committed (checked by the schema when
 * they were applied).
 */
export function writesOf(body: TxBody): Write[] {
  const p = body.payload as unknown as Record<string, unknown> & { ns: string; id: string };
  switch (body.type) {
    case 'genesis':
    case 'chain.validators':
    case 'chain.root':
      return [{ key: exact(CHAIN_KEY), ...(body.type === 'genesis' ? { version: 1 } : {}) }];
    case 'ns.create':
      return [{ key: exact(nsKey(p.ns)), status: 'active', version: 1, record: p.record as RecordBody, controllers: p.controllers as ControllerSet }];
    case 'ns.update':
      return [
        {
          key: exact(nsKey(p.ns)),
          ...(p.record ? { record: p.record as RecordBody } : {}),
          ...(p.controllers ? { controllers: p.controllers as ControllerSet } : {}),
        },
      ];
    case 'ns.limits':
      return [{ key: exact(nsKey(p.ns)) }];
    case 'ns.suspend':
      return [{ key: exact(nsKey(p.ns)), status: 'suspended' }];
    case 'ns.reinstate':
      return [{ key: exact(nsKey(p.ns)), status: 'active' }];
    case 'ns.recover':
      return [{ key: exact(nsKey(p.ns)), controllers: p.controllers as ControllerSet }];
    case 'id.register':
      return [
        idWrite(p.id, { status: 'active', version: 1, record: p.record as RecordBody, controllers: (p.controllers as ControllerSet | undefined) ?? null }),
      ];
    case 'id.registerBatch':
      return (p.items as Array<{ local: string; record: RecordBody }>).map((it) =>
        idWrite(canonicalIdText(`${p.ns}/${it.local}`, 'local'), { status: 'active', version: 1, record: it.record, controllers: null }),
      );
    case 'id.allocate': {
      // The serials depend on the namespace's counter: any local part with the prefix and digits.
      const prefix = idKey(`${p.ns}/${p.prefix as string}`);
      return [
        {
          key: (k) => k.startsWith(prefix) && /^[0-9]+$/.test(k.slice(prefix.length)),
          status: 'active',
          version: 1,
          record: p.record as RecordBody,
          controllers: (p.controllers as ControllerSet | undefined) ?? null,
        },
      ];
    }
    case 'id.update':
      return [idWrite(p.id, { record: p.record as RecordBody })];
    case 'id.transfer':
    case 'id.recover':
      return [idWrite(p.id, { controllers: p.controllers as ControllerSet | null })];
    case 'id.deactivate':
      return [idWrite(p.id, { status: 'deactivated' })];
    case 'label.revoke':
      return [idWrite(p.id)];
    case 'grant.issue':
    case 'grant.revoke':
      return [
        {
          key: exact(grantKey(grantRef(keyOfText(p.subject as string), keyOfText(p.grantee as string)))),
          status: body.type === 'grant.issue' ? 'active' : 'revoked',
        },
      ];
    case 'receipts.anchor':
      return [];
  }
}

/**
 * The version of an identifier that a proven, valid transaction writes after `prev` (null: none
 * yet), at block `height` with block time `time`: the state machine's rule for identifier entries
 * (apply.ts `createId` / `bumpId`). A history whose every row equals this, from nothing to the
 * proven current entry, is proven row by row and complete (versions count every write).
 *
 * @throws UrbisError PROOF_INVALID when the transaction does not write this identifier after `prev`.
 */
export function nextIdVersion(prev: IdEntry | null, key: string, body: TxBody, hash: string, height: number, time: number): IdEntry {
  const w = writesOf(body).find((x) => x.key(key));
  const fail = (why: string) => new UrbisError('PROOF_INVALID', `${key}: transaction ${hash} (${body.type}) ${why}`, { key, tx: hash });
  if (!w) throw fail('does not write it');
  const sk = parseStateKey(key);
  if (sk.kind !== 'id') throw fail('is not about an identifier');
  if (prev === null) {
    if (w.version !== 1 || !w.record) throw fail('does not create it');
    return {
      kind: 'id',
      id: objectIdText(sk.ns, sk.local),
      ns: sk.ns,
      local: sk.local,
      controllers: w.controllers ?? null,
      record: w.record,
      status: 'active',
      version: 1,
      created: time,
      updated: time,
      height,
      tx: hash,
    };
  }
  if (w.version === 1) throw fail('creates it again');
  const next: IdEntry = { ...prev, version: prev.version + 1, updated: time, height, tx: hash };
  if (w.record) next.record = w.record;
  if (w.controllers !== undefined) next.controllers = w.controllers;
  if (w.status !== undefined) next.status = w.status as IdEntry['status'];
  if (body.type === 'label.revoke') {
    const serial = (body.payload as { serial: number }).serial;
    next.revokedLabels = [...(prev.revokedLabels ?? []), serial].sort((a, b) => a - b);
  }
  return next;
}

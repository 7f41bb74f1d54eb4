/**
 * State keys (docs/protocol.md "State"): one typed form, one text form, built and parsed in one place.
 */
import { describe, expect, it } from 'vitest';
import { formatStateKey, lookupState, parseStateKey, stateKey, type StateKey } from '../../../src/core/ledger/state.js';
import { isUrbisError } from '../../../src/core/errors.js';

describe('state keys', () => {
  const keys: StateKey[] = [
    { kind: 'chain' },
    { kind: 'ns', ns: '156.130100' },
    { kind: 'id', ns: '156.130100.42', local: 'LAMP-000017' },
    { kind: 'grant', subject: '156.130100/BUS', grantee: '156.130200' },
  ];

  it('formats and parses back', () => {
    expect(keys.map(formatStateKey)).toEqual(['chain', 'ns:156.130100', 'id:156.130100.42/LAMP-000017', 'grant:156.130100/BUS|156.130200']);
    for (const k of keys) expect(parseStateKey(formatStateKey(k))).toEqual(k);
  });

  it('splits an identifier key at the first slash (namespaces hold none)', () => {
    expect(parseStateKey('id:1/A/B')).toEqual({ kind: 'id', ns: '1', local: 'A/B' });
  });

  it('refuses text that is no state key', () => {
    for (const bad of ['', 'chains', 'ns:', 'id:', 'id:/A', 'id:1/', 'id:1', 'x:1/A', 'grant:', 'grant:|1', 'grant:1/A|', 'grant:1/A']) {
      let err: unknown;
      try {
        parseStateKey(bad);
      } catch (e) {
        err = e;
      }
      expect(isUrbisError(err, 'HTTP_BAD_REQUEST'), bad).toBe(true);
    }
  });

  it('names an entry by the same key its lookup uses', () => {
    const entry = { kind: 'id', ns: '1', local: 'A' } as unknown as Parameters<typeof stateKey>[0];
    const seen: string[] = [];
    const reader = { chain: () => undefined, ns: () => undefined, id: (ref: string) => (seen.push(ref), undefined), grant: () => undefined };
    expect(stateKey(entry)).toBe('id:1/A');
    lookupState(reader, stateKey(entry));
    expect(seen).toEqual(['1/A']);
  });
});

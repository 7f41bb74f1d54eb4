// The change feed's NATS subjects and MQTT topics (docs/sharing.md "Real-time feeds"), and the
// checks of a received message: it comes from the network, so a forged or misplaced one is refused.
import { describe, expect, it } from 'vitest';
import { changeFilter, changeSubject, mqttTopic, parseChangeMessage } from '../../src/network/changes.js';

const ev = {
  chain: 'c1',
  height: 12,
  seq: 0,
  key: 'id:156.130100/LAMP-1',
  kind: 'id' as const,
  id: '156.130100/LAMP-1:X',
  ns: '156.130100',
  version: 1,
  tx: 'ab'.repeat(32),
  time: 1,
};
const bytes = (o: unknown) => new TextEncoder().encode(JSON.stringify(o));

describe('change subjects', () => {
  it('puts the namespace path first and the kind last, so wildcards select by namespace', () => {
    expect(changeSubject('c1', ev)).toBe('urbis.c1.changes.156.130100.id');
    expect(changeSubject('c1', { kind: 'ns', ns: '156.130100.42' })).toBe('urbis.c1.changes.156.130100.42.ns');
    expect(changeSubject('c1', { kind: 'chain' })).toBe('urbis.c1.changes.chain');
    expect(changeFilter('c1')).toBe('urbis.c1.changes.>');
    expect(changeFilter('c1', '156.130100')).toBe('urbis.c1.changes.156.130100.>');
    expect(() => changeFilter('c1', '156.*')).toThrow();
    expect(mqttTopic('urbis.c1.changes.156.130100.id')).toBe('urbis/c1/changes/156/130100/id');
    expect(mqttTopic('urbis.c1.changes.chain', 'city')).toBe('city/c1/changes/chain');
    expect(() => mqttTopic('urbis.c1.tx')).toThrow();
  });

  it('accepts a change of its chain on its own subject and nothing else', () => {
    expect(parseChangeMessage('c1', 'urbis.c1.changes.156.130100.id', bytes(ev))).toEqual(ev);
    const refuse = (subject: string, data: Uint8Array) => expect(() => parseChangeMessage('c1', subject, data)).toThrow(/change/);
    refuse('urbis.c1.changes.156.130200.id', bytes(ev)); // a change of 156.130100 published as another city's
    refuse('urbis.c1.changes.156.130100.id', bytes({ ...ev, chain: 'c2' }));
    refuse('urbis.c1.changes.156.130100.id', bytes({ ...ev, height: -1 }));
    refuse('urbis.c1.changes.156.130100.id', bytes({ ...ev, kind: 'tx' }));
    refuse('urbis.c1.changes.156.130100.id', new TextEncoder().encode('{"chain":'));
    refuse('urbis.c1.changes.156.130100.id', new Uint8Array(70_000));
  });
});

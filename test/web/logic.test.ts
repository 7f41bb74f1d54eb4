// Unit tests of the web app's logic (web/src/lib): no browser. The browser tests are in
// test/browser/.
import { describe, expect, it } from 'vitest';
import { parseRoute, idHref, nsHref, section } from '../../web/src/lib/route.js';
import { classifyFailure, parseInput, statusText } from '../../web/src/lib/states.js';
import {
  buildPayload,
  describeTx,
  parseAttributes,
  parseControllers,
  parseLinks,
  parseSharedTx,
  FieldError,
  type OperationFields,
} from '../../web/src/lib/forms.js';
import { ago, quota, short } from '../../web/src/lib/format.js';
import { labelFileName, MAX_PAGE_LABELS, parseLabelRequest } from '../../web/src/lib/labels.js';
import { UrbisError } from '../../src/core/errors.js';
import { formatDid, formatUrl, makeIdentifier, parseIdentifier } from '../../src/core/ids/index.js';
import { newSigner } from '../helpers/chain.js';

const ident = makeIdentifier(['156', '130100', '42'], 'LAMP-000017');

describe('routes: every view has a URL (deep links)', () => {
  it('maps label URLs and views', () => {
    expect(parseRoute('/', '')).toEqual({ view: 'resolve', q: '' });
    expect(parseRoute('/', '?q=abc')).toEqual({ view: 'resolve', q: 'abc' });
    expect(parseRoute(`/id/${ident.text}`, '')).toEqual({ view: 'resolve', q: ident.text });
    expect(parseRoute('/id/156.130100.42%2FLAMP-000017%3AF', '')).toEqual({ view: 'resolve', q: '156.130100.42/LAMP-000017:F' });
    expect(parseRoute('/id/%E0%A4%A', '')).toEqual({ view: 'resolve', q: '%E0%A4%A' });
    // A label URL carrying its signed code (docs/codes.md §6).
    expect(parseRoute(`/id/${ident.text}`, '?c=AbC-_')).toEqual({ view: 'resolve', q: ident.text, code: 'AbC-_' });
    expect(parseRoute('/ns', '')).toEqual({ view: 'ns', path: null, cursor: null });
    expect(parseRoute('/ns/156.130100', '?cursor=x')).toEqual({ view: 'ns', path: '156.130100', cursor: 'x' });
    expect(parseRoute('/ledger/', '')).toEqual({ view: 'ledger' });
    expect(parseRoute('/ledger/12', '')).toEqual({ view: 'block', height: 12 });
    expect(parseRoute('/tx/' + 'AB'.repeat(32), '')).toEqual({ view: 'tx', hash: 'ab'.repeat(32) });
    expect(parseRoute('/tx/123', '')).toEqual({ view: 'missing', path: '/tx/123' });
    for (const v of ['scan', 'manage', 'trust'] as const) expect(parseRoute(`/${v}`, '')).toEqual({ view: v });
    expect(section(parseRoute('/ledger/3', ''))).toBe('ledger');
  });

  it('builds links that route back to the same view', () => {
    expect(parseRoute(idHref(ident.text), '')).toEqual({ view: 'resolve', q: ident.text });
    expect(parseRoute(nsHref('156.130100'), '')).toMatchObject({ view: 'ns', path: '156.130100' });
    expect(nsHref('156', 'a b')).toBe('/ns/156?cursor=a%20b');
  });
});

describe('search box input', () => {
  it('takes the text form, the DID, a label URL on any host, and a path', () => {
    for (const input of [
      ident.text,
      formatDid(ident),
      formatUrl(ident),
      formatUrl(ident, 'http://127.0.0.1:8080'),
      `  /id/${ident.text}/ `,
      ident.text.toLowerCase(),
    ]) {
      const p = parseInput(input);
      expect(p.ok, input).toBe(true);
      if (p.ok) expect(p.text).toBe(ident.text);
    }
    const ns = parseInput(makeIdentifier(['156', '130100'], null).text);
    expect(ns.ok && ns.isNamespace).toBe(true);
  });

  it('reports a wrong check character as a typo with its position (docs/protocol.md "Identifiers")', () => {
    const body = ident.text.slice(0, -1);
    const wrong = [...'0123456789ABCDEFGHJKLMNPRSTUVWXYZ'].find((c) => c !== ident.text.slice(-1))!;
    const p = parseInput(body + wrong);
    expect(p).toMatchObject({ ok: false, kind: 'typo', code: 'ID_CHECK_MISMATCH' });
    // Two swapped characters are caught too (ISO/IEC 7064 MOD 37,36).
    const swapped = ident.text.replace('LAMP-000017', 'LAMP-000071');
    expect(parseInput(swapped)).toMatchObject({ ok: false, kind: 'typo' });
  });

  it('reports other mistakes as malformed, and empty input as empty', () => {
    expect(parseInput('   ')).toMatchObject({ ok: false, kind: 'empty' });
    expect(parseInput('156.130100.42/LAMP-000017')).toMatchObject({ ok: false, kind: 'malformed', code: 'ID_CHECK_MISSING' });
    expect(parseInput('156.130100.42/LAMP-00O017:F')).toMatchObject({ ok: false, kind: 'malformed', code: 'ID_CHAR_EXCLUDED' });
    expect(parseInput('did:web:example.com')).toMatchObject({ ok: false, kind: 'malformed' });
  });
});

describe('failure states', () => {
  it('separates not verified, node behind, unreachable and refused', () => {
    expect(classifyFailure(new UrbisError('PROOF_INVALID', 'x'))).toMatchObject({ kind: 'not-verified', code: 'PROOF_INVALID' });
    expect(classifyFailure(new UrbisError('CERT_INVALID', 'x'))).toMatchObject({ kind: 'not-verified' });
    expect(classifyFailure(new UrbisError('TX_CHAIN_MISMATCH', 'x'))).toMatchObject({ kind: 'not-verified' });
    expect(classifyFailure(new UrbisError('CLIENT_STALE', 'x'))).toMatchObject({ kind: 'stale' });
    expect(classifyFailure(new UrbisError('CLIENT_HTTP', 'fetch failed'))).toMatchObject({ kind: 'unreachable' });
    expect(classifyFailure(new UrbisError('NODE_NOT_READY', 'x'))).toMatchObject({ kind: 'unreachable' });
    expect(classifyFailure(new UrbisError('CLIENT_HTTP', 'unknown code', { httpStatus: 418 }))).toMatchObject({ kind: 'refused' });
    expect(classifyFailure(new UrbisError('HTTP_BAD_REQUEST', 'x'))).toMatchObject({ kind: 'refused' });
    expect(classifyFailure(new TypeError('boom'))).toMatchObject({ kind: 'unreachable' });
  });

  it('gives deactivated and suspended their own banners', () => {
    expect(statusText('active', false).tone).toBe('ok');
    expect(statusText('deactivated', false)).toMatchObject({ tone: 'bad', title: 'Deactivated' });
    expect(statusText('suspended', false)).toMatchObject({ tone: 'warn', title: 'Suspended' });
    expect(statusText('active', true)).toMatchObject({ tone: 'warn', title: 'Suspended' });
  });
});

describe('Manage forms', () => {
  const base: OperationFields = {
    target: '',
    type: 'lamp',
    attributes: '',
    links: '',
    services: '',
    controllers: '',
    threshold: '1',
    toNamespace: false,
    reason: '',
    serial: '',
  };

  it('parses attributes, links and services line by line', () => {
    expect(parseAttributes('street=Zhongshan Road\npower=60\nlit=true\n# comment\nzip=007')).toEqual({
      street: 'Zhongshan Road',
      power: 60,
      lit: true,
      zip: '007',
    });
    expect(() => parseAttributes('a=1\na=2')).toThrow(/given twice/);
    expect(() => parseAttributes('novalue')).toThrow(FieldError);
    expect(parseLinks(`located-in ${formatDid(ident)}`)).toEqual([{ rel: 'located-in', target: ident.text }]);
    expect(() => parseLinks('located-in 156.130100.42/LAMP-000017:X')).toThrow(/line 1/);
    expect(parseAttributes('')).toBeUndefined();
  });

  it('checks controller keys and thresholds', () => {
    const a = newSigner();
    const b = newSigner();
    expect(parseControllers(`${a.id}\n${b.id}`, '2')).toEqual({ keys: [a.id, b.id], threshold: 2 });
    expect(() => parseControllers(`${a.id}`, '2')).toThrow(/threshold/);
    expect(() => parseControllers(`${a.id} ${a.id}`, '1')).toThrow(/twice/);
    expect(() => parseControllers('z6Mkbogus', '1')).toThrow(/not an Ed25519 public key/);
    expect(() => parseControllers('', '1')).toThrow(FieldError);
  });

  it('builds the payload of each operation', () => {
    const reg = buildPayload('id.register', { ...base, target: '156.130100/meter-1', attributes: 'kind=water' });
    expect(reg.payload).toEqual({
      id: parseIdentifier(reg.payload && (reg.payload as { id: string }).id).text,
      record: { type: 'lamp', attributes: { kind: 'water' } },
    });
    expect((reg.payload as { id: string }).id).toMatch(/^156\.130100\/METER-1:.$/);
    expect(() => buildPayload('id.update', { ...base, target: '156.130100/METER-1' })).toThrow(/check character/);
    expect(() => buildPayload('id.register', { ...base, target: '156.130100' })).toThrow(/namespace/);
    expect(() => buildPayload('id.register', { ...base, type: ' ', target: '156.130100/X' })).toThrow(FieldError);
    const t = buildPayload('id.transfer', { ...base, target: ident.text, toNamespace: true });
    expect(t.payload).toEqual({ id: ident.text, controllers: null });
    const d = buildPayload('id.deactivate', { ...base, target: ident.text, reason: ' broken ' });
    expect(d.payload).toEqual({ id: ident.text, reason: 'broken' });
    expect(buildPayload('label.revoke', { ...base, target: ident.text, serial: '4294967295', reason: 'stolen' }).payload).toEqual({
      id: ident.text,
      serial: 4294967295,
      reason: 'stolen',
    });
    expect(() => buildPayload('label.revoke', { ...base, target: ident.text, serial: '-1' })).toThrow(/serial/);
    expect(() => buildPayload('label.revoke', { ...base, target: ident.text, serial: '' })).toThrow(/serial/);
    const k = newSigner();
    const ns = buildPayload('ns.create', { ...base, type: 'organisation', target: '156.130100.99', controllers: k.id });
    expect(ns.payload).toMatchObject({ ns: '156.130100.99', controllers: { keys: [k.id], threshold: 1 }, record: { type: 'organisation' } });
  });

  it('reads a shared transaction, refusing anything else', () => {
    const tx = { body: { v: 1, chain: 'c', type: 'id.update', nonce: 'n', validFrom: 0, validUntil: 1, payload: {} }, sigs: [] };
    expect(parseSharedTx(JSON.stringify(tx))).toEqual(tx);
    expect(() => parseSharedTx('{')).toThrow(/not JSON/);
    expect(() => parseSharedTx('{"body":{"type":"x"},"sigs":[]}')).toThrow(/unknown transaction type/);
    expect(() => parseSharedTx('[]')).toThrow(FieldError);
  });

  it('describes transactions with the canonical subject', () => {
    expect(describeTx({ body: { type: 'id.register', payload: { id: '156.130100/meter-1' } } }).target).toMatch(/^156\.130100\/METER-1:.$/);
    expect(describeTx({ body: { type: 'ns.create', payload: { ns: '156.1' } } })).toEqual({ type: 'ns.create', target: '156.1' });
    expect(describeTx(null)).toEqual({ type: 'unknown', target: null });
  });
});

describe('formatting', () => {
  it('shortens, dates and counts', () => {
    expect(short('a'.repeat(64))).toBe('aaaaaaaa…aaaaaa');
    expect(short('abc')).toBe('abc');
    expect(ago(1000, 31_000)).toBe('30 s ago');
    expect(ago(0, 7_200_000)).toBe('2 h ago');
    expect(quota(3, 10)).toBe('3 of 10 (30%)');
    expect(quota(3, undefined)).toBe('3 (no limit)');
  });
});

describe('label form (Manage, issue signed labels)', () => {
  const now = Date.UTC(2026, 0, 1);
  const f = (ids: string, fields = '', expires = '') => parseLabelRequest({ ids, fields, expires }, now);

  it('takes identifiers in any form, computes a missing check character, drops repeats, lists their namespaces', () => {
    const r = f(`${ident.text}\n\n156.130100.42/lamp-000017\n${formatDid(ident)}\n156.130100/METER-1`, 'power, kind kind');
    expect(r.ids).toEqual([ident.text, makeIdentifier(['156', '130100'], 'METER-1').text]);
    expect(r.namespaces).toEqual(['156.130100.42', '156.130100']);
    expect(r.fields).toEqual(['kind', 'power']);
    expect(r.expiresAt).toBeUndefined();
    expect(f(ident.text, '', '2026-03-31').expiresAt).toBe(Date.UTC(2026, 2, 31, 23, 59, 59));
  });

  it('names the field and line of each mistake', () => {
    const err = (fn: () => unknown) => {
      try {
        fn();
      } catch (e) {
        return { field: (e as FieldError).field, message: (e as FieldError).message };
      }
      throw new Error('no error');
    };
    expect(err(() => f(' \n'))).toMatchObject({ field: 'label-ids', message: /at least one/ });
    expect(err(() => f(`${ident.text}\n156.130100`))).toMatchObject({ field: 'label-ids', message: /line 2: .* namespace/ });
    expect(err(() => f(`${ident.text.slice(0, -1)}${ident.check === 'A' ? 'B' : 'A'}`))).toMatchObject({ field: 'label-ids', message: /^line 1:/ });
    expect(err(() => f(Array.from({ length: MAX_PAGE_LABELS + 1 }, (_, i) => `156.130100/L-${i}`).join('\n')))).toMatchObject({ field: 'label-ids' });
    expect(err(() => f(ident.text, 'not a name!'))).toMatchObject({ field: 'label-fields' });
    expect(err(() => f(ident.text, '', '2026-02-30'))).toMatchObject({ field: 'label-expires', message: /YYYY-MM-DD/ });
    expect(err(() => f(ident.text, '', '2025-12-31'))).toMatchObject({ field: 'label-expires', message: /passed/ });
  });

  it('gives label images file names without path or URL characters', () => {
    expect(labelFileName(ident.text, 7, 'png')).toBe('label-156.130100.42_LAMP-000017_F-7.png');
  });
});

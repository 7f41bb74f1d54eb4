/**
 * Resolution answers served from bytes serialised once per height are the same bytes as the answers
 * serialised per request: past answers (`?version=`, `?at=` height and time) splice the header and
 * certificate text of their height, DID resolution answers are kept per head height and request.
 * Each body is compared with the per-request serialisation of the same answer, for a set of
 * identifiers, versions and heights, served twice (the second time from the kept bytes), and again
 * after the state or a certificate changed.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { expectOk, newSigner, withCity } from '../helpers/chain.js';
import { newTestNode, type TestNode } from '../helpers/node.js';
import { formatDid, parseIdentifier } from '../../src/core/ids/index.js';
import { objectIdText, keyOfText } from '../../src/core/ledger/names.js';
import { idKey } from '../../src/core/ledger/state.js';
import { signHeader } from '../../src/core/ledger/block.js';
import { pastAnswer } from '../../src/node/routes/common.js';
import { readState } from '../../src/node/routes/did.js';
import { answerDidRequest, didUrlFromHttp, parseDidRequest } from '../../src/core/api/did-resolution.js';
import type { Signer } from '../../src/core/ledger/tx.js';

let n: TestNode;
let city: Signer;
let owner: Signer;
const ids: string[] = [];
/** Block time of every committed height. */
const times: number[] = [];

const get = (url: string, accept?: string) => n.app.inject({ method: 'GET', url, headers: accept === undefined ? {} : { accept } });

/** The body of `?version=`/`?at=` as the route serialised it per request (the object form). */
function referencePast(text: string, q: { version?: number; at?: string }): { status: number; body: string } {
  const a = pastAnswer(n.runtime, text, idKey(keyOfText(text)), q);
  return { status: a.status, body: JSON.stringify(a.body) };
}

/** The DID answer serialised per request, from the same state at the head. */
function referenceDid(target: string, accept: string | undefined): { status: number; body: string } {
  const qi = target.indexOf('?');
  const http = didUrlFromHttp(qi < 0 ? target : target.slice(0, qi), qi < 0 ? null : target.slice(qi + 1));
  if (!http.ok) throw new Error('bad target');
  const parsed = parseDidRequest(http.value.didUrl, http.value.options);
  if (!parsed.ok) throw new Error('bad request');
  const a = answerDidRequest(parsed.value, readState(n.runtime, parsed.value), accept, { urlHost: n.runtime.urlHost });
  return a.contentType === null ? { status: 303, body: '' } : { status: a.status, body: JSON.stringify(a.body) };
}

beforeAll(() => {
  n = newTestNode();
  city = withCity(n.chain);
  owner = newSigner();
  for (let i = 0; i < 4; i++) {
    const text = objectIdText('156.130100', `LAMP-${i}`);
    ids.push(text);
    expectOk(
      n.chain.run(
        'id.register',
        { id: text, record: { type: 'lamp', attributes: { n: i, note: 'ünïcode \u2028 "q"' } }, controllers: { keys: [owner.id], threshold: 1 } },
        [city],
      ),
    );
  }
  // Versions 2 and 3 of some, in later blocks.
  for (let v = 2; v <= 3; v++) {
    for (const text of ids.slice(0, 3 - (v - 2))) expectOk(n.chain.run('id.update', { id: text, record: { type: 'lamp', attributes: { v } } }, [owner]));
  }
  const top = n.runtime.store.head()!.height;
  for (let h = 0; h <= top; h++) times.push(n.runtime.store.header(h)!.time);
});

describe('answers from kept bytes are byte-identical', () => {
  it('?version= and ?at= (heights and times) for every identifier, twice each', async () => {
    const top = n.runtime.store.head()!.height;
    let compared = 0;
    for (const text of ids) {
      const path = `/v1/ids/${encodeURIComponent(text)}`;
      const queries: Array<{ version?: number; at?: string }> = [];
      for (let v = 1; v <= 3; v++) queries.push({ version: v });
      for (let h = 0; h <= top; h += 2) queries.push({ at: String(h) });
      queries.push({ at: new Date(times[Math.floor(top / 2)]! + 500).toISOString() }, { at: new Date(times[top]!).toISOString() });
      for (const q of queries) {
        let want: { status: number; body: string };
        try {
          want = referencePast(text, q);
        } catch {
          continue; // an unknown version: an error problem either way, not an answer with bytes kept
        }
        const qs = q.version !== undefined ? `version=${q.version}` : `at=${encodeURIComponent(q.at!)}`;
        for (let k = 0; k < 2; k++) {
          const r = await get(`${path}?${qs}`);
          expect(r.statusCode, `${text} ${qs}`).toBe(want.status);
          expect(r.body, `${text} ${qs}`).toBe(want.body);
          compared++;
        }
      }
    }
    expect(compared).toBeGreaterThan(60);
  });

  it('a certificate that gains a signature is served with it', async () => {
    const text = ids[0]!;
    const url = `/v1/ids/${encodeURIComponent(text)}?at=3`;
    const before = (await get(url)).body;
    const cert = n.runtime.store.cert(3)!;
    n.runtime.store.putCert({ ...cert, sigs: [...cert.sigs, signHeader(cert.headerHash, newSigner())] });
    const after = await get(url);
    expect(after.body).toBe(referencePast(text, { at: '3' }).body);
    expect(after.body).not.toBe(before);
    expect((JSON.parse(after.body) as { cert: { sigs: unknown[] } }).cert.sigs).toHaveLength(cert.sigs.length + 1);
  });

  it('DID resolution, with and without a version, in its media types; fresh after a block', async () => {
    const accepts = [undefined, 'application/did-resolution', 'application/did+ld+json', 'application/did'];
    const targets = (text: string) => {
      const did = formatDid(parseIdentifier(text));
      return [
        did,
        `${did}?versionId=1`,
        `${did}?versionId=2`,
        encodeURIComponent(`${did}#controller-1`),
        formatDid(parseIdentifier(objectIdText('156.130100', 'ABSENT-7'))),
      ];
    };
    const check = async () => {
      for (const text of ids.slice(0, 2)) {
        for (const t of targets(text)) {
          for (const accept of accepts) {
            const want = referenceDid(t, accept);
            for (let k = 0; k < 2; k++) {
              const r = await get(`/1.0/identifiers/${t}`, accept);
              expect(r.statusCode, `${t} ${accept}`).toBe(want.status);
              if (want.status !== 303) expect(r.body, `${t} ${accept}`).toBe(want.body);
            }
          }
        }
      }
    };
    await check();
    const did = formatDid(parseIdentifier(ids[3]!));
    const old = (await get(`/1.0/identifiers/${did}`, 'application/did-resolution')).body;
    // A new version of an identifier: its answer at the new head is not the kept one.
    expectOk(n.chain.run('id.update', { id: ids[3]!, record: { type: 'lamp', attributes: { v: 2 } } }, [owner]));
    const fresh = (await get(`/1.0/identifiers/${did}`, 'application/did-resolution')).body;
    expect(fresh).not.toBe(old);
    expect(fresh).toBe(referenceDid(did, 'application/did-resolution').body);
    await check();
  });
});

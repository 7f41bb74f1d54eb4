/**
 * The proven resolution of an identifier as JSON text, shared by `/v1/ids/<id>` and `/id/<id>`, and
 * its other representations on `/v1/ids/<id>` (docs/api.md "Identifiers"): the RFC 9264 linkset and
 * the NGSI-LD entity.
 */
import { formatDid, formatUrl, type Identifier } from '../../core/ids/index.js';
import { LINKSET_JSON, idLinkset, linkHeader, type Linkset } from '../../core/api/linkset.js';
import { ngsiLdEntity } from '../../core/api/ngsi-ld.js';
import { keyOfText, parseIdLenient } from '../../core/ledger/names.js';
import { idKey } from '../../core/ledger/state.js';
import type { BlockHeader, Certificate, IdEntry } from '../../core/ledger/types.js';
import { guarded } from '../guards.js';
import { problem } from '../problem.js';
import type { NodeRuntime } from '../types.js';
import { AnswerCache, provenJson, type CachedAnswer } from './common.js';

/** The representations of an identifier on `/v1/ids/<id>`. */
export type IdRepresentation = 'json' | 'linkset' | 'ngsi-ld';

/** The `Link` field of an identifier's answers: where its linkset is, then its links (RFC 8288). */
function linkField(set: Linkset, self: string): string {
  return linkHeader(set, [{ href: self, rel: 'linkset', type: LINKSET_JSON }]);
}

/**
 * The proven resolution of an identifier as JSON text (the IdAnswer of docs/api.md), cached per block
 * height; a 404 problem that carries the proof of absence when it is not registered. `/v1/ids/<id>`
 * and `/id/<id>` (Accept: application/json) answer with it. `rep` asks for the linkset or the
 * NGSI-LD entity instead (not proven themselves: they say where the proof is); every representation
 * carries the `Link` field of the identifier's links.
 */
export function idAnswers(rt: NodeRuntime): (id: Identifier, rep?: IdRepresentation) => { height: number; answer: CachedAnswer } {
  const cache = new AnswerCache();
  let head: { header: BlockHeader; cert: Certificate; text: string } | null = null;
  /** `"header":…,"cert":…` of the answers of one block, serialised once. */
  const headText = (header: BlockHeader, cert: Certificate): string => {
    if (head?.header !== header || head.cert !== cert) head = { header, cert, text: `"header":${JSON.stringify(header)},"cert":${JSON.stringify(cert)}` };
    return head.text;
  };
  const self = (id: Identifier) => `${rt.publicUrl}/v1/ids/${encodeURIComponent(id.text)}`;
  const other = (id: Identifier, rep: Exclude<IdRepresentation, 'json'>): CachedAnswer | null => {
    const e = guarded(() => rt.store.id(keyOfText(id.text)));
    if (!e) return null;
    const set = idLinkset(rt.publicUrl, id, e);
    const body = rep === 'linkset' ? set : ngsiLdEntity(e);
    return { status: 200, body: JSON.stringify(body), link: linkField(set, self(id)) };
  };
  const answer = (id: Identifier, rep: IdRepresentation = 'json') => {
    const key = keyOfText(id.text);
    const top = guarded(() => rt.store.head())!;
    const ck = rep === 'json' ? idKey(key) : `${rep} ${idKey(key)}`;
    const hit = cache.get(top.height, ck);
    if (hit) return { height: top.height, answer: hit };
    if (rep !== 'json') {
      const out = other(id, rep);
      // Not registered: the JSON answer, a 404 with the proof of absence.
      if (!out) return answer(id);
      cache.set(top.height, ck, out);
      return { height: top.height, answer: out };
    }
    const proven = guarded(() => provenJson<IdEntry>(rt, ck));
    let out: CachedAnswer;
    if (proven.entry) {
      const e = proven.entry;
      const parsed = parseIdLenient(e.id);
      // Hand-assembled IdAnswer: the header and certificate are serialised once per block, not
      // once per answer (they are most of an answer's bytes).
      out = {
        status: 200,
        body:
          `{"key":${JSON.stringify(proven.key)},"entry":${JSON.stringify(e)},"proof":${JSON.stringify(proven.proof)},${headText(proven.header, proven.cert)},` +
          `"id":${JSON.stringify(e.id)},"did":${JSON.stringify(formatDid(parsed))},"url":${JSON.stringify(formatUrl(parsed, rt.urlHost))},` +
          `"status":${JSON.stringify(e.status)},"version":${e.version}}`,
        link: linkField(idLinkset(rt.publicUrl, parsed, e), self(id)),
      };
    } else {
      out = { status: 404, body: JSON.stringify(problem('ID_NOT_FOUND', `${id.text} is not registered`, { proven })) };
    }
    cache.set(top.height, ck, out);
    return { height: top.height, answer: out };
  };
  return answer;
}

/**
 * The proven resolution of an identifier as JSON text, shared by `/v1/ids/<id>` and `/id/<id>`.
 */
import { formatDid, formatUrl, type Identifier } from '../../core/ids/index.js';
import { keyOfText, parseIdLenient } from '../../core/ledger/names.js';
import { idKey } from '../../core/ledger/state.js';
import type { BlockHeader, Certificate, IdEntry } from '../../core/ledger/types.js';
import { guarded } from '../guards.js';
import { problem } from '../problem.js';
import type { NodeRuntime } from '../types.js';
import { AnswerCache, provenJson } from './common.js';

/**
 * The proven resolution of an identifier as JSON text (the IdAnswer of docs/api.md), cached per block
 * height; a 404 problem that carries the proof of absence when it is not registered. `/v1/ids/<id>`
 * and `/id/<id>` (Accept: application/json) answer with it.
 */
export function idAnswers(rt: NodeRuntime): (id: Identifier) => { height: number; answer: { status: number; body: string } } {
  const cache = new AnswerCache();
  let head: { header: BlockHeader; cert: Certificate; text: string } | null = null;
  /** `"header":…,"cert":…` of the answers of one block, serialised once. */
  const headText = (header: BlockHeader, cert: Certificate): string => {
    if (head?.header !== header || head.cert !== cert) head = { header, cert, text: `"header":${JSON.stringify(header)},"cert":${JSON.stringify(cert)}` };
    return head.text;
  };
  return (id) => {
    const key = keyOfText(id.text);
    const top = guarded(() => rt.store.head())!;
    const ck = idKey(key);
    const hit = cache.get(top.height, ck);
    if (hit) return { height: top.height, answer: hit };
    const proven = guarded(() => provenJson<IdEntry>(rt, ck));
    let out: { status: number; body: string };
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
      };
    } else {
      out = { status: 404, body: JSON.stringify(problem('ID_NOT_FOUND', `${id.text} is not registered`, { proven })) };
    }
    cache.set(top.height, ck, out);
    return { height: top.height, answer: out };
  };
}

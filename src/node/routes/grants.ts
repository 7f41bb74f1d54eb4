/**
 * Grant routes (docs/api.md "Grants"): `GET /v1/ids/<subject>/grants` lists the grants of a dataset
 * or service identifier, each with its own proof; `?grantee=<id>` answers about one grantee with a
 * proof either way (the grant, or its absence), like a resolution.
 */
import { UrbisError } from '../../core/errors.js';
import type { Identifier } from '../../core/ids/index.js';
import { parseIdentifier } from '../../core/ids/index.js';
import { keyOfText } from '../../core/ledger/names.js';
import { formatStateKey, idKey, stateKey } from '../../core/ledger/state.js';
import type { GrantEntry, IdEntry } from '../../core/ledger/types.js';
import { guarded } from '../guards.js';
import { problem } from '../problem.js';
import type { NodeRuntime } from '../types.js';
import { provenJson } from './common.js';

/** Query of the grant routes. */
export interface GrantsQuery {
  grantee?: string;
  cursor?: string;
  limit?: number;
}

/** The answer (status and JSON body) of a grant route for the subject `id`. */
export function grantsAnswer(rt: NodeRuntime, id: Identifier, q: GrantsQuery): { status: number; body: unknown } {
  const subjectRef = keyOfText(id.text);
  if (q.grantee !== undefined) {
    // A typo in the grantee is a 400 with its code, never "no grant".
    const g = parseIdentifier(q.grantee);
    const key = formatStateKey({ kind: 'grant', subject: subjectRef, grantee: keyOfText(g.text) });
    const proven = guarded(() => provenJson<GrantEntry>(rt, key));
    if (proven.entry) return { status: 200, body: { ...proven, subject: id.text, grantee: g.text } };
    return { status: 404, body: problem('GRANT_NOT_FOUND', `${id.text} has never granted access to ${g.text}`, { proven }) };
  }
  const subject = guarded(() => rt.store.id(subjectRef));
  if (!subject) {
    const proven = guarded(() => provenJson<IdEntry>(rt, idKey(subjectRef)));
    return { status: 404, body: problem('ID_NOT_FOUND', `${id.text} is not registered`, { proven }) };
  }
  if (q.cursor !== undefined && !q.cursor.startsWith(`grant:${subjectRef}|`)) {
    throw new UrbisError('HTTP_BAD_REQUEST', 'the cursor is not one of this listing');
  }
  const page = guarded(() => rt.store.grantsOf(subjectRef, q.cursor ?? null, q.limit ?? 100));
  const items = page.items.map((e) => guarded(() => provenJson<GrantEntry>(rt, stateKey(e))));
  return { status: 200, body: { subject: subject.id, items, next: page.next } };
}

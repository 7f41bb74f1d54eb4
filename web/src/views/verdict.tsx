/** The verdict of a scanned or linked code, as the SDK computed it in this browser. */
import type { CodeVerdict } from '../../../src/core/codes/verify.js';
import { Facts, IdLink, Mono, Notice } from '../components.js';
import { isoTime } from '../lib/format.js';

const TONE: Record<CodeVerdict['verdict'], 'ok' | 'warn' | 'bad'> = {
  VALID: 'ok',
  REVOKED: 'bad',
  FORGED: 'bad',
  ALTERED: 'bad',
  EXPIRED: 'warn',
  STALE: 'warn',
};

const MEANING: Record<CodeVerdict['verdict'], string> = {
  VALID: 'This label was issued for this object by a key its namespace authorises, and the object still matches it.',
  REVOKED: 'This label was withdrawn. Do not trust it.',
  FORGED: 'This label was not issued by a key the registry authorises, or it is damaged. Do not trust it.',
  ALTERED: 'The label is genuine, but the object it describes has changed since it was issued.',
  EXPIRED: 'The label was genuine but is past its expiry date.',
  STALE: 'The registry data available here is too old to decide; try again online.',
};

function seconds(v: unknown): string | null {
  return typeof v === 'number' ? isoTime(v * 1000) : typeof v === 'string' ? v : null;
}

export function VerdictCard(props: { v: CodeVerdict }) {
  const v = props.v;
  const ev = v.evidence;
  const claims = (typeof ev.claims === 'object' && ev.claims !== null ? ev.claims : {}) as Record<string, unknown>;
  const id = typeof claims.id === 'string' ? claims.id : null;
  return (
    <div class="verdict" data-testid="verdict" data-verdict={v.verdict}>
      <div class={`verdict-word ${TONE[v.verdict]}`} role="status">
        {v.verdict}
      </div>
      <Notice tone={TONE[v.verdict]} title={MEANING[v.verdict]}>
        <p class="reason">
          {v.message} <code>{v.reason}</code>
        </p>
      </Notice>
      <Facts
        rows={[
          ['Identifier', id ? <IdLink id={id} /> : null],
          ['Label serial', claims.serial !== undefined ? String(claims.serial) : null],
          ['Issued', seconds(claims.issuedAt)],
          ['Expires', seconds(claims.expiresAt)],
          ['Vouches for', Array.isArray(claims.fields) && claims.fields.length ? ['type', ...claims.fields].join(', ') : claims.id ? 'type' : null],
          ['Issuer key', typeof ev.issuer === 'string' ? <Mono value={ev.issuer} full /> : null],
          ['Checked against', typeof ev.source === 'string' ? (ev.source === 'ledger' ? 'the ledger, with proofs verified in this browser' : ev.source) : null],
        ]}
      />
      <details>
        <summary>All evidence</summary>
        <pre class="json">{JSON.stringify(ev, null, 2)}</pre>
      </details>
    </div>
  );
}

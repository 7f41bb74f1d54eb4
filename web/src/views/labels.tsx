/**
 * Issue signed labels (docs/codes.md) on the Manage page: with an issuer key loaded into the page,
 * for identifiers typed in, as QR images (SVG, PNG) to download or print. The SDK makes each label
 * from the verified record and checks the key against the verified namespace's `policy.issuers`
 * first: a label signed by any other key would verify as FORGED, and the page says so instead.
 * The key never leaves the page; only reads go to the node.
 */
import { useState } from 'preact/hooks';
import { checkIssuer, makeCodeFor } from '../../../src/client/codes.js';
import { isUrbisError } from '../../../src/core/errors.js';
import { IdLink, Mono, Notice } from '../components.js';
import { useApp } from '../ctx.js';
import { FieldError } from '../lib/forms.js';
import { labelFileName, parseLabelRequest, type LabelFields } from '../lib/labels.js';

interface Made {
  id: string;
  serial: number;
  /** What the QR code holds: the `UC1:` text or the label URL. */
  content: string;
  svg: string;
  png: string;
}

type Outcome = { id: string; made: Made } | { id: string; error: string };

type State =
  | { kind: 'idle' }
  | { kind: 'working'; done: number; of: number }
  | { kind: 'refused'; ns: string; issuer: string; message: string }
  | { kind: 'done'; issuer: string; outcomes: Outcome[] };

/** QR images of a text, at error correction M with the quiet zone ISO/IEC 18004 asks for (as the CLI). */
async function images(text: string): Promise<{ svg: string; png: string }> {
  // Loaded on use: only this form needs the QR encoder.
  const QRCode = (await import('qrcode')).default;
  const o = { errorCorrectionLevel: 'M' as const, margin: 4 };
  const svg = await QRCode.toString(text, { ...o, type: 'svg' });
  const png = await QRCode.toDataURL(text, { ...o, scale: 8 });
  return { svg: `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, png };
}

const message = (e: unknown) => (isUrbisError(e) ? `${e.message} (${e.code})` : String(e));

export function IssueLabels() {
  const app = useApp();
  const [v, setV] = useState<LabelFields>({ ids: '', fields: '', expires: '' });
  const [form, setForm] = useState<'url' | 'code'>('url');
  const [issuerId, setIssuerId] = useState<string>('');
  const [err, setErr] = useState<{ field: string; message: string } | null>(null);
  const [st, setSt] = useState<State>({ kind: 'idle' });
  const issuer = app.signers.find((s) => s.id === issuerId) ?? app.signers[0];
  const fieldErr = (f: string) => (err?.field === f ? err.message : null);

  const run = async (e: Event) => {
    e.preventDefault();
    setErr(null);
    const client = app.client;
    if (!client) return;
    let req;
    try {
      if (!issuer) throw new FieldError('label-issuer', 'load the issuer key file above first');
      req = parseLabelRequest(v, Date.now());
    } catch (x) {
      return setErr(x instanceof FieldError ? { field: x.field, message: x.message } : { field: 'label-ids', message: message(x) });
    }
    setSt({ kind: 'working', done: 0, of: req.ids.length });
    // The key's authority, from the verified namespace entries, before anything is signed.
    for (const ns of req.namespaces) {
      try {
        await checkIssuer(client, ns, issuer.id);
      } catch (x) {
        if (isUrbisError(x, 'CODE_ISSUER_NOT_AUTHORISED')) return setSt({ kind: 'refused', ns, issuer: issuer.id, message: x.message });
        return setErr({ field: 'label-ids', message: `${ns}: ${message(x)}` });
      }
    }
    const outcomes: Outcome[] = [];
    for (const id of req.ids) {
      try {
        const m = await makeCodeFor(client, id, {
          signer: issuer,
          fields: req.fields,
          ...(req.expiresAt === undefined ? {} : { expiresAt: req.expiresAt }),
          baseUrl: location.origin,
        });
        const content = form === 'url' ? m.url : m.text;
        outcomes.push({ id, made: { id, serial: m.serial, content, ...(await images(content)) } });
      } catch (x) {
        outcomes.push({ id, error: message(x) });
      }
      setSt({ kind: 'working', done: outcomes.length, of: req.ids.length });
    }
    setSt({ kind: 'done', issuer: issuer.id, outcomes });
  };

  /** One field of the form, with its help text or its error. */
  const input = (name: keyof LabelFields, label: string, help: string, kind: 'textarea' | 'text' | 'date', placeholder?: string) => {
    const id = `label-${name}`;
    const error = fieldErr(id);
    const props = {
      id,
      value: v[name],
      placeholder,
      'aria-invalid': error ? true : undefined,
      'aria-describedby': `${id}-help`,
      onInput: (e: Event) => setV({ ...v, [name]: (e.target as HTMLInputElement).value }),
    };
    return (
      <div class="field">
        <label for={id}>{label}</label>
        {kind === 'textarea' ? <textarea rows={4} {...props} /> : <input type={kind} autocomplete="off" spellcheck={false} {...props} />}
        <p id={`${id}-help`} class={error ? 'error' : 'help'}>
          {error ?? help}
        </p>
      </div>
    );
  };

  const made = st.kind === 'done' ? st.outcomes.flatMap((o) => ('made' in o ? [o.made] : [])) : [];
  return (
    <section aria-labelledby="labels-h">
      <h2 id="labels-h">4. Issue signed labels</h2>
      <p class="help">
        A label is a QR code signed with an issuer key of the identifier's namespace (listed in its policy as an issuer). Anyone can scan it and check it
        against the ledger. The key signs here, in this page.
      </p>
      <form onSubmit={(e) => void run(e)} data-testid="labels-form">
        <div class="field">
          <label for="label-issuer">Issuer key</label>
          {app.signers.length === 0 ? (
            <p class="help" id="label-issuer">
              No key loaded: load an issuer key file in section 1.
            </p>
          ) : (
            <select id="label-issuer" value={issuer?.id} onChange={(e) => setIssuerId((e.target as HTMLSelectElement).value)}>
              {app.signers.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.id}
                </option>
              ))}
            </select>
          )}
          {fieldErr('label-issuer') ? <p class="error">{fieldErr('label-issuer')}</p> : null}
        </div>
        {input(
          'ids',
          'Identifiers, one per line',
          'Any form: text, DID or label URL; the check character may be left out.',
          'textarea',
          '156.130100.42/LAMP-000017:F',
        )}
        {input(
          'fields',
          'Attributes the labels vouch for besides the type (optional)',
          'A change of these attributes later makes the label verify as ALTERED.',
          'text',
          'kind, power',
        )}
        {input('expires', 'Expires on (optional)', 'At the end of that day (UTC) the label verifies as EXPIRED.', 'date')}
        <fieldset>
          <legend>What the QR code holds</legend>
          <div class="field check">
            <input id="label-form-url" type="radio" name="label-form" checked={form === 'url'} onChange={() => setForm('url')} />
            <label for="label-form-url">The label URL on this node ({location.origin}/id/…): a phone camera opens it</label>
          </div>
          <div class="field check">
            <input id="label-form-code" type="radio" name="label-form" checked={form === 'code'} onChange={() => setForm('code')} />
            <label for="label-form-code">The code text (UC1:…): smaller, for scanner apps</label>
          </div>
        </fieldset>
        <div class="row buttons">
          <button type="submit" disabled={!app.client || st.kind === 'working'}>
            Make labels
          </button>
        </div>
      </form>
      {st.kind === 'working' ? (
        <p class="loading" role="status" aria-live="polite">
          Making labels… {st.done} of {st.of}
        </p>
      ) : null}
      {st.kind === 'refused' ? (
        <Notice tone="bad" title="This key may not issue labels here" testid="label-not-authorised">
          <p>
            The key <Mono value={st.issuer} full /> is not among the issuers of namespace <code>{st.ns}</code> (its policy, verified just now). A label it
            signed would verify as <strong>FORGED</strong>, so none was made.
          </p>
          <p>Load an issuer key of that namespace, or ask its controllers to add this key to its issuers (Update the namespace).</p>
          <p class="reason">{st.message}</p>
        </Notice>
      ) : null}
      {st.kind === 'done' ? (
        <div class="label-sheet" data-testid="labels">
          <p class="no-print" role="status">
            {made.length} label{made.length === 1 ? '' : 's'} signed by <Mono value={st.issuer} />.{' '}
            {made.length ? (
              <button type="button" class="secondary" onClick={() => window.print()}>
                Print labels
              </button>
            ) : null}
          </p>
          <ul class="labels">
            {st.outcomes.map((o) =>
              'made' in o ? (
                <li key={o.id} class="label" data-testid="label" data-id={o.id} data-content={o.made.content}>
                  <img src={o.made.svg} alt={`Signed QR label of ${o.id}`} width={180} height={180} />
                  <span class="caption">
                    <IdLink id={o.id} />
                    <span class="small muted"> serial {o.made.serial}</span>
                  </span>
                  <span class="no-print small">
                    <a href={o.made.svg} download={labelFileName(o.id, o.made.serial, 'svg')}>
                      SVG<span class="sr-only"> of {o.id}</span>
                    </a>{' '}
                    <a href={o.made.png} download={labelFileName(o.id, o.made.serial, 'png')} data-testid="label-png">
                      PNG<span class="sr-only"> of {o.id}</span>
                    </a>
                  </span>
                </li>
              ) : (
                <li key={o.id} class="label failed no-print" data-testid="label-failed">
                  <strong>{o.id}</strong>
                  <span class="error">{o.error}</span>
                </li>
              ),
            )}
          </ul>
        </div>
      ) : null}
    </section>
  );
}

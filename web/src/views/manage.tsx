/**
 * Manage: load a key file into the page (it never leaves the browser), build and sign transactions
 * here with the SDK, pass a partly signed transaction between people for thresholds, and follow each
 * transaction to its commit.
 */
import { useState } from 'preact/hooks';
import type { Tx } from '../../../src/core/ledger/types.js';
import { cosignTx, txHash, type Signer } from '../../../src/core/ledger/tx.js';
import { canonicalJson } from '../../../src/core/encoding/canonical-json.js';
import { isUrbisError } from '../../../src/core/errors.js';
import { KeyList, Mono, Notice, Page } from '../components.js';
import { useApp } from '../ctx.js';
import { buildPayload, FieldError, parseSharedTx, type Operation, type OperationFields } from '../lib/forms.js';
import { isEncrypted, signerFromKeyFile } from '../lib/keyfile.js';
import { blockHref, idHref, txHref } from '../lib/route.js';
import { IssueLabels } from './labels.js';

const OPS: Array<{ op: Operation; label: string }> = [
  { op: 'id.register', label: 'Register an identifier' },
  { op: 'id.update', label: 'Update an identifier' },
  { op: 'id.transfer', label: 'Transfer an identifier' },
  { op: 'id.deactivate', label: 'Deactivate an identifier' },
  { op: 'label.revoke', label: 'Revoke a printed label' },
  { op: 'ns.create', label: 'Create a namespace' },
];

const EMPTY: OperationFields = {
  target: '',
  type: '',
  attributes: '',
  links: '',
  services: '',
  controllers: '',
  threshold: '1',
  toNamespace: false,
  reason: '',
  serial: '',
};

export function ManageView() {
  return (
    <Page
      title="Manage"
      lead="Write to the registry with your own key: transactions and labels are built and signed in this page; only signed transactions are sent to the node."
    >
      <Keys />
      <Compose />
      <Cosign />
      <IssueLabels />
    </Page>
  );
}

function Keys() {
  const app = useApp();
  const [text, setText] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [pass, setPass] = useState('');
  const [err, setErr] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const encrypted = (() => {
    try {
      return text !== null && isEncrypted(text);
    } catch {
      return false;
    }
  })();

  const load = async (t: string, passphrase?: string) => {
    setErr(null);
    setBusy(true);
    try {
      const s = await signerFromKeyFile(t, passphrase);
      if (!app.signers.some((x) => x.id === s.id)) app.setSigners([...app.signers, s]);
      setText(null);
      setPass('');
    } catch (e) {
      setErr(isUrbisError(e) ? e.message : String(e));
    } finally {
      setBusy(false);
    }
  };

  const onFile = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const f = input.files?.[0];
    input.value = '';
    if (!f) return;
    setName(f.name);
    if (f.size > 65536) return setErr('This file is too large to be a key file.');
    const t = await f.text();
    try {
      if (isEncrypted(t)) {
        setText(t);
        return;
      }
    } catch (x) {
      return setErr(isUrbisError(x) ? x.message : String(x));
    }
    await load(t);
  };

  return (
    <section aria-labelledby="keys-h">
      <h2 id="keys-h">1. Your keys</h2>
      <Notice tone="info" title="Your key file stays in this page" testid="key-notice">
        It is read by your browser and kept in this page's memory only: it is never uploaded, never stored, and is forgotten when you close or reload the page.
        Only signed transactions are sent to the node.
      </Notice>
      <div class="field">
        <label for="keyfile">Key file (urbis-ed25519-key JSON)</label>
        <input id="keyfile" type="file" accept=".key,.json,application/json" onChange={onFile} />
      </div>
      {encrypted ? (
        <form
          class="field"
          onSubmit={(e) => {
            e.preventDefault();
            void load(text!, pass);
          }}
        >
          <label for="passphrase">Passphrase of {name}</label>
          <div class="row">
            <input id="passphrase" type="password" autocomplete="off" value={pass} onInput={(e) => setPass((e.target as HTMLInputElement).value)} />
            <button type="submit" disabled={busy}>
              {busy ? 'Decrypting…' : 'Unlock'}
            </button>
          </div>
        </form>
      ) : null}
      {err ? (
        <p class="error" role="alert">
          {err}
        </p>
      ) : null}
      {app.signers.length === 0 ? (
        <p class="empty">No key loaded. You can still check and pass on a transaction below; signing needs a key.</p>
      ) : (
        <ul class="plain keys" data-testid="loaded-keys">
          {app.signers.map((s) => (
            <li key={s.id}>
              <Mono value={s.id} full />{' '}
              <button type="button" class="link" onClick={() => app.setSigners(app.signers.filter((x) => x.id !== s.id))}>
                Forget<span class="sr-only"> key {s.id.slice(0, 12)}</span>
              </button>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

type Follow = {
  hash: string;
  state: 'sending' | 'pending' | 'committed' | 'invalid' | 'failed';
  height?: number;
  message?: string;
  subject?: string | undefined;
};

function useFollow() {
  const app = useApp();
  const [follow, setFollow] = useState<Follow | null>(null);
  const submit = async (tx: Tx, subject?: string) => {
    const client = app.client!;
    const hash = txHash(tx.body);
    setFollow({ hash, state: 'sending', subject });
    try {
      const first = await client.submit(tx);
      setFollow({ hash, state: 'pending', subject });
      const st = first.status === 'committed' ? first : await client.wait(hash);
      const c = await client.confirm(st);
      if (c.result.ok) setFollow({ hash, state: 'committed', height: c.height, subject });
      else setFollow({ hash, state: 'invalid', height: c.height, message: `${c.result.code}: ${c.result.message}`, subject });
    } catch (e) {
      setFollow({ hash, state: 'failed', message: isUrbisError(e) ? `${e.code}: ${e.message}` : String(e), subject });
    }
  };
  return { follow, submit, reset: () => setFollow(null) };
}

function FollowBox(props: { f: Follow }) {
  const f = props.f;
  const tone = f.state === 'committed' ? 'ok' : f.state === 'invalid' || f.state === 'failed' ? 'bad' : 'info';
  const title = {
    sending: 'Sending…',
    pending: 'Accepted by the node; waiting for a block…',
    committed: `Committed in block ${f.height}`,
    invalid: `Committed as invalid in block ${f.height}`,
    failed: 'Not accepted',
  }[f.state];
  return (
    <div aria-live="polite" data-testid="follow" data-state={f.state}>
      <Notice tone={tone} title={title}>
        <p>
          Transaction <a href={txHref(f.hash)}>{<Mono value={f.hash} />}</a>
          {f.height !== undefined ? (
            <>
              {' '}
              in <a href={blockHref(f.height)}>block {f.height}</a>
            </>
          ) : null}
          {f.state === 'committed' && f.subject?.includes('/') ? (
            <>
              {' '}
              — <a href={idHref(f.subject)}>open {f.subject}</a>
            </>
          ) : null}
        </p>
        {f.message ? <p class="reason">{f.message}</p> : null}
      </Notice>
    </div>
  );
}

function field(
  id: keyof OperationFields,
  label: string,
  v: OperationFields,
  set: (f: OperationFields) => void,
  opts: { area?: boolean; help?: string; error?: string | null; placeholder?: string } = {},
) {
  const props = {
    id: `f-${id}`,
    name: id,
    value: String(v[id]),
    placeholder: opts.placeholder,
    'aria-invalid': opts.error ? true : undefined,
    'aria-describedby': opts.help || opts.error ? `f-${id}-help` : undefined,
    onInput: (e: Event) => set({ ...v, [id]: (e.target as HTMLInputElement).value }),
  };
  return (
    <div class="field" key={id}>
      <label for={`f-${id}`}>{label}</label>
      {opts.area ? <textarea rows={3} {...props} /> : <input type="text" autocomplete="off" spellcheck={false} {...props} />}
      {opts.help || opts.error ? (
        <p id={`f-${id}-help`} class={opts.error ? 'error' : 'help'}>
          {opts.error ?? opts.help}
        </p>
      ) : null}
    </div>
  );
}

function Compose() {
  const app = useApp();
  const [op, setOp] = useState<Operation>('id.register');
  const [v, setV] = useState<OperationFields>(EMPTY);
  const [errs, setErrs] = useState<{ field: string; message: string } | null>(null);
  const [signed, setSigned] = useState<Tx | null>(null);
  const [use, setUse] = useState<Record<string, boolean>>({});
  const { follow, submit, reset } = useFollow();
  const chosen = app.signers.filter((s) => use[s.id] !== false);
  const err = (f: string) => (errs?.field === f ? errs.message : null);

  const loadCurrent = async () => {
    try {
      const r = await app.client!.resolve(v.target);
      if (!r.present || r.entry.kind !== 'id') return setErrs({ field: 'target', message: `${r.id} is not registered (verified)` });
      const rec = r.entry.record;
      setV({
        ...v,
        target: r.id,
        type: rec.type,
        attributes: Object.entries(rec.attributes ?? {})
          .map(([k, x]) => `${k}=${typeof x === 'string' ? x : JSON.stringify(x)}`)
          .join('\n'),
        links: (rec.links ?? []).map((l) => `${l.rel} ${l.target}`).join('\n'),
        services: (rec.services ?? []).map((s) => `${s.id} ${s.type} ${s.serviceEndpoint}`).join('\n'),
      });
      setErrs(null);
    } catch (e) {
      setErrs({ field: 'target', message: isUrbisError(e) ? e.message : String(e) });
    }
  };

  const build = (andSubmit: boolean) => (e: Event) => {
    e.preventDefault();
    setErrs(null);
    setSigned(null);
    try {
      const { type, payload } = buildPayload(op, v);
      if (chosen.length === 0 && andSubmit) throw new FieldError('signers', 'load a key file first: a transaction needs at least one signature');
      const tx = app.client!.tx(type as Operation, payload as never, chosen);
      setSigned(tx);
      const subject = (payload as { id?: string; ns?: string }).id ?? (payload as { ns?: string }).ns;
      if (andSubmit) void submit(tx, subject);
      else reset();
    } catch (x) {
      if (x instanceof FieldError) setErrs({ field: x.field, message: x.message });
      else setErrs({ field: 'form', message: isUrbisError(x) ? x.message : String(x) });
    }
  };

  const hasRecord = op === 'id.register' || op === 'id.update' || op === 'ns.create';
  const hasControllers = op === 'ns.create' || op === 'id.register' || op === 'id.transfer';
  return (
    <section aria-labelledby="compose-h">
      <h2 id="compose-h">2. Build and sign a transaction</h2>
      <form onSubmit={build(true)} data-testid="compose">
        <div class="field">
          <label for="op">What to do</label>
          <select
            id="op"
            value={op}
            onChange={(e) => {
              setOp((e.target as HTMLSelectElement).value as Operation);
              setErrs(null);
            }}
          >
            {OPS.map((o) => (
              <option key={o.op} value={o.op}>
                {o.label}
              </option>
            ))}
          </select>
        </div>
        {field('target', op === 'ns.create' ? 'Namespace path' : 'Identifier', v, setV, {
          placeholder: op === 'ns.create' ? '156.130100.99' : op === 'id.register' ? '156.130100.42/LAMP-000099' : '156.130100.42/LAMP-000017:F',
          help:
            op === 'id.register'
              ? 'Without check character: it is computed.'
              : op === 'ns.create'
                ? 'Signed by the controllers of the parent namespace.'
                : 'With its check character.',
          error: err('target'),
        })}
        {op === 'id.update' ? (
          <button type="button" class="secondary" onClick={() => void loadCurrent()}>
            Load the current record (verified)
          </button>
        ) : null}
        {hasRecord ? (
          <fieldset>
            <legend>Record (public: no personal data)</legend>
            {field('type', 'Type', v, setV, {
              placeholder: op === 'ns.create' ? 'organisation' : 'lamp',
              help: 'lamp, camera, meter, building, … or x-custom',
              error: err('type'),
            })}
            {field('attributes', 'Attributes, one name=value per line', v, setV, {
              area: true,
              placeholder: 'street=Zhongshan Road\npower=60',
              error: err('attributes'),
            })}
            {field('links', 'Links, one "relation target" per line', v, setV, { area: true, placeholder: 'located-in 156.130100:Y', error: err('links') })}
            {field('services', 'Services, one "#id type endpoint" per line', v, setV, {
              area: true,
              placeholder: '#feed DataFeed https://data.city.example/lamp',
              error: err('services'),
            })}
          </fieldset>
        ) : null}
        {hasControllers ? (
          <fieldset>
            <legend>{op === 'id.transfer' ? 'New controllers' : op === 'id.register' ? 'Own controllers (optional)' : 'Controllers'}</legend>
            {op === 'id.transfer' ? (
              <div class="field check">
                <input
                  id="f-toNamespace"
                  type="checkbox"
                  checked={v.toNamespace}
                  onChange={(e) => setV({ ...v, toNamespace: (e.target as HTMLInputElement).checked })}
                />
                <label for="f-toNamespace">Hand it back to its namespace's controllers</label>
              </div>
            ) : null}
            {!(op === 'id.transfer' && v.toNamespace) ? (
              <>
                {field('controllers', 'Public keys (z6Mk…), one per line', v, setV, {
                  area: true,
                  help: op === 'id.register' ? 'Leave empty to let the namespace govern it.' : undefined,
                  error: err('controllers'),
                })}
                {app.signers.length ? (
                  <button
                    type="button"
                    class="secondary"
                    onClick={() => setV({ ...v, controllers: [v.controllers.trim(), ...app.signers.map((s) => s.id)].filter(Boolean).join('\n') })}
                  >
                    Add my loaded keys
                  </button>
                ) : null}
                {field('threshold', 'Signatures needed (threshold)', v, setV, { error: err('threshold') })}
              </>
            ) : null}
          </fieldset>
        ) : null}
        {op === 'label.revoke' ? (
          <>
            <Notice tone="warn" title="Revocation is final">
              A scanner will answer REVOKED for the label with this serial, online at once and offline from the next trust bundle. Other labels of the
              identifier stay valid.
            </Notice>
            {field('serial', 'Label serial (printed on the label, shown by a scan)', v, setV, { error: err('serial') })}
            {field('reason', 'Reason (public)', v, setV, {})}
          </>
        ) : null}
        {op === 'id.deactivate' ? (
          <>
            <Notice tone="warn" title="Deactivation is final">
              The identifier stays on record as deactivated and can never be reused.
            </Notice>
            {field('reason', 'Reason (public)', v, setV, {})}
          </>
        ) : null}
        <fieldset>
          <legend>Sign with</legend>
          {app.signers.length === 0 ? <p class="help">No key loaded: you can only prepare an unsigned transaction for others to sign.</p> : null}
          {app.signers.map((s) => (
            <div class="field check" key={s.id}>
              <input
                id={`use-${s.id}`}
                type="checkbox"
                checked={use[s.id] !== false}
                onChange={(e) => setUse({ ...use, [s.id]: (e.target as HTMLInputElement).checked })}
              />
              <label for={`use-${s.id}`}>
                <Mono value={s.id} />
              </label>
            </div>
          ))}
          {err('signers') ? <p class="error">{err('signers')}</p> : null}
        </fieldset>
        {errs?.field === 'form' ? (
          <p class="error" role="alert">
            {errs.message}
          </p>
        ) : null}
        <div class="row buttons">
          <button type="submit" disabled={!app.client}>
            Sign and submit
          </button>
          <button type="button" class="secondary" onClick={build(false)} disabled={!app.client}>
            Sign only, to pass on
          </button>
        </div>
      </form>
      {follow ? <FollowBox f={follow} /> : null}
      {signed && !follow ? <Shared tx={signed} /> : null}
    </section>
  );
}

/** A signed (or partly signed) transaction to pass on: copy or download. */
function Shared(props: { tx: Tx }) {
  const text = JSON.stringify(props.tx, null, 2);
  const hash = txHash(props.tx.body);
  const href = URL.createObjectURL(new Blob([text], { type: 'application/json' }));
  return (
    <div class="shared" data-testid="shared">
      <p>
        Transaction <Mono value={hash} />, {props.tx.sigs.length} signature{props.tx.sigs.length === 1 ? '' : 's'}, valid until{' '}
        {new Date(props.tx.body.validUntil).toISOString()}. Pass it to the next signer, who adds a signature below (section 3).
      </p>
      <label for="shared-out">Transaction to pass on</label>
      <textarea id="shared-out" readOnly rows={8} value={text} />
      <div class="row buttons">
        <button type="button" class="secondary" onClick={() => void navigator.clipboard?.writeText(text)}>
          Copy
        </button>
        <a class="button secondary" href={href} download={`urbis-tx-${hash.slice(0, 12)}.json`}>
          Download
        </a>
      </div>
    </div>
  );
}

function Cosign() {
  const app = useApp();
  const [text, setText] = useState('');
  const [tx, setTx] = useState<Tx | null>(null);
  const [err, setErr] = useState<string | null>(null);
  const { follow, submit } = useFollow();

  const read = (t: string) => {
    setText(t);
    setErr(null);
    setTx(null);
    if (!t.trim()) return;
    try {
      const parsed = parseSharedTx(t);
      if (parsed.body.chain !== app.anchor.pinned?.chainId)
        throw new FieldError('shared', `this transaction is for network ${parsed.body.chain}, not ${app.anchor.pinned?.chainId}`);
      canonicalJson(parsed.body);
      setTx(parsed);
    } catch (e) {
      setErr(isUrbisError(e) ? e.message : String(e));
    }
  };
  const sign = (signers: Signer[]) => {
    if (!tx) return;
    const next = cosignTx(tx, signers);
    setTx(next);
    setText(JSON.stringify(next, null, 2));
  };
  return (
    <section aria-labelledby="cosign-h">
      <h2 id="cosign-h">3. Co-sign a transaction someone passed to you</h2>
      <p class="help">
        For namespaces and identifiers that need several signatures: the first person signs and passes the transaction on; each adds a signature; the last one
        submits.
      </p>
      <div class="field">
        <label for="cosign-in">Transaction (paste, or choose a file)</label>
        <textarea id="cosign-in" rows={6} value={text} onInput={(e) => read((e.target as HTMLTextAreaElement).value)} />
      </div>
      <div class="field">
        <label for="cosign-file">Transaction file</label>
        <input
          id="cosign-file"
          type="file"
          accept=".json,application/json"
          onChange={async (e) => {
            const f = (e.target as HTMLInputElement).files?.[0];
            if (f && f.size < 2_000_000) read(await f.text());
          }}
        />
      </div>
      {err ? (
        <p class="error" role="alert">
          {err}
        </p>
      ) : null}
      {tx ? (
        <div class="shared">
          <p>
            <strong>{tx.body.type}</strong> — {tx.sigs.length} signature{tx.sigs.length === 1 ? '' : 's'} so far:
          </p>
          <KeyList keys={tx.sigs.map((s) => s.key)} short />
          <details>
            <summary>What it says</summary>
            <pre class="json">{JSON.stringify(tx.body.payload, null, 2)}</pre>
          </details>
          <div class="row buttons">
            <button type="button" disabled={app.signers.length === 0} onClick={() => sign(app.signers)}>
              Add my signature
            </button>
            <button type="button" class="secondary" disabled={!app.client} onClick={() => void submit(tx)}>
              Submit to the node
            </button>
          </div>
        </div>
      ) : null}
      {follow ? <FollowBox f={follow} /> : null}
    </section>
  );
}

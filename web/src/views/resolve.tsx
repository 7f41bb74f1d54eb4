/**
 * Resolve: one search box for any identifier form; the record with a verified badge computed here,
 * in the browser, by the SDK against the pinned trust anchor; a distinct state for every outcome.
 */
import { useEffect, useState } from 'preact/hooks';
import type { IdHistory, NsResolution } from '../../../src/client/client.js';
import type { IdEntry, NsEntry } from '../../../src/core/ledger/types.js';
import { Badge, Facts, FailureBox, IdLink, IdList, KeyList, Loading, Mono, Notice, Page } from '../components.js';
import { useApp } from '../ctx.js';
import { ago, isoTime } from '../lib/format.js';
import { blockHref, idHref, nsHref, txHref } from '../lib/route.js';
import { classifyFailure, parseInput, statusText, type Failure, type ParsedInput } from '../lib/states.js';
import type { EngineCounts } from '../lib/accel.js';
import { verifyCodeOnline } from '../../../src/client/codes.js';
import type { CodeVerdict } from '../../../src/core/codes/verify.js';
import { VerdictCard } from './verdict.js';

type Outcome =
  | { kind: 'loading' }
  | { kind: 'failed'; failure: Failure }
  | {
      kind: 'id';
      history: IdHistory;
      ns: NsResolution | null;
      linkedFrom: { items: IdEntry[]; height: number } | { failure: Failure };
      engine: EngineCounts;
      ms: number;
    }
  | { kind: 'ns'; ns: NsResolution; engine: EngineCounts; ms: number };

export function ResolveView(props: { q: string; code: string | null }) {
  const app = useApp();
  const [text, setText] = useState(props.q);
  useEffect(() => setText(props.q), [props.q]);
  const parsed = props.q ? parseInput(props.q) : null;

  const submit = (e: Event) => {
    e.preventDefault();
    const p = parseInput(text);
    app.navigate(p.ok ? idHref(p.text) : `/?q=${encodeURIComponent(text)}`);
  };

  return (
    <Page title="Resolve an identifier" lead="Every answer is checked here, in your browser, against the network's trust anchor: the node is not trusted.">
      <form class="search" role="search" onSubmit={submit}>
        <label for="q">Identifier, DID or label URL</label>
        <div class="row">
          <input
            id="q"
            name="q"
            type="search"
            value={text}
            onInput={(e) => setText((e.target as HTMLInputElement).value)}
            placeholder="156.130100.42/LAMP-000017:F"
            autocomplete="off"
            autocapitalize="characters"
            spellcheck={false}
            aria-describedby="q-help"
          />
          <button type="submit">Resolve</button>
        </div>
        <p id="q-help" class="help">
          Text form with its check character, <code>did:urbis:…</code>, or a label URL <code>https://…/id/…</code>.
        </p>
      </form>
      {parsed?.ok && props.code ? <CodeCheck id={parsed.text} code={props.code} /> : null}
      {parsed ? <Result parsed={parsed} /> : <Empty />}
    </Page>
  );
}

function Empty() {
  return (
    <div class="empty">
      <p>Type or paste an identifier above, or scan a label. Examples of what you can open:</p>
      <ul>
        <li>
          <a href="/ns">Browse the namespaces</a>, from countries down to organisations.
        </li>
        <li>
          <a href="/ledger">See the latest blocks</a> and transactions, live.
        </li>
      </ul>
    </div>
  );
}

function delta(before: EngineCounts, after: EngineCounts): EngineCounts {
  return { webcrypto: after.webcrypto - before.webcrypto, noble: after.noble - before.noble };
}

function Result(props: { parsed: ParsedInput }) {
  const app = useApp();
  const p = props.parsed;
  const [out, setOut] = useState<Outcome>({ kind: 'loading' });
  const key = p.ok ? p.text : null;

  useEffect(() => {
    if (!p.ok || !app.client) return;
    let live = true;
    const client = app.client;
    setOut({ kind: 'loading' });
    const t0 = performance.now();
    const before = { ...app.engine.counts };
    const run = async (): Promise<Outcome> => {
      if (p.isNamespace) {
        const ns = await client.ns(p.ident.namespace.join('.'));
        return { kind: 'ns', ns, engine: delta(before, app.engine.counts), ms: performance.now() - t0 };
      }
      const nsPath = p.ident.namespace.join('.');
      const [history, ns, linked] = await Promise.all([
        // The page shows the current entry as the identifier's state now: freshness rules apply.
        client.history(p.text, { fresh: true }),
        client.ns(nsPath).catch(() => null),
        client.searchVerified({ linkedTo: p.text, limit: 20 }).then(
          (a) => ({ items: a.items, height: a.proof.height }),
          (e: unknown) => ({ failure: classifyFailure(e) }),
        ),
      ]);
      return { kind: 'id', history, ns, linkedFrom: linked, engine: delta(before, app.engine.counts), ms: performance.now() - t0 };
    };
    run().then(
      (o) => live && setOut(o),
      (e: unknown) => live && setOut({ kind: 'failed', failure: classifyFailure(e) }),
    );
    return () => {
      live = false;
    };
  }, [key, app.client]);

  // When the badge is shown: ms since navigation start (bench/web.ts reads it).
  useEffect(() => {
    if (out.kind === 'id' || out.kind === 'ns') document.documentElement.dataset.verifiedAt = String(Math.round(performance.now()));
  }, [out]);

  if (!p.ok) {
    if (p.kind === 'typo') {
      return (
        <div class="result" data-state="typo">
          <Notice tone="warn" title="Typo: the check character does not match" testid="typo">
            <p>
              <Marked input={p.input} position={p.position} /> is not a valid identifier: its last character is a check that catches a mistyped or two swapped
              characters. Read the label again, character by character.
            </p>
            <p class="reason">{p.message}</p>
          </Notice>
        </div>
      );
    }
    return (
      <div class="result" data-state="malformed">
        <Notice tone="warn" title={p.kind === 'empty' ? 'Nothing to resolve' : 'Not an identifier'} testid="malformed">
          <p>
            <Marked input={p.input} position={p.position} />
          </p>
          <p class="reason">
            {p.message} <code>{p.code}</code>
          </p>
        </Notice>
      </div>
    );
  }
  if (!app.client)
    return (
      <Notice tone="warn" title="No trust anchor" testid="no-anchor">
        Load the network's genesis on the <a href="/trust">Trust</a> page first.
      </Notice>
    );
  if (out.kind === 'loading') return <Loading what={`Resolving and verifying ${p.text}`} />;
  if (out.kind === 'failed') return <FailureBox failure={out.failure} />;
  if (out.kind === 'ns') return <NsResult r={out.ns} engine={out.engine} ms={out.ms} />;
  return <IdResult o={out} />;
}

/** The input with the faulty character marked. */
function Marked(props: { input: string; position: number | null }) {
  const { input, position } = props;
  if (position === null || position < 0 || position >= input.length) return <code class="mono">{input}</code>;
  return (
    <code class="mono">
      {input.slice(0, position)}
      <mark aria-label={`character ${position + 1}`}>{input[position]}</mark>
      {input.slice(position + 1)}
    </code>
  );
}

function IdResult(props: { o: Extract<Outcome, { kind: 'id' }> }) {
  const { history, ns, linkedFrom, engine, ms } = props.o;
  const r = history.current;
  if (!r.present) {
    return (
      <div class="result" data-state="absent" data-verified-ms={Math.round(ms)}>
        <div class="title-row">
          <h2 class="id">{r.id}</h2>
          <Badge ok={true} />
        </div>
        <Notice tone="info" title="Not registered" testid="absent">
          <p>
            No identifier <code>{r.id}</code> exists at block {r.height}. The node proved its absence with a non-inclusion proof that your browser checked: a
            node cannot hide an identifier that exists.
          </p>
          <p>
            Its namespace: {ns?.present ? <a href={nsHref(ns.ns)}>{ns.ns}</a> : <code>{r.id.split('/')[0]}</code>}
            {ns && !ns.present ? ' (does not exist either)' : ''}.
          </p>
        </Notice>
        <Proof r={r} engine={engine} absent />
      </div>
    );
  }
  const e = r.entry;
  const nsSuspended = ns?.present ? ns.entry.status === 'suspended' : false;
  const st = statusText(e.status, nsSuspended);
  return (
    <div
      class="result"
      data-state={e.status === 'active' && !nsSuspended ? 'verified' : e.status === 'deactivated' ? 'deactivated' : 'suspended'}
      data-verified-ms={Math.round(ms)}
    >
      <div class="title-row">
        <h2 class="id" data-testid="resolved-id">
          {r.id}
        </h2>
        <Badge ok={true} />
      </div>
      {st.tone !== 'ok' ? (
        <Notice tone={st.tone} title={st.title} testid="status">
          {st.help}
        </Notice>
      ) : null}
      <Facts
        rows={[
          ['Type', <span class="type">{e.record.type}</span>],
          ['Status', <span class={`status ${e.status}`}>{e.status}</span>],
          ['Namespace', <a href={nsHref(e.ns)}>{e.ns}</a>],
          ['DID', <code class="mono wrap">{r.did}</code>],
          ['Label URL', <code class="mono wrap">{r.url}</code>],
          ['Version', String(e.version)],
          ['Registered', isoTime(e.created)],
          ['Last change', `${isoTime(e.updated)} (${ago(e.updated, Date.now())})`],
        ]}
      />
      <Controllers entry={e} />
      {e.revokedLabels?.length ? (
        <section>
          <h3>Revoked labels</h3>
          <p>
            Printed labels with these serial numbers are revoked: <span data-testid="revoked-labels">{e.revokedLabels.join(', ')}</span>.
          </p>
        </section>
      ) : null}
      <Record entry={e} />
      <History h={history} />
      {'failure' in linkedFrom ? (
        <section>
          <h3>Linked from</h3>
          <FailureBox failure={linkedFrom.failure} />
        </section>
      ) : linkedFrom.items.length > 0 ? (
        <section>
          <h3>Linked from</h3>
          <p class="help" data-testid="linked-proof">
            Each identifier below is proven current at block {linkedFrom.height} with a link to this one (the first 20).
          </p>
          <IdList items={linkedFrom.items} />
        </section>
      ) : null}
      <Proof r={r} engine={engine} />
    </div>
  );
}

function Controllers(props: { entry: IdEntry | NsEntry }) {
  const c = props.entry.controllers;
  return (
    <section>
      <h3>Controllers</h3>
      {c === null ? (
        <p>
          Governed by its namespace <a href={nsHref(props.entry.ns)}>{props.entry.ns}</a>: the namespace's controllers and registrars manage it.
        </p>
      ) : (
        <>
          <p>
            {c.threshold} of {c.keys.length} of these keys must sign a change:
          </p>
          <KeyList keys={c.keys} />
        </>
      )}
    </section>
  );
}

function Record(props: { entry: IdEntry | NsEntry }) {
  const rec = props.entry.record;
  const attrs = Object.entries(rec.attributes ?? {});
  return (
    <>
      <section>
        <h3>Attributes</h3>
        {attrs.length === 0 ? (
          <p class="muted">No attributes.</p>
        ) : (
          <table class="kv">
            <tbody>
              {attrs.map(([k, v]) => (
                <tr key={k}>
                  <th scope="row">{k}</th>
                  <td>{typeof v === 'string' ? v : JSON.stringify(v)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      {rec.links?.length ? (
        <section>
          <h3>Links</h3>
          <ul class="plain">
            {rec.links.map((l) => (
              <li key={l.rel + l.target}>
                <span class="rel">{l.rel}</span> <IdLink id={l.target} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
      {rec.services?.length ? (
        <section>
          <h3>Services</h3>
          <table class="kv">
            <tbody>
              {rec.services.map((s) => (
                <tr key={s.id}>
                  <th scope="row">
                    {s.id} <span class="muted">{s.type}</span>
                  </th>
                  <td>
                    {/^https:\/\//.test(s.serviceEndpoint) ? (
                      <a href={s.serviceEndpoint} rel="noopener noreferrer">
                        {s.serviceEndpoint}
                      </a>
                    ) : (
                      <code>{s.serviceEndpoint}</code>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {rec.privateRefs?.length ? (
        <section>
          <h3>Private references</h3>
          <p class="help">Salted hashes of data kept off the ledger by its holder.</p>
          <ul class="plain">
            {rec.privateRefs.map((p) => (
              <li key={p.name}>
                {p.name}: <Mono value={p.hash} />
              </li>
            ))}
          </ul>
        </section>
      ) : null}
    </>
  );
}

function History(props: { h: IdHistory }) {
  const vs = [...props.h.versions].reverse();
  return (
    <section>
      <h3>Version history</h3>
      <p class="help">
        {props.h.proven
          ? 'Every version is proven against the certified header of the block that wrote it, and names the transaction that wrote it.'
          : 'The latest version is proven; earlier ones are checked to lead to it, and each names the transaction and block that wrote it.'}
      </p>
      <div class="scroll">
        <table>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Time</th>
              <th scope="col">Status</th>
              <th scope="col">Block</th>
              <th scope="col">Transaction</th>
            </tr>
          </thead>
          <tbody>
            {vs.map((v) => (
              <tr key={v.version}>
                <td>{v.version}</td>
                <td>{isoTime(v.updated)}</td>
                <td>{v.status}</td>
                <td>
                  <a href={blockHref(v.height)}>{v.height}</a>
                </td>
                <td>
                  <a href={txHref(v.tx)}>
                    <Mono value={v.tx} />
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}

/** What was checked, and against what. */
function Proof(props: { r: IdHistory['current'] | NsResolution; engine: EngineCounts; absent?: boolean }) {
  const app = useApp();
  const { r, engine } = props;
  const a = app.anchor.pinned!;
  const eng =
    engine.webcrypto > 0 && engine.noble === 0
      ? 'WebCrypto'
      : engine.webcrypto > 0
        ? 'WebCrypto and @noble'
        : engine.noble > 0
          ? '@noble (JavaScript)'
          : 'none needed: this header was verified moments ago';
  return (
    <details class="proof" data-testid="proof-details">
      <summary>What your browser checked</summary>
      <ol>
        <li>
          The answer is from network <code>{r.proof.chainId}</code>, the chain of your trust anchor (genesis <Mono value={a.genesisHash} />, pinned{' '}
          {isoTime(a.pinnedAt)}).
        </li>
        <li>
          Block <a href={blockHref(r.height)}>{r.height}</a> (header <Mono value={r.headerHash} />) is certified by {r.signers} of {a.validators.length}{' '}
          validators; more than two thirds are needed.
        </li>
        <li>
          The Merkle {props.absent ? 'non-inclusion proof shows that the key' : 'proof leads from this entry, under the key'} <code>{r.key}</code>
          {props.absent ? ' is absent from' : ' to'} the state root <Mono value={r.stateRoot} /> of that block.
        </li>
        <li>The key is derived here from what you asked for, not taken from the answer.</li>
      </ol>
      <Facts
        rows={[
          ['Block time', `${isoTime(r.time)} (${ago(r.time, Date.now())})`],
          ['Signature checks', <span data-testid="engine">{eng}</span>],
          ['Raw answer', <a href={'ns' in r ? `/v1/ns/${r.ns}` : `/v1/ids/${encodeURIComponent(r.id)}`}>JSON as the node sent it</a>],
        ]}
      />
    </details>
  );
}

function NsResult(props: { r: NsResolution; engine: EngineCounts; ms: number }) {
  const r = props.r;
  if (!r.present) {
    return (
      <div class="result" data-state="absent" data-verified-ms={Math.round(props.ms)}>
        <div class="title-row">
          <h2 class="id">{r.id}</h2>
          <Badge ok={true} />
        </div>
        <Notice tone="info" title="Namespace not registered" testid="absent">
          No namespace <code>{r.ns}</code> exists at block {r.height}; the node proved its absence.
        </Notice>
        <Proof r={r} engine={props.engine} absent />
      </div>
    );
  }
  return (
    <div class="result" data-state={r.entry.status === 'active' ? 'verified' : 'suspended'} data-verified-ms={Math.round(props.ms)}>
      <div class="title-row">
        <h2 class="id">{r.id}</h2>
        <Badge ok={true} />
      </div>
      <p>
        A namespace ({r.entry.record.type}). <a href={nsHref(r.ns)}>Open it in the namespace tree</a> for its policy, quotas and children.
      </p>
      <Proof r={r} engine={props.engine} />
    </div>
  );
}

/** The signed code of a label URL (`?c=`), verified here against the ledger. */
function CodeCheck(props: { id: string; code: string }) {
  const app = useApp();
  const [v, setV] = useState<CodeVerdict | Failure | null>(null);
  useEffect(() => {
    if (!app.client) return;
    let live = true;
    setV(null);
    const url = `${location.origin}/id/${props.id}?c=${encodeURIComponent(props.code)}`;
    verifyCodeOnline(app.client, url).then(
      (x) => {
        // A code signed for another identifier is not this label's code.
        const named = (x.evidence.claims as { id?: string } | undefined)?.id;
        if (live)
          setV(
            named !== undefined && named !== props.id
              ? { ...x, verdict: 'FORGED', reason: 'malformed', message: `the code is for ${named}, not for ${props.id}` }
              : x,
          );
      },
      (e: unknown) => live && setV(classifyFailure(e)),
    );
    return () => {
      live = false;
    };
  }, [props.id, props.code, app.client]);
  return (
    <section aria-labelledby="label-h" class="label-check">
      <h2 id="label-h">The label you scanned</h2>
      {v === null ? <Loading what="Verifying the label's signed code" /> : 'verdict' in v ? <VerdictCard v={v} /> : <FailureBox failure={v} />}
    </section>
  );
}

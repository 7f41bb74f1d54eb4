/**
 * Namespaces: the tree from the root through countries and cities to organisations. Everything on
 * the page is verified in the browser: the namespace entry (proof + certificate), each listed child
 * namespace and each listed identifier (proven current at one certified header). Whether a listing
 * is complete is proven only where the parent's counters allow it, and the page says which.
 */
import { useEffect, useState } from 'preact/hooks';
import type { NsEntry, IdEntry } from '../../../src/core/ledger/types.js';
import { UrbisError } from '../../../src/core/errors.js';
import type { VerifiedEntry } from '../../../src/client/verify.js';
import type { VerifiedNsListing } from '../../../src/client/listings.js';
import { Badge, Facts, FailureBox, IdList, KeyList, Loading, Notice, Page } from '../components.js';
import { useApp } from '../ctx.js';
import { isoTime, quota } from '../lib/format.js';
import { blockHref, nsHref } from '../lib/route.js';
import { classifyFailure, type Failure } from '../lib/states.js';

const PAGE = 50;

type State =
  | { kind: 'loading' }
  | { kind: 'failed'; failure: Failure }
  | { kind: 'absent'; path: string; height: number }
  | { kind: 'root'; children: VerifiedNsListing }
  | { kind: 'ns'; path: string; v: VerifiedEntry<NsEntry>; children: VerifiedNsListing };

export function NamespacesView(props: { path: string | null; cursor: string | null }) {
  const app = useApp();
  const [st, setSt] = useState<State>({ kind: 'loading' });
  useEffect(() => {
    const client = app.client;
    if (!client) return;
    let live = true;
    setSt({ kind: 'loading' });
    const run = async (): Promise<State> => {
      if (props.path === null) return { kind: 'root', children: await client.listNamespaceVerified(null) };
      const path = props.path.replace(/:.*$/, '');
      try {
        const children = await client.listNamespaceVerified(path, { limit: PAGE, ...(props.cursor ? { cursor: props.cursor } : {}) });
        return { kind: 'ns', path, v: children.parent!, children };
      } catch (e) {
        // Believed only with a proof of absence, which the SDK checked before saying so.
        if (e instanceof UrbisError && e.code === 'NS_NOT_FOUND') return { kind: 'absent', path, height: Number(e.details?.height ?? 0) };
        throw e;
      }
    };
    run().then(
      (s) => live && setSt(s),
      (e: unknown) => live && setSt({ kind: 'failed', failure: classifyFailure(e) }),
    );
    return () => {
      live = false;
    };
  }, [props.path, props.cursor, app.client]);

  const title = props.path ? `Namespace ${props.path}` : 'Namespaces';
  return (
    <Page
      title={title}
      lead={props.path ? undefined : 'The registry is a tree: the root delegates countries, countries delegate cities, cities delegate organisations.'}
    >
      <Crumbs path={props.path} />
      {!app.client ? (
        <Notice tone="warn" title="No trust anchor">
          Load the network's genesis on the <a href="/trust">Trust</a> page first.
        </Notice>
      ) : st.kind === 'loading' ? (
        <Loading what="Loading and verifying" />
      ) : st.kind === 'failed' ? (
        <FailureBox failure={st.failure} />
      ) : st.kind === 'absent' ? (
        <div class="result" data-state="absent">
          <Badge ok={true} />
          <Notice tone="info" title="Not registered" testid="absent">
            No namespace <code>{st.path}</code> exists at block {st.height}; the node proved its absence.
          </Notice>
        </div>
      ) : st.kind === 'root' ? (
        <Children listing={st.children} path={null} cursor={null} />
      ) : (
        <NsDetail st={st} cursor={props.cursor} />
      )}
    </Page>
  );
}

function Crumbs(props: { path: string | null }) {
  const parts = props.path ? props.path.replace(/:.*$/, '').split('.') : [];
  return (
    <nav aria-label="Namespace path" class="crumbs">
      <ol>
        <li>{parts.length ? <a href={nsHref(null)}>Root</a> : <span aria-current="page">Root</span>}</li>
        {parts.map((p, i) => {
          const path = parts.slice(0, i + 1).join('.');
          return <li key={path}>{i === parts.length - 1 ? <span aria-current="page">{p}</span> : <a href={nsHref(path)}>{p}</a>}</li>;
        })}
      </ol>
    </nav>
  );
}

function NsDetail(props: { st: Extract<State, { kind: 'ns' }>; cursor: string | null }) {
  const { v, path, children } = props.st;
  if (!v.entry) throw new Error('a listing is answered for existing namespaces only');
  const e = v.entry;
  const name = typeof e.record.attributes?.name === 'string' ? e.record.attributes.name : null;
  return (
    <div class="result" data-state={e.status === 'active' ? 'verified' : 'suspended'}>
      <div class="title-row">
        <h2 class="id">{e.id}</h2>
        <Badge ok={true} />
      </div>
      {e.status === 'suspended' ? (
        <Notice tone="warn" title="Suspended" testid="status">
          Its parent suspended this namespace: nothing in it can change until it is reinstated.
        </Notice>
      ) : null}
      <Facts
        rows={[
          ['Name', name],
          ['Type', e.record.type],
          ['Status', e.status],
          ['Child namespaces', quota(e.children, e.limits.maxChildren)],
          ['Identifiers', quota(e.ids, e.limits.maxIds)],
          ['Expires', e.limits.expiresAt !== undefined ? isoTime(e.limits.expiresAt) : null],
          [
            'Version',
            <>
              {e.version}, last changed in <a href={blockHref(e.height)}>block {e.height}</a>
            </>,
          ],
          ['Proven at', <a href={blockHref(v.proof.height)}>block {v.proof.height}</a>],
        ]}
      />
      <section>
        <h3>Controllers</h3>
        <p>
          {e.controllers.threshold} of {e.controllers.keys.length} must sign:
        </p>
        <KeyList keys={e.controllers.keys} />
        {e.policy.registrars?.length ? (
          <>
            <h4>Registrars</h4>
            <p class="help">May register and allocate identifiers here, each alone.</p>
            <KeyList keys={e.policy.registrars} />
          </>
        ) : null}
        <h4>Issuers of signed labels</h4>
        {e.policy.issuers?.length ? (
          <>
            <p class="help">May issue signed codes (labels) for identifiers here, and revoke a label alone.</p>
            <KeyList keys={e.policy.issuers} testid="issuers" />
          </>
        ) : (
          <p class="muted">Nobody may issue signed labels here.</p>
        )}
        {e.retiredIssuers?.length ? (
          <>
            <h4>Withdrawn issuers</h4>
            <p class="help">Labels they signed now verify as revoked.</p>
            <KeyList keys={e.retiredIssuers} />
          </>
        ) : null}
      </section>
      <Policy e={e} />
      <Children listing={children} path={path} cursor={props.cursor} />
      <Ids path={path} />
    </div>
  );
}

function rule(r: { charset: string; minLength: number; maxLength: number; prefixes?: string[] } | undefined): string | null {
  if (!r) return 'not allowed';
  return `${r.charset === 'digits' ? 'digits' : 'letters and digits'}, ${r.minLength}–${r.maxLength} characters${r.prefixes?.length ? `, starting with ${r.prefixes.join(' or ')}` : ''}`;
}

function Policy(props: { e: NsEntry }) {
  const p = props.e.policy;
  return (
    <section>
      <h3>Policy</h3>
      <Facts
        rows={[
          ['Child namespaces', rule(p.children)],
          ['Identifiers', rule(p.ids)],
          ['Record types', p.types?.join(', ') ?? 'any'],
          ['Reserved names', p.reserved?.join(', ') ?? null],
          ['Serial width', p.serialWidth !== undefined ? String(p.serialWidth) : null],
        ]}
      />
    </section>
  );
}

function Children(props: { listing: VerifiedNsListing; path: string | null; cursor: string | null }) {
  const { items, next, proof, complete } = props.listing;
  return (
    <section>
      <h3>{props.path ? 'Child namespaces' : 'Top-level namespaces'}</h3>
      <p class="help" data-testid="children-proof">
        Each listed namespace is proven current at <a href={blockHref(proof.height)}>block {proof.height}</a>.{' '}
        {complete
          ? 'The list is proven complete: the namespace counts exactly these children.'
          : props.path
            ? 'That none is missing is not proven on this page (the node chooses what it lists).'
            : 'That none is missing is not proven (the root keeps no count of its children).'}
      </p>
      {items.length === 0 ? (
        <p class="empty">{props.path ? 'No child namespaces.' : 'No namespaces yet. The root authority creates the first ones on the Manage page.'}</p>
      ) : (
        <ul class="cards">
          {items.map((c) => (
            <li key={c.ns}>
              <a href={nsHref(c.ns)}>
                <strong>{c.ns}</strong> <span class="muted">{c.record.type}</span>
                {typeof c.record.attributes?.name === 'string' ? <span> {c.record.attributes.name}</span> : null}
              </a>
              <span class="muted small">
                {c.children} namespaces, {c.ids} identifiers{c.status !== 'active' ? `, ${c.status}` : ''}
              </span>
            </li>
          ))}
        </ul>
      )}
      {props.cursor || next ? (
        <nav class="pager" aria-label="Pages of child namespaces">
          {props.cursor ? <a href={nsHref(props.path)}>First page</a> : null}
          {next ? <a href={nsHref(props.path, next)}>Next page</a> : null}
        </nav>
      ) : null}
    </section>
  );
}

function Ids(props: { path: string }) {
  const app = useApp();
  const [items, setItems] = useState<IdEntry[] | null>(null);
  const [next, setNext] = useState<string | null>(null);
  const [height, setHeight] = useState<number | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const load = (cursor: string | null) => {
    app.client
      ?.searchVerified({ ns: props.path, limit: PAGE, ...(cursor ? { cursor } : {}) })
      .then((a) => {
        setItems((old) => (cursor && old ? [...old, ...a.items] : a.items));
        setNext(a.next);
        setHeight(a.proof.height);
      })
      .catch((e: unknown) => setFailure(classifyFailure(e)));
  };
  useEffect(() => {
    setItems(null);
    setFailure(null);
    load(null);
  }, [props.path]);
  return (
    <section>
      <h3>Identifiers in and below {props.path}</h3>
      {failure ? (
        <FailureBox failure={failure} />
      ) : items === null ? (
        <Loading what="Loading and verifying identifiers" />
      ) : items.length === 0 ? (
        <p class="empty">No identifiers registered here yet.</p>
      ) : (
        <>
          <p class="help" data-testid="ids-proof">
            Each listed identifier is proven current
            {height !== null ? (
              <>
                {' '}
                at <a href={blockHref(height)}>block {height}</a>
              </>
            ) : null}
            .
          </p>
          <IdList items={items} />
          {next ? (
            <button type="button" class="secondary" onClick={() => load(next)}>
              Show more identifiers
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}

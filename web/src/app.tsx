/** The app shell: navigation, routing, the trust anchor and the SDK client. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { Signer } from '../../src/core/ledger/tx.js';
import { Ctx, makeClient, type AppCtx } from './ctx.js';
import type { BrowserEd25519 } from './lib/accel.js';
import { forgetAnchor, pinAnchor, readMaxAge, writeMaxAge, type AnchorState, type KeyValueStore, type PinnedAnchor } from './lib/anchor.js';
import { parseRoute, section, type Route } from './lib/route.js';
import { Notice, Page } from './components.js';
import { ResolveView } from './views/resolve.js';
import { NamespacesView } from './views/namespaces.js';
import { BlockView, LedgerView, TxView } from './views/ledger.js';
import { ManageView } from './views/manage.js';
import { ScanView } from './views/scan.js';
import { TrustView } from './views/trust.js';

const NAV: Array<[string, string, string]> = [
  ['resolve', '/', 'Resolve'],
  ['ns', '/ns', 'Namespaces'],
  ['ledger', '/ledger', 'Ledger'],
  ['scan', '/scan', 'Scan'],
  ['manage', '/manage', 'Manage'],
  ['trust', '/trust', 'Trust'],
];

function current(): Route {
  return parseRoute(location.pathname, location.search);
}

export function App(props: { anchor: AnchorState; engine: BrowserEd25519; store: KeyValueStore }) {
  const [route, setRoute] = useState<Route>(current);
  const [anchor, setAnchorState] = useState<AnchorState>(props.anchor);
  const [signers, setSigners] = useState<Signer[]>([]);
  const [maxAgeMs, setMaxAge] = useState<number | null>(() => readMaxAge(props.store));
  const client = useMemo(() => (anchor.pinned ? makeClient(anchor.pinned, props.engine, maxAgeMs, props.store) : null), [anchor.pinned, maxAgeMs]);

  const navigate = (href: string) => {
    history.pushState(null, '', href);
    setRoute(current());
  };

  useEffect(() => {
    const onPop = () => setRoute(current());
    // In-app links: plain <a href="/…"> elements, handled without reloading the page.
    const onClick = (e: MouseEvent) => {
      if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      const a = (e.target as Element | null)?.closest?.('a');
      if (!a || a.target || a.hasAttribute('download')) return;
      const url = new URL(a.href, location.href);
      if (url.origin !== location.origin || url.pathname.startsWith('/v1/')) return;
      const r = parseRoute(url.pathname, url.search);
      if (r.view === 'missing') return;
      e.preventDefault();
      navigate(url.pathname + url.search);
    };
    addEventListener('popstate', onPop);
    document.addEventListener('click', onClick);
    return () => {
      removeEventListener('popstate', onPop);
      document.removeEventListener('click', onClick);
    };
  }, []);

  // Move focus to the page title after each navigation (not on the first load), so that keyboard and
  // screen-reader users land on the new page.
  const firstRender = useRef(true);
  useEffect(() => {
    if (firstRender.current) {
      firstRender.current = false;
      return;
    }
    document.getElementById('page-title')?.focus({ preventScroll: true });
    scrollTo(0, 0);
  }, [route]);

  const ctx: AppCtx = {
    client,
    anchor,
    engine: props.engine,
    signers,
    setSigners,
    navigate,
    maxAgeMs,
    setMaxAgeMs: (ms: number | null) => {
      writeMaxAge(props.store, ms);
      setMaxAge(ms);
    },
    setAnchor: (a: PinnedAnchor | null) => {
      if (a) pinAnchor(props.store, a);
      else forgetAnchor(props.store);
      setAnchorState({ ...anchor, pinned: a, mismatch: a !== null && anchor.served !== null && a.genesisHash !== anchor.served.genesisHash, firstUse: false });
    },
  };
  const sec = section(route);
  return (
    <Ctx.Provider value={ctx}>
      <a class="skip" href="#main">
        Skip to content
      </a>
      <header class="top">
        <a class="brand" href="/">
          Urbis <span>explorer</span>
        </a>
        <nav aria-label="Main">
          <ul>
            {NAV.map(([id, href, label]) => (
              <li key={id}>
                <a href={href} aria-current={sec === id ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
      </header>
      {anchor.mismatch && route.view !== 'trust' ? (
        <div class="banner">
          <Notice tone="bad" title="This node serves a different genesis than the one you pinned" testid="mismatch">
            Answers are still verified against your pinned anchor. <a href="/trust">Review the trust anchor</a>.
          </Notice>
        </div>
      ) : null}
      <main id="main">{view(route)}</main>
      <footer class="foot">
        <p>
          {anchor.pinned ? (
            <>
              Verifying against network <code>{anchor.pinned.chainId}</code> ({anchor.pinned.validators.length} validators), <a href="/trust">trust anchor</a>.
            </>
          ) : (
            <>
              No trust anchor: <a href="/trust">load one</a>.
            </>
          )}{' '}
          API: <a href="/openapi.json">/openapi.json</a>
        </p>
      </footer>
    </Ctx.Provider>
  );
}

function view(r: Route) {
  switch (r.view) {
    case 'resolve':
      return <ResolveView q={r.q} code={r.code ?? null} />;
    case 'ns':
      return <NamespacesView path={r.path} cursor={r.cursor} />;
    case 'ledger':
      return <LedgerView />;
    case 'block':
      return <BlockView height={r.height} />;
    case 'tx':
      return <TxView hash={r.hash} />;
    case 'scan':
      return <ScanView />;
    case 'manage':
      return <ManageView />;
    case 'trust':
      return <TrustView />;
    case 'missing':
      return (
        <Page title="Page not found">
          <p>
            There is no page at <code>{r.path}</code>. Try <a href="/">Resolve</a> or the <a href="/ns">namespace tree</a>.
          </p>
        </Page>
      );
  }
}

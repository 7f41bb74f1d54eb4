/**
 * Ledger: the latest blocks and transactions (valid, and invalid with their reasons), each block
 * verified here (certificate under the anchor, transaction root recomputed), the validators that
 * signed it, the network's status, updated live from the change feed.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { UrbisClient } from '../../../src/client/client.js';
import { checkCertShape, type VerifiedBlock } from '../../../src/client/verify.js';
import { checkCertificate } from '../../../src/core/ledger/block.js';
import { txHash } from '../../../src/core/ledger/tx.js';
import type { Certificate, Tx, TxResult } from '../../../src/core/ledger/types.js';
import { isObj } from '../../../src/client/http.js';
import { Badge, Facts, FailureBox, IdLink, Loading, Mono, Notice, Page } from '../components.js';
import { useApp } from '../ctx.js';
import { ago, isoTime } from '../lib/format.js';
import { describeTx } from '../lib/forms.js';
import { blockHref, nsHref, txHref } from '../lib/route.js';
import { classifyFailure, type Failure } from '../lib/states.js';

const SHOWN = 10;

/** A block verified here, with its certificate checked signer by signer. */
export interface CheckedBlock extends VerifiedBlock {
  cert: Certificate;
  signed: string[];
  invalid: string[];
  unknown: string[];
}

/** Fetches and verifies a block; the certificate is kept to show who signed. */
export async function loadBlock(client: UrbisClient, height: number | 'latest'): Promise<CheckedBlock> {
  const json = await client.http.json('GET', `/v1/blocks/${height}`);
  const b = client.verifier.verifyBlock(json, height === 'latest' ? null : height);
  const cert = checkCertShape(isObj(json) ? json.cert : null);
  const c = checkCertificate(cert, client.anchor.validators);
  return { ...b, cert, signed: c.valid, invalid: c.invalid, unknown: c.unknown };
}

function TargetLink(props: { target: string | null }) {
  const t = props.target;
  if (!t) return <span class="muted">—</span>;
  return t.includes('/') ? <IdLink id={t} /> : <a href={nsHref(t)}>{t}</a>;
}

/** The hash of a committed transaction, or '' for a malformed one (recorded as invalid). */
function hashOf(tx: unknown): string {
  try {
    return txHash((tx as Tx).body);
  } catch {
    return '';
  }
}

function ResultCell(props: { r: TxResult | undefined }) {
  const r = props.r;
  if (!r) return <span class="muted">?</span>;
  return r.ok ? (
    <span class="status active">valid</span>
  ) : (
    <span class="status deactivated" title={r.message}>
      invalid: <code>{r.code}</code> <span class="small">{r.message}</span>
    </span>
  );
}

export function LedgerView() {
  const app = useApp();
  const [blocks, setBlocks] = useState<CheckedBlock[] | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [status, setStatus] = useState<Record<string, unknown> | null>(null);
  const [live, setLive] = useState<'connecting' | 'live' | 'reconnecting'>('connecting');
  const known = useRef(-1);
  const busy = useRef(false);

  useEffect(() => {
    const client = app.client;
    if (!client) return;
    let alive = true;
    const catchUp = async () => {
      if (busy.current) return;
      busy.current = true;
      try {
        const latest = await loadBlock(client, 'latest');
        const top = latest.header.height;
        if (top <= known.current) return;
        const from = Math.max(known.current + 1, top - SHOWN + 1, 0);
        const fresh: CheckedBlock[] = [latest];
        for (let h = top - 1; h >= from; h--) fresh.push(await loadBlock(client, h));
        known.current = top;
        if (alive) setBlocks((old) => [...fresh, ...(old ?? [])].slice(0, SHOWN));
        setFailure(null);
      } catch (e) {
        if (alive) setFailure(classifyFailure(e));
      } finally {
        busy.current = false;
      }
    };
    // A node that cannot make progress answers 503 with its reasons (docs/operations.md "Readiness"),
    // which the SDK's transport would retry and turn into an error: read it as it is. The node's word,
    // shown as such.
    const readStatus = () =>
      fetch('/readyz', { cache: 'no-store', headers: { accept: 'application/json' }, signal: AbortSignal.timeout(8000) })
        .then((r) => r.json() as Promise<unknown>)
        .then((j) => alive && setStatus(isObj(j) && typeof j.ready === 'boolean' ? j : null))
        .catch(() => alive && setStatus(null));
    void catchUp();
    void readStatus();
    const close = client.events(
      {
        filter: {},
        lastEventId: undefined,
        onError: () => alive && setLive('reconnecting'),
      },
      (ev) => {
        if (!alive) return;
        setLive('live');
        if (ev.height > known.current) void catchUp();
      },
    );
    // Blocks whose transactions were all invalid change no entry and raise no event: poll too.
    const poll = setInterval(() => {
      if (document.visibilityState === 'visible') {
        void catchUp();
        void readStatus();
      }
    }, 5000);
    setLive('live');
    return () => {
      alive = false;
      close();
      clearInterval(poll);
    };
  }, [app.client]);

  const txs = (blocks ?? []).flatMap((b) => b.txs.map((tx, i) => ({ tx, result: b.results[i], height: b.header.height, i }))).slice(0, 25);
  return (
    <Page title="Ledger" lead="Each block below was verified in your browser: its certificate under your trust anchor and its transactions against the header.">
      <p class={`live ${live}`} role="status" aria-live="polite" data-testid="live">
        {live === 'live'
          ? 'Live: following the change feed'
          : live === 'connecting'
            ? 'Connecting to the change feed…'
            : 'Change feed interrupted; reconnecting…'}
      </p>
      <NetworkStatus status={status} blocks={blocks} failure={failure} />
      {failure ? <FailureBox failure={failure} /> : null}
      <section>
        <h2>Latest blocks</h2>
        {blocks === null ? (
          failure ? null : (
            <Loading what="Loading and verifying blocks" />
          )
        ) : (
          <div class="scroll">
            <table data-testid="blocks">
              <thead>
                <tr>
                  <th scope="col">Block</th>
                  <th scope="col">Time</th>
                  <th scope="col">Transactions</th>
                  <th scope="col">Signed by</th>
                  <th scope="col">Verified</th>
                </tr>
              </thead>
              <tbody>
                {blocks.map((b) => {
                  const bad = b.results.filter((r) => !r.ok).length;
                  return (
                    <tr key={b.header.height}>
                      <td>
                        <a href={blockHref(b.header.height)}>{b.header.height}</a>
                      </td>
                      <td>{ago(b.header.time, Date.now())}</td>
                      <td>
                        {b.header.txCount}
                        {bad ? <span class="status deactivated"> ({bad} invalid)</span> : null}
                      </td>
                      <td>
                        {b.signed.length} of {app.anchor.pinned!.validators.length} validators
                      </td>
                      <td>
                        <Badge ok={true} />
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section>
        <h2>Latest transactions</h2>
        {blocks && txs.length === 0 ? <p class="empty">No transactions in the latest blocks.</p> : null}
        {txs.length ? (
          <div class="scroll">
            <table data-testid="txs">
              <thead>
                <tr>
                  <th scope="col">Transaction</th>
                  <th scope="col">Type</th>
                  <th scope="col">Subject</th>
                  <th scope="col">Result</th>
                  <th scope="col">Block</th>
                </tr>
              </thead>
              <tbody>
                {txs.map(({ tx, result, height, i }) => {
                  const d = describeTx(tx);
                  const hash = hashOf(tx);
                  return (
                    <tr key={`${height}.${i}`}>
                      <td>{hash ? <a href={txHref(hash)}>{<Mono value={hash} />}</a> : <span class="muted">malformed</span>}</td>
                      <td>{d.type}</td>
                      <td>
                        <TargetLink target={d.target} />
                      </td>
                      <td>
                        <ResultCell r={result} />
                      </td>
                      <td>
                        <a href={blockHref(height)}>{height}</a>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        ) : null}
      </section>
    </Page>
  );
}

function NetworkStatus(props: { status: Record<string, unknown> | null; blocks: CheckedBlock[] | null; failure: Failure | null }) {
  const app = useApp();
  const s = props.status;
  const top = props.blocks?.[0];
  const extra = s ? Object.entries(s).filter(([k]) => !['ready', 'height', 'chainId', 'validator', 'reason', 'code', 'reasons'].includes(k)) : [];
  const reasons =
    s && s.ready === false && Array.isArray(s.reasons)
      ? s.reasons.filter((r): r is { code: string; detail: string } => isObj(r) && typeof r.code === 'string')
      : [];
  return (
    <section class="status-panel" aria-labelledby="netstat">
      <h2 id="netstat">Network status</h2>
      {s === null ? (
        <Notice tone="warn" title="This node does not report its status">
          It may be starting, or unreachable.
        </Notice>
      ) : null}
      <Facts
        rows={[
          ['Chain', <code>{app.anchor.pinned!.chainId}</code>],
          ['Verified head', top ? `block ${top.header.height}, ${ago(top.header.time, Date.now())}` : '…'],
          [
            'This node',
            s
              ? `${s.ready === true ? 'ready' : `not ready${typeof s.reason === 'string' ? `: ${s.reason}` : ''}`}, height ${String(s.height)}${s.validator === true ? ', validator' : s.validator === false ? ', read replica' : ''}`
              : null,
          ],
          ['Validators (trust anchor)', String(app.anchor.pinned!.validators.length)],
          ...extra.map(([k, v]): [string, string] => [k, typeof v === 'string' || typeof v === 'number' ? String(v) : JSON.stringify(v)]),
        ]}
      />
      {extra.some(([k, v]) => /fault|diverg/i.test(k) && v && (Array.isArray(v) ? v.length > 0 : true)) ? (
        <Notice tone="bad" title="Fault alarm" testid="fault">
          The node reports faults or a divergence; see the details above.
        </Notice>
      ) : null}
      {reasons.length ? (
        <Notice tone="bad" title={`Fault alarm: ${reasons.map((r) => r.code).join(', ')}`} testid="not-ready">
          <p>This node cannot make progress now; it still answers from its last certified state.</p>
          <ul>
            {reasons.map((r) => (
              <li key={r.code}>
                <code>{r.code}</code> {String(r.detail ?? '')}
              </li>
            ))}
          </ul>
        </Notice>
      ) : null}
      {props.failure?.kind === 'not-verified' ? (
        <Notice tone="bad" title="Fault alarm: a block did not verify" testid="fault-observed">
          A block this node served does not match its certificate under your trust anchor (<code>{props.failure.code}</code>). The node, or something between
          you and it, is not telling the truth: do not rely on its answers.
        </Notice>
      ) : null}
    </section>
  );
}

export function BlockView(props: { height: number }) {
  const app = useApp();
  const [b, setB] = useState<CheckedBlock | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  useEffect(() => {
    if (!app.client) return;
    let live = true;
    setB(null);
    setFailure(null);
    loadBlock(app.client, props.height).then(
      (x) => live && setB(x),
      (e: unknown) => live && setFailure(classifyFailure(e)),
    );
    return () => {
      live = false;
    };
  }, [props.height, app.client]);
  const validators = app.anchor.pinned?.validators ?? [];
  return (
    <Page title={`Block ${props.height}`}>
      <nav class="pager" aria-label="Neighbouring blocks">
        {props.height > 0 ? <a href={blockHref(props.height - 1)}>Previous block</a> : null}
        <a href={blockHref(props.height + 1)}>Next block</a>
        <a href="/ledger">Latest blocks</a>
      </nav>
      {failure ? <FailureBox failure={failure} /> : !b ? <Loading what="Loading and verifying the block" /> : null}
      {b ? (
        <div class="result" data-state="verified">
          <div class="title-row">
            <h2>Header</h2>
            <Badge ok={true} />
          </div>
          <Facts
            rows={[
              ['Time', `${isoTime(b.header.time)} (${ago(b.header.time, Date.now())})`],
              ['Header hash', <Mono value={b.headerHash} full />],
              ['Previous', <Mono value={b.header.prev} full />],
              ['State root', <Mono value={b.header.stateRoot} full />],
              ['Transaction root', <Mono value={b.header.txRoot} full />],
              ['History root', <Mono value={b.header.historyRoot} full />],
              ['Transactions', String(b.header.txCount)],
            ]}
          />
          <section>
            <h3>Certificate</h3>
            <p>
              {b.signed.length} of {validators.length} validators signed this header (more than two thirds are needed).
            </p>
            <ul class="plain keys">
              {validators.map((k) => (
                <li key={k}>
                  <span class={b.signed.includes(k) ? 'status active' : b.invalid.includes(k) ? 'status deactivated' : 'muted'}>
                    {b.signed.includes(k) ? 'signed' : b.invalid.includes(k) ? 'invalid signature' : 'did not sign'}
                  </span>{' '}
                  <Mono value={k} />
                </li>
              ))}
              {b.unknown.map((k) => (
                <li key={k}>
                  <span class="muted">not a validator of your anchor</span> <Mono value={k} />
                </li>
              ))}
            </ul>
          </section>
          <section>
            <h3>Transactions</h3>
            {b.txs.length === 0 ? <p class="empty">This block holds no transactions.</p> : null}
            <ol class="txlist">
              {b.txs.map((tx, i) => {
                const d = describeTx(tx);
                const hash = hashOf(tx);
                const sigs = Array.isArray((tx as Tx).sigs) ? (tx as Tx).sigs : [];
                return (
                  <li key={i}>
                    <strong>{d.type}</strong> <TargetLink target={d.target} /> <ResultCell r={b.results[i]} />
                    <div class="small">
                      {hash ? (
                        <a href={txHref(hash)}>
                          <Mono value={hash} />
                        </a>
                      ) : null}{' '}
                      signed by {sigs.map((s) => short(s.key)).join(', ') || 'nobody'}
                    </div>
                  </li>
                );
              })}
            </ol>
          </section>
        </div>
      ) : null}
    </Page>
  );
}

function short(k: string): string {
  return k.length > 16 ? `${k.slice(0, 10)}…${k.slice(-4)}` : k;
}

/** Follows one transaction to its commit. */
export function TxView(props: { hash: string }) {
  const app = useApp();
  const [st, setSt] = useState<
    { kind: 'waiting' } | { kind: 'committed'; height: number; index: number; result: TxResult; tx: Tx | null } | { kind: 'failed'; failure: Failure }
  >({
    kind: 'waiting',
  });
  useEffect(() => {
    const client = app.client;
    if (!client) return;
    let live = true;
    setSt({ kind: 'waiting' });
    (async () => {
      const s = await client.wait(props.hash, 60_000);
      // The node's report is checked against the verified block: the transaction is there, with that result.
      const confirmed = await client.confirm(s);
      const b = await loadBlock(client, confirmed.height);
      return {
        kind: 'committed' as const,
        height: confirmed.height,
        index: confirmed.index,
        result: confirmed.result,
        tx: (b.txs[confirmed.index] as Tx) ?? null,
      };
    })().then(
      (x) => live && setSt(x),
      (e: unknown) => live && setSt({ kind: 'failed', failure: classifyFailure(e) }),
    );
    return () => {
      live = false;
    };
  }, [props.hash, app.client]);
  return (
    <Page title="Transaction">
      <p>
        <Mono value={props.hash} full />
      </p>
      {st.kind === 'waiting' ? <Loading what="Waiting for the transaction to be committed" /> : null}
      {st.kind === 'failed' ? <FailureBox failure={st.failure} /> : null}
      {st.kind === 'committed' ? (
        <div class="result" data-state={st.result.ok ? 'committed' : 'invalid'}>
          <div class="title-row">
            <h2>{st.result.ok ? 'Committed' : 'Committed as invalid'}</h2>
            <Badge ok={true} label="IN A VERIFIED BLOCK" />
          </div>
          {st.result.ok ? null : (
            <Notice tone="bad" title={`Rejected by the ledger: ${st.result.code}`}>
              {st.result.message}. It changed nothing.
            </Notice>
          )}
          <Facts
            rows={[
              ['Block', <a href={blockHref(st.height)}>{st.height}</a>],
              ['Position', String(st.index)],
              ['Type', st.tx ? describeTx(st.tx).type : null],
              ['Subject', st.tx ? <TargetLink target={describeTx(st.tx).target} /> : null],
            ]}
          />
          {st.tx ? (
            <details>
              <summary>The transaction as committed</summary>
              <pre class="json">{JSON.stringify(st.tx, null, 2)}</pre>
            </details>
          ) : null}
        </div>
      ) : null}
    </Page>
  );
}

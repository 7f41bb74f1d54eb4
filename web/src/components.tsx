/** Small shared pieces of the pages. */
import type { ComponentChildren } from 'preact';
import { short } from './lib/format.js';
import { idHref } from './lib/route.js';
import { failureText, type Failure } from './lib/states.js';

export function Page(props: { title: string; children: ComponentChildren; lead?: ComponentChildren }) {
  return (
    <section class="page" aria-labelledby="page-title">
      <h1 id="page-title" tabIndex={-1}>
        {props.title}
      </h1>
      {props.lead ? <p class="lead">{props.lead}</p> : null}
      {props.children}
    </section>
  );
}

/** A value that may be long (hash, key): shortened, full text on hover and for screen readers. */
export function Mono(props: { value: string; full?: boolean }) {
  return (
    <code class="mono" title={props.value}>
      {props.full ? props.value : short(props.value)}
    </code>
  );
}

export function IdLink(props: { id: string }) {
  return (
    <a href={idHref(props.id)} class="idlink">
      {props.id}
    </a>
  );
}

/** The verified badge. Only ever rendered from an SDK-verified result. */
export function Badge(props: { ok: boolean; label?: string }) {
  return (
    <span class={props.ok ? 'badge ok' : 'badge bad'} data-testid="badge" role="status">
      <span aria-hidden="true">{props.ok ? '✔' : '✖'}</span> {props.label ?? (props.ok ? 'VERIFIED' : 'NOT VERIFIED')}
    </span>
  );
}

export function Notice(props: { tone: 'ok' | 'warn' | 'bad' | 'info'; title: string; children?: ComponentChildren; testid?: string }) {
  return (
    <div class={`notice ${props.tone}`} data-testid={props.testid} role={props.tone === 'bad' ? 'alert' : undefined}>
      <strong>{props.title}</strong>
      {props.children ? <div>{props.children}</div> : null}
    </div>
  );
}

/** A failed read, with its reason and code. */
export function FailureBox(props: { failure: Failure }) {
  const t = failureText(props.failure);
  return (
    <div class="result" data-state={props.failure.kind}>
      {props.failure.kind === 'not-verified' ? <Badge ok={false} /> : null}
      <Notice tone={props.failure.kind === 'stale' ? 'warn' : 'bad'} title={t.title} testid="failure">
        <p>{t.help}</p>
        <p class="reason" data-testid="reason">
          Reason: {props.failure.reason} <code>{props.failure.code}</code>
        </p>
      </Notice>
    </div>
  );
}

export function Loading(props: { what: string }) {
  return (
    <p class="loading" role="status" aria-live="polite">
      {props.what}…
    </p>
  );
}

/** A definition list from pairs, skipping empty values. */
export function Facts(props: { rows: Array<[string, ComponentChildren]> }) {
  return (
    <dl class="facts">
      {props.rows
        .filter(([, v]) => v !== null && v !== undefined && v !== '')
        .map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{v}</dd>
          </div>
        ))}
    </dl>
  );
}

/** Public keys, one a row, in full (or shortened with `short`). */
export function KeyList(props: { keys: readonly string[]; short?: boolean; testid?: string }) {
  return (
    <ul class="plain keys" data-testid={props.testid}>
      {props.keys.map((k) => (
        <li key={k}>
          <Mono value={k} full={!props.short} />
        </li>
      ))}
    </ul>
  );
}

/** Identifiers of a listing, one a row: link, type, and the status when it is not active. */
export function IdList(props: { items: ReadonlyArray<{ id: string; status: string; record: { type: string } }> }) {
  return (
    <ul class="plain ids">
      {props.items.map((x) => (
        <li key={x.id}>
          <IdLink id={x.id} /> <span class="muted">{x.record.type}</span>
          {x.status !== 'active' ? <span class={`status ${x.status}`}> {x.status}</span> : null}
        </li>
      ))}
    </ul>
  );
}

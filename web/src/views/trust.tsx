/**
 * Trust: the anchor every badge is computed against. Pinned on first use from the genesis the page
 * was served with; the person can replace it with a genesis file obtained elsewhere, or re-pin.
 */
import { useEffect, useState } from 'preact/hooks';
import { Facts, KeyList, Mono, Notice, Page } from '../components.js';
import { useApp } from '../ctx.js';
import { DEFAULT_MAX_AGE_MS } from '../../../src/client/trust-state.js';
import { anchorOfGenesis } from '../lib/anchor.js';
import { isoTime } from '../lib/format.js';

export function TrustView() {
  const app = useApp();
  const a = app.anchor;
  const [err, setErr] = useState<string | null>(null);
  const [webcrypto, setWebcrypto] = useState<boolean | null>(null);
  useEffect(() => {
    void app.engine.available().then(setWebcrypto);
  }, []);
  const onFile = async (e: Event) => {
    const f = (e.target as HTMLInputElement).files?.[0];
    if (!f) return;
    setErr(null);
    try {
      app.setAnchor(anchorOfGenesis(JSON.parse(await f.text()), 'file', Date.now()));
    } catch (x) {
      setErr(`Not a genesis file: ${(x as Error).message}`);
    }
  };
  return (
    <Page
      title="Trust anchor"
      lead="Every verified badge in this app is computed in your browser against this anchor: the network's chain id and its validators' keys, from its genesis."
    >
      {a.mismatch ? (
        <Notice tone="bad" title="This node serves another genesis than the one you pinned" testid="mismatch">
          Answers are verified against your pinned anchor. If the network really changed (or you use another network), replace the anchor below; otherwise this
          node may be lying.
        </Notice>
      ) : null}
      {a.pinned ? (
        <section>
          <h2>Pinned anchor</h2>
          <Facts
            rows={[
              ['Chain', <code>{a.pinned.chainId}</code>],
              ['Genesis fingerprint', <Mono value={a.pinned.genesisHash} full />],
              [
                'Pinned',
                `${isoTime(a.pinned.pinnedAt)}, from ${a.pinned.source === 'served' ? 'the genesis this app was served with' : 'a genesis file you loaded'}`,
              ],
              ['Validators', String(a.pinned.validators.length)],
            ]}
          />
          <KeyList keys={a.pinned.validators} />
        </section>
      ) : (
        <Notice tone="warn" title="No anchor pinned">
          This page was served without a genesis. Load the network's genesis.json to verify answers.
        </Notice>
      )}
      {a.served && a.mismatch ? (
        <section>
          <h2>Served with this page</h2>
          <Facts
            rows={[
              ['Chain', <code>{a.served.chainId}</code>],
              ['Genesis fingerprint', <Mono value={a.served.genesisHash} full />],
            ]}
          />
          <button type="button" onClick={() => app.setAnchor(a.served)}>
            Trust the served genesis instead
          </button>
        </section>
      ) : null}
      <section>
        <h2>Replace the anchor</h2>
        <div class="field">
          <label for="genesis-file">Genesis file (genesis.json from a source you trust)</label>
          <input id="genesis-file" type="file" accept=".json,application/json" onChange={onFile} />
        </div>
        {err ? (
          <p class="error" role="alert">
            {err}
          </p>
        ) : null}
        <button type="button" class="secondary" onClick={() => app.setAnchor(null)}>
          Forget the pinned anchor
        </button>
        <p class="help">After forgetting, the next page load pins the genesis it is served with.</p>
      </section>
      <Freshness />
      <section>
        <h2>Signature checks in this browser</h2>
        <p data-testid="crypto-engine">
          {webcrypto === null
            ? 'Checking…'
            : webcrypto
              ? 'Ed25519 signatures are checked with WebCrypto, with @noble (JavaScript) for anything WebCrypto does not accept.'
              : 'WebCrypto Ed25519 is not available here (it needs a secure context: https or localhost), so signatures are checked with @noble (JavaScript).'}
        </p>
      </section>
    </Page>
  );
}

/** The oldest answer accepted: a node that has fallen behind answers with old, correctly signed data. */
function Freshness() {
  const app = useApp();
  const [text, setText] = useState(app.maxAgeMs === null ? '0' : String(app.maxAgeMs / 1000));
  const [err, setErr] = useState<string | null>(null);
  const head = app.client?.trust.head ?? null;
  return (
    <section>
      <h2>Freshness</h2>
      <p class="help">
        A correctly signed answer can still be old: a node that stopped following the network, or one replaying answers it kept, serves yesterday's state with
        valid signatures. Answers older than a limit are refused as "behind" (an idle chain still cuts a block every 30 s, so 5 minutes is the default), and so
        is any answer from below a block this page already verified.
      </p>
      <form
        class="field"
        onSubmit={(e) => {
          e.preventDefault();
          const t = text.trim();
          const s = Number(t);
          if (t !== '' && (!Number.isFinite(s) || s < 0)) return setErr('Give a number of seconds: empty for the default, 0 for any age.');
          setErr(null);
          app.setMaxAgeMs(t === '' ? DEFAULT_MAX_AGE_MS : s === 0 ? null : Math.max(1, Math.round(s * 1000)));
        }}
      >
        <label for="max-age">Oldest answer accepted, in seconds (empty: the default, {DEFAULT_MAX_AGE_MS / 1000}; 0: any age)</label>
        <div class="row">
          <input id="max-age" type="text" inputMode="decimal" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} />
          <button type="submit">Save</button>
        </div>
        {err ? <p class="error">{err}</p> : null}
        <p class="help" data-testid="max-age-now">
          Now: {app.maxAgeMs === null ? 'answers of any age are accepted' : `answers older than ${app.maxAgeMs / 1000} s are refused as "node behind"`}.
        </p>
        <p class="help" data-testid="trusted-head">
          {head ? `Highest block verified here: ${head.height}, certified ${isoTime(head.time)}.` : 'No block verified here yet.'}
        </p>
      </form>
    </section>
  );
}

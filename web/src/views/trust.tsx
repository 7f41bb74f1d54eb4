/**
 * Trust: the anchor every badge is computed against. Pinned on first use from the genesis the page
 * was served with; the person can replace it with a genesis file obtained elsewhere, or re-pin.
 */
import { useEffect, useState } from 'preact/hooks';
import { Facts, Mono, Notice, Page } from '../components.js';
import { useApp } from '../ctx.js';
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
          <ul class="plain keys">
            {a.pinned.validators.map((k) => (
              <li key={k}>
                <Mono value={k} full />
              </li>
            ))}
          </ul>
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

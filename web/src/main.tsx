/**
 * Entry point of the web app every node serves (docs/ARCHITECTURE.md "Web app"). Installs the
 * browser Ed25519 engine (WebCrypto where available, @noble otherwise), loads the trust anchor and
 * renders the app.
 */
import { render } from 'preact';
import { setCryptoProvider } from '../../src/core/crypto/index.js';
import { BrowserEd25519 } from './lib/accel.js';
import { loadAnchor, servedGenesisFrom } from './lib/anchor.js';
import { App } from './app.js';
import './style.css';

const engine = new BrowserEd25519();
// `?crypto=noble` forces the JavaScript path (for comparison and tests).
if (new URLSearchParams(location.search).get('crypto') === 'noble') engine.enabled = false;
setCryptoProvider(engine.provider());

let store: Storage;
try {
  store = localStorage;
} catch {
  // Storage disabled: pin for this page load only.
  const m = new Map<string, string>();
  store = { getItem: (k) => m.get(k) ?? null, setItem: (k, v) => void m.set(k, v), removeItem: (k) => void m.delete(k) } as Storage;
}
const anchor = loadAnchor(store, servedGenesisFrom(document), Date.now());
render(<App anchor={anchor} engine={engine} store={store} />, document.getElementById('app')!);

/**
 * Ed25519 in the browser: WebCrypto where the page may use it, @noble everywhere.
 *
 * The SDK verifies synchronously through the core's crypto provider, while WebCrypto is
 * asynchronous. So the app checks the certificate signatures of each answer with WebCrypto while the
 * answer is being received (a `fetch` wrapper), remembers the triples (signature, message, key) that
 * WebCrypto accepted, and installs a provider that answers `true` for exactly those triples and asks
 * @noble for anything else. WebCrypto can only speed up an acceptance the core would reach anyway:
 * the core's own rules (canonical key, no small-order key, S < L) still run before the provider, and
 * whatever WebCrypto did not accept, @noble decides.
 *
 * `crypto.subtle` exists only in secure contexts (https, localhost): on a plain-http city network
 * page everything runs on @noble.
 */
import type { CryptoProvider } from '../../../src/core/crypto/provider.js';
import { nobleCryptoProvider } from '../../../src/core/crypto/noble.js';
import { createWebCryptoProvider, type SubtleLike } from '../../../src/core/crypto/webcrypto.js';
import { headerSigningInput } from '../../../src/core/ledger/block.js';
import { fromBase64url, toHex } from '../../../src/core/encoding/bytes.js';
import { multikeyToPublicKey } from '../../../src/core/encoding/multikey.js';
import type { FetchLike } from '../../../src/client/http.js';

const MAX_REMEMBERED = 4096;

function tripleKey(sig: Uint8Array, msg: Uint8Array, pub: Uint8Array): string {
  return toHex(pub) + toHex(sig) + toHex(msg);
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Certificates found in an answer: top level, or inside a problem's `proven`, or `current`. */
export function certificatesIn(json: unknown): unknown[] {
  const out: unknown[] = [];
  const visit = (v: unknown, depth: number) => {
    if (!isObj(v) || depth > 2) return;
    if (isObj(v.cert)) out.push(v.cert);
    visit(v.proven, depth + 1);
    visit(v.current, depth + 1);
  };
  visit(json, 0);
  return out;
}

/** Which engine checked signatures, counted per verification. */
export interface EngineCounts {
  webcrypto: number;
  noble: number;
}

export class BrowserEd25519 {
  private readonly accepted = new Set<string>();
  private supported: Promise<boolean> | null = null;
  /** The core's WebCrypto provider: its asynchronous verification is what the pre-checks run. */
  private readonly web: ReturnType<typeof createWebCryptoProvider> | null;
  readonly counts: EngineCounts = { webcrypto: 0, noble: 0 };
  /** Set to false to force the @noble path (tests, the Trust page). */
  enabled = true;

  /** @param subtle - WebCrypto (default: the page's, absent outside secure contexts); null for none. */
  constructor(private readonly subtle: SubtleLike | null = (globalThis.crypto as unknown as { subtle?: SubtleLike } | undefined)?.subtle ?? null) {
    this.web = subtle ? createWebCryptoProvider(subtle) : null;
  }

  /** True when WebCrypto Ed25519 can be used here (secure context, browser support). */
  available(): Promise<boolean> {
    if (!this.subtle) return Promise.resolve(false);
    this.supported ??= this.subtle
      .importKey('raw', multikeyToPublicKey('z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK'), { name: 'Ed25519' }, false, ['verify'])
      .then(
        () => true,
        () => false,
      );
    return this.supported;
  }

  /**
   * The provider to install with `setCryptoProvider`: synchronous checks answered from what WebCrypto
   * accepted, else @noble; asynchronous ones (code verification) through WebCrypto directly.
   */
  provider(): CryptoProvider {
    return {
      ...(this.web ?? nobleCryptoProvider),
      name: 'webcrypto+noble',
      ed25519Verify: (sig, msg, pub) => {
        if (this.accepted.has(tripleKey(sig, msg, pub))) {
          this.counts.webcrypto++;
          return true;
        }
        this.counts.noble++;
        return nobleCryptoProvider.ed25519Verify(sig, msg, pub);
      },
    };
  }

  /** Checks the certificate signatures of an answer with WebCrypto, remembering the accepted ones. */
  async precheck(json: unknown): Promise<void> {
    if (!this.enabled || !(await this.available())) return;
    const jobs: Promise<void>[] = [];
    for (const cert of certificatesIn(json)) {
      if (!isObj(cert) || typeof cert.headerHash !== 'string' || !Array.isArray(cert.sigs)) continue;
      let msg: Uint8Array;
      try {
        msg = headerSigningInput(cert.headerHash);
      } catch {
        continue;
      }
      for (const s of cert.sigs.slice(0, 64)) {
        if (!isObj(s) || typeof s.key !== 'string' || typeof s.sig !== 'string') continue;
        let pub: Uint8Array;
        let sig: Uint8Array;
        try {
          pub = multikeyToPublicKey(s.key);
          sig = fromBase64url(s.sig);
        } catch {
          continue;
        }
        if (sig.length !== 64) continue;
        const id = tripleKey(sig, msg, pub);
        if (this.accepted.has(id)) continue;
        jobs.push(
          this.web!.ed25519VerifyAsync!(sig, msg, pub).then(
            (ok) => {
              if (!ok) return;
              if (this.accepted.size >= MAX_REMEMBERED) this.accepted.delete(this.accepted.values().next().value as string);
              this.accepted.add(id);
            },
            () => undefined,
          ),
        );
      }
    }
    await Promise.all(jobs);
  }

  /**
   * A fetch that pre-checks certificates of JSON answers before handing them to the SDK. Streams
   * (the change feed) pass through untouched.
   */
  wrapFetch(base: FetchLike): FetchLike {
    return async (input, init) => {
      const res = await base(input, init);
      const type = res.headers.get('content-type') ?? '';
      if (!this.enabled || !/json/.test(type)) return res;
      const text = await res.text();
      try {
        await this.precheck(JSON.parse(text));
      } catch {
        // Not JSON after all: the SDK reports it.
      }
      return new Response(text, { status: res.status, statusText: res.statusText, headers: res.headers });
    };
  }
}

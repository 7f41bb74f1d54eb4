/**
 * Scan: verify a printed code from the device camera or an uploaded image, decoded here (zxing-wasm)
 * and verified here (the SDK, against proven ledger answers and the pinned trust anchor).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { verifyCodeOnline } from '../../../src/client/codes.js';
import type { CodeVerdict } from '../../../src/core/codes/verify.js';
import { isUrbisError } from '../../../src/core/errors.js';
import { FailureBox, Loading, Notice, Page } from '../components.js';
import { useApp } from '../ctx.js';
import { decodeQr, MAX_IMAGE_BYTES } from '../lib/decode.js';
import { idHref } from '../lib/route.js';
import { classifyFailure, parseInput, type Failure } from '../lib/states.js';
import { VerdictCard } from './verdict.js';

type State =
  | { kind: 'idle' }
  | { kind: 'working'; what: string }
  | { kind: 'verdict'; v: CodeVerdict; text: string }
  | { kind: 'plain-id'; text: string; id: string }
  | { kind: 'nothing'; message: string }
  | { kind: 'failed'; failure: Failure };

export function ScanView() {
  const app = useApp();
  const [st, setSt] = useState<State>({ kind: 'idle' });
  const [text, setText] = useState('');
  const [camera, setCamera] = useState<'off' | 'starting' | 'on'>('off');
  const [camErr, setCamErr] = useState<string | null>(null);
  const video = useRef<HTMLVideoElement>(null);
  const stream = useRef<MediaStream | null>(null);

  const stopCamera = () => {
    stream.current?.getTracks().forEach((t) => t.stop());
    stream.current = null;
    setCamera('off');
  };
  useEffect(() => stopCamera, []);

  const verify = async (code: string) => {
    if (!app.client) return;
    setSt({ kind: 'working', what: 'Verifying the code against the ledger' });
    try {
      setSt({ kind: 'verdict', v: await verifyCodeOnline(app.client, code), text: code });
    } catch (e) {
      if (isUrbisError(e, 'CODE_NOT_URBIS')) {
        // Not a signed code: maybe a plain identifier or label URL, which the explorer resolves.
        const p = parseInput(code);
        if (p.ok) setSt({ kind: 'plain-id', text: code, id: p.text });
        else setSt({ kind: 'nothing', message: 'This is not an Urbis code or identifier.' });
      } else setSt({ kind: 'failed', failure: classifyFailure(e) });
    }
  };

  const fromTexts = async (texts: string[]) => {
    if (texts.length === 0)
      return setSt({ kind: 'nothing', message: 'No QR code was found in the image. Try a sharper, closer picture with the whole code in view.' });
    await verify(texts[0]!);
  };

  const onFile = async (e: Event) => {
    const input = e.target as HTMLInputElement;
    const f = input.files?.[0];
    input.value = '';
    if (!f) return;
    if (f.size > MAX_IMAGE_BYTES) return setSt({ kind: 'nothing', message: 'This image is larger than 16 MB.' });
    setSt({ kind: 'working', what: 'Reading the code in the image' });
    try {
      await fromTexts(await decodeQr(f));
    } catch (x) {
      setSt({ kind: 'nothing', message: `The image could not be read: ${(x as Error).message}` });
    }
  };

  const startCamera = async () => {
    setCamErr(null);
    if (!navigator.mediaDevices?.getUserMedia) {
      return setCamErr('This browser offers no camera to this page (cameras need a secure page: https or localhost). Upload a photo instead.');
    }
    setCamera('starting');
    try {
      const s = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      stream.current = s;
      const v = video.current!;
      v.srcObject = s;
      await v.play();
      setCamera('on');
      const canvas = document.createElement('canvas');
      const ctx = canvas.getContext('2d', { willReadFrequently: true })!;
      const tick = async () => {
        if (!stream.current || v.videoWidth === 0) {
          if (stream.current) setTimeout(tick, 200);
          return;
        }
        canvas.width = v.videoWidth;
        canvas.height = v.videoHeight;
        ctx.drawImage(v, 0, 0);
        const texts = await decodeQr(ctx.getImageData(0, 0, canvas.width, canvas.height)).catch(() => []);
        if (texts.length && stream.current) {
          stopCamera();
          await verify(texts[0]!);
        } else if (stream.current) setTimeout(tick, 250);
      };
      void tick();
    } catch (x) {
      stopCamera();
      setCamErr(`The camera could not be started: ${(x as Error).message}`);
    }
  };

  return (
    <Page title="Scan a label" lead="Point your camera at the code on a label, or upload a photo of it. The code is read and verified in this browser.">
      <div class="scan-inputs">
        <section aria-labelledby="cam-h">
          <h2 id="cam-h">Camera</h2>
          <video ref={video} class={camera === 'on' ? 'camera on' : 'camera'} muted playsInline aria-label="Camera view" />
          {camera === 'off' ? (
            <button type="button" onClick={() => void startCamera()} disabled={!app.client}>
              Start the camera
            </button>
          ) : (
            <button type="button" class="secondary" onClick={stopCamera}>
              Stop the camera
            </button>
          )}
          {camErr ? <p class="error">{camErr}</p> : null}
        </section>
        <section aria-labelledby="up-h">
          <h2 id="up-h">Photo</h2>
          <div class="field">
            <label for="code-image">Image of a code</label>
            <input id="code-image" type="file" accept="image/*" capture="environment" onChange={onFile} disabled={!app.client} />
          </div>
          <form
            class="field"
            onSubmit={(e) => {
              e.preventDefault();
              void verify(text.trim());
            }}
          >
            <label for="code-text">Or paste the code text or label URL</label>
            <div class="row">
              <input
                id="code-text"
                type="text"
                value={text}
                onInput={(e) => setText((e.target as HTMLInputElement).value)}
                autocomplete="off"
                spellcheck={false}
              />
              <button type="submit" disabled={!app.client || !text.trim()}>
                Verify
              </button>
            </div>
          </form>
        </section>
      </div>
      <div aria-live="polite">
        {st.kind === 'working' ? <Loading what={st.what} /> : null}
        {st.kind === 'verdict' ? <VerdictCard v={st.v} /> : null}
        {st.kind === 'failed' ? <FailureBox failure={st.failure} /> : null}
        {st.kind === 'nothing' ? (
          <Notice tone="warn" title="No code" testid="no-code">
            {st.message}
          </Notice>
        ) : null}
        {st.kind === 'plain-id' ? (
          <Notice tone="info" title="An identifier, not a signed label" testid="plain-id">
            This code only names an identifier; it carries no signature to check. <a href={idHref(st.id)}>Resolve {st.id}</a> to see its verified record.
          </Notice>
        ) : null}
      </div>
    </Page>
  );
}

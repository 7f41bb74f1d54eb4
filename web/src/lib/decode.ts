/**
 * QR decoding in the browser: zxing-wasm's reader with its own .wasm, shipped in the app's assets
 * (never fetched from a CDN: zxing-wasm's default would be jsDelivr). Loaded only when the Scan
 * page needs it, so the rest of the app stays small.
 */
import wasmUrl from 'zxing-wasm/reader/zxing_reader.wasm?url';

type Reader = typeof import('zxing-wasm/reader');
let reader: Promise<Reader> | null = null;

function load(): Promise<Reader> {
  reader ??= import('zxing-wasm/reader').then((m) => {
    m.prepareZXingModule({
      overrides: { locateFile: (path: string, prefix: string) => (path.endsWith('.wasm') ? new URL(wasmUrl, location.href).href : prefix + path) },
      fireImmediately: false,
    });
    return m;
  });
  return reader;
}

/** Largest image accepted from a file (bytes). */
export const MAX_IMAGE_BYTES = 16 * 1024 * 1024;

/** The texts of the QR codes found in an image (a file, or a camera frame). */
export async function decodeQr(input: Blob | ImageData): Promise<string[]> {
  const m = await load();
  const results = await m.readBarcodes(input, { formats: ['QRCode'], tryHarder: true, maxNumberOfSymbols: 4 });
  return results.filter((r) => r.isValid && r.text).map((r) => r.text);
}

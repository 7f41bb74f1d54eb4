/**
 * Reads QR codes from images with ZXing-C++ compiled to WebAssembly (`zxing-wasm`). The .wasm file is
 * loaded from the installed package, never fetched: the module's default is a CDN, which fails
 * offline and would make verification depend on a third party.
 *
 * Images are attacker-controlled: size (bytes) and pixel count are checked from the header before
 * anything is decoded; PNG is decoded by `pngjs`, JPEG by ZXing's own decoder after the same check.
 *
 * Spec: docs/codes.md §11.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PNG } from 'pngjs';
import { prepareZXingModule, readBarcodes } from 'zxing-wasm/reader';
import { UrbisError, fail, isUrbisError } from '../core/errors.js';
import { codeBytes, isProofCode } from '../core/codes/index.js';

import { MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS } from './limits.js';

export { MAX_IMAGE_BYTES, MAX_IMAGE_PIXELS };

let ready: Promise<unknown> | null = null;

/** Loads the ZXing module once, from the package's own .wasm file. */
function zxing(): Promise<unknown> {
  if (ready === null) {
    const path = createRequire(import.meta.url).resolve('zxing-wasm/reader/zxing_reader.wasm');
    const bin = readFileSync(path);
    ready = prepareZXingModule({
      overrides: { wasmBinary: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) as ArrayBuffer },
      fireImmediately: true,
    });
  }
  return ready;
}

/** The kind of an image from its magic bytes. */
export function imageKind(b: Uint8Array): 'png' | 'jpeg' | 'svg' | null {
  if (b.length >= 8 && b[0] === 0x89 && b[1] === 0x50 && b[2] === 0x4e && b[3] === 0x47) return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  const head = new TextDecoder().decode(b.subarray(0, 256)).trimStart();
  if (head.startsWith('<svg') || (head.startsWith('<?xml') && head.includes('<svg'))) return 'svg';
  return null;
}

function checkPixels(width: number, height: number): void {
  if (width <= 0 || height <= 0 || width * height > MAX_IMAGE_PIXELS) {
    throw new UrbisError('CODE_IMAGE_TOO_LARGE', `image of ${width}×${height} pixels; at most ${MAX_IMAGE_PIXELS} pixels are accepted`, {
      width,
      height,
      limit: MAX_IMAGE_PIXELS,
    });
  }
}

/** Width and height from a JPEG's start-of-frame segment (ITU T.81 §B.2.2), or null. */
function jpegSize(b: Uint8Array): [number, number] | null {
  let i = 2;
  while (i + 9 < b.length) {
    if (b[i] !== 0xff) return null;
    const m = b[i + 1]!;
    if (m === 0xd8 || (m >= 0xd0 && m <= 0xd7) || m === 0x01) {
      i += 2;
      continue;
    }
    const len = (b[i + 2]! << 8) | b[i + 3]!;
    if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return [(b[i + 7]! << 8) | b[i + 8]!, (b[i + 5]! << 8) | b[i + 6]!];
    i += 2 + len;
  }
  return null;
}

/**
 * Decodes the QR codes of a PNG or JPEG image; returns their texts (an image may hold several).
 * @throws UrbisError CODE_IMAGE_TOO_LARGE, CODE_IMAGE_INVALID, CODE_NOT_IN_IMAGE
 */
export async function readQrCodes(bytes: Uint8Array): Promise<string[]> {
  if (bytes.length > MAX_IMAGE_BYTES) {
    throw new UrbisError('CODE_IMAGE_TOO_LARGE', `image of ${bytes.length} bytes; at most ${MAX_IMAGE_BYTES} are accepted`, {
      size: bytes.length,
      limit: MAX_IMAGE_BYTES,
    });
  }
  const kind = imageKind(bytes);
  await zxing();
  let results;
  if (kind === 'png') {
    // IHDR is the first chunk (PNG §11.2.2): width and height at bytes 16–23.
    if (bytes.length < 24) fail('CODE_IMAGE_INVALID', 'truncated PNG');
    const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    checkPixels(dv.getUint32(16), dv.getUint32(20));
    let png: PNG;
    try {
      png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
    } catch (e) {
      throw new UrbisError('CODE_IMAGE_INVALID', `the PNG cannot be decoded: ${(e as Error).message}`);
    }
    const data = new Uint8ClampedArray(png.data.buffer, png.data.byteOffset, png.data.length);
    results = await readBarcodes({ data, width: png.width, height: png.height, colorSpace: 'srgb' } as unknown as ImageData, {
      formats: ['QRCode'],
      tryHarder: true,
    });
  } else if (kind === 'jpeg') {
    const size = jpegSize(bytes);
    if (size === null) fail('CODE_IMAGE_INVALID', 'the JPEG has no readable frame header');
    checkPixels(size[0], size[1]);
    results = await readBarcodes(bytes, { formats: ['QRCode'], tryHarder: true });
  } else if (kind === 'svg') {
    return fail('CODE_IMAGE_INVALID', 'SVG images are not decoded: give the code text, or a PNG or JPEG of the label');
  } else {
    return fail('CODE_IMAGE_INVALID', 'not a PNG or JPEG image');
  }
  const texts = results.filter((r) => r.isValid && r.text.length > 0).map((r) => r.text);
  if (texts.length === 0) fail('CODE_NOT_IN_IMAGE', 'no readable QR code in the image');
  return texts;
}

/** The first text that is an Urbis code (possibly damaged), or undefined: an image may hold other QR codes. */
export function firstUrbisCode(texts: readonly string[]): string | undefined {
  return texts.find((t) => {
    if (isProofCode(t)) return true;
    try {
      codeBytes(t);
      return true;
    } catch (e) {
      return !isUrbisError(e, 'CODE_NOT_URBIS');
    }
  });
}

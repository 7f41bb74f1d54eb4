/**
 * QR rendering of codes (ISO/IEC 18004 via the `qrcode` package): SVG, PNG and terminal text, at
 * error correction M. The text form of a code is all QR alphanumeric characters, so the encoder
 * stores it in alphanumeric mode; the URL form mixes modes as the encoder finds best.
 *
 * Spec: docs/codes.md §5, §6.
 */
import QRCode from 'qrcode';

export type CodeFormat = 'svg' | 'png' | 'txt';

/** Rendering options. */
export interface RenderOptions {
  /** Pixels per module in PNG (default 8). */
  scale?: number;
  /** Quiet zone in modules (default 4, as ISO/IEC 18004 §6.3.8 requires). */
  margin?: number;
}

/** QR version (1–40) the text needs at error correction M. */
export function qrVersion(text: string): number {
  return QRCode.create(text, { errorCorrectionLevel: 'M' }).version;
}

/** Renders `text` as a QR code: SVG (string), PNG (bytes) or terminal text (string). */
export async function renderQr(text: string, format: CodeFormat, opts: RenderOptions = {}): Promise<string | Uint8Array> {
  const margin = opts.margin ?? 4;
  if (format === 'svg') return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: 'M', margin });
  if (format === 'txt') return QRCode.toString(text, { type: 'utf8', errorCorrectionLevel: 'M', margin: 2 });
  const b = await QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: 'M', margin, scale: opts.scale ?? 8 });
  return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
}

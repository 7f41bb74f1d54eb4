/**
 * A printable sheet of labels (PDF via `pdf-lib`): each code as a 25 mm QR code with the
 * human-readable identifier under it, on A4 pages.
 *
 * Spec: docs/cli.md "urbis code sheet".
 */
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import { renderQr } from './render.js';

/** One label of a sheet. */
export interface SheetLabel {
  /** The code text (`UC1:…` or a URL) that goes into the QR code. */
  code: string;
  /** The identifier printed under it. */
  caption: string;
}

const MM = 72 / 25.4;
const PAGE = { w: 210 * MM, h: 297 * MM };
const QR_SIZE = 25 * MM;
const COLS = 4;
const ROWS = 7;
const MARGIN = 12 * MM;

/** Builds the PDF bytes of a sheet (4 × 7 labels per A4 page). */
export async function labelSheet(labels: readonly SheetLabel[], title?: string): Promise<Uint8Array> {
  const pdf = await PDFDocument.create();
  pdf.setTitle(title ?? 'Urbis labels');
  pdf.setProducer('urbis');
  const font = await pdf.embedFont(StandardFonts.Helvetica);
  const cellW = (PAGE.w - 2 * MARGIN) / COLS;
  const cellH = (PAGE.h - 2 * MARGIN) / ROWS;
  for (let i = 0; i < labels.length; i++) {
    const slot = i % (COLS * ROWS);
    const page = slot === 0 ? pdf.addPage([PAGE.w, PAGE.h]) : pdf.getPages()[pdf.getPageCount() - 1]!;
    const col = slot % COLS;
    const row = Math.floor(slot / COLS);
    const x0 = MARGIN + col * cellW;
    const yTop = PAGE.h - MARGIN - row * cellH;
    const png = await pdf.embedPng((await renderQr(labels[i]!.code, 'png', { scale: 4, margin: 2 })) as Uint8Array);
    page.drawImage(png, { x: x0 + (cellW - QR_SIZE) / 2, y: yTop - QR_SIZE - 2 * MM, width: QR_SIZE, height: QR_SIZE });
    const caption = labels[i]!.caption;
    let size = 7;
    while (size > 4 && font.widthOfTextAtSize(caption, size) > cellW - 2 * MM) size -= 0.5;
    const w = font.widthOfTextAtSize(caption, size);
    page.drawText(caption, { x: x0 + (cellW - w) / 2, y: yTop - QR_SIZE - 6 * MM, size, font, color: rgb(0, 0, 0) });
  }
  if (labels.length === 0) pdf.addPage([PAGE.w, PAGE.h]);
  return pdf.save();
}

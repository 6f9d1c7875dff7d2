/**
 * The device label as a one-page PDF, drawn with pdfkit: vector rectangles and polygons, text in DejaVu Sans
 * (fonts.ts) embedded as a subset with a Unicode map, so any name prints as written and a PDF reader can copy
 * and search it. The same layout as the SVG (layout.ts), with the same text measurement.
 * @module
 */
import PDFDocument from 'pdfkit';
import type { DeviceRecord } from '../../inventory/types.ts';
import type { DeviceAssessment } from '../../assess/types.ts';
import { layoutLabel, type LabelLayout, type Shape } from './layout.ts';
import { drawFeatures, labelFonts, runWidth, textRuns } from './fonts.ts';
import { textWidth } from './metrics.ts';
import { inTimeRange } from '../../capture/time-range.ts';

type Doc = InstanceType<typeof PDFDocument>;

function drawText(doc: Doc, sh: Extract<Shape, { kind: 'text' }>): void {
  const w = textWidth(sh.text, sh.size, sh.bold);
  let x = sh.anchor === 'middle' ? sh.x - w / 2 : sh.anchor === 'end' ? sh.x - w : sh.x;
  for (const run of textRuns(sh.text, sh.bold)) {
    // The layout's y is the baseline, as in SVG.
    doc.font(run.face.key).fontSize(sh.size).fillColor(sh.fill)
      .text(run.text, x, sh.y, { lineBreak: false, baseline: 'alphabetic', features: drawFeatures as never });
    x += runWidth(run, sh.size);
  }
}

function draw(doc: Doc, layout: LabelLayout): void {
  for (const sh of layout.shapes) {
    if (sh.kind === 'rect') {
      doc.rect(sh.x, sh.y, sh.w, sh.h);
      if (sh.stroke) doc.lineWidth(1).fillAndStroke(sh.fill, sh.stroke);
      else doc.fill(sh.fill);
    } else if (sh.kind === 'poly') {
      doc.polygon(...sh.points).fill(sh.fill);
    } else drawText(doc, sh);
  }
}

/** Render a layout to PDF bytes. `created` is the document's creation date (fixed: same input, same bytes). */
export function renderPdf(layout: LabelLayout, created = new Date(0)): Uint8Array {
  const doc = new PDFDocument({
    size: [layout.width, layout.height], margin: 0, compress: true, pdfVersion: '1.7',
    info: { Title: layout.title, Producer: 'Bulwark', Creator: 'Bulwark', CreationDate: created, ModDate: created },
    lang: 'en',
    displayTitle: true,
  });
  const fonts = labelFonts();
  for (const face of new Set([...fonts.regular, ...fonts.bold])) doc.registerFont(face.key, face.bytes, face.postscriptName ?? '');
  draw(doc, layout);
  doc.end();
  // pdfkit writes into its readable side synchronously; the whole document is buffered once end() returns.
  const chunks: Buffer[] = [];
  for (let chunk = doc.read() as Buffer | null; chunk !== null; chunk = doc.read() as Buffer | null) chunks.push(chunk);
  return new Uint8Array(Buffer.concat(chunks));
}

/** The label of one device as PDF bytes. `created` defaults to the label's own date (reproducible output). */
export function labelPdf(assessment: DeviceAssessment, device: DeviceRecord, created?: Date): Uint8Array {
  return renderPdf(layoutLabel(assessment, device), created ?? new Date(inTimeRange(assessment.assessed_ts) ? assessment.assessed_ts * 1000 : 0));
}

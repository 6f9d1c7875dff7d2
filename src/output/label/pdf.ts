/**
 * The device label as a one-page PDF 1.4 written by hand: vector rectangles and polygons, text in the
 * standard Helvetica fonts (WinAnsiEncoding, nothing embedded), a correct cross-reference table. No dependency.
 * @module
 */
import type { DeviceRecord } from '../../inventory/types.ts';
import type { DeviceAssessment } from '../../assess/types.ts';
import { layoutLabel, type LabelLayout } from './layout.ts';
import { textWidth } from './metrics.ts';
import { inTimeRange } from '../../capture/time-range.ts';

const n = (v: number): string => (Math.round(v * 100) / 100).toString();

function rgb(hex: string): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) return '0 0 0';
  return [m[1], m[2], m[3]].map((h) => n(parseInt(h, 16) / 255)).join(' ');
}

// Characters outside Latin-1 that WinAnsiEncoding has, and their codes.
const winAnsi: Record<string, number> = { '…': 0x85, '–': 0x96, '—': 0x97, '‘': 0x91, '’': 0x92, '“': 0x93, '”': 0x94, '•': 0x95, '€': 0x80 };

/** A PDF literal string in WinAnsi bytes (as a binary JS string): escapes \ ( ), unknown characters become '?'. */
export function pdfString(s: string): string {
  let out = '(';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 63;
    let code = winAnsi[ch] ?? (c >= 32 && c <= 126 ? c : c >= 0xa0 && c <= 0xff ? c : 63);
    if (code === 0x5c || code === 0x28 || code === 0x29) out += '\\';
    if (code > 126) out += `\\${code.toString(8).padStart(3, '0')}`;
    else {
      if (code < 32) code = 63;
      out += String.fromCharCode(code);
    }
  }
  return `${out})`;
}

function contentStream(layout: LabelLayout): string {
  const H = layout.height;
  const ops: string[] = [];
  for (const sh of layout.shapes) {
    if (sh.kind === 'rect') {
      ops.push(`${rgb(sh.fill)} rg`);
      if (sh.stroke) ops.push(`${rgb(sh.stroke)} RG 1 w`);
      ops.push(`${n(sh.x)} ${n(H - sh.y - sh.h)} ${n(sh.w)} ${n(sh.h)} re ${sh.stroke ? 'B' : 'f'}`);
    } else if (sh.kind === 'poly') {
      const [first, ...rest] = sh.points;
      ops.push(`${rgb(sh.fill)} rg ${n(first[0])} ${n(H - first[1])} m ${rest.map(([x, y]) => `${n(x)} ${n(H - y)} l`).join(' ')} h f`);
    } else {
      const w = textWidth(sh.text, sh.size, sh.bold);
      const x = sh.anchor === 'middle' ? sh.x - w / 2 : sh.anchor === 'end' ? sh.x - w : sh.x;
      ops.push(`BT /${sh.bold ? 'F2' : 'F1'} ${n(sh.size)} Tf ${rgb(sh.fill)} rg ${n(x)} ${n(H - sh.y)} Td ${pdfString(sh.text)} Tj ET`);
    }
  }
  return ops.join('\n');
}

/** Assemble a PDF from objects (1-based numbers in order); offsets are byte offsets, the text is Latin-1. */
function assemble(objects: string[]): Uint8Array {
  let body = '%PDF-1.4\n%\xe2\xe3\xcf\xd3\n';
  const offsets: number[] = [];
  objects.forEach((obj, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${obj}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n`;
  for (const off of offsets) body += `${off.toString().padStart(10, '0')} 00000 n \n`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R /Info ${objects.length} 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Uint8Array.from(body, (c) => c.charCodeAt(0) & 0xff);
}

export function renderPdf(layout: LabelLayout, created = new Date(0)): Uint8Array {
  const content = contentStream(layout);
  const date = created.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return assemble([
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    `<< /Type /Page /Parent 2 0 R /MediaBox [0 0 ${layout.width} ${layout.height}] /Resources << /Font << /F1 4 0 R /F2 5 0 R >> >> /Contents 6 0 R >>`,
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>',
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>',
    `<< /Length ${content.length} >>\nstream\n${content}\nendstream`,
    `<< /Title ${pdfString(layout.title)} /Producer (Bulwark) /CreationDate (D:${date}Z) >>`,
  ]);
}

/** The label of one device as PDF bytes. `created` defaults to the label's own date (reproducible output). */
export function labelPdf(assessment: DeviceAssessment, device: DeviceRecord, created?: Date): Uint8Array {
  return renderPdf(layoutLabel(assessment, device), created ?? new Date(inTimeRange(assessment.assessed_ts) ? assessment.assessed_ts * 1000 : 0));
}

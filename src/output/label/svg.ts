/**
 * The device label as a standalone SVG document (inline-able in HTML: no external references, no scripts).
 * @module
 */
import type { DeviceRecord } from '../../inventory/types.ts';
import type { DeviceAssessment } from '../../assess/types.ts';
import { layoutLabel, type LabelLayout } from './layout.ts';

/** Escape text for XML content and attributes; drop characters XML 1.0 forbids. */
export function xmlEscape(s: string): string {
  // eslint-disable-next-line no-control-regex
  return s.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '').replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

const n = (v: number): string => (Math.round(v * 100) / 100).toString();

export function renderSvg(layout: LabelLayout): string {
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}pt" height="${layout.height}pt" viewBox="0 0 ${layout.width} ${layout.height}" role="img" aria-label="${xmlEscape(layout.title)}">`,
    `<title>${xmlEscape(layout.title)}</title>`,
    '<g font-family="DejaVu Sans, Verdana, Noto Sans, sans-serif">',
  ];
  for (const sh of layout.shapes) {
    if (sh.kind === 'rect') {
      out.push(`<rect x="${n(sh.x)}" y="${n(sh.y)}" width="${n(sh.w)}" height="${n(sh.h)}" fill="${sh.fill}"${sh.stroke ? ` stroke="${sh.stroke}"` : ''}/>`);
    } else if (sh.kind === 'poly') {
      out.push(`<polygon points="${sh.points.map(([x, y]) => `${n(x)},${n(y)}`).join(' ')}" fill="${sh.fill}"/>`);
    } else {
      const anchor = sh.anchor && sh.anchor !== 'start' ? ` text-anchor="${sh.anchor}"` : '';
      out.push(`<text x="${n(sh.x)}" y="${n(sh.y)}" font-size="${n(sh.size)}"${sh.bold ? ' font-weight="bold"' : ''} fill="${sh.fill}"${anchor}>${xmlEscape(sh.text)}</text>`);
    }
  }
  out.push('</g>', '</svg>');
  return out.join('\n');
}

/** The label of one device as an SVG document. */
export function labelSvg(assessment: DeviceAssessment, device: DeviceRecord): string {
  return renderSvg(layoutLabel(assessment, device));
}

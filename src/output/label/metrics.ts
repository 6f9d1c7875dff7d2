/**
 * Text measurement for label layout: Helvetica advance widths (AFM, 1/1000 em) for printable ASCII, so the
 * SVG and the PDF wrap text the same way. Other characters count as an 'm'-ish 600.
 * @module
 */
// Widths for code points 32..126.
const helvetica = [
  278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278, 556, 556, 556, 556, 556, 556, 556, 556,
  556, 556, 278, 278, 584, 584, 584, 556, 1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,
  667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556, 333, 556, 556, 500, 556, 556, 278, 556,
  556, 222, 222, 500, 222, 833, 556, 556, 556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584,
];

/** Width of `text` in points at `size` (bold is about 8 % wider). */
export function textWidth(text: string, size: number, bold = false): number {
  let w = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    w += c >= 32 && c <= 126 ? helvetica[c - 32] : 600;
  }
  return (w / 1000) * size * (bold ? 1.08 : 1);
}

/** Greedy word wrap to `width` points; at most `maxLines` lines, the last one cut with an ellipsis. */
export function wrap(text: string, size: number, width: number, maxLines: number, bold = false): string[] {
  const words = text.split(/\s+/).filter((w) => w.length > 0);
  const lines: string[] = [];
  let cur = '';
  for (const word of words) {
    const next = cur === '' ? word : `${cur} ${word}`;
    if (textWidth(next, size, bold) <= width || cur === '') cur = next;
    else {
      lines.push(cur);
      cur = word;
    }
  }
  if (cur !== '') lines.push(cur);
  const out = lines.slice(0, maxLines).map((l) => fit(l, size, width, bold));
  if (lines.length > maxLines) out[maxLines - 1] = fit(`${out[maxLines - 1]}…`, size, width, bold, true);
  return out;
}

/** Cut a line to the width, ending in an ellipsis when cut. */
function fit(line: string, size: number, width: number, bold: boolean, forceEllipsis = false): string {
  if (!forceEllipsis && textWidth(line, size, bold) <= width) return line;
  let s = line.replace(/…$/, '');
  while (s.length > 0 && textWidth(`${s}…`, size, bold) > width) s = s.slice(0, -1);
  return `${s.trimEnd()}…`;
}

/**
 * Text measurement for label layout with the label's own fonts (fonts.ts), so the SVG and the PDF wrap text the
 * same way and the PDF's text fits where the layout put it, whatever the script.
 * @module
 */
import { runWidth, textRuns } from './fonts.ts';

/** Width of `text` in points at `size`. */
export function textWidth(text: string, size: number, bold = false): number {
  let w = 0;
  for (const run of textRuns(text, bold)) w += runWidth(run, size);
  return w;
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

/** Cut a line to the width, ending in an ellipsis when cut (whole characters: never half a surrogate pair). */
function fit(line: string, size: number, width: number, bold: boolean, forceEllipsis = false): string {
  if (!forceEllipsis && textWidth(line, size, bold) <= width) return line;
  const chars = [...line.replace(/…$/, '')];
  while (chars.length > 0 && textWidth(`${chars.join('')}…`, size, bold) > width) chars.pop();
  return `${chars.join('').trimEnd()}…`;
}

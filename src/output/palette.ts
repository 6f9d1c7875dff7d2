/**
 * The one palette for grades, severities and check verdicts: the label (SVG and PDF), the HTML report and the
 * dashboard all read their colours from here, so a grade C or a "high" looks the same everywhere. Every pair
 * of a colour and the text drawn on it meets WCAG 2.x AA for normal text (contrast ratio ≥ 4.5:1);
 * palette.test.ts computes the ratios with WCAG's formula. Pure data: the dashboard bundle imports it too.
 *
 * Grades keep the energy-label look (green → yellow → red, dark text on the light middle colours).
 * Severities follow the usual alarm order (critical dark red … low yellow, info grey).
 * @module
 */

/** A fill and the colour of text drawn on it. */
export interface Swatch {
  bg: string;
  fg: string;
}

export type PaletteGrade = 'A' | 'B' | 'C' | 'D' | 'E';
export type PaletteSeverity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type PaletteVerdict = 'pass' | 'fail' | 'not_observed' | 'not_assessable';

const white = '#ffffff';

/** Body text, secondary text and the page behind them (also for colours used as text on the page). */
export const ink = '#111827';
export const muted = '#4b5563';
export const paper = '#ffffff';
/** The lightest page background any output puts text on (the report's body). */
export const paperTint = '#f9fafb';

export const gradeColours: Readonly<Record<PaletteGrade, Swatch>> = {
  A: { bg: '#1a7f37', fg: white },
  B: { bg: '#a6d96a', fg: ink },
  C: { bg: '#ffd93b', fg: ink },
  D: { bg: '#fdae61', fg: ink },
  E: { bg: '#c0161a', fg: white },
};

/** A device without a grade yet. */
export const noGradeColour: Swatch = { bg: '#57606a', fg: white };

export const severityColours: Readonly<Record<PaletteSeverity, Swatch>> = {
  critical: { bg: '#7a0019', fg: white },
  high: { bg: '#c62828', fg: white },
  medium: { bg: '#f4a259', fg: ink },
  low: { bg: '#ffd93b', fg: ink },
  info: { bg: '#57606a', fg: white },
};

/**
 * Verdicts of a baseline check. These also serve as text on the page (a "✓" in the report's table), so each
 * `bg` reads on white as well as white reads on it.
 */
export const verdictColours: Readonly<Record<PaletteVerdict, Swatch>> = {
  pass: { bg: '#15803d', fg: white },
  fail: { bg: '#b91c1c', fg: white },
  not_observed: { bg: '#57606a', fg: white },
  not_assessable: { bg: '#6b7280', fg: white },
};

/** The palette as CSS custom properties (`--grade-A`, `--grade-A-fg`, `--sev-high`, `--verdict-pass`…). */
export function paletteCssVariables(): Record<string, string> {
  const out: Record<string, string> = { '--ink': ink, '--muted': muted };
  const add = (prefix: string, swatches: Readonly<Record<string, Swatch>>): void => {
    for (const [key, s] of Object.entries(swatches)) {
      out[`--${prefix}-${key}`] = s.bg;
      out[`--${prefix}-${key}-fg`] = s.fg;
    }
  };
  add('grade', gradeColours);
  add('grade', { none: noGradeColour });
  add('sev', severityColours);
  add('verdict', verdictColours);
  return out;
}

/** `:root { … }` with the palette's custom properties (for stylesheets written as text, like the report's). */
export function paletteCssRoot(): string {
  return `:root { ${Object.entries(paletteCssVariables()).map(([k, v]) => `${k}: ${v};`).join(' ')} }`;
}

/** WCAG 2.x relative luminance of an sRGB colour `#rrggbb`. */
export function relativeLuminance(hex: string): number {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new Error(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => {
    const c = parseInt(h, 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}

/** WCAG 2.x contrast ratio of two colours (1 … 21). */
export function contrastRatio(a: string, b: string): number {
  const [hi, lo] = [relativeLuminance(a), relativeLuminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

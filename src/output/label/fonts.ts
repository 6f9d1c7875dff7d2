/**
 * The label's fonts: DejaVu Sans and DejaVu Sans Bold (the `dejavu-fonts-ttf` package; free licence that allows
 * embedding and redistribution), embedded in the PDF and used to measure text, so a name in Latin, Greek,
 * Cyrillic, Arabic, Hebrew, Armenian or Georgian script prints as written. Scripts DejaVu lacks (Chinese,
 * Japanese, Korean, Thai…) come from fallback fonts the user names in BULWARK_LABEL_FONTS (a ':'-separated list
 * of TTF/OTF files, e.g. /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc); each character takes the first
 * font that has it. A character no font has is drawn with DejaVu's "missing glyph" box.
 * @module
 */
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { create, type Font, type FontCollection } from 'fontkit';

export interface LabelFace {
  /** Name the PDF registers the font under. */
  key: string;
  path: string;
  /** The face inside a font collection (.ttc); undefined for a plain font file. */
  postscriptName?: string;
  /** The file's bytes, read once; each PDF parses its own copy (a fontkit font shared between pdfkit documents
   * lost glyphs from the second document on). */
  bytes: Buffer;
  /** Parsed once, for measuring. */
  font: Font;
}

export interface LabelFonts {
  regular: readonly LabelFace[];
  bold: readonly LabelFace[];
}

/** A stretch of text drawn with one face. */
export interface TextRun {
  face: LabelFace;
  text: string;
}

const require = createRequire(import.meta.url);

function isCollection(f: Font | FontCollection): f is FontCollection {
  return 'fonts' in f;
}

function openFace(key: string, path: string): LabelFace {
  const bytes = readFileSync(path);
  const opened = create(bytes);
  const font = isCollection(opened) ? opened.fonts[0] : opened;
  return { key, path, postscriptName: isCollection(opened) ? font.postscriptName : undefined, bytes, font };
}

/** Fallback font files from BULWARK_LABEL_FONTS (missing or unreadable files are skipped with a warning). */
function fallbackFaces(spec: string | undefined): LabelFace[] {
  const out: LabelFace[] = [];
  for (const [i, path] of (spec ?? '').split(':').filter((p) => p !== '').entries()) {
    try {
      if (!existsSync(path)) throw new Error('no such file');
      out.push(openFace(`Fallback${i}`, path));
    } catch (err) {
      process.emitWarning(`BULWARK_LABEL_FONTS: cannot use ${path}: ${(err as Error).message}`);
    }
  }
  return out;
}

let loaded: LabelFonts | undefined;

/** The fonts, opened once per process. */
export function labelFonts(): LabelFonts {
  if (loaded === undefined) {
    const fallback = fallbackFaces(process.env.BULWARK_LABEL_FONTS);
    loaded = {
      regular: [openFace('DejaVuSans', require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans.ttf')), ...fallback],
      bold: [openFace('DejaVuSans-Bold', require.resolve('dejavu-fonts-ttf/ttf/DejaVuSans-Bold.ttf')), ...fallback],
    };
  }
  return loaded;
}

/** Split text into runs, each character in the first face that has a glyph for it (else the first face). */
export function textRuns(text: string, bold = false): TextRun[] {
  const faces = bold ? labelFonts().bold : labelFonts().regular;
  const runs: TextRun[] = [];
  for (const ch of text) {
    const cp = ch.codePointAt(0) ?? 0;
    const face = faces.find((f) => f.font.hasGlyphForCodePoint(cp)) ?? faces[0];
    const last = runs.at(-1);
    if (last?.face === face) last.text += ch;
    else runs.push({ face, text: ch });
  }
  return runs;
}

/**
 * OpenType features the PDF draws without: no kerning and no ligatures, so a run is as wide as the sum of its
 * characters' advances, which is what the layout measures (script shaping, e.g. Arabic letter forms, stays on).
 */
export const drawFeatures = { kern: false, liga: false, clig: false, dlig: false } as const;

const advances = new WeakMap<LabelFace, Map<number, number>>();

/** Advance width of one character in font units (cached: a label measures the same characters many times). */
function advance(face: LabelFace, cp: number): number {
  let cache = advances.get(face);
  if (cache === undefined) advances.set(face, (cache = new Map()));
  let w = cache.get(cp);
  if (w === undefined) cache.set(cp, (w = face.font.glyphForCodePoint(cp).advanceWidth));
  return w;
}

/** Advance width of one run in points at `size`: the sum of its characters' advances (see drawFeatures). */
export function runWidth(run: TextRun, size: number): number {
  let units = 0;
  for (const ch of run.text) units += advance(run.face, ch.codePointAt(0) ?? 0);
  return (units / run.face.font.unitsPerEm) * size;
}

/**
 * Builds the dashboard: web/src/main.ts (with uPlot) → web/dist/app.js + app.css, and copies index.html and the
 * icon. Everything is local: no CDN, works offline; the page loads only same-origin files (strict CSP).
 * Usage: node web/build.ts [--watch] [--dev]   (--dev: no minification, inline source maps)
 * @module
 */
import { build, context, type BuildOptions } from 'esbuild';
import { copyFile, mkdir, readdir, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';

export const webRoot = import.meta.dirname;
export const defaultOutdir = join(webRoot, 'dist');

export interface WebBuildOptions {
  outdir: string;
  minify: boolean;
  sourcemap: boolean;
}

export interface WebBuildResult {
  outdir: string;
  /** Output file name → size in bytes. */
  files: Record<string, number>;
}

function esbuildOptions(o: WebBuildOptions): BuildOptions {
  return {
    entryPoints: { app: join(webRoot, 'src', 'main.ts') },
    outdir: o.outdir,
    bundle: true,
    format: 'esm',
    target: ['chrome110', 'firefox110', 'safari16'],
    minify: o.minify,
    // Separate .map files: inline maps would be fine for CSP but double the download.
    sourcemap: o.sourcemap ? 'linked' : false,
    legalComments: 'linked',
    logLevel: 'warning',
    // CSS imported from TS (uPlot's and ours) is bundled into app.css.
    loader: { '.css': 'css' },
    metafile: true,
  };
}

async function copyStatic(outdir: string): Promise<void> {
  await copyFile(join(webRoot, 'src', 'index.html'), join(outdir, 'index.html'));
  await copyFile(join(webRoot, 'src', 'favicon.svg'), join(outdir, 'favicon.svg'));
}

export async function buildWeb(options: Partial<WebBuildOptions> = {}): Promise<WebBuildResult> {
  const o: WebBuildOptions = { outdir: defaultOutdir, minify: true, sourcemap: true, ...options };
  o.outdir = resolve(o.outdir);
  await rm(o.outdir, { recursive: true, force: true });
  await mkdir(o.outdir, { recursive: true });
  await build(esbuildOptions(o));
  await copyStatic(o.outdir);
  const files: Record<string, number> = {};
  for (const name of await readdir(o.outdir)) files[name] = (await stat(join(o.outdir, name))).size;
  return { outdir: o.outdir, files };
}

async function watch(o: WebBuildOptions): Promise<void> {
  await mkdir(o.outdir, { recursive: true });
  await copyStatic(o.outdir);
  const ctx = await context({ ...esbuildOptions(o), plugins: [{ name: 'static', setup: (b) => b.onEnd(() => copyStatic(o.outdir)) }] });
  await ctx.watch();
  console.log(`watching web/src → ${o.outdir}`);
}

if (import.meta.main) {
  const args = new Set(process.argv.slice(2));
  const dev = args.has('--dev');
  if (args.has('--watch')) await watch({ outdir: defaultOutdir, minify: !dev, sourcemap: true });
  else {
    const t0 = performance.now();
    const result = await buildWeb({ minify: !dev });
    const list = Object.entries(result.files).map(([n, s]) => `  ${n.padEnd(22)} ${(s / 1024).toFixed(1).padStart(7)} KiB`).join('\n');
    console.log(`built ${result.outdir} in ${Math.round(performance.now() - t0)} ms\n${list}`);
  }
}

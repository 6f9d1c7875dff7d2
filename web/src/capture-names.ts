/**
 * Evidence names the file the server analysed: for uploads that is `<sha256>.<ext>` in its upload folder. Shown
 * to people as the name the capture was uploaded with, from the capture list (sha256 → filename).
 */
import { asPage, getJson } from './api.ts';
import { onLive } from './live.ts';
import type { Capture } from './types.ts';

let names = new Map<string, string>();
let loading: Promise<void> | undefined;

export function loadCaptureNames(): Promise<void> {
  loading ??= getJson<unknown>('/api/captures', { limit: 500 })
    .then((body) => {
      const next = new Map<string, string>();
      for (const c of asPage<Capture>(body, 'captures').items) {
        if (typeof c.sha256 === 'string' && typeof c.filename === 'string') next.set(c.sha256, c.filename);
      }
      names = next;
    })
    .catch(() => { loading = undefined; });
  return loading;
}

onLive((type) => { if (type === 'capture.done') loading = undefined; });

/** The file's upload name when known, else its base name. */
export function fileLabel(path: string): string {
  const base = path.replace(/^.*[\\/]/, '');
  const m = /^([0-9a-f]{64})\.[a-z0-9.]+$/.exec(base);
  return (m && names.get(m[1])) ?? base;
}

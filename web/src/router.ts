/** Hash router: '#/devices/:id' style patterns; each page renders into the main element and may return a cleanup. */

export type Cleanup = () => void;
export type Page = (root: HTMLElement, params: Record<string, string>, query: URLSearchParams) => Cleanup | void | Promise<Cleanup | void>;

interface Route { parts: string[]; page: Page; title: string }

const routes: Route[] = [];

export function route(pattern: string, title: string, page: Page): void {
  routes.push({ parts: pattern.split('/').filter(Boolean), page, title });
}

/** Current hash path and query: '#/findings?severity=high' → ['findings'], severity=high. */
export function currentLocation(): { parts: string[]; query: URLSearchParams } {
  const hash = location.hash.replace(/^#/, '') || '/';
  const [path, qs] = hash.split('?', 2);
  return { parts: path.split('/').filter(Boolean).map(decodeURIComponent), query: new URLSearchParams(qs ?? '') };
}

export function match(parts: string[]): { route: Route; params: Record<string, string> } | undefined {
  for (const r of routes) {
    if (r.parts.length !== parts.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < r.parts.length; i++) {
      if (r.parts[i].startsWith(':')) params[r.parts[i].slice(1)] = parts[i];
      else if (r.parts[i] !== parts[i]) { ok = false; break; }
    }
    if (ok) return { route: r, params };
  }
  return undefined;
}

/** Changes the query part of the current hash without adding a history entry per keystroke. */
export function setQuery(query: URLSearchParams): void {
  const { parts } = currentLocation();
  const qs = query.toString();
  const hash = `#/${parts.map(encodeURIComponent).join('/')}${qs ? `?${qs}` : ''}`;
  history.replaceState(null, '', `${location.pathname}${location.search}${hash}`);
}

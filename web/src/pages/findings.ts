/** Findings: filter by severity, status, detector and device; acknowledge; details and evidence one click away. */
import { asPage, getJson } from '../api.ts';
import { h, replace } from '../dom.ts';
import { findingDetails, findingItem, ackButton, devicesOf } from '../findings-view.ts';
import { loadCaptureNames } from '../capture-names.ts';
import { severityWords } from '../format.ts';
import { findingEvents, onLive } from '../live.ts';
import { setQuery, type Cleanup } from '../router.ts';
import { severities, type Finding } from '../types.ts';
import { errorNotice, loading, severityBadge, statusBadge } from '../widgets.ts';
import { Filters } from '../filters.ts';

const pageSize = 50;

export function findingsPage(root: HTMLElement, _params: Record<string, string>, query: URLSearchParams): Cleanup {
  const filters = new Filters(query);
  const state = filters.state;
  const results = h('div', { class: 'results', 'aria-live': 'polite' }, loading());
  replace(root,
    h('h1', null, 'Findings'),
    h('p', { class: 'hint' }, 'Security problems and suspicious behaviour Bulwark found. Acknowledge the ones you have dealt with.'),
    h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter findings', onsubmit: (e: Event) => e.preventDefault() },
      filters.select('severity', 'Severity', [['', 'Any severity'], ...severities.map((s): [string, string] => [s, severityWords[s]])]),
      filters.select('status', 'Status', [['', 'Any status'], ['new', 'New'], ['acknowledged', 'Acknowledged'], ['resolved', 'Resolved']]),
      filters.text('q', 'Title contains', 'e.g. password'),
      filters.text('detector', 'Detector', 'e.g. credentials.cleartext'),
      filters.text('device', 'Device', 'device id')),
    results);

  let disposed = false;
  filters.onChange = () => void load();
  const load = async (): Promise<void> => {
    const offset = Number(state.get('offset') ?? 0) || 0;
    try {
      const body = await getJson<unknown>('/api/findings', {
        ...filters.params(['severity', 'status', 'detector', 'device', 'q']),
        limit: pageSize,
        offset,
      });
      if (disposed) return;
      const page = asPage<Finding>(body, 'findings');
      const items = page.items;
      const list = h('ul', { class: 'findings' });
      const renderList = (): void => {
        replace(list, items.map((f, i) => findingItem(f, (u) => {
          items[i] = u;
          // Leaving a status filter: the item no longer matches; show it changed, drop it on the next load.
          renderList();
        })));
      };
      renderList();
      const total = page.total ?? offset + items.length;
      replace(results,
        items.length === 0
          ? h('p', { class: 'empty' }, state.toString() ? 'No finding matches these filters.' : 'No findings yet. Nothing suspicious seen so far.')
          : list,
        h('nav', { class: 'pager', 'aria-label': 'Pages' },
          h('span', null, total === 0 ? '' : `Showing ${offset + 1}–${offset + items.length} of ${total}`),
          offset > 0 ? h('button', { type: 'button', onclick: () => { state.set('offset', String(Math.max(0, offset - pageSize))); setQuery(state); void load(); } }, 'Previous') : null,
          offset + items.length < total ? h('button', { type: 'button', onclick: () => { state.set('offset', String(offset + pageSize)); setQuery(state); void load(); } }, 'Next') : null));
    } catch (err) {
      if (!disposed) replace(results, errorNotice(err));
    }
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  // At most one reload per 800 ms however many changes arrive (a live sensor sends a batch a second).
  const off = onLive((type) => {
    if (findingEvents.has(type) && timer === undefined) timer = setTimeout(() => { timer = undefined; void load(); }, 800);
  });
  void load();
  return () => { disposed = true; off(); clearTimeout(timer); };
}

export function findingPage(root: HTMLElement, params: Record<string, string>): Cleanup {
  let disposed = false;
  replace(root, h('h1', null, 'Finding'), loading());
  const render = (f: Finding): void => {
    replace(root,
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/findings' }, 'Findings'), ' › ', f.title),
      h('header', { class: 'finding-page-head' },
        severityBadge(f.severity),
        h('h1', null, f.title),
        statusBadge(f.status),
        ackButton(f, render)),
      h('p', { class: 'finding-meta' }, devicesOf(f)),
      findingDetails(f));
  };
  void Promise.all([getJson<Finding>(`/api/findings/${encodeURIComponent(params.id)}`), loadCaptureNames()])
    .then(([f]) => { if (!disposed) render(f); })
    .catch((err: unknown) => { if (!disposed) replace(root, h('h1', null, 'Finding'), errorNotice(err)); });
  return () => { disposed = true; };
}

/** Findings: filter by severity, status, detector and device; acknowledge; details and evidence one click away. */
import { asPage, getJson } from '../api.ts';
import { h, replace } from '../dom.ts';
import { findingDetails, findingItem, ackButton, devicesOf } from '../findings-view.ts';
import { loadCaptureNames } from '../capture-names.ts';
import { severityWords } from '../format.ts';
import { onLive } from '../live.ts';
import { setQuery, type Cleanup } from '../router.ts';
import { severities, type Finding } from '../types.ts';
import { errorNotice, loading, severityBadge, statusBadge } from '../widgets.ts';

const pageSize = 50;

export function findingsPage(root: HTMLElement, _params: Record<string, string>, query: URLSearchParams): Cleanup {
  const state = new URLSearchParams(query);
  const results = h('div', { class: 'results', 'aria-live': 'polite' }, loading());
  const select = (name: string, label: string, options: [string, string][]): HTMLElement => {
    const sel = h('select', { id: `f-${name}`, name }, options.map(([v, t]) => h('option', { value: v }, t)));
    sel.value = state.get(name) ?? '';
    sel.addEventListener('change', () => update(name, sel.value));
    return h('label', { for: `f-${name}` }, label, sel);
  };
  const text = (name: string, label: string, placeholder: string): HTMLElement => {
    const input = h('input', { id: `f-${name}`, name, type: 'text', placeholder, value: state.get(name) ?? '' });
    input.addEventListener('change', () => update(name, input.value.trim()));
    return h('label', { for: `f-${name}` }, label, input);
  };
  replace(root,
    h('h1', null, 'Findings'),
    h('p', { class: 'hint' }, 'Security problems and suspicious behaviour Bulwark found. Acknowledge the ones you have dealt with.'),
    h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter findings', onsubmit: (e: Event) => e.preventDefault() },
      select('severity', 'Severity', [['', 'Any severity'], ...severities.map((s): [string, string] => [s, severityWords[s]])]),
      select('status', 'Status', [['', 'Any status'], ['new', 'New'], ['acknowledged', 'Acknowledged'], ['resolved', 'Resolved']]),
      text('q', 'Title contains', 'e.g. password'),
      text('detector', 'Detector', 'e.g. credentials.cleartext'),
      text('device', 'Device', 'device id')),
    results);

  let disposed = false;
  const update = (name: string, value: string): void => {
    if (value) state.set(name, value);
    else state.delete(name);
    state.delete('offset');
    setQuery(state);
    void load();
  };

  const load = async (): Promise<void> => {
    const offset = Number(state.get('offset') ?? 0) || 0;
    try {
      const body = await getJson<unknown>('/api/findings', {
        severity: state.get('severity') ?? undefined,
        status: state.get('status') ?? undefined,
        detector: state.get('detector') ?? undefined,
        device: state.get('device') ?? undefined,
        q: state.get('q') ?? undefined,
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
  const off = onLive((type) => {
    if (type === 'finding.new' || type === 'capture.done') {
      clearTimeout(timer);
      timer = setTimeout(() => void load(), 800);
    }
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

/** Devices: a filterable, sortable table; each row links to the device's page. */
import { asPage, getJson } from '../api.ts';
import { h, replace, table } from '../dom.ts';
import { bytes, count, deviceName, deviceType, firstIp, gradeOf, time, typeLabel, vendorOf } from '../format.ts';
import { deviceEvents, findingEvents, onLive } from '../live.ts';
import { setQuery, type Cleanup } from '../router.ts';
import type { Device } from '../types.ts';
import { deviceHref, errorNotice, gradeBadge, link, loading } from '../widgets.ts';
import { Filters } from '../filters.ts';
import { deviceTypes } from '../../../src/inventory/types.ts';

const pageSize = 50;

export function devicesPage(root: HTMLElement, _params: Record<string, string>, query: URLSearchParams): Cleanup {
  const filters = new Filters(query);
  const state = filters.state;
  const results = h('div', { class: 'results', 'aria-live': 'polite' }, loading());
  replace(root,
    h('h1', null, 'Devices'),
    h('p', { class: 'hint' }, 'Every device Bulwark has seen on your network. Select one for its details and label.'),
    h('form', { class: 'filters', role: 'search', 'aria-label': 'Filter devices', onsubmit: (e: Event) => e.preventDefault() },
      filters.text('q', 'Search', 'name, address, host name…', true),
      filters.select('type', 'Type', [['', 'Any type'], ...deviceTypes.map((t): [string, string] => [t, typeLabel(t)])]),
      filters.text('vendor', 'Vendor', 'any'),
      filters.select('grade', 'Grade', [['', 'Any grade'], ...['A', 'B', 'C', 'D', 'E'].map((g): [string, string] => [g, g]), ['ungraded', 'Not graded']]),
      filters.select('sort', 'Sort by', [['', 'Default'], ['name', 'Name'], ['grade', 'Grade'], ['-bytes', 'Most data'], ['-last_ts', 'Last seen'], ['-findings', 'Most findings']])),
    results);

  let disposed = false;
  filters.onChange = () => void load();
  const load = async (): Promise<void> => {
    const offset = Number(state.get('offset') ?? 0) || 0;
    try {
      const body = await getJson<unknown>('/api/devices', {
        ...filters.params(['type', 'vendor', 'q', 'grade', 'sort']),
        limit: pageSize,
        offset,
      });
      if (disposed) return;
      const page = asPage<Device>(body, 'devices');
      const rows = page.items.map((d) => [
        gradeBadge(gradeOf(d)),
        link(deviceHref(d.id), deviceName(d)),
        typeLabel(deviceType(d)),
        vendorOf(d) ?? '—',
        firstIp(d) || '—',
        d.mac ?? '—',
        typeof d.findings_open === 'number' && d.findings_open > 0 ? link(`#/findings?device=${encodeURIComponent(d.id)}&status=new`, count(d.findings_open)) : '0',
        bytes((d.bytes_out ?? 0) + (d.bytes_in ?? 0)),
        time(d.last_ts),
      ]);
      const total = page.total ?? offset + page.items.length;
      const pager = h('nav', { class: 'pager', 'aria-label': 'Pages' },
        h('span', null, total === 0 ? 'No devices' : `Showing ${offset + 1}–${offset + page.items.length} of ${total}`),
        offset > 0 ? h('button', { type: 'button', onclick: () => { state.set('offset', String(Math.max(0, offset - pageSize))); setQuery(state); void load(); } }, 'Previous') : null,
        offset + page.items.length < total ? h('button', { type: 'button', onclick: () => { state.set('offset', String(offset + pageSize)); setQuery(state); void load(); } }, 'Next') : null);
      replace(results,
        table('Devices on the network', ['Grade', 'Device', 'Type', 'Vendor', 'Address', 'MAC', 'New findings', 'Data', 'Last seen'], rows,
          { empty: state.toString() ? 'No device matches these filters.' : 'No devices yet. Upload a capture to get started.', className: 'data devices' }),
        pager);
    } catch (err) {
      if (!disposed) replace(results, errorNotice(err));
    }
  };

  let timer: ReturnType<typeof setTimeout> | undefined;
  // At most one reload per 800 ms however many changes arrive (a live sensor sends a batch a second);
  // findings change the devices' counts of new findings.
  const off = onLive((type) => {
    if ((deviceEvents.has(type) || findingEvents.has(type)) && timer === undefined) timer = setTimeout(() => { timer = undefined; void load(); }, 800);
  });
  void load();
  return () => { disposed = true; off(); clearTimeout(timer); filters.dispose(); };
}

/** Overview: the network at a glance — device grades, findings over time, top talkers, protocols. */
import { asPage, getJson } from '../api.ts';
import { barList, severityColors, timeChart } from '../charts.ts';
import { h, replace, table } from '../dom.ts';
import { bytes, count, deviceName, gradeOf, gradeWords, severityWords } from '../format.ts';
import { onLive } from '../live.ts';
import type { Cleanup } from '../router.ts';
import { severities, type Device, type Severity, type TimeSeries } from '../types.ts';
import { card, deviceHref, errorNotice, gradeBadge, link, loading, severityBadge } from '../widgets.ts';

type Dict = Record<string, unknown>;

/** `{A: 3}` or `[{grade: 'A', count: 3}]` → [['A', 3]]: the overview's counts in either shape. */
export function pairs(value: unknown, keyNames: string[] = ['key', 'name']): [string, number][] {
  if (Array.isArray(value)) {
    return value.flatMap((item): [string, number][] => {
      if (!item || typeof item !== 'object') return [];
      const o = item as Dict;
      const key = [...keyNames, 'key', 'name', 'label', 'id'].map((k) => o[k]).find((v) => typeof v === 'string');
      const n = ['count', 'value', 'n', 'flows', 'devices', 'total'].map((k) => o[k]).find((v) => typeof v === 'number');
      return typeof key === 'string' && typeof n === 'number' ? [[key, n]] : [];
    });
  }
  if (value && typeof value === 'object') {
    return Object.entries(value as Dict).filter((e): e is [string, number] => typeof e[1] === 'number');
  }
  return [];
}

function pick(o: Dict | undefined, ...paths: string[]): unknown {
  for (const path of paths) {
    let cur: unknown = o;
    for (const part of path.split('.')) cur = cur && typeof cur === 'object' ? (cur as Dict)[part] : undefined;
    if (cur !== undefined) return cur;
  }
  return undefined;
}

export function overviewPage(root: HTMLElement): Cleanup {
  const cleanups: (() => void)[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const headline = h('div', { class: 'headline' }, loading());
  const grades = card('Devices by security grade', loading());
  const sevNow = card('Open findings by severity', loading());
  const findingsChart = h('div', { class: 'chart-host' });
  const trafficChart = h('div', { class: 'chart-host' });
  const talkers = card('Top talkers (most data sent and received)', loading());
  const protocols = card('Protocols seen', loading());
  replace(root,
    h('h1', null, 'Network overview'),
    headline,
    h('div', { class: 'grid' }, grades, sevNow),
    card('Findings over time', h('p', { class: 'hint' }, 'New security findings per minute, coloured by severity.'), findingsChart),
    card('Traffic over time', h('p', { class: 'hint' }, 'Connections (flows) started per minute.'), trafficChart),
    h('div', { class: 'grid' }, talkers, protocols));

  const load = async (): Promise<void> => {
    try {
      const [ov, findingsTs, flowsTs] = await Promise.all([
        getJson<Dict>('/api/overview'),
        getJson<TimeSeries>('/api/timeseries', { metric: 'findings', bucket: 60 }).catch(() => ({ t: [], series: {} })),
        getJson<TimeSeries>('/api/timeseries', { metric: 'flows', bucket: 60 }).catch(() => ({ t: [], series: {} })),
      ]);
      if (disposed) return;
      renderOverview(ov);
      for (const c of cleanups.splice(0)) c();
      cleanups.push(timeChart(findingsChart, findingsTs, { title: 'Findings per minute', stacked: true, order: severities, colors: severityColors }));
      cleanups.push(timeChart(trafficChart, flowsTs, { title: 'Flows per minute' }));
    } catch (err) {
      if (!disposed) replace(headline, errorNotice(err));
    }
  };

  const renderOverview = (ov: Dict): void => {
    const deviceTotal = pick(ov, 'devices.total', 'device_count', 'devices_total', 'devices');
    const findingTotal = pick(ov, 'findings.open', 'findings.total', 'finding_count', 'findings_total', 'findings');
    const captures = pick(ov, 'captures.total', 'capture_count', 'captures');
    const gradePairs = pairs(pick(ov, 'devices.by_grade', 'devices_by_grade', 'grades', 'by_grade'), ['grade']);
    const sevPairs = pairs(pick(ov, 'findings.by_severity', 'findings_by_severity', 'by_severity', 'severities'), ['severity']);
    replace(headline,
      stat('Devices', typeof deviceTotal === 'number' ? deviceTotal : undefined, '#/devices'),
      stat('Open findings', typeof findingTotal === 'number' ? findingTotal : sevPairs.reduce((a, [, n]) => a + n, 0), '#/findings?status=open'),
      stat('Captures', typeof captures === 'number' ? captures : Array.isArray(captures) ? captures.length : undefined, '#/upload'));

    const gradeOrder = ['A', 'B', 'C', 'D', 'E', 'F'];
    gradePairs.sort((a, b) => (gradeOrder.indexOf(a[0]) + 99) % 99 - (gradeOrder.indexOf(b[0]) + 99) % 99);
    replace(grades,
      h('h2', null, 'Devices by security grade'),
      h('p', { class: 'hint' }, 'A is best, F is worst. A grade sums up how the device protects itself and your data.'),
      barList(gradePairs.map(([g, n]) => ({
        label: h('a', { href: `#/devices?grade=${encodeURIComponent(g)}` }, gradeBadge(g === 'none' || g === 'null' ? undefined : g), ' ', gradeWords[g] ?? 'Not graded'),
        value: n,
        className: `fill-grade-${/^[A-F]$/.test(g) ? g : 'none'}`,
      })), 'No devices yet.'));

    const sevMap = new Map(sevPairs);
    replace(sevNow,
      h('h2', null, 'Open findings by severity'),
      h('p', { class: 'hint' }, 'Things Bulwark noticed that may need your attention.'),
      barList(severities.filter((s) => sevMap.has(s)).map((s) => ({
        label: h('a', { href: `#/findings?severity=${s}` }, severityBadge(s)),
        value: sevMap.get(s) ?? 0,
        className: `fill-sev-${s}`,
        display: `${count(sevMap.get(s))} ${severityWords[s as Severity] ? '' : ''}`.trim(),
      })), 'No findings. Nothing suspicious seen so far.'));

    const top = pick(ov, 'top_talkers', 'talkers', 'top_devices');
    const topRows = Array.isArray(top) ? (top as Dict[]).slice(0, 10) : [];
    replace(talkers,
      h('h2', null, 'Top talkers (most data sent and received)'),
      table('Devices that moved the most data', ['Device', 'Sent', 'Received', 'Connections'], topRows.map((t) => {
        const dev = (t.device && typeof t.device === 'object' ? t.device : t) as Device;
        const id = String(t.device_id ?? dev.id ?? '');
        const name = typeof t.name === 'string' ? t.name : dev.identification ? deviceName(dev) : String(t.ip ?? id);
        return [
          id ? link(deviceHref(id), name) : name,
          bytes(num(t.bytes_out ?? dev.bytes_out ?? t.bytes)),
          bytes(num(t.bytes_in ?? dev.bytes_in)),
          count(num(t.flows ?? (num(dev.flows_out) ?? 0) + (num(dev.flows_in) ?? 0))),
        ];
      }), { empty: 'No traffic yet.' }));

    const protoPairs = pairs(pick(ov, 'protocols', 'apps', 'by_protocol'), ['app', 'protocol']).sort((a, b) => b[1] - a[1]).slice(0, 12);
    replace(protocols,
      h('h2', null, 'Protocols seen'),
      h('p', { class: 'hint' }, 'Number of connections per application protocol.'),
      barList(protoPairs.map(([p, n]) => ({ label: p || 'unknown', value: n, className: 'fill-proto' })), 'No traffic yet.'));
    void gradeOf;
  };

  const schedule = (): void => {
    if (timer !== undefined) return;
    timer = setTimeout(() => { timer = undefined; void load(); }, 1000);
  };
  const off = onLive((type) => { if (type.startsWith('capture.done') || type === 'finding.new' || type === 'device.new') schedule(); });
  void load();
  return () => {
    disposed = true;
    off();
    if (timer !== undefined) clearTimeout(timer);
    for (const c of cleanups) c();
  };
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

function stat(label: string, value: number | undefined, href: string): HTMLElement {
  return h('a', { class: 'stat', href }, h('span', { class: 'stat-value' }, count(value)), h('span', { class: 'stat-label' }, label));
}

export { asPage };

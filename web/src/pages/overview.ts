/** Overview: the network at a glance — device grades, findings over time, top talkers, protocols. */
import { asPage, getJson } from '../api.ts';
import { barList, severityColors, timeChart } from '../charts.ts';
import { h, replace, table } from '../dom.ts';
import { bytes, count, gradeWords, time, typeLabel } from '../format.ts';
import { deviceEvents, findingEvents, onLive } from '../live.ts';
import type { Cleanup } from '../router.ts';
import { severities, type Capture, type TimeSeries } from '../types.ts';
import { card, deviceHref, errorNotice, findingHref, gradeBadge, link, loading, severityBadge } from '../widgets.ts';

/** GET /api/cases (docs/sharing.md): incidents, most important first. */
interface CaseItem {
  id: string;
  classification: string;
  severity: string;
  title: string;
  summary: string;
  compromised: boolean;
  first_ts: number;
  devices: { role: string; ip: string; subject: boolean; device_id?: string }[];
  findings: string[];
}

/** GET /api/overview (docs/api.md). */
export interface Overview {
  devices: number;
  findings: number;
  captures: number;
  devices_by_grade: Record<string, number>;
  devices_by_type?: Record<string, number>;
  findings_by_severity: Record<string, number>;
  findings_by_status?: Record<string, number>;
  top_talkers: { id: string; name: string; type?: string; bytes: number }[];
  protocols: { name: string; flows: number; bytes: number }[];
  first_ts?: number;
  last_ts?: number;
}

const gradeOrder = ['A', 'B', 'C', 'D', 'E', 'ungraded'];
const emptySeries: TimeSeries = { t: [], series: {} };

export function overviewPage(root: HTMLElement): Cleanup {
  const charts: (() => void)[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const headline = h('div', { class: 'headline' }, loading());
  const cases = card('Cases', loading());
  const grades = card('Devices by security grade', loading());
  const bySeverity = card('Findings by severity', loading());
  const findingsChart = h('div', { class: 'chart-host' });
  const trafficChart = h('div', { class: 'chart-host' });
  const talkers = card('Top talkers', loading());
  const range = h('select', { id: 'range' }, h('option', { value: 'latest' }, 'the most recent capture'), h('option', { value: 'all' }, 'all captures'));
  range.addEventListener('change', () => void load());
  const rangeLabel = h('label', { for: 'range' }, 'Charts show ', range);
  const protocols = card('Protocols seen', loading());
  replace(root,
    h('h1', null, 'Network overview'),
    headline,
    cases,
    h('div', { class: 'grid' }, grades, bySeverity),
    h('div', { class: 'range' }, rangeLabel),
    card('Findings over time', h('p', { class: 'hint' }, 'New security findings per time step, coloured by severity. Drag across the chart to zoom, double-click to reset.'), findingsChart),
    card('Traffic over time', h('p', { class: 'hint' }, 'Connections (flows) started per time step.'), trafficChart),
    h('div', { class: 'grid' }, talkers, protocols));

  const load = async (): Promise<void> => {
    try {
      const [ov, captures, caseList] = await Promise.all([
        getJson<Overview>('/api/overview'),
        getJson<unknown>('/api/captures', { limit: 100 }).then((b) => asPage<Capture>(b, 'captures').items).catch((): Capture[] => []),
        getJson<{ items: CaseItem[]; total: number }>('/api/cases', { limit: 10 }).catch(() => ({ items: [], total: 0 })),
      ]);
      // Captures can be years apart: by default the charts show the latest capture's time span.
      const latest = captures.map((c) => c.summary as { first_ts?: number; last_ts?: number } | undefined)
        .filter((s): s is { first_ts: number; last_ts: number } => typeof s?.first_ts === 'number' && typeof s.last_ts === 'number' && s.last_ts > 0)
        .sort((a, b) => b.last_ts - a.last_ts)[0];
      const windowed = range.value === 'latest' && latest !== undefined && (ov.first_ts === undefined || ov.first_ts < latest.first_ts);
      const span: { since?: number; until?: number } = windowed ? { since: Math.floor(latest.first_ts), until: Math.ceil(latest.last_ts) } : {};
      range.disabled = latest === undefined;
      const [findingsTs, flowsTs] = await Promise.all([
        getJson<TimeSeries>('/api/timeseries', { metric: 'findings', bucket: 60, ...span }).catch(() => emptySeries),
        getJson<TimeSeries>('/api/timeseries', { metric: 'flows', bucket: 60, ...span }).catch(() => emptySeries),
      ]);
      if (disposed) return;
      render(ov);
      renderCases(caseList);
      for (const c of charts.splice(0)) c();
      // Both charts share the time axis: the chosen window, else the union of their data.
      const ts = [...findingsTs.t, ...flowsTs.t];
      const xRange: [number, number] | undefined = windowed ? [span.since!, span.until!] : ts.length ? [Math.min(...ts), Math.max(...ts)] : undefined;
      charts.push(timeChart(findingsChart, findingsTs, { title: 'Findings per time step', stacked: true, order: severities, colors: severityColors, xRange }));
      charts.push(timeChart(trafficChart, flowsTs, { title: 'Flows per time step', xRange }));
    } catch (err) {
      if (!disposed) replace(headline, errorNotice(err));
    }
  };

  // Cases lead: one line per incident (a device and a cause), the kill chain in words below the title.
  const renderCases = (list: { items: CaseItem[]; total: number }): void => {
    replace(cases,
      h('h2', null, 'Cases'),
      h('p', { class: 'hint' }, 'Findings that share a device and a cause, told as one incident, most important first.'),
      table('Cases, most important first', ['Severity', 'Case', 'Device', 'Since'], list.items.map((c) => {
        const subject = c.devices.find((d) => d.subject);
        return [
          severityBadge(c.severity),
          [link(findingHref(c.findings[0] ?? ''), c.title), h('br'), h('small', null, `${c.classification}${c.compromised ? ' · compromised' : ''} · ${c.findings.length} findings — ${c.summary}`)],
          subject?.device_id ? link(deviceHref(subject.device_id), subject.ip) : (subject?.ip ?? '—'),
          time(c.first_ts),
        ];
      }), { empty: 'No cases. Nothing suspicious seen so far.' }),
      list.total > list.items.length ? h('p', { class: 'hint' }, `${list.total - list.items.length} more cases in /api/cases.`) : null);
  };

  const render = (ov: Overview): void => {
    const newFindings = ov.findings_by_status?.new;
    replace(headline,
      stat('Devices', ov.devices, '#/devices'),
      newFindings !== undefined ? stat('New findings', newFindings, '#/findings?status=new') : stat('Findings', ov.findings, '#/findings'),
      stat('Captures analysed', ov.captures, '#/upload'));

    const gradePairs = Object.entries(ov.devices_by_grade ?? {}).filter(([, n]) => n > 0)
      .sort((a, b) => rank(a[0]) - rank(b[0]));
    replace(grades,
      h('h2', null, 'Devices by security grade'),
      h('p', { class: 'hint' }, 'A is best, E is worst: how well a device protects itself and your data.'),
      barList(gradePairs.map(([g, n]) => {
        const graded = /^[A-E]$/.test(g);
        return {
          label: h('a', { href: `#/devices?grade=${encodeURIComponent(g)}` }, gradeBadge(graded ? g : undefined), ' ', graded ? gradeWords[g] : 'Not graded yet'),
          value: n,
          className: `fill-grade-${graded ? g : 'none'}`,
        };
      }), 'No devices yet. Upload a capture to get started.'));

    const sev = ov.findings_by_severity ?? {};
    replace(bySeverity,
      h('h2', null, 'Findings by severity'),
      h('p', { class: 'hint' }, 'Things Bulwark noticed that may need your attention.'),
      barList(severities.filter((s) => (sev[s] ?? 0) > 0).map((s) => ({
        label: h('a', { href: `#/findings?severity=${s}` }, severityBadge(s)),
        value: sev[s],
        className: `fill-sev-${s}`,
      })), 'No findings. Nothing suspicious seen so far.'));

    replace(talkers,
      h('h2', null, 'Top talkers'),
      h('p', { class: 'hint' }, 'The devices that sent and received the most data.'),
      table('Devices that moved the most data', ['Device', 'Type', 'Data'], (ov.top_talkers ?? []).map((t) => [
        link(deviceHref(t.id), t.name || t.id), typeLabel(t.type ?? 'unknown'), bytes(t.bytes),
      ]), { empty: 'No traffic yet.' }));

    replace(protocols,
      h('h2', null, 'Protocols seen'),
      h('p', { class: 'hint' }, 'Connections per application protocol (the transport when none was recognised).'),
      barList((ov.protocols ?? []).map((p) => ({ label: p.name || 'unknown', value: p.flows, className: 'fill-proto', display: count(p.flows) })), 'No traffic yet.'));
  };

  const schedule = (ms: number): void => {
    if (timer !== undefined) return;
    timer = setTimeout(() => { timer = undefined; void load(); }, ms);
  };
  // A live sensor's batch alone (traffic counters) refreshes the charts every 5 s; changes within 1 s.
  const off = onLive((type) => {
    if (findingEvents.has(type) || deviceEvents.has(type)) schedule(1000);
    else if (type === 'sensor.batch') schedule(5000);
  });
  void load();
  return () => {
    disposed = true;
    off();
    if (timer !== undefined) clearTimeout(timer);
    for (const c of charts) c();
  };
}

function rank(grade: string): number {
  const i = gradeOrder.indexOf(grade);
  return i < 0 ? gradeOrder.length : i;
}

function stat(label: string, value: number | undefined, href: string): HTMLElement {
  return h('a', { class: 'stat', href }, h('span', { class: 'stat-value' }, count(value)), h('span', { class: 'stat-label' }, label));
}

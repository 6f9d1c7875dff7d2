/** uPlot wrappers: time-series charts sized to their container, with a plain-text summary for screen readers. */
import uPlot from 'uplot';
import { h } from './dom.ts';
import type { TimeSeries } from './types.ts';
import { time } from './format.ts';
import { severityColours } from '../../src/output/palette.ts';

/** Severity colours: the one palette of the label, the report and the dashboard. */
export const severityColors: Record<string, string> = Object.fromEntries(Object.entries(severityColours).map(([k, s]) => [k, s.bg]));

/** Tick steps of a count axis: whole numbers only (a count of 0.5 findings means nothing). */
export const countIncrements = [1, 2, 5, 10, 20, 25, 50, 100, 200, 250, 500, 1e3, 2e3, 2.5e3, 5e3, 1e4, 2e4, 2.5e4, 5e4, 1e5, 2e5, 2.5e5, 5e5, 1e6, 2e6, 5e6, 1e7, 2e7, 5e7, 1e8, 1e9, 1e10, 1e11, 1e12];
const palette = ['#1565c0', '#2e7d32', '#6a1b9a', '#00838f', '#ad1457', '#4e342e', '#455a64', '#9e9d24'];

export interface ChartOptions {
  title: string;
  /** Stack the series; otherwise each is drawn as its own line. Counts per bucket are drawn as bars either way
   * when there is one series (buckets may be sparse: a line would invent values between them). */
  stacked?: boolean;
  /** Series order and colours (names not listed come after, in palette colours). */
  order?: string[];
  colors?: Record<string, string>;
  yLabel?: string;
  formatValue?: (v: number) => string;
  height?: number;
  /** Time span to show (epoch seconds); default the data's, padded by a bucket. */
  xRange?: [number, number];
  /** The values are counts: whole-number ticks on the value axis (default true). */
  counts?: boolean;
}

/**
 * Renders a chart into `host`; returns a cleanup. Values are stacked bottom-up in `order` when `stacked`, and the
 * legend shows each series' own value, not the stacked sum.
 */
export function timeChart(host: HTMLElement, data: TimeSeries, opts: ChartOptions): () => void {
  const names = Object.keys(data.series);
  const order = [...(opts.order ?? []).filter((n) => names.includes(n)), ...names.filter((n) => !(opts.order ?? []).includes(n))];
  const raw = order.map((n) => data.series[n].map((v) => (v === null || v === undefined ? 0 : v)));
  const total = raw.reduce((sum, s) => sum + s.reduce((a, b) => a + b, 0), 0);
  host.replaceChildren();
  host.classList.add('chart');
  const summary = h('p', { class: 'chart-summary' });
  if (data.t.length === 0 || order.length === 0) {
    host.append(h('p', { class: 'empty' }, 'No data yet. Upload a capture to see activity over time.'));
    return () => {};
  }
  const fmt = opts.formatValue ?? ((v: number) => v.toLocaleString('en'));
  const counts = opts.counts ?? true;
  summary.textContent = `${opts.title}: ${order.map((n, i) => `${n} ${fmt(raw[i].reduce((a, b) => a + b, 0))}`).join(', ')} (total ${fmt(total)}) between ${time(data.t[0])} and ${time(data.t[data.t.length - 1])}.`;

  // Stacked: series i holds the sum of series i..n-1, drawn largest first so every layer stays visible.
  let plotted: number[][] = raw;
  const asBars = opts.stacked || order.length === 1;
  if (opts.stacked) {
    plotted = raw.map((_, i) => raw[0].map((__, j) => {
      let s = 0;
      for (let k = i; k < raw.length; k++) s += raw[k][j];
      return s;
    }));
  }
  const colorOf = (name: string, i: number): string => opts.colors?.[name] ?? palette[i % palette.length];
  const bars = uPlot.paths.bars!({ size: [0.8, 40], align: 0 });
  const series: uPlot.Series[] = [
    { label: 'Time' },
    ...order.map((name, i): uPlot.Series => ({
      label: name,
      stroke: colorOf(name, i),
      fill: asBars ? colorOf(name, i) : undefined,
      width: asBars ? 0 : 2,
      paths: asBars ? bars : undefined,
      points: { show: false },
      value: (_u, _v, _si, idx) => (idx === null || idx === undefined ? '—' : fmt(raw[i][idx] ?? 0)),
    })),
  ];
  // One bucket of padding each side: a single bucket would otherwise get an arbitrary (years-wide) axis.
  const step = data.t.length > 1 ? data.t[1] - data.t[0] : 60;
  const first = data.t[0];
  const last = data.t[data.t.length - 1];
  const xRange = (min: number, max: number): [number, number] => {
    // Auto-scaling (uPlot passes the data's first time; for one point it adds "a day" in ms units, years here):
    // show the requested span, padded. Any other call is a zoom: keep it.
    if (min !== first || (max !== last && data.t.length > 1)) return [min, max];
    return [Math.min(first, opts.xRange?.[0] ?? first) - step, Math.max(last, opts.xRange?.[1] ?? last) + step];
  };
  const plotHost = h('div', { class: 'chart-plot' });
  host.append(plotHost, summary);
  const width = (): number => Math.max(280, Math.floor(host.clientWidth || 600));
  const plot = new uPlot({
    width: width(),
    height: opts.height ?? 220,
    series,
    scales: {
      x: { time: true, range: (_u, min, max) => xRange(min, max) },
      y: { range: (_u, _min, max) => [0, counts ? Math.max(1, Math.ceil(max * 1.1)) : Math.max(1, max * 1.1)] },
    },
    axes: [{}, {
      label: opts.yLabel, size: 60,
      ...(counts ? { incrs: countIncrements } : {}),
      values: (_u, ticks) => {
        // The ticks drawn on the canvas, readable by tests and tools (the canvas has no text to query).
        host.dataset.yTicks = ticks.join(' ');
        return ticks.map((v) => fmt(v));
      },
    }],
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
  }, [data.t, ...plotted], plotHost);
  const observer = new ResizeObserver(() => plot.setSize({ width: width(), height: opts.height ?? 220 }));
  observer.observe(host);
  return () => {
    observer.disconnect();
    plot.destroy();
  };
}

/** Horizontal bars in plain HTML (accessible as a list): label, bar, value. */
export function barList(items: { label: Node | string; value: number; className?: string; display?: string }[], emptyText: string): HTMLElement {
  if (items.length === 0) return h('p', { class: 'empty' }, emptyText);
  const max = Math.max(1, ...items.map((i) => i.value));
  const ul = h('ul', { class: 'bars' });
  for (const item of items) {
    const fill = h('span', { class: `bar-fill ${item.className ?? ''}` });
    // CSSOM width (not a style attribute): allowed by the strict CSP.
    fill.style.width = `${(item.value / max) * 100}%`;
    ul.append(h('li', null,
      h('span', { class: 'bar-label' }, item.label),
      h('span', { class: 'bar-track', 'aria-hidden': 'true' }, fill),
      h('span', { class: 'bar-value' }, item.display ?? item.value.toLocaleString('en'))));
  }
  return ul;
}

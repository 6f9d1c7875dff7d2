/**
 * Sensors: every sensor that sends batches to this server (directly or through NATS), when it was last heard
 * from, its version, and its packet and drop rates between its last two reports. Refreshed every 10 s.
 */
import { getJson } from '../api.ts';
import { h, replace, table } from '../dom.ts';
import { bytes, count } from '../format.ts';
import type { Cleanup } from '../router.ts';
import { errorNotice, loading } from '../widgets.ts';

interface SensorView {
  site: string; sensor: string; first_seen: number; last_seen: number; last_seq: number; age_s: number; state: 'reporting' | 'silent';
  version: string | null; packets: number | null; drops: number | null; bytes: number | null; spool_overflow: number | null;
  packets_per_s: number | null; drops_per_s: number | null; bytes_per_s: number | null; drop_ratio: number | null;
}

const REFRESH_MS = 10_000;

/** "12 s ago", "5 min ago", "3 h ago", "2 d ago". */
export function ago(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min ago`;
  if (seconds < 129_600) return `${Math.round(seconds / 3600)} h ago`;
  return `${Math.round(seconds / 86_400)} d ago`;
}

const rate = (n: number | null, unit: string): string => (n === null ? '—' : `${n < 10 ? n.toFixed(1) : count(Math.round(n))} ${unit}`);

function ratio(r: number | null): string {
  if (r === null) return '—';
  if (r === 0) return '0%';
  return r < 0.001 ? '< 0.1%' : `${(r * 100).toFixed(1)}%`;
}

export function sensorsPage(root: HTMLElement): Cleanup {
  const results = h('div', { class: 'results', 'aria-live': 'polite' }, loading());
  replace(root,
    h('h1', null, 'Sensors'),
    h('p', { class: 'hint' }, 'Sensors that report to this server. Rates are between a sensor’s last two reports; drops are packets its capture lost. A sensor silent for over 2 minutes is marked.'),
    results);
  let disposed = false;
  const load = async (): Promise<void> => {
    try {
      const body = await getJson<{ items: SensorView[] }>('/api/sensors');
      if (disposed) return;
      const rows = body.items.map((s) => [
        s.site === '' ? '(this server)' : s.site,
        s.sensor,
        h('span', { class: s.state === 'silent' ? 'sensor-silent' : 'sensor-ok', title: new Date(s.last_seen).toISOString() },
          `${s.state === 'silent' ? 'Silent — ' : ''}${ago(s.age_s)}`),
        s.version ?? '—',
        rate(s.packets_per_s, 'pkt/s'),
        rate(s.drops_per_s, 'drops/s'),
        ratio(s.drop_ratio),
        s.bytes_per_s === null ? '—' : `${bytes(s.bytes_per_s)}/s`,
        count(s.packets ?? undefined),
        s.spool_overflow ? count(s.spool_overflow) : '0',
      ]);
      replace(results, table('Sensors', ['Site', 'Sensor', 'Last seen', 'Version', 'Packets', 'Drops', 'Dropped (run)', 'Traffic', 'Packets (run)', 'Lost while away'], rows,
        { empty: 'No sensor has reported yet. Sensors publish with `bulwark analyze --interface … --publish nats://…`.' }));
    } catch (err) {
      if (!disposed) replace(results, errorNotice(err));
    }
  };
  const timer = setInterval(() => void load(), REFRESH_MS);
  void load();
  return () => { disposed = true; clearInterval(timer); };
}

/** Upload: send capture files, follow upload then analysis progress, list earlier captures. */
import { asPage, getJson, uploadCapture } from '../api.ts';
import { h, replace, table } from '../dom.ts';
import { bytes, count, percent, time } from '../format.ts';
import { onLive } from '../live.ts';
import type { Cleanup } from '../router.ts';
import type { Capture } from '../types.ts';
import { errorNotice, loading } from '../widgets.ts';

type Phase = 'uploading' | 'queued' | 'ingesting' | 'done' | 'failed';

interface UploadState {
  file: string;
  size: number;
  phase: Phase;
  /** 0..1 of the current phase. */
  sent: number;
  analysed: number;
  captureId?: string;
  error?: string;
  /** The server already had these bytes (nothing added twice). */
  duplicate?: boolean;
  summary?: Record<string, unknown>;
}

// Module state: uploads keep going (and stay listed) while the user looks at other pages.
const uploads: UploadState[] = [];
const changeListeners = new Set<() => void>();
const changed = (): void => { for (const fn of changeListeners) fn(); };
const pollMs = 700;

const phaseWords: Record<Phase, string> = {
  uploading: 'Uploading',
  queued: 'Waiting to be analysed',
  ingesting: 'Analysing',
  done: 'Done',
  failed: 'Failed',
};

function applyCapture(u: UploadState, c: Capture): void {
  if (c.status === 'queued' || c.status === 'ingesting' || c.status === 'done' || c.status === 'failed') u.phase = c.status;
  if (typeof c.progress === 'number') u.analysed = c.progress;
  if (u.phase === 'done') u.analysed = 1;
  if (typeof c.error === 'string') u.error = c.error;
  if (c.summary && typeof c.summary === 'object') u.summary = c.summary;
}

async function follow(u: UploadState): Promise<void> {
  // SSE gives prompt updates; polling makes sure we finish even without them.
  while (u.captureId && (u.phase === 'queued' || u.phase === 'ingesting')) {
    await new Promise((r) => setTimeout(r, pollMs));
    try {
      applyCapture(u, await getJson<Capture>(`/api/captures/${encodeURIComponent(u.captureId)}`));
      changed();
    } catch { /* transient: keep polling */ }
  }
  // Finished (or already known): one more read for the summary.
  if (u.captureId && !u.summary) {
    try { applyCapture(u, await getJson<Capture>(`/api/captures/${encodeURIComponent(u.captureId)}`)); } catch { /* keep what we have */ }
  }
}

export async function startUpload(file: File): Promise<void> {
  const u: UploadState = { file: file.name, size: file.size, phase: 'uploading', sent: 0, analysed: 0 };
  uploads.unshift(u);
  changed();
  try {
    const res = await uploadCapture(file, { onProgress: (sent, total) => { u.sent = total > 0 ? sent / total : 0; changed(); } });
    u.sent = 1;
    u.captureId = res.capture_id;
    u.duplicate = res.duplicate;
    u.phase = res.status === 'done' || res.status === 'ingesting' || res.status === 'failed' ? res.status : 'queued';
    changed();
    await follow(u);
  } catch (err) {
    u.phase = 'failed';
    u.error = err instanceof Error ? err.message : String(err);
  }
  changed();
}

onLive((type, data) => {
  const id = String(data.capture_id ?? data.id ?? '');
  const u = uploads.find((x) => x.captureId !== undefined && x.captureId === id);
  if (!u) return;
  if (type === 'capture.progress') {
    if (u.phase === 'queued') u.phase = 'ingesting';
    if (typeof data.progress === 'number' && u.phase === 'ingesting') u.analysed = Math.max(u.analysed, data.progress);
  } else if (type === 'capture.done') {
    applyCapture(u, { ...(data as Capture), status: typeof data.status === 'string' ? data.status : 'done' });
  }
  changed();
});

function uploadRow(u: UploadState): HTMLElement {
  const uploadBar = h('progress', { max: 1, 'aria-label': `Upload of ${u.file}` });
  uploadBar.value = u.sent;
  const analyseBar = h('progress', { max: 1, 'aria-label': `Analysis of ${u.file}` });
  if (u.phase === 'queued' || (u.phase === 'ingesting' && u.analysed === 0)) analyseBar.removeAttribute('value');
  else analyseBar.value = u.analysed;
  const summary = u.summary ?? {};
  const pick = (...keys: string[]): number | undefined => keys.map((k) => summary[k]).find((v): v is number => typeof v === 'number');
  return h('li', { class: `upload phase-${u.phase}`, 'data-capture-id': u.captureId ?? '', 'data-phase': u.phase },
    h('div', { class: 'upload-head' }, h('strong', null, u.file), ` · ${bytes(u.size)} · `, h('span', { class: 'upload-phase' }, phaseWords[u.phase]),
      u.duplicate ? h('span', { class: 'hint' }, ' (this file was uploaded before: nothing is added twice)') : null),
    h('div', { class: 'upload-bars' },
      h('span', null, `Upload ${percent(u.sent)}`), uploadBar,
      h('span', null, u.phase === 'uploading' ? 'Analysis' : `Analysis ${u.phase === 'queued' ? '' : percent(u.analysed)}`), analyseBar),
    u.phase === 'done' ? h('p', null,
      `Analysed${pick('packets') !== undefined ? ` ${count(pick('packets'))} packets` : ''}${pick('devices', 'device_count') !== undefined ? `, ${count(pick('devices', 'device_count'))} devices` : ''}${pick('findings', 'finding_count') !== undefined ? `, ${count(pick('findings', 'finding_count'))} findings` : ''}. `,
      h('a', { href: '#/devices' }, 'See devices'), ' · ', h('a', { href: '#/findings' }, 'See findings')) : null,
    u.error ? h('p', { class: 'notice notice-error', role: 'alert' }, u.error) : null);
}

export function uploadPage(root: HTMLElement): Cleanup {
  const input = h('input', { id: 'capture-file', type: 'file', multiple: true, accept: '.pcap,.pcapng,.cap,.gz,application/vnd.tcpdump.pcap' });
  const drop = h('div', { class: 'dropzone' },
    h('p', null, 'Drop capture files (.pcap, .pcapng, optionally gzipped) here, or'),
    h('label', { for: 'capture-file', class: 'button primary' }, 'Choose files…'), input);
  const live = h('ul', { class: 'uploads', 'aria-live': 'polite', 'aria-label': 'Uploads' });
  const history = h('div', null, loading());
  const send = (files: FileList | null): void => { for (const f of Array.from(files ?? [])) void startUpload(f); };
  input.addEventListener('change', () => { send(input.files); input.value = ''; });
  drop.addEventListener('dragover', (e) => { e.preventDefault(); drop.classList.add('drag'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('drag'));
  drop.addEventListener('drop', (e) => { e.preventDefault(); drop.classList.remove('drag'); send(e.dataTransfer?.files ?? null); });

  replace(root,
    h('h1', null, 'Upload a capture'),
    h('p', { class: 'hint' }, 'Bulwark analyses packet captures from your network (for example from tcpdump or Wireshark) to find devices and security problems. Files stay on this server.'),
    drop, live,
    h('section', { class: 'card' }, h('h2', null, 'Earlier captures'), history));

  const render = (): void => replace(live, uploads.map(uploadRow));
  let timer: ReturnType<typeof setTimeout> | undefined;
  let disposed = false;
  const loadHistory = async (): Promise<void> => {
    try {
      const captures = asPage<Capture>(await getJson<unknown>('/api/captures'), 'captures').items;
      if (disposed) return;
      replace(history, table('Captures analysed on this server', ['File', 'Status', 'Size', 'Received'], captures.map((c) => [
        String(c.filename ?? c.name ?? c.id ?? c.capture_id ?? ''),
        `${phaseWords[c.status as Phase] ?? c.status}${c.status === 'ingesting' && typeof c.progress === 'number' ? ` ${percent(c.progress)}` : ''}`,
        typeof c.size === 'number' ? bytes(c.size) : typeof c.bytes === 'number' ? bytes(c.bytes) : '—',
        typeof c.created_at === 'string' && Number.isFinite(Date.parse(c.created_at)) ? time(Date.parse(c.created_at) / 1000) : '—',
      ]), { empty: 'None yet.' }));
    } catch (err) {
      if (!disposed) replace(history, errorNotice(err));
    }
  };
  const onChange = (): void => {
    render();
    clearTimeout(timer);
    timer = setTimeout(() => void loadHistory(), 1000);
  };
  changeListeners.add(onChange);
  render();
  void loadHistory();
  return () => { disposed = true; changeListeners.delete(onChange); clearTimeout(timer); };
}

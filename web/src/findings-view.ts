/** Finding rendering shared by the findings page and the device page: summary row, details, acknowledge. */
import { getJson, patchJson } from './api.ts';
import { fileLabel, loadCaptureNames } from './capture-names.ts';
import { h, table } from './dom.ts';
import { count, time } from './format.ts';
import type { Finding } from './types.ts';
import { deviceHref, link, severityBadge, statusBadge } from './widgets.ts';

/** Finding statuses of the API: new (open), acknowledged (seen, dealt with later), resolved. */
export const statusNew = 'new';
export const statusAcknowledged = 'acknowledged';
export const statusResolved = 'resolved';

const roleWords: Record<string, string> = {
  attacker: 'attacking',
  victim: 'targeted',
  infected: 'possibly infected',
  insecure: 'insecure',
  peer: 'involved',
};

export function devicesOf(f: Finding): Node[] {
  return (f.devices ?? []).flatMap((d, i) => {
    const label = `${d.ip}${d.mac ? ` (${d.mac})` : ''} — ${roleWords[d.role] ?? d.role}`;
    const node = d.device_id ? link(deviceHref(d.device_id), label) : document.createTextNode(label);
    return i === 0 ? [node] : [document.createTextNode(', '), node];
  });
}

/** Acknowledge / reopen button; calls `done` with the updated finding. */
export function ackButton(f: Finding, done: (updated: Finding) => void): HTMLButtonElement {
  const acknowledged = (f.status ?? statusNew) !== statusNew;
  const button = h('button', {
    type: 'button',
    class: acknowledged ? 'secondary' : 'primary',
    'data-action': acknowledged ? 'reopen' : 'acknowledge',
    'aria-label': `${acknowledged ? 'Reopen' : 'Acknowledge'}: ${f.title}`,
  }, acknowledged ? 'Reopen' : 'Acknowledge');
  button.addEventListener('click', async () => {
    button.disabled = true;
    const status = acknowledged ? statusNew : statusAcknowledged;
    try {
      const updated = await patchJson<Finding>(`/api/findings/${encodeURIComponent(f.id)}`, { status });
      done({ ...f, ...(updated && typeof updated === 'object' && 'id' in updated ? updated : {}), status: (updated as Finding | undefined)?.status ?? status });
    } catch (err) {
      button.disabled = false;
      button.after(h('span', { class: 'notice notice-error', role: 'alert' }, ` Could not update: ${err instanceof Error ? err.message : String(err)}`));
    }
  });
  return button;
}

/** Full details of a finding: explanation, devices, evidence packets, references, facts. */
export function findingDetails(f: Finding): HTMLElement {
  const refs = f.references ?? {};
  const refItems: Node[] = [
    ...(refs.etsi ?? []).map((r) => h('li', null, `ETSI EN 303 645 provision ${r}`)),
    ...(refs.enisa ?? []).map((r) => h('li', null, `ENISA baseline ${r}`)),
    ...(refs.attack ?? []).map((r) => h('li', null, `MITRE ATT&CK ${r}`)),
    ...(refs.iec62443 ?? []).map((r) => h('li', null, `IEC 62443-3-3 ${r}`)),
    ...(refs.other ?? []).map((r) => h('li', null, /^https?:\/\//.test(r) ? h('a', { href: r, rel: 'noopener noreferrer' }, r) : r)),
  ];
  const evidenceRows = (f.evidence ?? []).map((e) => [fileLabel(e.file), String(e.packet), time(e.ts), h('code', null, e.community_id ?? '—')]);
  const factRows = Object.entries(f.facts ?? {}).map(([k, v]) => h('tr', null, h('th', { scope: 'row' }, k), h('td', null, typeof v === 'string' ? v : JSON.stringify(v))));
  return h('div', { class: 'finding-details' },
    h('p', { class: 'explanation' }, f.explanation),
    h('dl', { class: 'facts' },
      h('dt', null, 'Devices'), h('dd', null, devicesOf(f)),
      h('dt', null, 'Seen'), h('dd', null, f.count > 1 ? `${count(f.count)} times, ${time(f.first_ts)} to ${time(f.last_ts)}` : time(f.first_ts)),
      h('dt', null, 'Detector'), h('dd', null, h('code', null, f.detector), ` (${f.category})`),
      h('dt', null, 'Confidence'), h('dd', null, `${Math.round((f.confidence ?? 0) * 100)}%`)),
    evidenceRows.length ? table('Evidence: packets that show it (open the capture in Wireshark at these packet numbers)',
      ['File', 'Packet', 'Time', 'Community ID'], evidenceRows, { className: 'data evidence' }) : null,
    f.evidence_dropped ? h('p', { class: 'hint' }, `${count(f.evidence_dropped)} more packets not listed.`) : null,
    factRows.length ? h('div', { class: 'table-wrap' }, h('table', { class: 'data facts-table' }, h('caption', null, 'Details'), h('tbody', null, factRows))) : null,
    refItems.length ? h('div', null, h('h3', null, 'References'), h('ul', { class: 'refs' }, refItems)) : null);
}

/** One finding as an expandable list item (details one click away). */
export function findingItem(f: Finding, onChange: (updated: Finding) => void): HTMLElement {
  const status = f.status ?? statusNew;
  // Lists carry FindingSummary (no evidence): the full finding is fetched when the details are first opened.
  const body = h('div', null, f.evidence ? findingDetails(f) : h('p', { class: 'loading' }, 'Loading…'));
  const details = h('details', { class: 'finding-more' }, h('summary', null, 'Details and evidence'), body);
  let loaded = Array.isArray(f.evidence);
  details.addEventListener('toggle', () => {
    if (!details.open || loaded) return;
    loaded = true;
    Promise.all([getJson<Finding>(`/api/findings/${encodeURIComponent(f.id)}`), loadCaptureNames()])
      .then(([full]) => body.replaceChildren(findingDetails(full)))
      .catch((err: unknown) => { loaded = false; body.replaceChildren(h('p', { class: 'notice notice-error', role: 'alert' }, `Could not load the details: ${err instanceof Error ? err.message : String(err)}`)); });
  });
  return h('li', { class: `finding status-${status.replace(/[^a-z]/g, '')}`, 'data-finding-id': f.id },
    h('div', { class: 'finding-head' },
      severityBadge(f.severity),
      h('a', { class: 'finding-title', href: `#/findings/${encodeURIComponent(f.id)}` }, f.title),
      statusBadge(status),
      ackButton(f, onChange)),
    h('p', { class: 'finding-meta' }, devicesOf(f), ` · ${time(f.last_ts)}${f.count > 1 ? ` · ${count(f.count)}×` : ''}`),
    details);
}

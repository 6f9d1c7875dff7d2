/** Device detail: name and type (editable), grade and label, why we think so, findings, traffic, timeline. */
import { asPage, getJson, patchJson, withToken } from '../api.ts';
import { facts, h, replace, table } from '../dom.ts';
import { fileLabel, loadCaptureNames } from '../capture-names.ts';
import { findingItem } from '../findings-view.ts';
import { bytes, count, deviceName, deviceType, gradeOf, gradeWords, time, typeLabel, vendorOf } from '../format.ts';
import { findingEvents, onLive } from '../live.ts';
import type { Cleanup } from '../router.ts';
import { signalName } from '../signals.ts';
import type { Device, Finding } from '../types.ts';
import { card, errorNotice, gradeBadge, loading } from '../widgets.ts';

const deviceTypes = ['camera', 'plug', 'bulb', 'hub', 'sensor', 'speaker', 'tv', 'thermostat', 'printer', 'router', 'phone', 'computer', 'appliance', 'scale', 'plc', 'rtu', 'hmi', 'building-controller', 'unknown'];
const timelineCap = 500;
const deciderWords: Record<string, string> = { rules: "by Bulwark's rules", model: "by Bulwark's learned model", user: 'set by you' };
/** Rows shown before 'Show all': the page stays readable, the rest is one click away. */
const previewRows = 10;

/**
 * The label's URL. `d` adds a version from what the label shows (name, type, vendor, last traffic), so after a
 * rename the browser fetches the re-rendered label instead of showing the image it already holds.
 */
export function labelUrl(id: string, format: 'svg' | 'pdf' = 'svg', d?: Device): string {
  const url = `/api/devices/${encodeURIComponent(id)}/label.${format}`;
  if (d === undefined) return url;
  const version = [d.user?.name ?? '', d.user?.type ?? '', d.user?.vendor ?? '', d.last_ts, d.grade ?? ''].join('|');
  return `${url}?v=${encodeURIComponent(version)}`;
}

/**
 * An <img> of the device label, straight from the API (same origin; an <img> cannot send a header, so a token
 * goes in the query, which the API accepts for this reason). As an image, the SVG cannot run script.
 */
export function labelImage(d: Device, className = 'label-img'): { img: HTMLImageElement; dispose: () => void } {
  const img = h('img', { class: className, alt: `Security label of ${deviceName(d)}: grade ${gradeOf(d) ?? 'not available'}` });
  img.addEventListener('error', () => img.replaceWith(h('p', { class: 'notice' }, 'No label for this device yet: it is made once the device has been assessed.')), { once: true });
  img.src = withToken(labelUrl(d.id, 'svg', d));
  return { img, dispose: () => {} };
}

interface TimelineItem { ts: number; text: string; kind: string }

export function timelineOf(d: Device, findings: Finding[]): TimelineItem[] {
  const items: TimelineItem[] = [{ ts: d.first_ts, text: 'First seen on the network', kind: 'seen' }];
  for (const b of d.ips ?? []) items.push({ ts: b.first_ts, text: `Used address ${b.ip} (learned from ${b.source.toUpperCase()})`, kind: 'address' });
  for (const e of d.evidence ?? []) items.push({ ts: e.ts, text: `${signalName(e.signal)}: ${e.value}`, kind: 'evidence' });
  for (const f of findings) items.push({ ts: f.first_ts, text: `Finding: ${f.title}`, kind: `finding sev-${f.severity}` });
  items.push({ ts: d.last_ts, text: 'Last seen', kind: 'seen' });
  return items.filter((i) => Number.isFinite(i.ts)).sort((a, b) => a.ts - b.ts);
}

export function devicePage(root: HTMLElement, params: Record<string, string>): Cleanup {
  const id = params.id;
  let disposed = false;
  const disposers: (() => void)[] = [];
  replace(root, h('h1', null, 'Device'), loading());

  const load = async (): Promise<void> => {
    try {
      const [d, findingsBody, assessment] = await Promise.all([
        getJson<Device>(`/api/devices/${encodeURIComponent(id)}`),
        getJson<unknown>(`/api/devices/${encodeURIComponent(id)}/findings`).catch(() => []),
        getJson<Record<string, unknown>>(`/api/devices/${encodeURIComponent(id)}/assessment`).catch(() => undefined),
        loadCaptureNames(),
      ]);
      if (disposed) return;
      for (const fn of disposers.splice(0)) fn();
      render(d, asPage<Finding>(findingsBody, 'findings').items, assessment);
    } catch (err) {
      if (!disposed) replace(root, h('h1', null, 'Device'), errorNotice(err));
    }
  };

  const render = (d: Device, findings: Finding[], assessment: Record<string, unknown> | undefined): void => {
    const grade = gradeOf(d) ?? (typeof assessment?.grade === 'string' ? assessment.grade : undefined);
    if (grade && !d.grade) d.grade = grade;
    const ident = d.identification;
    const label = labelImage(d);
    disposers.push(label.dispose);
    const openFindings = findings.filter((f) => (f.status ?? 'new') === 'new');
    const findingList = h('ul', { class: 'findings' });
    const renderFindings = (): void => {
      replace(findingList, findings.map((f, i) => findingItem(f, (u) => { findings[i] = u; renderFindings(); })));
    };
    renderFindings();

    const because = ident?.because?.length
      ? h('ul', { class: 'because' }, ident.because.map((b) => h('li', null, b)))
      : h('p', { class: 'hint' }, 'Not enough evidence to say what this device is.');

    replace(root,
      h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/devices' }, 'Devices'), ' › ', deviceName(d)),
      h('header', { class: 'device-head' },
        gradeBadge(grade, true),
        h('div', null,
          h('h1', null, deviceName(d)),
          h('p', { class: 'subtitle' },
            `${typeLabel(deviceType(d))}${vendorOf(d) ? ` by ${vendorOf(d)}` : ''}`,
            grade ? ` · security grade ${grade}${gradeWords[grade[0]] ? ` (${gradeWords[grade[0]].toLowerCase()})` : ''}` : '',
            ` · ${openFindings.length === 0 ? 'no open findings' : `${openFindings.length} open finding${openFindings.length === 1 ? '' : 's'}`}`)),
        h('a', { class: 'button', href: `#/devices/${encodeURIComponent(d.id)}/label` }, 'Open label')),
      h('div', { class: 'grid' },
        card('What it is',
          facts([
            ['Type', `${typeLabel(deviceType(d))}${ident ? ` (${Math.round((ident.type_confidence ?? 0) * 100)}% sure, ${d.user?.type ? 'set by you' : deciderWords[ident.decided_by] ?? ident.decided_by})` : ''}`],
            ['Vendor', vendorOf(d)],
            ['Model', ident?.model],
            ['Firmware', ident?.firmware],
            ['Serial number', ident?.serial],
            ['Industrial roles', ident?.roles?.join(', ')],
            ['Addresses', (d.ips ?? []).map((b) => b.ip).join(', ')],
            ['MAC', d.mac ? `${d.mac}${d.mac_local ? ' (randomised)' : ''}` : undefined],
            ['Network card maker', d.oui_vendor],
            ['Allowed behaviour', d.mac ? h('a', { href: `#/profiles/${d.mac.replace(/:/g, '')}` }, 'MUD profile') : undefined],
            ['Host names', (d.hostnames ?? []).join(', ')],
            ['Seen', `${time(d.first_ts)} to ${time(d.last_ts)}`],
          ]),
          h('h3', null, 'Why we think so'), because),
        card('Security label', h('div', { class: 'label-box' }, label.img))),
      card('Name this device', editForm(d, () => void load())),
      card(`Findings (${findings.length})`, findings.length ? findingList : h('p', { class: 'empty' }, 'No findings for this device.')),
      assessment ? card('Security assessment', assessmentView(assessment)) : null,
      card('Traffic',
        facts([
          ['Sent', `${bytes(d.bytes_out)} in ${count(d.flows_out)} connections`],
          ['Received', `${bytes(d.bytes_in)} in ${count(d.flows_in)} connections`],
          ['Talks to', `${count(d.peers_local)} local and ${count(d.peers_remote)} Internet peers`],
          ['Internet names', (d.talks_to?.domains ?? []).join(', ')],
          ['Remote ports', (d.talks_to?.ports ?? []).join(', ')],
        ]),
        table('Services it answers on', ['Protocol', 'Port', 'Application', 'Connections'],
          (d.services ?? []).map((s) => [s.transport.toUpperCase(), String(s.port), s.app ?? '—', count(s.flows)]), { empty: 'It does not answer on any port.' })),
      card('Evidence',
        h('p', { class: 'hint' }, 'Observations used to identify the device, with the capture file and packet number.'),
        expandable((d.evidence ?? []).length, (n) => table('Identification evidence', ['Signal', 'Value', 'Time', 'File', 'Packet'],
          (d.evidence ?? []).slice(0, n).map((e) => [signalName(e.signal), h('code', null, e.value), time(e.ts), fileLabel(e.file), String(e.packet)]), { empty: 'No evidence recorded.' })),
        d.evidence_dropped ? h('p', { class: 'hint' }, `${count(d.evidence_dropped)} more observations not kept.`) : null),
      card('Timeline', timelineView(timelineOf(d, findings))));
  };

  const off = onLive((type, data) => {
    if (disposed) return;
    if (findingEvents.has(type)) {
      const devices = data.devices;
      if (type === 'capture.done' || !Array.isArray(devices) || devices.some((x) => x && typeof x === 'object' && (x as { device_id?: string }).device_id === id)) void load();
    } else if ((type === 'device.changed' || type === 'device.new') && data.id === id) void load();
  });
  void load();
  return () => { disposed = true; off(); for (const fn of disposers) fn(); };
}

function timelineView(items: TimelineItem[]): HTMLElement {
  if (items.length === 0) return h('p', { class: 'empty' }, 'Nothing yet.');
  const all = items.slice(0, timelineCap);
  return expandable(all.length, (n) => {
    // Keep the last entry ('Last seen') visible in the preview.
    const shown = n >= all.length ? all : [...all.slice(0, n - 1), all[all.length - 1]];
    return h('ol', { class: 'timeline' }, shown.map((i) => h('li', { class: `tl-${i.kind.split(' ')[0]}` }, h('time', null, time(i.ts)), ' ', h('span', null, i.text))));
  }, items.length > all.length ? `${items.length - all.length} older entries not shown.` : undefined);
}

/** The first rows of a long list, and a button that shows all of them. */
function expandable(total: number, render: (rows: number) => HTMLElement, note?: string): HTMLElement {
  const box = h('div', { class: 'expandable' }, render(Math.min(total, previewRows)));
  if (total > previewRows) {
    const more = h('button', { type: 'button', class: 'secondary', 'aria-expanded': 'false' }, `Show all ${total}`);
    more.addEventListener('click', () => {
      box.firstElementChild?.replaceWith(render(total));
      more.remove();
    });
    box.append(more);
  }
  if (note) box.append(h('p', { class: 'hint' }, note));
  return box;
}


const verdictWords: Record<string, string> = { pass: 'OK', fail: 'Problem', not_observed: 'Not seen in the traffic', not_assessable: 'Cannot be told from traffic' };
const verdictMarks: Record<string, string> = { pass: '✓', fail: '✗', not_observed: '–', not_assessable: '?' };
const groupWords: Record<string, string> = { passwords: 'Passwords', encryption: 'Encryption', updates: 'Updates', exposure: 'Exposure to the Internet', behaviour: 'Behaviour' };

interface AssessmentItemJson { id?: string; standard?: string; title?: string; group?: string; verdict?: string; reason?: string }

/** The assessment (src/assess/types.ts DeviceAssessment): headline, advice, then the checks by group. */
function assessmentView(a: Record<string, unknown>): HTMLElement {
  const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  const items = (Array.isArray(a.items) ? a.items : []) as AssessmentItemJson[];
  const groups = (a.groups && typeof a.groups === 'object' ? a.groups : {}) as Record<string, string>;
  const groupNames = [...new Set([...Object.keys(groups), ...items.map((i) => i.group ?? 'other')])];
  const advice = strings(a.advice);
  const reasons = strings(a.grade_reasons);
  return h('div', { class: 'assessment' },
    typeof a.headline === 'string' ? h('p', { class: 'headline-text' }, a.headline) : null,
    reasons.length ? h('div', null, h('h3', null, 'Why this grade'), h('ul', null, reasons.map((r) => h('li', null, r)))) : null,
    a.provisional === true ? h('p', { class: 'hint' }, 'Provisional: little of this device\'s traffic was seen, so the grade is capped.') : null,
    advice.length ? h('div', null, h('h3', null, 'What you can do'), h('ol', { class: 'advice' }, advice.map((r) => h('li', null, r)))) : null,
    items.length ? h('details', { class: 'checks-more' },
      h('summary', null, `All ${items.length} checks (ETSI EN 303 645, ENISA)`),
      groupNames.map((g) => {
        const inGroup = items.filter((i) => (i.group ?? 'other') === g);
        if (inGroup.length === 0) return null;
        return h('div', null,
          h('h4', null, groupWords[g] ?? g, groups[g] ? ` — ${verdictWords[groups[g]] ?? groups[g]}` : ''),
          h('ul', { class: 'checks' }, inGroup.map((i) => {
            const v = i.verdict ?? 'not_observed';
            return h('li', { class: `check check-${v.replace(/[^a-z_]/g, '')}` },
              h('span', { class: 'check-mark', 'aria-hidden': 'true' }, verdictMarks[v] ?? '?'),
              h('span', { class: 'visually-hidden' }, `${verdictWords[v] ?? v}: `),
              h('strong', null, i.title ?? i.id ?? ''),
              i.reason ? h('span', { class: 'hint' }, ` — ${i.reason}`) : null,
              i.standard && i.id ? h('span', { class: 'ref' }, ` (${i.standard} ${i.id})`) : null);
          })));
      })) : null);
}

function editForm(d: Device, saved: () => void): HTMLElement {
  const name = h('input', { id: 'dev-name', name: 'name', type: 'text', maxlength: 100, value: d.user?.name ?? '', placeholder: deviceName(d) });
  const type = h('select', { id: 'dev-type', name: 'type' }, h('option', { value: '' }, 'As detected'), deviceTypes.map((t) => h('option', { value: t }, typeLabel(t))));
  type.value = d.user?.type ?? '';
  const vendor = h('input', { id: 'dev-vendor', name: 'vendor', type: 'text', maxlength: 100, value: d.user?.vendor ?? '', placeholder: d.identification?.vendor ?? d.oui_vendor ?? '' });
  const status = h('p', { class: 'form-status', role: 'status', 'aria-live': 'polite' });
  const form = h('form', { class: 'edit' },
    h('label', { for: 'dev-name' }, 'Name', name),
    h('label', { for: 'dev-type' }, 'Type', type),
    h('label', { for: 'dev-vendor' }, 'Vendor', vendor),
    h('button', { type: 'submit', class: 'primary' }, 'Save'),
    status);
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    status.textContent = 'Saving…';
    try {
      // null clears a user override (the detected value shows again).
      await patchJson(`/api/devices/${encodeURIComponent(d.id)}`, { name: name.value.trim() || null, type: type.value || null, vendor: vendor.value.trim() || null });
      status.textContent = 'Saved.';
      saved();
    } catch (err) {
      status.textContent = `Could not save: ${err instanceof Error ? err.message : String(err)}`;
    }
  });
  return form;
}

/** Full-size label with print and download. */
export function labelPage(root: HTMLElement, params: Record<string, string>): Cleanup {
  let dispose = (): void => {};
  let disposed = false;
  replace(root, h('h1', null, 'Security label'), loading());
  void (async () => {
    try {
      const d = await getJson<Device>(`/api/devices/${encodeURIComponent(params.id)}`);
      if (disposed) return;
      const label = labelImage(d, 'label-full');
      dispose = label.dispose;
      const fileBase = `bulwark-label-${d.id.replace(/[^a-zA-Z0-9]+/g, '-')}`;
      const download = h('a', { class: 'button secondary', href: withToken(labelUrl(d.id, 'svg', d)), download: `${fileBase}.svg` }, 'Download SVG');
      const pdf = h('a', { class: 'button primary', href: withToken(labelUrl(d.id, 'pdf', d)), download: `${fileBase}.pdf` }, 'Download PDF');
      const print = h('button', { type: 'button', class: 'secondary' }, 'Print');
      print.addEventListener('click', () => window.print());
      replace(root,
        h('nav', { class: 'crumbs', 'aria-label': 'Breadcrumb' }, h('a', { href: '#/devices' }, 'Devices'), ' › ',
          h('a', { href: `#/devices/${encodeURIComponent(d.id)}` }, deviceName(d)), ' › Label'),
        h('h1', null, `Security label: ${deviceName(d)}`),
        h('p', { class: 'hint' }, 'A one-page summary of how well this device protects itself and your data, like an energy label.'),
        h('div', { class: 'label-page' }, label.img),
        h('div', { class: 'actions' }, pdf, print, download),
        h('p', { class: 'hint' }, 'The PDF prints at A6 width (298 × 482 pt) with the fonts it needs embedded.'));
    } catch (err) {
      if (!disposed) replace(root, h('h1', null, 'Security label'), errorNotice(err));
    }
  })();
  return () => { disposed = true; dispose(); };
}

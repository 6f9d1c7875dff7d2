/**
 * MUD profiles (RFC 8520): the list, and per device the rules in words with how often traffic used each,
 * the difference between the learned and the vendor's profile, and the review: accept, edit, lock.
 */
import { getJson, getText, sendJson, withToken } from '../api.ts';
import { facts, h, replace, table } from '../dom.ts';
import { count, time } from '../format.ts';
import { onLive } from '../live.ts';
import type { Cleanup } from '../router.ts';
import { card, errorNotice, link, loading } from '../widgets.ts';

interface ProfileSummary {
  mac: string; device_id: string; state: string; source: string; systeminfo: string; mud_url: string;
  rules: number; used: number; never_used: number; unmatched_flows: number; has_vendor: boolean; signature: string | null;
  announced_mud_urls: string[];
}
interface Rule { ace: string; direction: string; text: string; flows: number; last_ts: number | null }
interface ProfileDetail extends ProfileSummary {
  rule_list: Rule[];
  learned: { captures: string[]; flows: number; first_ts: number; last_ts: number; generalisations: { kind: string; detail: string }[] } | null;
  vendor: { file: string; url?: string; signature: { status: string; detail: string; signer?: string } } | null;
  learned_vs_vendor: { both: string[]; only_learned: string[]; only_vendor: string[] } | null;
  history: { ts: string; action: string; detail?: string }[];
}

const mac12 = (mac: string): string => mac.replace(/:/g, '');
const stateLabel: Record<string, string> = { learned: 'Learned (not reviewed)', accepted: 'Accepted', locked: 'Locked (enforced and watched)' };

export function profilesPage(root: HTMLElement): Cleanup {
  const results = h('div', { class: 'results', 'aria-live': 'polite' }, loading());
  replace(root,
    h('h1', null, 'Device profiles'),
    h('p', { class: 'hint' }, 'What each device may talk to (RFC 8520 MUD), learned from its traffic or imported from its vendor. Review a profile, then lock it: traffic outside a locked profile becomes a finding, and ',
      link(withToken('/api/mud/nft'), 'the nftables ruleset'), ' enforces it.'),
    results);
  let disposed = false;
  const load = async (): Promise<void> => {
    try {
      const body = await getJson<{ items: ProfileSummary[]; errors: { file: string; errors: string[] }[] }>('/api/mud/profiles');
      if (disposed) return;
      const rows = body.items.map((p) => [
        link(`#/profiles/${mac12(p.mac)}`, p.mac),
        p.systeminfo,
        stateLabel[p.state] ?? p.state,
        p.source,
        `${count(p.used)} of ${count(p.rules)}`,
        count(p.unmatched_flows),
        p.signature ?? (p.has_vendor ? 'unsigned' : '—'),
      ]);
      replace(results,
        table('Profiles', ['Device', 'Description', 'State', 'Source', 'Rules used', 'Flows outside', 'Vendor signature'], rows,
          { empty: 'No profiles yet: upload a capture and Bulwark learns one per device.' }),
        body.errors.length ? h('p', { class: 'error' }, `${body.errors.length} profile files could not be read: ${body.errors.map((e) => `${e.file}: ${e.errors[0]}`).join('; ')}`) : null);
    } catch (err) {
      if (!disposed) replace(results, errorNotice(err));
    }
  };
  const off = onLive((type) => { if (type === 'capture.done') void load(); });
  void load();
  return () => { disposed = true; off(); };
}

export function profilePage(root: HTMLElement, params: Record<string, string>): Cleanup {
  const mac = params.mac;
  const body = h('div', { 'aria-live': 'polite' }, loading());
  replace(root, h('p', null, link('#/profiles', '← All profiles')), body);
  let disposed = false;
  const status = h('p', { role: 'status', class: 'hint' });
  const act = async (run: () => Promise<ProfileDetail>, done: string): Promise<void> => {
    try {
      render(await run());
      status.textContent = done;
    } catch (err) {
      replace(status, errorNotice(err));
    }
  };
  const render = (p: ProfileDetail): void => {
    const path = `/api/mud/profiles/${mac12(p.mac)}`;
    const setState = (state: string): Promise<void> => act(() => sendJson<ProfileDetail>('POST', `${path}/state`, { state }), `State: ${state}.`);
    const buttons = h('div', { class: 'actions' },
      p.state !== 'accepted' && p.state !== 'locked' ? h('button', { type: 'button', onclick: () => void setState('accepted') }, 'Accept') : null,
      p.state !== 'locked' ? h('button', { type: 'button', class: 'primary', onclick: () => void setState('locked') }, 'Lock (enforce and watch)') : null,
      p.state === 'locked' ? h('button', { type: 'button', onclick: () => void setState('learned') }, 'Unlock') : null,
      p.has_vendor && p.source !== 'vendor' && p.state !== 'locked' ? h('button', { type: 'button', onclick: () => void act(() => sendJson<ProfileDetail>('POST', `${path}/use-vendor`, {}), 'The vendor file is now the profile.') }, 'Use the vendor file') : null,
      link(withToken(`${path}/mud.json`), 'Download the MUD file'));
    const rules = table('Rules, in policy order', ['Rule', 'Direction', 'What it allows', 'Flows', 'Last used'],
      p.rule_list.map((r) => [r.ace, r.direction === 'from-device' ? 'from the device' : 'to the device', r.text,
        r.flows > 0 ? count(r.flows) : h('strong', { class: 'never' }, 'never used'), r.last_ts ? time(r.last_ts) : '—']), { empty: 'This profile has no rules: the device may talk to nobody.' });
    const diff = p.learned_vs_vendor
      ? card('Learned vs vendor profile',
        h('p', null, `${p.learned_vs_vendor.both.length} rules in both.`),
        p.learned_vs_vendor.only_learned.length ? h('div', null, h('h3', null, 'Seen in traffic, not in the vendor file'), h('ul', null, p.learned_vs_vendor.only_learned.map((t) => h('li', null, t)))) : null,
        p.learned_vs_vendor.only_vendor.length ? h('div', null, h('h3', null, 'In the vendor file, never seen'), h('ul', null, p.learned_vs_vendor.only_vendor.map((t) => h('li', null, t)))) : null)
      : null;
    const editor = h('textarea', { rows: 16, cols: 90, 'aria-label': 'MUD file (JSON)', spellcheck: 'false' });
    const edit = p.state === 'locked' ? null : h('details', null, h('summary', null, 'Edit the MUD file'),
      editor,
      h('p', null, h('button', { type: 'button', onclick: () => void act(() => sendJson<ProfileDetail>('PUT', path, editor.value), 'Saved: the file validated.') }, 'Save')));
    if (edit) void getText(withToken(`${path}/mud.json`)).then((t) => { editor.value = t; }, () => undefined);
    const upload = h('input', { type: 'file', accept: '.json,application/json,application/mud+json', 'aria-label': 'Vendor MUD file' });
    const importer = h('details', null, h('summary', null, 'Import the vendor\'s MUD file'),
      h('p', { class: 'hint' }, 'Upload the file, or fetch the MUD URL the device announced. A signed file is checked when fetched from its URL; use `bulwark mud import --sig` for a file and its .p7s.'),
      upload,
      h('button', { type: 'button', onclick: () => { const f = (upload as HTMLInputElement).files?.[0]; if (f) void f.text().then((t) => act(() => sendJson<ProfileDetail>('POST', `${path}/vendor`, t), 'Vendor file imported.')); } }, 'Import'),
      p.announced_mud_urls.map((u) => h('p', null, h('button', { type: 'button', onclick: () => void act(() => sendJson<ProfileDetail>('POST', `${path}/vendor`, { url: u }), 'Fetched and imported.') }, `Fetch ${u}`))));
    replace(body,
      h('h1', null, `Profile of ${p.mac}`),
      facts([
        ['Device', link(`#/devices/${encodeURIComponent(p.device_id)}`, p.device_id)],
        ['Description', p.systeminfo],
        ['State', stateLabel[p.state] ?? p.state],
        ['Source', p.source],
        ['Rules', `${count(p.used)} used, ${count(p.never_used)} never used`],
        ['Flows outside the profile', count(p.unmatched_flows)],
        ['Learned from', p.learned ? `${count(p.learned.flows)} flows in ${p.learned.captures.length} captures, ${time(p.learned.first_ts)} – ${time(p.learned.last_ts)}` : ''],
        ['Vendor file', p.vendor ? `${p.vendor.url ?? p.vendor.file}: signature ${p.vendor.signature.status} — ${p.vendor.signature.detail}` : ''],
        ['Announced MUD URLs', p.announced_mud_urls.join(', ')],
      ]),
      buttons, status, rules, diff,
      p.learned?.generalisations.length ? h('details', null, h('summary', null, `What was generalised (${p.learned.generalisations.length})`), h('ul', null, p.learned.generalisations.map((g) => h('li', null, g.detail)))) : null,
      edit, importer,
      h('details', null, h('summary', null, 'History'), h('ul', null, p.history.map((x) => h('li', null, `${x.ts} ${x.action}${x.detail ? `: ${x.detail}` : ''}`)))));
  };
  void getJson<ProfileDetail>(`/api/mud/profiles/${encodeURIComponent(mac)}`).then((p) => { if (!disposed) render(p); }, (err: unknown) => { if (!disposed) replace(body, errorNotice(err)); });
  return () => { disposed = true; };
}

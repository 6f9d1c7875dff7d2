/**
 * The report as one self-contained HTML file: inline CSS and SVG, no script, no external URL (a
 * Content-Security-Policy meta tag forbids any fetch but data: images). Plain language first; the expert's
 * details (evidence packets, provision tables, identification signals) one click away in <details>.
 * @module
 */
import type { EvidenceRef, Finding } from '../../detect/types.ts';
import type { AssessmentItem, Verdict } from '../../assess/types.ts';
import { formatDuration } from '../../assess/facts-rules.ts';
import { labelSvg, xmlEscape as esc } from '../label/svg.ts';
import { isoTime } from '../../capture/time-range.ts';
import { labelPdf } from '../label/pdf.ts';
import type { ReportData, ReportDevice } from './data.ts';
import type { Case } from '../../findings/types.ts';
import { timelineSvg } from './timeline.ts';
import { reportCss } from './style.ts';
import { namedText } from '../findings-text.ts';

const verdictText: Record<Verdict, string> = { pass: 'pass', fail: 'fail', not_observed: 'not observed', not_assessable: 'not assessable from the network' };

const iso = (ts: number | null | undefined): string => isoTime(ts, '—').replace('T', ' ').replace(/\.\d+Z$/, ' UTC');
const anchor = (id: string): string => id.replace(/[^a-zA-Z0-9_-]/g, '_');
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

function refText(r: EvidenceRef): string {
  return `${esc(r.file.split('/').pop() ?? r.file)} packet ${r.packet} (${esc(iso(r.ts))})${r.community_id ? ` · <code>${esc(r.community_id)}</code>` : ''}`;
}

/** A grade badge: colours from the palette through the stylesheet's .grade-X classes. */
function gradeBadge(grade: string): string {
  return `<span class="grade grade-${esc(grade)}">${esc(grade)}</span>`;
}

function overview(data: ReportData): string {
  const s = data.summary;
  const attention = data.devices.filter((d) => d.assessment.grade === 'D' || d.assessment.grade === 'E');
  const urgent = s.findings_by_severity.critical + s.findings_by_severity.high;
  const sev = (['critical', 'high', 'medium', 'low', 'info'] as const).filter((k) => s.findings_by_severity[k] > 0)
    .map((k) => `<span class="sev sev-${k}">${s.findings_by_severity[k]} ${k}</span>`).join(' ');
  const rows = data.devices.map((d, i) => {
    const a = d.assessment;
    const ip = d.device.ips.length > 0 ? d.device.ips[d.device.ips.length - 1].ip : '';
    const name = i < MAX_DEVICE_SECTIONS ? `<a href="#dev-${anchor(d.device.id)}">${esc(a.name)}</a>` : esc(a.name);
    return `<tr><td data-label="Grade">${gradeBadge(a.grade)}</td><td data-label="Device">${name}</td><td data-label="Type">${esc(a.noun)}</td><td data-label="Address">${esc(ip)}</td><td data-label="In one line">${esc(a.headline)}${a.provisional ? ' <em>(provisional)</em>' : ''}</td></tr>`;
  }).join('\n');
  return `<section id="overview"><h2>Network overview</h2>
<div class="cards">
<div class="card"><div class="big">${s.devices}</div>devices seen</div>
<div class="card"><div class="big">${s.findings}</div>findings ${sev}</div>
<div class="card"><div class="big">${attention.length}</div>devices that need attention now (grade D or E)</div>
<div class="card"><div class="big">${esc(formatDuration(data.period.observed_s))}</div>of traffic${data.captures.length > 1 ? ` in ${data.captures.length} captures` : ''}, ${s.packets.toLocaleString('en')} packets, ${s.flows.toLocaleString('en')} flows</div>
</div>
${attention.length > 0 ? `<p class="callout">Act first on: ${attention.map((d) => `<a href="#dev-${anchor(d.device.id)}">${esc(d.assessment.name)}</a> (${esc(d.assessment.headline)})`).join('; ')}.</p>`
    : urgent > 0 ? `<p class="callout">${plural(urgent, 'high-severity finding')} to act on (<a href="#findings">see the findings</a>): they involve hosts outside this network or devices not graded here.</p>`
      : '<p class="callout ok">No device needs urgent attention in what was observed.</p>'}
<table class="devices stack"><thead><tr><th>Grade</th><th>Device</th><th>Type</th><th>Address</th><th>In one line</th></tr></thead><tbody>
${rows}
</tbody></table>
${undetailedText(data)}</section>`;
}

/** Device sections drawn (label, verdicts); the table above lists every detailed device. */
export const MAX_DEVICE_SECTIONS = 200;

/** The devices past the detail bound (a MAC flood makes thousands): counted and summarised, never listed. */
function undetailedText(data: ReportData): string {
  const u = data.undetailed;
  if (u.count === 0) return '';
  const types = u.by_type.map((t) => `${t.devices.toLocaleString('en')} ${esc(t.type)}`).join(', ');
  const vendors = u.by_vendor.map((v) => `${v.devices.toLocaleString('en')} ${esc(v.vendor)}`).join(', ');
  return `<p class="callout">${u.count.toLocaleString('en')} more devices were seen but not assessed one by one: the report details the ${data.devices.length.toLocaleString('en')} that findings name or that were busiest. ` +
    `Together they made ${u.flows.toLocaleString('en')} flows and ${u.bytes.toLocaleString('en')} bytes between ${esc(iso(u.first_ts))} and ${esc(iso(u.last_ts))}. ` +
    `Types: ${types}. Vendors: ${vendors}. So many new devices at once is often a flood of forged addresses (DHCP starvation, ARP or MAC flooding).</p>`;
}

function evidenceList(items: AssessmentItem['evidence']): string {
  if (items.length === 0) return '';
  return `<ul class="evidence">${items.map((e) => {
    const head = e.kind === 'finding' ? `<a href="#f-${anchor(e.finding_id ?? '')}">${esc(e.text)}</a> <span class="muted">(${esc(e.detector ?? '')}, ${esc(e.severity ?? '')})</span>` : esc(e.text);
    const refs = e.refs.length > 0 ? `<ul>${e.refs.map((r) => `<li>${refText(r)}</li>`).join('')}</ul>` : '';
    return `<li>${head}${refs}</li>`;
  }).join('')}</ul>`;
}

function assessmentTable(d: ReportDevice): string {
  const rows = d.assessment.items.map((i) => `<tr class="v-${i.verdict}"><td data-label="Provision"><code>${esc(i.id)}</code></td><td data-label="What it asks">${esc(i.title)}<div class="muted">${esc(i.standard)} · checkable: ${esc(i.checkability)}</div></td><td data-label="Verdict"><span class="verdict v-${i.verdict}">${verdictText[i.verdict]}</span></td><td data-label="Why, and the evidence">${esc(i.reason)}${evidenceList(i.evidence)}</td></tr>`).join('\n');
  const c = d.assessment.counts;
  return `<details class="assessment"><summary>Baseline assessment: ${c.fail} fail, ${c.pass} pass, ${c.not_observed} not observed, ${c.not_assessable} not assessable from the network</summary>
<table class="stack"><thead><tr><th>Provision</th><th>What it asks</th><th>Verdict</th><th>Why, and the evidence</th></tr></thead><tbody>
${rows}
</tbody></table></details>`;
}

function base64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString('base64');
}

function deviceSection(d: ReportDevice, findings: ReadonlyMap<string, Finding>, data: ReportData): string {
  const a = d.assessment;
  const dev = d.device;
  const svg = labelSvg(a, dev);
  const fileBase = `bulwark-label-${anchor(dev.id)}`;
  const mine = d.finding_ids.map((id) => findings.get(id)).filter((f): f is Finding => f !== undefined);
  const ident = dev.identification;
  const services = dev.services.map((s) => `${s.transport}/${s.port}${s.app ? ` (${s.app})` : ''} × ${s.flows}`).join(', ') || 'none seen';
  return `<article class="device" id="dev-${anchor(dev.id)}">
<div class="label">${svg}
<p class="downloads">Print this label: <a download="${fileBase}.pdf" href="data:application/pdf;base64,${base64(labelPdf(a, dev))}">PDF</a> · <a download="${fileBase}.svg" href="data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}">SVG</a></p></div>
<div class="body">
<h3>${gradeBadge(a.grade)} ${esc(a.name)}</h3>
<p class="headline">${esc(a.headline)}${a.provisional ? ' <em>(provisional: little traffic seen)</em>' : ''}</p>
<h4>What to do</h4>
<ol class="advice">${a.advice.map((x) => `<li>${esc(x)}</li>`).join('')}</ol>
${mine.length > 0 ? `<h4>Problems found</h4><ul>${mine.map((f) => `<li><span class="sev sev-${f.severity}">${f.severity}</span> <a href="#f-${anchor(f.id)}">${esc(f.title)}</a></li>`).join('')}</ul>` : ''}
<details><summary>Why grade ${esc(a.grade)}?</summary><ul>${a.grade_reasons.map((r) => `<li>${esc(r)}</li>`).join('')}</ul><p class="muted">${esc(data.scale[a.grade].meaning)}.</p></details>
<details><summary>About this device</summary><dl>
<dt>Identified as</dt><dd>${esc(ident.type)}${ident.vendor ? `, ${esc(ident.vendor)}` : ''}${ident.model ? ` ${esc(ident.model)}` : ''} (confidence ${Math.round(ident.type_confidence * 100)} %, decided by ${esc(ident.decided_by)})${ident.because.length > 0 ? `: ${ident.because.map(esc).join('; ')}` : ''}</dd>
<dt>Addresses</dt><dd>${dev.mac ? `MAC <code>${esc(dev.mac)}</code>${dev.oui_vendor ? ` (${esc(dev.oui_vendor)})` : ''}; ` : ''}${dev.ips.map((b) => `<code>${esc(b.ip)}</code> (${esc(b.source)})`).join(', ')}</dd>
${dev.hostnames.length > 0 ? `<dt>Names</dt><dd>${dev.hostnames.map(esc).join(', ')}</dd>` : ''}
<dt>Seen</dt><dd>${esc(iso(dev.first_ts))} to ${esc(iso(dev.last_ts))} (${esc(formatDuration(a.observed_s))}), ${plural(dev.flows_out, 'flow')} out, ${plural(dev.flows_in, 'flow')} in</dd>
<dt>Answers on</dt><dd>${esc(services)}</dd>
<dt>Talks to</dt><dd>${esc([...dev.talks_to.ports, ...dev.talks_to.domains].join(', ') || 'nothing seen')}</dd>
</dl>
${dev.evidence.length > 0 ? `<details><summary>Identification signals (${dev.evidence.length})</summary><ul>${dev.evidence.map((e) => `<li><code>${esc(e.signal)}</code> ${esc(e.value)}${e.file ? ` <span class="muted">${esc(e.file.split('/').pop() ?? '')} packet ${e.packet}</span>` : ''}</li>`).join('')}</ul></details>` : ''}
</details>
${assessmentTable(d)}
</div></article>`;
}

/** One incident: classification, the devices and their roles, the kill chain with links to its findings. */
function caseSection(c: Case): string {
  const devs = c.devices.map((d) => `${esc(d.role)}${d.subject ? ' (subject)' : ''}: <code>${esc(d.ip)}</code>${d.name ? ` ${esc(d.name)}` : ''}`).join('; ');
  const steps = c.timeline.map((s) => `<li>${esc(iso(s.ts))} <b>${esc(s.phase)}</b> <a href="#f-${anchor(s.finding)}">${esc(s.what)}</a></li>`).join('');
  return `<article class="finding border-${c.severity}" id="${anchor(c.id)}">
<h3><span class="sev sev-${c.severity}">${c.severity}</span> <code>${esc(c.classification)}</code> ${esc(c.title)}</h3>
<p>${esc(c.summary)}</p>
<p class="muted">${c.compromised ? '<strong>Compromised.</strong> ' : ''}Devices: ${devs}${c.devices_dropped ? ` and ${c.devices_dropped} more` : ''}. From ${esc(iso(c.first_ts))} to ${esc(iso(c.last_ts))}. Id <code>${esc(c.id)}</code>${c.attack.length ? `, MITRE ATT&CK ${c.attack.map(esc).join(', ')}` : ''}.</p>
<details><summary>Timeline (${c.timeline.length} steps)</summary><ol>${steps}</ol>${c.timeline_dropped ? `<p class="muted">${c.timeline_dropped} more steps not listed</p>` : ''}</details></article>`;
}

function findingSection(f: Finding, nameOf: ReadonlyMap<string, string>): string {
  const refs = [...(f.references.etsi ?? []).map((x) => `ETSI EN 303 645 ${x}`), ...(f.references.enisa ?? []).map((x) => `ENISA ${x}`),
    ...(f.references.attack ?? []).map((x) => `MITRE ATT&CK ${x}`), ...(f.references.iec62443 ?? []).map((x) => `IEC 62443-3-3 ${x}`), ...(f.references.other ?? [])];
  const devs = f.devices.map((d) => {
    const name = d.device_id !== undefined ? nameOf.get(d.device_id) : undefined;
    return `${esc(d.role)}: ${name !== undefined && d.device_id !== undefined ? `<a href="#dev-${anchor(d.device_id)}">${esc(name)}</a> (${esc(d.ip)})` : `<code>${esc(d.ip)}</code>`}`;
  }).join('; ');
  return `<article class="finding border-${f.severity}" id="f-${anchor(f.id)}">
<h3><span class="sev sev-${f.severity}">${f.severity}</span> ${esc(namedText(f.title, f, nameOf))}</h3>
<p>${esc(namedText(f.explanation, f, nameOf))}</p>
<p class="muted">Involved: ${devs}${f.devices_dropped ? ` and ${f.devices_dropped} more` : ''}. Seen ${f.count}× from ${esc(iso(f.first_ts))} to ${esc(iso(f.last_ts))}.</p>
<details><summary>Evidence and details</summary><dl>
<dt>Detector</dt><dd><code>${esc(f.detector)}</code> (${esc(f.category)}), confidence ${Math.round(f.confidence * 100)} %, id <code>${esc(f.id)}</code></dd>
<dt>Packets</dt><dd><ul>${f.evidence.map((r) => `<li>${refText(r)}</li>`).join('')}</ul>${f.evidence_dropped > 0 ? `<p class="muted">${f.evidence_dropped} more not kept</p>` : ''}</dd>
<dt>Flows (Community ID)</dt><dd>${f.community_ids.map((c) => `<code>${esc(c)}</code>`).join(' ') || '—'}${f.community_ids_dropped > 0 ? ` and ${f.community_ids_dropped} more` : ''}</dd>
${refs.length > 0 ? `<dt>References</dt><dd>${refs.map(esc).join(', ')}</dd>` : ''}
${f.facts ? `<dt>Facts</dt><dd><pre>${esc(JSON.stringify(f.facts, null, 2))}</pre></dd>` : ''}
</dl></details></article>`;
}

function method(data: ReportData): string {
  const scale = Object.entries(data.scale).map(([g, v]) => `<tr><td>${gradeBadge(g)}</td><td>${esc(v.meaning)}</td></tr>`).join('');
  const rows = data.baseline.map((r) => `<tr><td data-label="Id"><code>${esc(r.id)}</code></td><td data-label="Standard">${esc(r.standard)}</td><td data-label="Provision">${esc(r.title)}</td><td data-label="Checkable">${esc(r.checkability)}</td></tr>`).join('');
  return `<section id="method"><h2>How to read this report</h2>
<p>Bulwark only listens: it judges each device by the traffic in the captures. A problem it saw is real evidence; a problem it did not see may still exist. <strong>Not observed is not pass</strong>: a device seen briefly cannot earn a good grade.</p>
<table class="scale"><tbody>${scale}</tbody></table>
<details><summary>Verdicts and the provisions checked (${data.baseline.length})</summary>
<p><b>pass</b>: the traffic showed good practice (for what was seen). <b>fail</b>: the traffic showed a breach, evidence listed. <b>not observed</b>: passive monitoring could decide it, but nothing relevant was seen. <b>not assessable from the network</b>: needs active probing of the device. Checkability: a = passive traffic, b = active probing, (p) = partial evidence.</p>
<table class="stack"><thead><tr><th>Id</th><th>Standard</th><th>Provision</th><th>Checkable</th></tr></thead><tbody>${rows}</tbody></table></details>
</section>`;
}

/** The whole report as an HTML string. */
export function renderHtml(data: ReportData): string {
  const findings = new Map(data.findings.map((f) => [f.id, f]));
  const nameOf = new Map(data.devices.map((d) => [d.device.id, d.assessment.name]));
  const captures = data.captures.map((c) => `${esc(c.file)} (${c.packets.toLocaleString('en')} packets${c.first_ts !== undefined ? `, ${esc(iso(c.first_ts))}, ${esc(formatDuration(c.span_s ?? 0))}` : ''}${c.error ? `, <strong>damaged: ${esc(c.error)}</strong>` : ''})`).join(', ');
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bulwark report · ${plural(data.summary.devices, 'device')}, ${plural(data.summary.findings, 'finding')}</title>
<style>${reportCss}</style></head>
<body>
<header><h1>Bulwark network security report</h1>
<p>Captures: ${captures}. Traffic from ${esc(iso(data.period.first_ts))} to ${esc(iso(data.period.last_ts))}. Report made ${esc(data.generated_at.replace('T', ' ').replace(/\.\d+Z$/, ' UTC'))}.${data.partial ? ' <strong>Some input was damaged: results cover what could be read.</strong>' : ''}</p>
<nav><a href="#overview">Overview</a> <a href="#cases">Cases</a> <a href="#timeline">Timeline</a> <a href="#devices">Devices</a> <a href="#findings">Findings</a> <a href="#method">How to read this</a></nav></header>
<main>
${overview(data)}
<section id="cases"><h2>Cases</h2>
${data.cases.length === 0 ? '<p>No case: no finding.</p>' : data.cases.map(caseSection).join('\n')}
</section>
<section id="timeline"><h2>Activity and findings over time</h2>
${timelineSvg(data)}
${data.timeline.devices.length > 40 ? `<p class="muted">${data.timeline.devices.length - 40} more devices not drawn.</p>` : ''}
</section>
<section id="devices"><h2>Devices</h2>
${data.devices.slice(0, MAX_DEVICE_SECTIONS).map((d) => deviceSection(d, findings, data)).join('\n')}
${data.devices.length > MAX_DEVICE_SECTIONS ? `<p class="muted">${(data.devices.length - MAX_DEVICE_SECTIONS).toLocaleString('en')} more assessed devices are listed in the overview table; their labels are in <code>--labels</code> and the JSON data.</p>` : ''}
</section>
<section id="findings"><h2>Findings</h2>
${data.findings.length === 0 ? '<p>No finding: none of Bulwark\'s detectors fired on this traffic.</p>' : data.findings.map((f) => findingSection(f, nameOf)).join('\n')}
</section>
${method(data)}
</main>
<footer>Bulwark report format ${data.version}. Labels: grade A (best) to E (worst).</footer>
</body></html>
`;
}

// Report numbers a reader checks: the traffic span is each capture's own span added up (two captures years apart
// are not "years of traffic"), a device is never "observed" longer than the captures cover, and the headline
// never says "no device needs urgent attention" above a high-severity finding.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeCaptures } from '../../src/engine/analyze-captures.ts';
import { buildReportData } from '../../src/output/report/data.ts';
import { renderHtml as reportHtml } from '../../src/output/report/html.ts';
import { tsharkFields } from '../support/tshark.ts';

const sample = new URL('../../samples/dlink-camera-setup.pcap', import.meta.url).pathname;
const hakai = new URL('../traces/detect-net/hakai-c2-cut.pcap', import.meta.url).pathname;
const span = (path: string): number => {
  const t = tsharkFields(path, '', ['frame.time_epoch']).map(([x]) => Number(x));
  return Math.max(...t) - Math.min(...t);
};

test('❌ two captures two years apart: observed time is the sum of their own spans, per capture too', async () => {
  const r = await analyzeCaptures([sample, hakai]);
  const data = buildReportData({ summary: r.summary, devices: r.devices, findings: r.findings, facts: r.facts, assessments: r.assessments });
  const expected = span(sample) + span(hakai); // tshark: 2016-04-15 (~118 s) and 2018-07-31 (~2.7 h)
  assert.ok(Math.abs(data.period.observed_s - expected) < 0.001, `${data.period.observed_s} vs ${expected}`);
  assert.ok(data.period.span_s > 365 * 86400, 'first-to-last spans the two years');
  assert.ok(Math.abs((data.captures[1].span_s ?? 0) - span(hakai)) < 0.001);
  for (const a of r.assessments) assert.ok(a.observed_s <= expected + 0.001, `${a.device_id}: ${a.observed_s}`);
  const html = reportHtml(data);
  assert.doesNotMatch(html, /\b\d{3,} d\b/, 'no "838 d of traffic"');
  // The timeline spans 2016 to 2018: its ticks carry dates, not only times of day.
  const ticks = [...html.matchAll(/class="tl-tick">([^<]+)</g)].map((m) => m[1]);
  assert.ok(ticks.some((t) => t.startsWith('2016-04-15 ')) && ticks.some((t) => t.startsWith('2018-07-31 ')), ticks.join(' | '));
});

test('❌ the headline agrees with the findings: a high finding means no "nothing urgent"', async () => {
  const r = await analyzeCaptures([new URL('../traces/detect-net/synack-reflection-cut.pcap', import.meta.url).pathname]);
  assert.ok(r.findings.some((f) => f.severity === 'high'));
  const html = reportHtml(buildReportData({ summary: r.summary, devices: r.devices, findings: r.findings, facts: r.facts, assessments: r.assessments }));
  assert.doesNotMatch(html, /No device needs urgent attention/);
});

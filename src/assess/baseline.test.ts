import { test } from 'node:test';
import assert from 'node:assert/strict';
import { baseline, baselineRow, detectorMatches } from './baseline.ts';
import { adviceFor, adviceTable } from './advice.ts';
import { gradeOf } from './grade.ts';
import { detectors } from '../detect/registry.ts';

// Detector ids the table may name: the registry's plus the ones the issue lists (some land later).
const expectedDetectors = [
  'botnet.mirai-scan', 'scan.horizontal', 'scan.vertical', 'bruteforce.login', 'credentials.default', 'credentials.cleartext',
  'c2.irc', 'c2.beaconing', 'c2.indicator', 'ddos.flood-source', 'ddos.flood-victim', 'ddos.reflection', 'p2p.botnet',
  'crypto.weak-tls', 'exposure.service',
];

test('baseline rows: unique ids, checkability from the research reference, no pass for probe-only rows', () => {
  const ids = baseline.map((r) => r.id);
  assert.equal(new Set(ids).size, ids.length);
  // Values copied from /work/shared/reference/standards.md (sections 1 and 2).
  const reference: Record<string, string> = {
    '5.1-1': 'b', '5.1-3': 'a', '5.1-5': 'b', '5.3-5': 'a', '5.3-7': 'a(p)', '5.5-1': 'a', '5.5-7': 'a', '5.6-1': 'b',
    'GP-TM-09': 'b', 'GP-TM-18': 'a(p)', 'GP-TM-34': 'a', 'GP-TM-40': 'a', 'GP-TM-45': 'b', 'GP-TM-46': 'a', 'GP-TM-56': 'a',
  };
  for (const [id, chk] of Object.entries(reference)) assert.equal(baselineRow(id)?.checkability, chk, id);
  for (const r of baseline) {
    if (r.checkability === 'b') assert.equal(r.pass, undefined, `${r.id}: a probe-only provision cannot pass passively`);
  }
});

test('baseline rules name only known detectors, and every fail cause has advice', () => {
  const known = new Set([...detectors.map((d) => d.id), ...expectedDetectors]);
  for (const r of baseline) {
    for (const rule of r.fail.findings ?? []) {
      for (const p of rule.detectors) {
        assert.ok([...known].some((id) => detectorMatches(p, id)) || p === 'policy.*', `${r.id}: unknown detector pattern ${p}`);
      }
    }
    for (const f of r.fail.facts ?? []) assert.ok(adviceFor(f), `${r.id}: no advice for fact ${f}`);
  }
  for (const id of expectedDetectors.filter((d) => d !== 'ddos.flood-victim' && d !== 'c2.irc' && d !== 'c2.beaconing' && d !== 'c2.indicator')) {
    assert.ok(adviceFor(id, 'insecure') ?? adviceFor(id, 'infected') ?? adviceFor(id, 'victim'), `no advice for ${id}`);
  }
  assert.ok(adviceTable.every((a) => a.advice.includes('{noun}')));
});

test('the issue\'s examples are rows of the table', () => {
  const failsOn = (detector: string, role: string): string[] => baseline
    .filter((r) => (r.fail.findings ?? []).some((rule) => rule.roles.includes(role as never) && rule.detectors.some((p) => detectorMatches(p, detector))))
    .map((r) => r.id);
  const factFails = (fact: string): string[] => baseline.filter((r) => (r.fail.facts ?? []).includes(fact as never)).map((r) => r.id);
  for (const id of ['5.5-1', '5.5-7', 'GP-TM-40']) assert.ok(failsOn('credentials.cleartext', 'insecure').includes(id), id);
  for (const id of ['5.1-1', 'GP-TM-09']) assert.ok(failsOn('credentials.default', 'insecure').includes(id), id);
  for (const id of ['5.3-7', 'GP-TM-18']) assert.ok(factFails('http.firmware').includes(id), id);
  for (const id of ['5.6-1', 'GP-TM-45']) {
    assert.ok(factFails('service.telnet').includes(id), id);
    assert.ok(factFails('upnp.answering').includes(id), id);
  }
  assert.ok(failsOn('botnet.mirai-scan', 'infected').includes('GP-TM-56'));
  assert.ok(failsOn('c2.beaconing', 'infected').includes('GP-TM-56'));
  assert.deepEqual(baselineRow('5.5-1')?.pass, ['tls.modern_only']);
});

test('grade: worst fail sets the ceiling, serious causes stack, little observation caps and is provisional', () => {
  const good = { observed_s: 3600, flows: 500, coverage: 'good' as const };
  assert.equal(gradeOf([], 3, good).grade, 'A');
  assert.equal(gradeOf([], 1, good).grade, 'B', 'A needs positive evidence');
  assert.equal(gradeOf([{ cause: 'upnp.announcing', severity: 'low', label: '' }], 3, good).grade, 'B');
  assert.equal(gradeOf([{ cause: 'tls.weak_negotiated', severity: 'medium', label: '' }], 3, good).grade, 'C');
  assert.equal(gradeOf([{ cause: 'credentials.cleartext', severity: 'high', label: '' }], 3, good).grade, 'D');
  assert.equal(gradeOf([{ cause: 'credentials.cleartext', severity: 'high', label: '' }, { cause: 'http.firmware', severity: 'high', label: '' }], 3, good).grade, 'E');
  assert.equal(gradeOf([{ cause: 'c2.beaconing', severity: 'critical', label: '' }], 3, good).grade, 'E');
  const brief = gradeOf([], 5, { observed_s: 2, flows: 1, coverage: 'brief' });
  assert.equal(brief.grade, 'C');
  assert.equal(brief.provisional, true);
  assert.equal(gradeOf([], 5, { observed_s: 120, flows: 20, coverage: 'partial' }).grade, 'B');
  // A cap never improves a grade.
  assert.equal(gradeOf([{ cause: 'credentials.cleartext', severity: 'high', label: '' }], 0, { observed_s: 2, flows: 1, coverage: 'brief' }).grade, 'D');
});

test('docs/assessment.md carries the current baseline table', async () => {
  const { readFileSync } = await import('node:fs');
  const { baselineMarkdown } = await import('./baseline-docs.ts');
  const doc = readFileSync(new URL('../../docs/assessment.md', import.meta.url), 'utf8');
  assert.ok(doc.includes(baselineMarkdown()), 'docs/assessment.md is stale: paste baselineMarkdown() output between the table markers');
});

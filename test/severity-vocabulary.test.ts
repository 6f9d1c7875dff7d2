// Severity names agree everywhere: one vocabulary of five names (the detector framework's rank), in the same order,
// in the API's filter, the alert policy, the palette, the dashboard's lists and words, every detector's metadata and
// the severities its documentation page states.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { severityRank } from '../src/detect/engine.ts';
import { detectors } from '../src/detect/registry.ts';
import { severities as apiSeverities } from '../src/api/validate.ts';
import { severityOrder as alertOrder } from '../src/output/alerts/dispatcher.ts';
import { severityColours } from '../src/output/palette.ts';
import { severities as dashboardSeverities } from '../web/src/types.ts';
import { severityWords } from '../web/src/format.ts';

const root = resolve(import.meta.dirname, '..');
// The framework's rank is the source: info < low < medium < high < critical.
const vocabulary = Object.keys(severityRank).sort((a, b) => severityRank[a as keyof typeof severityRank] - severityRank[b as keyof typeof severityRank]);

/** The same names, in rank order one way or the other. */
function assertVocabulary(list: readonly string[], where: string): void {
  const ascending = [...list].sort((a, b) => vocabulary.indexOf(a) - vocabulary.indexOf(b));
  assert.deepEqual([...list].sort(), [...vocabulary].sort(), `${where}: names`);
  assert.ok(JSON.stringify(list) === JSON.stringify(ascending) || JSON.stringify(list) === JSON.stringify([...ascending].reverse()), `${where}: order ${list.join(', ')}`);
}

test('five severity names, ranked: info, low, medium, high, critical', () => {
  assert.deepEqual(vocabulary, ['info', 'low', 'medium', 'high', 'critical']);
});

test('API filter, alert policy, palette and dashboard use the same names in rank order', () => {
  assertVocabulary(apiSeverities, 'API ?severity=');
  assertVocabulary(alertOrder, 'alerts min_severity');
  assertVocabulary(Object.keys(severityColours), 'palette');
  assertVocabulary(dashboardSeverities, 'dashboard');
  // The dashboard's words are the names, capitalised: no "Warning" for medium, no "Urgent" for high.
  for (const [name, word] of Object.entries(severityWords)) assert.equal(word.toLowerCase(), name);
});

test('every detector\'s default severity is a name, and its page states that severity with names only', () => {
  const severityLike = /\b(critical|high|medium|low|info|informational|warning|warn|severe|moderate|minor|major|notice|error|urgent)\b/gi;
  for (const d of detectors) {
    assert.ok(vocabulary.includes(d.severity), `${d.id}: ${d.severity}`);
    const page = readFileSync(join(root, 'docs', 'detectors', `${d.id}.md`), 'utf8');
    const line = /\*\*severity\*\*\s+([^·\n]*)/i.exec(page);
    assert.ok(line, `${d.id}: the page's metadata line names the severity`);
    const words = [...line[1].matchAll(severityLike)].map((m) => m[1].toLowerCase());
    assert.ok(words.length > 0, `${d.id}: ${line[1]}`);
    for (const w of words) assert.ok(vocabulary.includes(w), `${d.id}: '${w}' in "${line[1].trim()}"`);
    assert.ok(words.includes(d.severity), `${d.id}: default ${d.severity} not on its page ("${line[1].trim()}")`);
  }
});

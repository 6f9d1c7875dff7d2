// Every detector is registered, complete, documented and tested (issue: detector framework).
// Convention: src/detect/detectors/<id>.ts exports its Detector as `default`; <id>.test.ts beside it;
// docs/detectors/<id>.md with a ❌ (triggers) and a ✅ (must not trigger) section naming every option.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { detectors } from '../src/detect/registry.ts';
import { DetectionEngine, enginePlaceholders } from '../src/detect/engine.ts';
import { placeholders } from '../src/detect/template.ts';
import { Pipeline } from '../src/pipeline/analyze.ts';
import type { Detector } from '../src/detect/types.ts';

const root = resolve(import.meta.dirname, '..');
const dir = join(root, 'src/detect/detectors');
const moduleFiles = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
const categories = ['botnet', 'scan', 'bruteforce', 'credentials', 'c2', 'ddos', 'p2p', 'crypto', 'exposure', 'policy'];
const severities = ['info', 'low', 'medium', 'high', 'critical'];

test('every module under src/detect/detectors/ is registered, with id = file name', async () => {
  assert.ok(moduleFiles.length > 0);
  for (const file of moduleFiles) {
    const mod = (await import(join(dir, file))) as { default?: Detector };
    assert.ok(mod.default, `${file}: export the Detector as default`);
    assert.equal(`${mod.default.id}.ts`, file, `${file}: id must equal the file name`);
    assert.ok(detectors.includes(mod.default), `${file}: not in src/detect/registry.ts`);
  }
  assert.equal(detectors.length, moduleFiles.length, 'registry lists a detector without a module file');
  assert.equal(new Set(detectors.map((d) => d.id)).size, detectors.length, 'duplicate detector id');
});

for (const d of detectors) {
  test(`${d.id}: complete metadata`, () => {
    assert.match(d.id, /^[a-z0-9]+(\.[a-z0-9-]+)+$/, 'namespaced id, e.g. botnet.mirai-scan');
    assert.ok(d.description.length > 20, 'description');
    assert.ok(categories.includes(d.category), 'category');
    assert.ok(severities.includes(d.severity), 'severity');
    assert.ok(d.confidence > 0 && d.confidence <= 1, 'confidence in (0, 1]');
    const refs = Object.values(d.references).flat();
    assert.ok(refs.length > 0 && refs.every((r) => typeof r === 'string' && r.length > 0), 'references');
    assert.ok((d.references.attack ?? []).every((t) => /^T\d{4}(\.\d{3})?$/.test(t)), 'ATT&CK ids look like T1110.001');
    assert.ok((d.references.enisa ?? []).every((t) => /^GP-(TM|OP|PS)-\d{2}$/.test(t)), 'ENISA ids look like GP-TM-09');
    assert.ok((d.references.etsi ?? []).every((t) => /^\d+(\.\d+)?-\d+$/.test(t)), 'ETSI ids look like 5.1-1');
    assert.ok((d.references.iec62443 ?? []).every((t) => /^SR \d+\.\d+( RE \d+)?$/.test(t)), 'IEC 62443-3-3 ids look like SR 1.1');
    for (const [name, spec] of Object.entries(d.options)) {
      assert.ok(spec.default !== undefined && spec.default !== null, `option ${name}: default`);
      assert.ok(spec.description.length > 10, `option ${name}: description`);
    }
    assert.ok(Object.keys(d.messages).length > 0, 'messages');
    for (const [id, m] of Object.entries(d.messages)) {
      assert.ok(m.title.length > 0 && m.explanation.length > 0, `message ${id}: title and explanation`);
      for (const text of [m.title, m.explanation]) {
        // Every brace belongs to a well-formed {placeholder}.
        assert.equal(text.replace(/\{[a-z_][a-z0-9_]*\}/g, '').replace(/[^{}]/g, ''), '', `message ${id}: stray brace or bad placeholder in "${text}"`);
      }
    }
    assert.ok(d.subscribes.length > 0, 'subscribes');
    assert.equal(typeof d.create, 'function');
  });

  test(`${d.id}: documented and tested`, () => {
    const doc = join(root, 'docs/detectors', `${d.id}.md`);
    assert.ok(existsSync(doc), `docs/detectors/${d.id}.md missing`);
    const text = readFileSync(doc, 'utf8');
    assert.match(text, /^#+ .*❌/m, 'a ❌ section (traffic that triggers it)');
    assert.match(text, /^#+ .*✅/m, 'a ✅ section (traffic that must not trigger it)');
    for (const name of Object.keys(d.options)) assert.ok(text.includes(`\`${name}\``), `doc page names option ${name}`);
    assert.ok(existsSync(join(dir, `${d.id}.test.ts`)), `src/detect/detectors/${d.id}.test.ts missing`);
    // What it needs decides whether it runs on flow exports (src/engine/analyze-flows.ts); the page says so.
    if (d.needs === 'flows') assert.match(text, /\*\*Needs\*\* flows/, 'page says it runs on flow exports');
    else assert.match(text, /needs packets/i, 'page says "needs packets"');
  });
}

test('engine placeholders are not shadowed by a message', () => {
  for (const d of detectors) for (const m of Object.values(d.messages)) for (const p of placeholders(m.title + m.explanation)) assert.ok(p.length > 0);
  assert.deepEqual([...enginePlaceholders], ['count', 'first_seen', 'last_seen']);
});

/** Every trace detectors are tested on: whatever a detector reports must render with all placeholders. */
function traces(): string[] {
  const out: string[] = [];
  for (const sub of ['test/traces/detect', 'test/traces/detect-net', 'test/traces/pipeline']) {
    const p = join(root, sub);
    if (!existsSync(p)) continue;
    for (const f of readdirSync(p)) if (/\.(pcap|pcapng)$/.test(f)) out.push(join(p, f));
  }
  out.push(join(root, 'samples/dlink-camera-setup.pcap'));
  return out;
}

test('all detectors over the test traces: every placeholder provided, no detector throws', async () => {
  const used = new Set<string>();
  for (const path of traces()) {
    const pipeline = new Pipeline();
    const engine = new DetectionEngine(detectors).attach(pipeline);
    await pipeline.run([path]);
    const findings = engine.findings();
    assert.deepEqual(engine.stats.template_errors, [], path);
    assert.deepEqual(engine.stats.detector_errors, {}, path);
    for (const f of findings) {
      used.add(f.detector);
      assert.ok(!/\{[a-z_]+\}/.test(f.title + f.explanation), `${f.id}: unrendered placeholder`);
      assert.ok(f.evidence.length > 0 && f.evidence.every((e) => e.file && e.packet > 0 && e.ts > 0), `${f.id}: evidence`);
    }
  }
  // Each of these detectors fires on at least one test trace.
  for (const id of ['botnet.mirai-scan', 'scan.horizontal', 'scan.vertical', 'bruteforce.login', 'credentials.default', 'credentials.cleartext']) {
    assert.ok(used.has(id), `${id} fired on no test trace`);
  }
});

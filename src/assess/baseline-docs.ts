/**
 * The baseline table as Markdown, for docs/assessment.md (a test fails when the document is stale).
 * @module
 */
import { baseline } from './baseline.ts';

export function baselineMarkdown(): string {
  const rows = baseline.map((r) => {
    const fail = [
      ...(r.fail.findings ?? []).map((f) => `${f.detectors.map((d) => `\`${d}\``).join(', ')} as ${f.roles.join('/')}`),
      ...(r.fail.facts ?? []).map((f) => `fact \`${f}\``),
    ].join('; ') || '—';
    const pass = r.pass ? `${r.pass.map((f) => `\`${f}\``).join(' + ')} (${r.passText ?? ''})` : '— (cannot pass passively)';
    return `| ${r.id} | ${r.title} | ${r.checkability} | ${r.group} | ${r.weight} | ${fail} | ${pass} |`;
  });
  return ['| Provision | Title | Chk | Label group | Fail weight | Fails on | Passes on |', '|---|---|---|---|---|---|---|', ...rows].join('\n');
}

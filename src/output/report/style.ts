import { paletteCssRoot, paperTint } from '../palette.ts';

/**
 * Inline stylesheet of the HTML report (print-friendly; no web fonts, no external resources). Grade, severity
 * and verdict colours come from the one palette (src/output/palette.ts) as custom properties.
 */
export const reportCss = `
${paletteCssRoot()}
:root { --line: #e5e7eb; --bg: ${paperTint}; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; color: var(--ink); background: var(--bg); }
header { background: #1f2937; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 6px; font-size: 24px; }
header p { margin: 0 0 8px; color: #d1d5db; font-size: 13px; }
header nav a { color: #bfdbfe; margin-right: 16px; }
main { max-width: 1200px; margin: 0 auto; padding: 8px 24px 40px; }
section { margin-top: 28px; }
h2 { border-bottom: 2px solid var(--line); padding-bottom: 4px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(200px, 1fr)); gap: 12px; }
.card { background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 12px 16px; }
.card .big { font-size: 28px; font-weight: 700; }
.callout { background: #fef2f2; border-left: 4px solid var(--sev-high); padding: 10px 14px; }
.callout.ok { background: #f0fdf4; border-left-color: var(--verdict-pass); }
table { border-collapse: collapse; width: 100%; background: #fff; }
th, td { border-bottom: 1px solid var(--line); padding: 6px 8px; text-align: left; vertical-align: top; font-size: 14px; }
th { background: #f3f4f6; }
.grade { display: inline-block; min-width: 1.8em; text-align: center; font-weight: 800; border-radius: 4px; padding: 0 6px; }
.grade-A { background: var(--grade-A); color: var(--grade-A-fg); } .grade-B { background: var(--grade-B); color: var(--grade-B-fg); } .grade-C { background: var(--grade-C); color: var(--grade-C-fg); } .grade-D { background: var(--grade-D); color: var(--grade-D-fg); } .grade-E { background: var(--grade-E); color: var(--grade-E-fg); }
.sev { display: inline-block; border-radius: 3px; padding: 0 6px; font-size: 12px; font-weight: 700; text-transform: uppercase; }
.sev-critical { background: var(--sev-critical); color: var(--sev-critical-fg); } .finding.border-critical { border-left-color: var(--sev-critical); }
.sev-high { background: var(--sev-high); color: var(--sev-high-fg); } .finding.border-high { border-left-color: var(--sev-high); }
.sev-medium { background: var(--sev-medium); color: var(--sev-medium-fg); } .finding.border-medium { border-left-color: var(--sev-medium); }
.sev-low { background: var(--sev-low); color: var(--sev-low-fg); } .finding.border-low { border-left-color: var(--sev-low); }
.sev-info { background: var(--sev-info); color: var(--sev-info-fg); } .finding.border-info { border-left-color: var(--sev-info); }
.device { display: grid; grid-template-columns: 320px 1fr; gap: 24px; background: #fff; border: 1px solid var(--line); border-radius: 8px; padding: 16px; margin: 16px 0; }
.device .label svg { width: 300px; height: auto; }
.device h3 { margin-top: 0; }
.headline { font-size: 17px; font-weight: 600; }
.downloads { font-size: 13px; }
.finding { background: #fff; border: 1px solid var(--line); border-left: 6px solid #999; border-radius: 6px; padding: 10px 16px; margin: 12px 0; }
.finding h3 { margin: 4px 0; font-size: 16px; }
.muted { color: var(--muted); font-size: 13px; }
details { margin: 8px 0; }
summary { cursor: pointer; color: #1d4ed8; }
dl { display: grid; grid-template-columns: 160px 1fr; gap: 4px 12px; }
dt { font-weight: 600; } dd { margin: 0; }
.verdict { font-weight: 700; white-space: nowrap; }
.verdict.v-pass { color: var(--verdict-pass); } .verdict.v-fail { color: var(--verdict-fail); }
.verdict.v-not_observed { color: var(--verdict-not_observed); } .verdict.v-not_assessable { color: var(--verdict-not_assessable); }
tr.v-fail { background: #fef2f2; }
ul.evidence { margin: 4px 0; padding-left: 18px; font-size: 13px; }
code { font-size: 12px; background: #f3f4f6; padding: 0 3px; border-radius: 3px; overflow-wrap: break-word; }
pre { white-space: pre-wrap; font-size: 12px; }
.timeline { background: #fff; border: 1px solid var(--line); border-radius: 8px; }
.tl-label, .tl-tick { font-size: 11px; fill: #374151; }
.tl-lane { fill: #f3f4f6; }
.tl-axis { stroke: #9ca3af; }
footer { text-align: center; color: var(--muted); font-size: 12px; padding: 20px; }
@media (max-width: 800px) { .device { grid-template-columns: minmax(0, 1fr); } }
/* Phones: narrower margins; each table row becomes a card with its column names above the values. */
@media (max-width: 640px) {
  header { padding: 14px 16px; } main { padding: 8px 12px 32px; }
  .device { padding: 10px; } .device .label svg { width: 100%; max-width: 300px; }
  dl { grid-template-columns: minmax(0, 1fr); } dd { margin-bottom: 6px; }
  table.stack, table.stack tbody, table.stack tr, table.stack td { display: block; width: 100%; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); }
  table.stack tr { border: 1px solid var(--line); border-radius: 6px; margin: 0 0 8px; }
  table.stack td { border-bottom: none; padding: 3px 10px; }
  table.stack td::before { content: attr(data-label); display: block; font-size: 12px; font-weight: 600; color: var(--muted); }
}
@media print { header { background: none; color: var(--ink); } details { display: block; } .device { break-inside: avoid; } }
`;

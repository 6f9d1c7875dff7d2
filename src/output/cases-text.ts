/**
 * Cases as plain text for the terminal: one block per case, most important first, with its kill chain.
 * @module
 */
import type { Case } from '../findings/types.ts';
import { timeSpan } from './findings-text.ts';

export function casesText(cases: readonly Case[]): string {
  if (cases.length === 0) return 'no cases\n';
  const out: string[] = [];
  for (const c of cases) {
    const others = c.devices.filter((d) => !d.subject);
    const roles = new Map<string, number>();
    for (const d of others) roles.set(d.role, (roles.get(d.role) ?? 0) + 1);
    const parties = [...roles].map(([role, n]) => `${n} ${role}${n > 1 ? 's' : ''}`).join(', ');
    out.push(`${c.severity.toUpperCase()}  ${c.classification}  ${c.title}  [${c.id}]`);
    out.push(`    ${timeSpan(c.first_ts, c.last_ts)}; ${c.findings.length} finding${c.findings.length === 1 ? '' : 's'}${parties ? `; ${parties}` : ''}${c.compromised ? '; compromised' : ''}`);
    out.push(`    ${c.summary}`);
  }
  return `${out.join('\n')}\n`;
}

/** Small shared pieces: badges, links, notices. */
import { h } from './dom.ts';
import { gradeClass, gradeWords, sevClass, severityWords } from './format.ts';
import type { Severity } from './types.ts';

export function gradeBadge(grade: string | undefined, large = false): HTMLElement {
  const letter = grade ?? '?';
  const words = grade ? gradeWords[grade[0].toUpperCase()] ?? '' : 'Not graded yet';
  return h('span', {
    class: `grade ${gradeClass(grade)}${large ? ' grade-large' : ''}`,
    title: `Security grade ${letter}${words ? `: ${words}` : ''}`,
    'aria-label': `Security grade ${letter}${words ? `, ${words}` : ''}`,
  }, letter);
}

export function severityBadge(severity: string): HTMLElement {
  const word = severityWords[severity as Severity] ?? severity;
  return h('span', { class: `sev ${sevClass(severity)}` }, word);
}

const statusWords: Record<string, string> = { new: 'New', acknowledged: 'Acknowledged', resolved: 'Resolved' };

export function statusBadge(status: string | undefined): HTMLElement {
  const s = status ?? 'new';
  return h('span', { class: `status status-${s.replace(/[^a-z]/g, '')}` }, statusWords[s] ?? s);
}

export function link(href: string, ...children: (Node | string)[]): HTMLAnchorElement {
  return h('a', { href }, ...children);
}

export function deviceHref(id: string): string {
  return `#/devices/${encodeURIComponent(id)}`;
}

export function findingHref(id: string): string {
  return `#/findings/${encodeURIComponent(id)}`;
}

export function errorNotice(err: unknown): HTMLElement {
  const message = err instanceof Error ? err.message : String(err);
  return h('p', { class: 'notice notice-error', role: 'alert' }, `Could not load this: ${message}`);
}

export function loading(): HTMLElement {
  return h('p', { class: 'loading', 'aria-busy': 'true' }, 'Loading…');
}

/** A titled card section. */
export function card(title: string, ...children: (Node | string | null | undefined | false)[]): HTMLElement {
  return h('section', { class: 'card' }, h('h2', null, title), ...children);
}

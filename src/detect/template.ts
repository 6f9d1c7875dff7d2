/**
 * Message templates: "{name}" placeholders filled from a report's data. Titles and explanations come only
 * from here, so what a finding says is reviewable in one place per detector.
 * @module
 */

const placeholder = /\{([a-z_][a-z0-9_]*)\}/g;

/** Placeholder names a template uses, in order of first use. */
export function placeholders(template: string): string[] {
  const names: string[] = [];
  for (const m of template.matchAll(placeholder)) if (!names.includes(m[1])) names.push(m[1]);
  return names;
}

/** Fill a template; names without a value stay as "{name}" and are returned in `missing`. */
export function render(template: string, data: Record<string, string | number>): { text: string; missing: string[] } {
  const missing: string[] = [];
  const text = template.replace(placeholder, (whole, name: string) => {
    const v = data[name];
    if (v === undefined) {
      missing.push(name);
      return whole;
    }
    return String(v);
  });
  return { text, missing };
}

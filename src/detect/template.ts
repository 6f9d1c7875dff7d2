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

/**
 * A template split once into literal text and placeholder names, alternating: [text, name, text, ..., text].
 * The engine renders a finding's title and explanation on every published change; filling these parts
 * costs a few concatenations instead of a regular-expression pass and a merged data object each time.
 */
export type CompiledTemplate = readonly string[];

export function compileTemplate(template: string): CompiledTemplate {
  const parts: string[] = [];
  let last = 0;
  for (const m of template.matchAll(placeholder)) {
    parts.push(template.slice(last, m.index), m[1]);
    last = m.index + m[0].length;
  }
  parts.push(template.slice(last));
  return parts;
}

/**
 * Fill a compiled template: what `render` gives for the same template and data (`value(name)` answers
 * `data[name]`); each name without a value stays as "{name}" and is appended to `missing`.
 */
export function renderCompiled(parts: CompiledTemplate, value: (name: string) => unknown, missing: string[]): string {
  let text = parts[0];
  for (let i = 1; i < parts.length; i += 2) {
    const name = parts[i];
    const v = value(name);
    if (v === undefined) {
      missing.push(name);
      text += `{${name}}`;
    } else text += String(v);
    text += parts[i + 1];
  }
  return text;
}

/**
 * List filters kept in the page's query string (so a filtered view can be bookmarked): the form controls
 * bound to them, and the API parameters they give. Shared by the devices and findings pages.
 */
import { h } from './dom.ts';
import { setQuery } from './router.ts';

export class Filters {
  readonly state: URLSearchParams;
  /** Called after a filter changed (the page reloads its list). */
  onChange: () => void = () => undefined;
  private debounce: ReturnType<typeof setTimeout> | undefined;

  constructor(query: URLSearchParams) {
    this.state = new URLSearchParams(query);
  }

  /** Set or clear one filter; the list goes back to its first page. */
  update(name: string, value: string): void {
    if (value) this.state.set(name, value);
    else this.state.delete(name);
    this.state.delete('offset');
    setQuery(this.state);
    this.onChange();
  }

  /** The current values of `names`, as API query parameters (absent ones left out). */
  params(names: readonly string[]): Record<string, string | undefined> {
    return Object.fromEntries(names.map((n) => [n, this.state.get(n) ?? undefined]));
  }

  /** The page is left: a pending typed search must not fire. */
  dispose(): void {
    clearTimeout(this.debounce);
  }

  select(name: string, label: string, options: [string, string][]): HTMLElement {
    const sel = h('select', { id: `f-${name}`, name }, options.map(([v, t]) => h('option', { value: v }, t)));
    sel.value = this.state.get(name) ?? '';
    sel.addEventListener('change', () => this.update(name, sel.value));
    return h('label', { for: `f-${name}` }, label, sel);
  }

  /** A text filter applied on change, or while typing (debounced) when `live`. */
  text(name: string, label: string, placeholder: string, live = false): HTMLElement {
    const input = h('input', { id: `f-${name}`, name, type: live ? 'search' : 'text', placeholder, value: this.state.get(name) ?? '' });
    if (live) {
      input.addEventListener('input', () => {
        clearTimeout(this.debounce);
        this.debounce = setTimeout(() => this.update(name, input.value.trim()), 250);
      });
    } else {
      input.addEventListener('change', () => this.update(name, input.value.trim()));
    }
    return h('label', { for: `f-${name}` }, label, input);
  }
}

/**
 * "Did you mean …?" for mistyped commands and options: the closest known name by edit distance (with
 * transpositions), when it is close enough to be a typo rather than a different word.
 * @module
 */

/** Optimal string alignment distance: insertions, deletions, substitutions and adjacent transpositions. */
export function editDistance(a: string, b: string): number {
  const rows = a.length + 1;
  const cols = b.length + 1;
  const d: number[][] = Array.from({ length: rows }, (_, i) => Array.from({ length: cols }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i < rows; i++) {
    for (let j = 1; j < cols; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
    }
  }
  return d[a.length][b.length];
}

/** The known name closest to `input`, when within a typo's reach (a third of its length, at least 1, at most 3). */
export function closest(input: string, known: readonly string[]): string | undefined {
  const needle = input.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const name of known) {
    const d = name.startsWith(needle) && needle.length >= 3 ? 0.5 : editDistance(needle, name.toLowerCase());
    if (d < bestDistance) {
      best = name;
      bestDistance = d;
    }
  }
  const reach = Math.min(3, Math.max(1, Math.floor(needle.length / 3)));
  return bestDistance <= reach ? best : undefined;
}

/** " (did you mean 'x'?)" or ''. */
export function didYouMean(input: string, known: readonly string[], prefix = ''): string {
  const hit = closest(input.replace(/^-+/, ''), known.map((k) => k.replace(/^-+/, '')));
  return hit === undefined ? '' : `; did you mean '${prefix}${hit}'?`;
}

/**
 * Node's parseArgs error for an unknown option ("Unknown option '--jsn'. …"), rewritten with a suggestion from
 * the command's option names; other messages pass through.
 */
export function explainArgError(message: string, optionNames: readonly string[]): string {
  const m = /Unknown option '(-{1,2}[^']+)'/.exec(message);
  if (m === null) return message;
  const name = m[1].split('=')[0];
  return `unknown option '${name}'${didYouMean(name, optionNames, name.startsWith('--') || name.length > 2 ? '--' : '-')}`;
}

/**
 * A set of a window's sources or ports that holds its first value in a field and makes a Set only for a second
 * distinct one. Most flood and scan windows (one per victim, per device and target) see one source or one port
 * and are forgotten; they live long enough for what they hold to be copied by the young-generation collector
 * and promoted, and two or three empty Sets per window were most of a detector's share of the GC time.
 * @module
 */
export class FirstThenSet<T extends string | number> {
  private first: T | undefined = undefined;
  private hasFirst = false;
  private set: Set<T> | undefined = undefined;

  get size(): number {
    return this.set !== undefined ? this.set.size : this.hasFirst ? 1 : 0;
  }

  add(value: T): void {
    if (this.set !== undefined) {
      this.set.add(value);
    } else if (!this.hasFirst) {
      this.first = value;
      this.hasFirst = true;
    } else if (!sameValueZero(value, this.first as T)) {
      this.set = new Set([this.first as T, value]);
    }
  }

  /** The values in the order first added (as a Set iterates). */
  values(): Iterable<T> {
    if (this.set !== undefined) return this.set;
    return this.hasFirst ? [this.first as T] : [];
  }
}

/** Equality as a Set tells its values apart (NaN equals NaN). */
function sameValueZero(a: string | number, b: string | number): boolean {
  return a === b || (a !== a && b !== b);
}

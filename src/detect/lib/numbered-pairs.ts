/**
 * Numeric keys of pairs whose second part is an IPv4 address: the first part gets a small id at first sight,
 * kept for the run, and the key is that id above the address's 32 bits — one exact integer, so a window's key is
 * neither text built per flow nor a joined string to hash. At most `maxIds` ids (id × 2^32 plus an address stays
 * below 2^53); a first part seen after that never gets one, so the caller keys its pairs as text, always the
 * same way.
 * @module
 */
export class NumberedPairs {
  private readonly ids = new Map<number, number>();
  private readonly maxIds: number;

  constructor(maxIds: number) {
    if (maxIds > 2 ** 21) throw new Error('numbered pairs: ids above 2^21 would not keep the key an exact integer');
    this.maxIds = maxIds;
  }

  /**
   * The key of (`first`, `second4`: an unsigned IPv4 number); undefined when `first` has no id and gets none
   * (`give` false, or every id taken).
   */
  key(first: number, second4: number, give = true): number | undefined {
    let id = this.ids.get(first);
    if (id === undefined) {
      if (!give || this.ids.size >= this.maxIds) return undefined;
      id = this.ids.size;
      this.ids.set(first, id);
    }
    return id * 0x1_0000_0000 + second4;
  }

  clear(): void {
    this.ids.clear();
  }
}

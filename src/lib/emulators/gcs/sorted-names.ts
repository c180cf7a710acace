/**
 * Compares strings by Unicode code point, which is the UTF-8 byte order GCS lists in.
 * Plain `<` compares UTF-16 code units and misorders astral characters against U+E000–U+FFFF.
 */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** A sorted set of object names: O(log n) search, insertion shifts an array (cheap at emulator scale). */
export class SortedNames {
  private readonly names: string[] = [];

  get size(): number {
    return this.names.length;
  }

  at(i: number): string {
    return this.names[i];
  }

  /** Index of the first name >= `key`. */
  lowerBound(key: string, from = 0): number {
    let lo = from;
    let hi = this.names.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareNames(this.names[mid], key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Index of the first name after `from` that does not start with `prefix`; names from `from` on must be >= `prefix`. */
  endOfPrefix(prefix: string, from: number): number {
    let lo = from;
    let hi = this.names.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.names[mid].startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A copy, safe to walk while the set changes. */
  toArray(): string[] {
    return [...this.names];
  }

  add(name: string): void {
    const i = this.lowerBound(name);
    if (this.names[i] !== name) this.names.splice(i, 0, name);
  }

  delete(name: string): void {
    const i = this.lowerBound(name);
    if (this.names[i] === name) this.names.splice(i, 1);
  }

  /** Bulk load: one sort instead of n insertions. */
  reset(names: Iterable<string>): void {
    this.names.length = 0;
    for (const name of names) this.names.push(name);
    this.names.sort(compareNames);
  }
}

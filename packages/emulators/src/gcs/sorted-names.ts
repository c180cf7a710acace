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

/** A chunk splits in two past this many names, so an insertion shifts at most this many. */
const MAX_CHUNK = 1024;

/**
 * Whether plain `<` against `key` orders as compareNames does. The two differ only where the first
 * differing code units are both at or above U+D800, so a key with none there can use the native compare.
 */
const nativeOrderFor = (key: string) => !/[\uD800-\uFFFF]/.test(key);

// Binary searches, each a plain loop: a shared one taking a predicate costs a call per step.

/** Index of the first name >= `key`; `native` as nativeOrderFor(key) gives. */
function lowerIn(names: string[], key: string, native: boolean): number {
  let lo = 0;
  let hi = names.length;
  if (native) {
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (names[mid] < key) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (compareNames(names[mid], key) < 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** First index from `lo` whose name does not start with `prefix` (names from `lo` on that do come first). */
function prefixEndIn(names: string[], prefix: string, lo: number): number {
  let hi = names.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (names[mid].startsWith(prefix)) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Last index whose value is <= `n` (-1 if none). */
function lastAtMost(values: number[], n: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid] <= n) lo = mid + 1;
    else hi = mid;
  }
  return lo - 1;
}

/**
 * A sorted set of object names addressed by position: O(log n) search and positional access,
 * and insertion or removal that shifts one chunk of names (plus one offset per chunk), not the
 * whole set, so filling a bucket in random name order stays cheap.
 */
export class SortedNames {
  /** Non-empty sorted runs; every name in a chunk sorts before every name in the next. */
  private chunks: string[][] = [];
  /** Position of each chunk's first name. */
  private starts: number[] = [];
  private count = 0;
  /** The chunk `at` last read: listing reads positions in order. */
  private lastChunk = 0;

  get size(): number {
    return this.count;
  }

  at(i: number): string {
    let c = this.lastChunk;
    if (!(c < this.chunks.length && i >= this.starts[c] && i < this.starts[c] + this.chunks[c].length))
      c = this.lastChunk = lastAtMost(this.starts, i);
    return this.chunks[c]?.[i - this.starts[c]];
  }

  /** Index of the first name >= `key`. */
  lowerBound(key: string): number {
    const native = nativeOrderFor(key);
    const c = this.chunkFor(key, native);
    return c === this.chunks.length ? this.count : this.starts[c] + lowerIn(this.chunks[c], key, native);
  }

  /** Index of the first name after `from` that does not start with `prefix`; names from `from` on must be >= `prefix`. */
  endOfPrefix(prefix: string, from: number): number {
    if (from >= this.count) return this.count;
    const first = lastAtMost(this.starts, from);
    // Chunks wholly inside the prefix are skipped by their last name: a listing passes a "directory" in one search.
    let lo = first;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid];
      if (chunk[chunk.length - 1].startsWith(prefix)) lo = mid + 1;
      else hi = mid;
    }
    if (lo === this.chunks.length) return this.count;
    return this.starts[lo] + prefixEndIn(this.chunks[lo], prefix, lo === first ? from - this.starts[lo] : 0);
  }

  /** A copy, safe to walk while the set changes. */
  toArray(): string[] {
    return this.chunks.flat();
  }

  add(name: string): void {
    if (this.count === 0) {
      this.fill([name]);
      return;
    }
    const native = nativeOrderFor(name);
    const tail = this.chunks[this.chunks.length - 1];
    const last = tail[tail.length - 1];
    let c: number;
    let chunk: string[];
    if (native ? last < name : compareNames(last, name) < 0) {
      // Past the last name (names added in order): it goes at the end of the last chunk, no search needed.
      c = this.chunks.length - 1;
      chunk = tail;
      chunk.push(name);
      this.count++;
    } else {
      c = this.chunkFor(name, native);
      chunk = this.chunks[c];
      const j = lowerIn(chunk, name, native);
      if (chunk[j] === name) return;
      chunk.splice(j, 0, name);
      this.shift(c + 1, 1);
    }
    if (chunk.length > MAX_CHUNK) {
      this.chunks.splice(c + 1, 0, chunk.splice(chunk.length >> 1));
      this.starts.splice(c + 1, 0, this.starts[c] + chunk.length);
    }
  }

  delete(name: string): void {
    const native = nativeOrderFor(name);
    const c = this.chunkFor(name, native);
    const chunk = this.chunks[c];
    if (!chunk) return;
    const j = lowerIn(chunk, name, native);
    if (chunk[j] !== name) return;
    chunk.splice(j, 1);
    this.shift(c + 1, -1);
    if (chunk.length === 0) {
      this.chunks.splice(c, 1);
      this.starts.splice(c, 1);
    }
  }

  /** Bulk load: one sort instead of n insertions. */
  reset(names: Iterable<string>): void {
    this.fill([...names].sort(compareNames));
  }

  /** The first chunk whose last name is >= `key` (the chunk count if none); `native` as nativeOrderFor(key) gives. */
  private chunkFor(key: string, native: boolean): number {
    let lo = 0;
    let hi = this.chunks.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const chunk = this.chunks[mid];
      const last = chunk[chunk.length - 1];
      if (native ? last < key : compareNames(last, key) < 0) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  private shift(fromChunk: number, by: number): void {
    this.count += by;
    for (let k = fromChunk; k < this.starts.length; k++) this.starts[k] += by;
  }

  private fill(sorted: string[]): void {
    const half = MAX_CHUNK >> 1;
    this.chunks = [];
    this.starts = [];
    for (let i = 0; i < sorted.length; i += half) {
      this.chunks.push(sorted.slice(i, i + half));
      this.starts.push(i);
    }
    this.count = sorted.length;
    this.lastChunk = 0;
  }
}

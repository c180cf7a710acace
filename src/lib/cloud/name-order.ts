/**
 * Object names in the order GCS lists them: by Unicode code point, which is UTF-8 byte order. Plain `<`
 * compares UTF-16 code units and puts astral characters (🔑) before U+E000–U+FFFF ('\uffff'), which would
 * misplace a range's edge.
 */
export function compareNames(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      // Surrogates (astral code points) sort after U+E000–U+FFFF in code point order.
      x = x >= 0xe000 ? x - 0x800 : x + 0x2000;
      y = y >= 0xe000 ? y - 0x800 : y + 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

const MAX_CODE_POINT = 0x10ffff;
const isSurrogate = (cp: number) => cp >= 0xd800 && cp <= 0xdfff;

/** The first name after every name starting with `prefix`, or undefined when none is (the empty prefix, or U+10FFFF…). */
export function prefixEnd(prefix: string): string | undefined {
  const cps = [...prefix].map((c) => c.codePointAt(0)!);
  while (cps.length > 0) {
    const last = cps.pop()!;
    if (last < MAX_CODE_POINT) {
      cps.push(last === 0xd7ff ? 0xe000 : last + 1);
      return String.fromCodePoint(...cps);
    }
  }
  return undefined;
}

/**
 * Where names are likely to stop at a position below which `high` sets no limit: printable ASCII first,
 * then the next UTF-8 length. Only the balance of a split depends on it, never its correctness.
 */
const likelyCeiling = (low: number) => (low < 0x7e ? 0x7f : low < 0x7ff ? 0x800 : low < 0xfffe ? 0x10000 : 0x110000);

/** Lowest code point a split point puts past the end of a name: a space, not a control character. */
const LOWEST = 0x20;

/**
 * A name strictly between `low` and `high` (code point order; `high` absent means no upper bound),
 * near the middle of the names likely to lie there, to cut a range in two; undefined when none is.
 * Never a lone surrogate: a split point travels in a URL as UTF-8.
 */
export function splitPoint(low: string, high?: string): string | undefined {
  const a = [...low].map((c) => c.codePointAt(0)!);
  const b = high === undefined ? undefined : [...high].map((c) => c.codePointAt(0)!);
  if (b && compareNames(low, high!) >= 0) return undefined;
  const out: number[] = [];
  // While `out` equals high's first code points, high bounds the next one; once below, nothing does.
  let bounded = b !== undefined;
  for (let j = 0; j <= a.length; j++) {
    const lo = j < a.length ? a[j]! : LOWEST - 1;
    const hi = bounded ? (b![j] ?? -1) : likelyCeiling(lo);
    let mid = Math.floor((lo + hi) / 2);
    if (isSurrogate(mid)) mid = hi > 0xe000 ? 0xe000 : 0xd7ff;
    if (mid > lo && mid < hi) return String.fromCodePoint(...out, mid);
    if (j === a.length) return undefined;
    out.push(lo);
    if (lo < hi) bounded = false;
  }
  return undefined;
}

/** Names sampled from a listing: the prefix they all share and the code points they use past it, sorted. */
export interface NameSample {
  shared: number;
  alphabet: number[];
}

/** The sample of sorted names already listed (a page), to place split points among. */
export function sampleNames(sortedNames: string[]): NameSample {
  const first = [...(sortedNames[0] ?? '')];
  const last = [...(sortedNames.at(-1) ?? '')];
  let shared = 0;
  while (shared < first.length && first[shared] === last[shared]) shared++;
  const seen = new Set<number>();
  for (const name of sortedNames) for (const c of [...name].slice(shared)) seen.add(c.codePointAt(0)!);
  return { shared, alphabet: [...seen].sort((x, y) => x - y) };
}

/**
 * Up to `count` names strictly between `low` and `high` (absent: no upper bound), in order, spread over
 * where the names still to list are likely to be: `low`'s first code points followed by one of the
 * sample's alphabet, at the positions where the sample's names vary, or where `low` has a character of
 * that alphabet a little before them (a page of a large range varies only in its last characters);
 * the shallowest such position first.
 */
export function splitPoints(low: string, high: string | undefined, sample: NameSample, count: number): string[] {
  const a = [...low].map((c) => c.codePointAt(0)!);
  const b = high === undefined ? undefined : [...high].map((c) => c.codePointAt(0)!);
  let common = 0;
  while (b && common < a.length && a[common] === b[common]) common++;
  const inAlphabet = new Set(sample.alphabet);
  let found: string[] = [];
  // The shallowest positions first: their points spread furthest; deeper ones only while more are wanted.
  for (let d = common; d <= a.length && found.length < count; d++) {
    const above = d < a.length ? a[d]! : -1;
    if (d < sample.shared && !(d >= sample.shared - 2 && inAlphabet.has(above))) continue;
    const below = d === common && b ? (b[d] ?? -1) : Infinity;
    const head = String.fromCodePoint(...a.slice(0, d));
    const level = sample.alphabet
      .filter((c) => c > above && c < below && !isSurrogate(c))
      .map((c) => head + String.fromCodePoint(c));
    // A deeper position's points lie nearer `low`, before the shallower ones'.
    found = [...level, ...found];
  }
  if (found.length <= count) return found;
  return Array.from({ length: count }, (_, i) => found[Math.floor(((i + 1) * found.length) / (count + 1))]!);
}

/** Code points of a name past `from` that place it in the keyspace: enough for a double's precision. */
const PLACES = 8;

/**
 * Where a name lies, in [0, 1), among the names that share its first `from` code points and use the
 * sample's alphabet; `low`'s first `from` code points being the only ones, a name past all of them is 1.
 */
function place(name: string, low: string, from: number, alphabet: number[]): number {
  const n = [...name];
  const l = [...low];
  for (let i = 0; i < from; i++) {
    const d = compareNames(n[i] ?? '', l[i] ?? '');
    if (d !== 0) return d > 0 ? 1 : 0;
  }
  // Each character of the alphabet owns a slot of its position, the names that continue with it; one the
  // sample never used falls between the slots of its neighbours.
  let v = 0;
  let scale = 1;
  for (let i = from; i < Math.min(n.length, from + PLACES); i++) {
    scale /= Math.max(1, alphabet.length);
    const c = n[i]!.codePointAt(0)!;
    let below = 0;
    while (below < alphabet.length && alphabet[below]! < c) below++;
    v += (alphabet[below] === c ? below : Math.max(0, below - 0.5)) * scale;
  }
  return v;
}

/**
 * About how many names lie between `low` and `high` (absent: the end) if they are as dense as the
 * sorted sample just listed, which ends at `low`: its names' places in the keyspace against the gap
 * left. Names spread evenly (hashes, ids) are estimated well; any estimate only sets how many ranges a
 * listing is cut into, never what it lists.
 */
export function namesLeft(sortedSample: string[], sample: NameSample, low: string, high?: string): number {
  const first = sortedSample[0];
  if (first === undefined || sortedSample.length < 2) return 0;
  const a = sample.alphabet;
  // From where the sample's names vary; one position earlier when `low` has a character of the alphabet
  // there (a page of hashes shares its first digit), which a separator like `/` never is.
  const before = [...low][sample.shared - 1]?.codePointAt(0);
  const from = before !== undefined && a.includes(before) ? sample.shared - 1 : sample.shared;
  const spanned = place(low, low, from, a) - place(first, low, from, a);
  const left = (high === undefined ? 1 : place(high, low, from, a)) - place(low, low, from, a);
  if (!(spanned > 0)) return Infinity;
  return ((sortedSample.length - 1) * left) / spanned;
}

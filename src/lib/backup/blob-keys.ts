/**
 * Blob keys in binary: `<crc32c hex>-<md5 hex>-<size>` is 4 + 16 + 8 = 28 bytes, against a string of
 * about 70 characters (and a Map entry and a string header around it). A million keys fit in 28 MB of one
 * Buffer, outside the JavaScript heap, so they add nothing for the garbage collector to walk.
 */
export const PACKED_KEY_BYTES = 28;

const HEX = '0123456789abcdef';
const SIZE_AT = 8 + 1 + 32 + 1;

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

/**
 * Writes `key` at `at` in `into`, when it is a content address whose string is exactly what `unpackKey`
 * gives back (lower-case hex, a size with no leading zero, a safe integer); false for any other key
 * (composite objects' keys, odd names), which callers keep as strings.
 */
export function packKey(key: string, into: Buffer, at: number): boolean {
  if (key.length < SIZE_AT + 1 || key.length > SIZE_AT + 16 || key.charCodeAt(8) !== 45 || key.charCodeAt(41) !== 45)
    return false;
  for (let i = 0, c = 0; i < 41; i += 2, c++) {
    if (i === 8) i = 9; // the dash between crc32c and md5
    const hi = hexDigit(key.charCodeAt(i));
    const lo = hexDigit(key.charCodeAt(i + 1));
    if (hi < 0 || lo < 0) return false;
    into[at + c] = (hi << 4) | lo;
  }
  if (key.charCodeAt(SIZE_AT) === 48 && key.length > SIZE_AT + 1) return false;
  let size = 0;
  for (let i = SIZE_AT; i < key.length; i++) {
    const d = key.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return false;
    size = size * 10 + d;
  }
  if (!Number.isSafeInteger(size)) return false;
  into.writeDoubleBE(size, at + 20);
  return true;
}

/** The key string of the packed key at `at`. */
export function unpackKey(from: Buffer, at: number): string {
  let out = '';
  for (let i = 0; i < 20; i++) {
    if (i === 4) out += '-';
    const b = from[at + i]!;
    out += HEX[b >> 4]! + HEX[b & 15]!;
  }
  return `${out}-${from.readDoubleBE(at + 20)}`;
}

/**
 * An open-addressing hash table of packed keys: entry `n` is the `n`th key added, its bytes at
 * `n * PACKED_KEY_BYTES` of one Buffer; slots hold entry numbers + 1. The keys are hashes already, so
 * some of their bytes serve as the hash; keys that share those bytes probe on and are told apart whole.
 */
export class PackedKeyTable {
  private keys = Buffer.alloc(PACKED_KEY_BYTES * 64);
  private slots = new Uint32Array(128);
  private count = 0;
  /** Where `find` and `add` take a key string apart. */
  private readonly scratch = Buffer.alloc(PACKED_KEY_BYTES);

  get size(): number {
    return this.count;
  }

  /** The entry of `key`, -1 if absent, or undefined when `key` cannot be packed. */
  find(key: string): number | undefined {
    if (!packKey(key, this.scratch, 0)) return undefined;
    const slot = this.slotOf(this.scratch, 0);
    return this.slots[slot]! - 1;
  }

  /** The entry of `key`, added if absent (`added` says which), or undefined when `key` cannot be packed. */
  add(key: string): { entry: number; added: boolean } | undefined {
    if (!packKey(key, this.scratch, 0)) return undefined;
    return this.addPacked(this.scratch, 0);
  }

  /** As `add`, for a key already packed. */
  addPacked(from: Buffer, at: number): { entry: number; added: boolean } {
    let slot = this.slotOf(from, at);
    if (this.slots[slot] !== 0) return { entry: this.slots[slot]! - 1, added: false };
    if ((this.count + 1) * 2 > this.slots.length) {
      this.grow();
      slot = this.slotOf(from, at);
    }
    if ((this.count + 1) * PACKED_KEY_BYTES > this.keys.length) {
      const keys = Buffer.alloc(this.keys.length * 2);
      this.keys.copy(keys);
      this.keys = keys;
    }
    from.copy(this.keys, this.count * PACKED_KEY_BYTES, at, at + PACKED_KEY_BYTES);
    this.slots[slot] = ++this.count;
    return { entry: this.count - 1, added: true };
  }

  /** The key string of entry `n`. */
  keyOf(entry: number): string {
    return unpackKey(this.keys, entry * PACKED_KEY_BYTES);
  }

  /** The slot holding the key, or the empty slot where it would go. */
  private slotOf(from: Buffer, at: number): number {
    const mask = this.slots.length - 1;
    // Bytes 4–7 are the MD5's first four: uniformly spread for content, whatever the crc32c.
    let slot = (from.readUInt32LE(at + 4) ^ Math.imul(from.readUInt32LE(at), 0x9e3779b1)) & mask;
    for (;;) {
      const entry = this.slots[slot]!;
      if (entry === 0) return slot;
      if (
        this.keys.compare(from, at, at + PACKED_KEY_BYTES, (entry - 1) * PACKED_KEY_BYTES, entry * PACKED_KEY_BYTES) ===
        0
      )
        return slot;
      slot = (slot + 1) & mask;
    }
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Uint32Array(old.length * 2);
    for (const entry of old)
      if (entry !== 0) this.slots[this.slotOf(this.keys, (entry - 1) * PACKED_KEY_BYTES)] = entry;
  }
}

/** A set of blob keys: packed where they can be, as strings where not (composite objects' keys). */
export class BlobKeySet {
  private readonly packed = new PackedKeyTable();
  private readonly others = new Set<string>();

  /** Adds `key`; whether it was new. */
  add(key: string): boolean {
    const r = this.packed.add(key);
    if (r) return r.added;
    if (this.others.has(key)) return false;
    this.others.add(key);
    return true;
  }

  has(key: string): boolean {
    const entry = this.packed.find(key);
    return entry === undefined ? this.others.has(key) : entry >= 0;
  }

  get size(): number {
    return this.packed.size + this.others.size;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let n = 0; n < this.packed.size; n++) yield this.packed.keyOf(n);
    yield* this.others;
  }
}

/**
 * Blob keys with a number each (an object's number, say): packed keys and a plain array of small integers, about
 * 60 bytes an entry where a Map of strings costs 150 and more.
 */
export class BlobKeyNumbers {
  private readonly packed = new PackedKeyTable();
  /** By packed entry. */
  private readonly numbers: number[] = [];
  private readonly others = new Map<string, number>();

  /** Sets `key`'s number, unless it has one already. */
  add(key: string, n: number): void {
    const r = this.packed.add(key);
    if (r) {
      if (r.added) this.numbers.push(n);
    } else if (!this.others.has(key)) this.others.set(key, n);
  }

  /** `key`'s number, once: it is taken out (undefined when absent or taken). */
  take(key: string): number | undefined {
    const entry = this.packed.find(key);
    if (entry === undefined) {
      const n = this.others.get(key);
      this.others.delete(key);
      return n;
    }
    const n = entry < 0 ? -1 : this.numbers[entry]!;
    if (n < 0) return undefined;
    this.numbers[entry] = -1;
    return n;
  }

  get size(): number {
    return this.packed.size + this.others.size;
  }

  /** The numbers not taken. */
  *left(): Iterable<number> {
    for (const n of this.numbers) if (n >= 0) yield n;
    yield* this.others.values();
  }
}

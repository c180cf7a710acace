import { GcsError } from './errors.js';

const SEPARATORS = new Set([',', '/', '(', ')']);

/** Parsed masks by text: a client sends the same `fields` with every call (100 of them in a batch). */
const parsed = new Map<string, FieldMask>();
const PARSED_CACHE_SIZE = 64;

/**
 * A parsed `fields` parameter (Google's partial-response syntax): the keys kept at one level of a
 * response, each with the selection below it. Selections are unions, so `a,a/b` keeps all of `a`.
 */
export class FieldMask {
  /** Keeps a value whole. */
  static readonly ALL = new FieldMask(true);

  private readonly keys = new Map<string, FieldMask>();

  private constructor(private all = false) {}

  /** The mask for a `fields` parameter; a mask never changes once parsed, so one instance serves every call that sends the same text. */
  static parse(text: string): FieldMask {
    let mask = parsed.get(text);
    if (mask === undefined) {
      mask = FieldMask.parseText(text);
      if (parsed.size >= PARSED_CACHE_SIZE) parsed.clear();
      parsed.set(text, mask);
    }
    return mask;
  }

  /**
   * Parses `a,b/c,d(e,f),*` by recursive descent over `list := item (',' item)*`,
   * `item := name ('/' name)* ['(' list ')']`; a malformed mask is a GCS `invalidParameter` error.
   */
  private static parseText(text: string): FieldMask {
    let pos = 0;
    const fail = (why: string): never => {
      throw new GcsError(
        400,
        `Invalid field selection ${JSON.stringify(text)}: ${why}.`,
        'invalidParameter',
        'global',
        'fields',
      );
    };
    const name = (): string => {
      const start = pos;
      while (pos < text.length && !SEPARATORS.has(text[pos])) pos++;
      return text.slice(start, pos).trim() || fail(`a field name is missing at position ${start}`);
    };
    const list = (into: FieldMask): FieldMask => {
      for (;;) {
        const path = [name()];
        while (text[pos] === '/') {
          pos++;
          path.push(name());
        }
        let sub = FieldMask.ALL;
        if (text[pos] === '(') {
          pos++;
          sub = list(new FieldMask());
          if (text[pos] !== ')') fail('unbalanced parentheses');
          pos++;
        }
        if (path.slice(0, -1).includes('*') || (path.at(-1) === '*' && sub !== FieldMask.ALL))
          fail('"*" selects a whole level and takes no sub-selection');
        into.select(path, sub);
        if (text[pos] !== ',') return into;
        pos++;
      }
    };
    const mask = list(new FieldMask());
    if (pos < text.length)
      fail(text[pos] === ')' ? 'unbalanced parentheses' : `unexpected "${text[pos]}" at position ${pos}`);
    return mask;
  }

  /** The selection for a value nested under `key`: none (keep it all) without a mask, an empty one if the mask drops the key. */
  static under(mask: FieldMask | undefined, key: string): FieldMask | undefined {
    return mask && (mask.child(key) ?? new FieldMask());
  }

  /** The selection under `key`, or undefined when the mask drops it. */
  child(key: string): FieldMask | undefined {
    return this.all ? this : this.keys.get(key);
  }

  /** The value cut down to the selection; arrays are cut element by element, scalars pass whole. */
  apply(value: unknown): unknown {
    if (this.all || typeof value !== 'object' || value === null) return value;
    if (Array.isArray(value)) return value.map((item) => this.apply(item));
    const kept: Record<string, unknown> = {};
    // Walking the value keeps the resource's own key order.
    for (const key in value) {
      const sub = this.keys.get(key);
      if (sub) kept[key] = sub.apply((value as Record<string, unknown>)[key]);
    }
    return kept;
  }

  /** Adds `path`, with `sub` selected at its end. */
  private select(path: string[], sub: FieldMask): void {
    if (this.all) return;
    const [key, ...rest] = path;
    if (rest.length) {
      let next = this.keys.get(key);
      if (!next) this.keys.set(key, (next = new FieldMask()));
      next.select(rest, sub);
    } else if (key === '*') {
      this.all = true;
      this.keys.clear();
    } else {
      const current = this.keys.get(key);
      if (!current || sub.all) this.keys.set(key, sub);
      else for (const [below, selected] of sub.keys) current.select([below], selected);
    }
  }
}

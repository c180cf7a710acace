import { invalid } from './errors.js';

/**
 * Path patterns of the route table, as gorilla/mux writes them (fake-gcs-server's routes): literal segments,
 * `{name}` for one segment, `{name:a|b}` for one of those words and `{name...}` for one segment or more
 * (object names with raw slashes). Matching works on a path already split into percent-decoded segments.
 */
export type PathParams = Record<string, string>;

function decodeSegment(segment: string): string {
  try {
    return segment.includes('%') ? decodeURIComponent(segment) : segment;
  } catch {
    throw invalid(`Invalid URL path segment: ${segment}`);
  }
}

/** A request path's segments after its leading `/`, percent-decoded: an encoded `/` stays inside its segment. */
export function pathSegments(path: string): string[] {
  const segments = path.split('/');
  segments.shift();
  for (let i = 0; i < segments.length; i++) segments[i] = decodeSegment(segments[i]);
  return segments;
}

type Part =
  | { kind: 'literal'; text: string }
  | { kind: 'one'; name: string; words?: readonly string[] }
  | { kind: 'rest'; name: string };

export class PathPattern {
  private readonly parts: Part[];
  /** The fewest segments a match has: every part takes at least one. */
  private readonly minLength: number;
  private readonly hasRest: boolean;

  constructor(readonly text: string) {
    this.parts = text
      .split('/')
      .slice(1)
      .map((segment): Part => {
        const param = /^\{(\w+)(?::([\w|]+)|(\.\.\.))?\}$/.exec(segment);
        if (!param) return { kind: 'literal', text: segment };
        if (param[3]) return { kind: 'rest', name: param[1] };
        return { kind: 'one', name: param[1], ...(param[2] ? { words: param[2].split('|') } : {}) };
      });
    this.minLength = this.parts.length;
    this.hasRest = this.parts.some((p) => p.kind === 'rest');
  }

  /** The parameters when `segments` match; a `{name...}` takes as few segments as the rest of the pattern allows. */
  match(segments: readonly string[]): PathParams | undefined {
    if (segments.length < this.minLength || (!this.hasRest && segments.length !== this.minLength)) return undefined;
    const params: PathParams = {};
    return this.matchFrom(segments, 0, 0, params) ? params : undefined;
  }

  private matchFrom(s: readonly string[], part: number, at: number, params: PathParams): boolean {
    if (part === this.parts.length) return at === s.length;
    const p = this.parts[part];
    if (at >= s.length) return false;
    if (p.kind === 'literal') return s[at] === p.text && this.matchFrom(s, part + 1, at + 1, params);
    if (p.kind === 'one') {
      if (p.words && !p.words.includes(s[at])) return false;
      params[p.name] = s[at];
      return this.matchFrom(s, part + 1, at + 1, params);
    }
    // Each later part takes one segment at least: leave them that many.
    const last = s.length - (this.parts.length - part - 1);
    for (let end = at + 1; end <= last; end++) {
      if (this.matchFrom(s, part + 1, end, params)) {
        params[p.name] = end - at === 1 ? s[at] : s.slice(at, end).join('/');
        return true;
      }
    }
    return false;
  }
}

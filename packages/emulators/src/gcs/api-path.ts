import { invalid } from './errors.js';
import type { ObjectRef } from './rewrite.js';

function decodeSegment(segment: string): string {
  try {
    return segment.includes('%') ? decodeURIComponent(segment) : segment;
  } catch {
    throw invalid(`Invalid URL path segment: ${segment}`);
  }
}

/** A request path's segments after its leading `/`, percent-decoded; one array, decoded in place. */
export function pathSegments(path: string): string[] {
  const segments = path.split('/');
  segments.shift();
  for (let i = 0; i < segments.length; i++) segments[i] = decodeSegment(segments[i]);
  return segments;
}

/** `s[from, to)` joined with `/`: the routers pass offsets into one segment array rather than slice it. */
export const joinSegments = (s: string[], from: number, to = s.length) =>
  to - from === 1 ? s[from] : s.slice(from, to).join('/');

/** `{name}`, `{name}/rewriteTo|copyTo/b/{bucket}/o/{name}` or `{name}/restore`, after `/o/`. */
export type ObjectPath =
  { name: string; action?: 'rewriteTo' | 'copyTo'; destination?: ObjectRef } | { name: string; action: 'restore' };

/** The object path in `s` from `from` on. Clients percent-encode `/` in object names; a name sent with raw slashes is still accepted as one name. */
export function parseObjectPath(s: string[], from: number, method: string): ObjectPath {
  for (let i = from + 1; i + 4 < s.length; i++) {
    if ((s[i] === 'rewriteTo' || s[i] === 'copyTo') && s[i + 1] === 'b' && s[i + 3] === 'o')
      return {
        name: joinSegments(s, from, i),
        action: s[i] as 'rewriteTo' | 'copyTo',
        destination: { bucket: s[i + 2], name: joinSegments(s, i + 4) },
      };
  }
  if (method === 'POST' && s.length - from >= 2 && s[s.length - 1] === 'restore')
    return { name: joinSegments(s, from, s.length - 1), action: 'restore' };
  return { name: joinSegments(s, from) };
}

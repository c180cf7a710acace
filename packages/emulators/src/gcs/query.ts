/** What handlers read of a query string: read-only, since parsed ones are shared between calls. */
export type QueryParams = Pick<URLSearchParams, 'get' | 'has'>;

/** Parsed query strings by text: the calls in a batch tend to repeat one (`fields=…&ifGenerationMatch=0`). */
const parsed = new Map<string, URLSearchParams>();
const PARSED_CACHE_SIZE = 256;
// The last one, checked first: comparing a fresh string with it is cheaper than hashing it for the map.
let lastText = '';
let lastQuery = new URLSearchParams();

/** `new URLSearchParams(text)`, parsed once per distinct text. */
export function parseQuery(text: string): QueryParams {
  if (text === lastText) return lastQuery;
  let query = parsed.get(text);
  if (query === undefined) {
    query = new URLSearchParams(text);
    if (parsed.size >= PARSED_CACHE_SIZE) parsed.clear();
    parsed.set(text, query);
  }
  lastText = text;
  lastQuery = query;
  return query;
}

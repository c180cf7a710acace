const ISO_CACHE_SIZE = 100_000;
const isoCache = new Map<number, string>();

/**
 * `new Date(ms).toISOString()`, formatted once per instant: emulators repeat their times (a resource's
 * created = updated, listings repeat resources, many requests start in one millisecond).
 */
export function isoTime(ms: number): string {
  let text = isoCache.get(ms);
  if (text === undefined) {
    if (isoCache.size >= ISO_CACHE_SIZE) isoCache.clear();
    text = new Date(ms).toISOString();
    isoCache.set(ms, text);
  }
  return text;
}

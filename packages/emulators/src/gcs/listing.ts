import { invalid } from './errors.js';
import type { QueryParams } from './query.js';
import type { ObjectVersion } from './records.js';
import { compareNames, SortedNames } from './sorted-names.js';
import type { BucketState } from './store.js';

export interface ListQuery {
  prefix: string;
  delimiter?: string;
  startOffset?: string;
  endOffset?: string;
  maxResults: number;
  pageToken?: string;
  versions: boolean;
  softDeleted: boolean;
  includeTrailingDelimiter: boolean;
}

export interface ListPage {
  items: ObjectVersion[];
  prefixes: string[];
  nextPageToken?: string;
}

/** GCS returns at most this many items plus prefixes per page. */
export const MAX_PAGE = 1000;

/** Where the next page resumes: after one generation of a name, or past every name under a prefix. */
type Cursor = { after: string; generation?: number } | { skip: string };

const encodeToken = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');

function decodeToken(token: string): Cursor {
  try {
    const c = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Cursor;
    if (typeof c === 'object' && c !== null && ('after' in c || 'skip' in c)) return c;
  } catch {
    // fall through to the error below
  }
  throw invalid('Invalid page token.');
}

export function listQuery(query: QueryParams): ListQuery {
  const max = query.get('maxResults');
  const maxResults = max === null ? MAX_PAGE : Number(max);
  if (!Number.isInteger(maxResults) || maxResults < 1) throw invalid(`Invalid value for maxResults: ${max}`);
  return {
    prefix: query.get('prefix') ?? '',
    delimiter: query.get('delimiter') || undefined,
    startOffset: query.get('startOffset') || undefined,
    endOffset: query.get('endOffset') || undefined,
    maxResults: Math.min(maxResults, MAX_PAGE),
    pageToken: query.get('pageToken') || undefined,
    versions: query.get('versions') === 'true',
    softDeleted: query.get('softDeleted') === 'true',
    includeTrailingDelimiter: query.get('includeTrailingDelimiter') === 'true',
  };
}

/** A page with nothing on it whose token resumes where the listing starts (see GcsQuirks.emptyFirstListPage). */
export const emptyFirstPage = (): ListPage => ({ items: [], prefixes: [], nextPageToken: encodeToken({ after: '' }) });

/**
 * One page of a bucket listing, walking the sorted name index from the first candidate
 * (so a page costs O(log n + page), and a delimiter skips a whole "directory" in one search).
 */
export function listObjects(b: BucketState, q: ListQuery): ListPage {
  const names = q.softDeleted ? sortedOf(b.softDeletedNames()) : q.versions ? b.versionedNames : b.liveNames;
  const generationsOf = (name: string): ObjectVersion[] =>
    q.softDeleted
      ? [...(b.softDeleted.get(name) ?? [])].sort((x, y) => x.generation - y.generation)
      : q.versions
        ? b.versionsOf(name)
        : [b.live.get(name)!];
  const cursor = q.pageToken ? decodeToken(q.pageToken) : undefined;
  let start = q.prefix;
  if (q.startOffset && compareNames(q.startOffset, start) > 0) start = q.startOffset;
  let i = names.lowerBound(start);
  if (cursor && 'skip' in cursor) i = Math.max(i, names.endOfPrefix(cursor.skip, names.lowerBound(cursor.skip)));
  if (cursor && 'after' in cursor) i = Math.max(i, names.lowerBound(cursor.after));

  const page: ListPage = { items: [], prefixes: [] };
  const full = () => page.items.length + page.prefixes.length >= q.maxResults;
  let last: Cursor | undefined;
  // Where the prefix and endOffset stop the listing, found once by search instead of a comparison per name.
  let end = names.endOfPrefix(q.prefix, names.lowerBound(q.prefix));
  if (q.endOffset) end = Math.min(end, names.lowerBound(q.endOffset));
  for (; i < end; i++) {
    const name = names.at(i);
    const cut = q.delimiter ? name.indexOf(q.delimiter, q.prefix.length) : -1;
    if (cut >= 0) {
      const dir = name.slice(0, cut + q.delimiter!.length);
      if (full()) break;
      page.prefixes.push(dir);
      if (q.includeTrailingDelimiter && name === dir) page.items.push(...generationsOf(name));
      last = { skip: dir };
      i = names.endOfPrefix(dir, i) - 1;
      continue;
    }
    let stopped = false;
    for (const v of generationsOf(name)) {
      // A live-only listing never repeats a name, even if it was overwritten between pages.
      if (
        cursor &&
        'after' in cursor &&
        name === cursor.after &&
        (!(q.versions || q.softDeleted) || v.generation <= (cursor.generation ?? Infinity))
      )
        continue;
      if (full()) {
        stopped = true;
        break;
      }
      page.items.push(v);
      last = { after: name, generation: v.generation };
    }
    if (stopped) {
      page.nextPageToken = encodeToken(last!);
      return page;
    }
  }
  if (i < end && full() && last) page.nextPageToken = encodeToken(last);
  return page;
}

function sortedOf(names: string[]): SortedNames {
  const sorted = new SortedNames();
  sorted.reset(names);
  return sorted;
}

import { existsSync, readFileSync } from 'node:fs';
import { filterRequests, isMutating, type RecordedRequest, type RequestFilter } from '@gwctl/emulators/common';
import { sandboxFiles } from './paths.js';

/**
 * The request log a sandbox appends to, read back by another process. The sandbox may be mid-append while
 * we read, so a torn last line is skipped rather than failing the whole read.
 */
export function readSandboxRequests(
  dir: string,
  filter: RequestFilter & { mutating?: boolean } = {},
): RecordedRequest[] {
  const file = sandboxFiles(dir).requests;
  if (!existsSync(file)) return [];
  const entries: RecordedRequest[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (!line) continue;
    try {
      entries.push(JSON.parse(line) as RecordedRequest);
    } catch {
      // torn by a concurrent append
    }
  }
  const { mutating, ...selected } = filter;
  const found = filterRequests(entries, selected);
  return mutating ? found.filter(isMutating) : found;
}

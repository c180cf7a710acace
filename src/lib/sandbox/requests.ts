import { existsSync, readFileSync } from 'node:fs';
import { filterRequests, type RecordedRequest, type RequestFilter } from '@gwctl/emulators/common';
import { sandboxFiles } from './paths.js';

/** The request log a sandbox appends to, read back by another process. */
export function readSandboxRequests(dir: string, filter: RequestFilter = {}): RecordedRequest[] {
  const file = sandboxFiles(dir).requests;
  if (!existsSync(file)) return [];
  const entries = readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as RecordedRequest);
  return filterRequests(entries, filter);
}

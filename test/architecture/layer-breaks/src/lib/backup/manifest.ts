// Break: a cycle made of type-only imports (manifest ↔ entries).
import type { Entry } from './entries.js';

export interface Manifest {
  entries: Entry[];
}

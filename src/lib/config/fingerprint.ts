import { statSync } from 'node:fs';
import { dirname, extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// What validating gwctl.yaml depends on besides its text: gwctl's version, Node's, and the code that parses
// and validates (these modules, yaml and zod). The file's path, the cwd and the environment play no part.
// That code is identified by its files' size and times, never read or imported: a cache hit must not load
// it, and stat is cheaper than hashing (any rewrite of a file, by a build or an install, changes its ctime).
const here = dirname(fileURLToPath(import.meta.url));
const ext = extname(fileURLToPath(import.meta.url)); // .js when built; .ts under tsx (bin/dev.js) and vitest
const PARSER_MODULES = ['load', 'schema', 'bucket-name', 'environments'].map((name) => join(here, `${name}${ext}`));
const PARSER_PACKAGES = ['yaml', 'zod'];

/** Changes whenever a cached validation could differ from a fresh one; throws if the parser cannot be found. */
export function parserFingerprint(gwctlVersion: string): string {
  const files = [...PARSER_MODULES, ...PARSER_PACKAGES.map(packageJson)];
  const ids = files.map((file) => {
    const st = statSync(file);
    return `${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  });
  return `gwctl ${gwctlVersion}; node ${process.version}; parser ${quickHash(ids.join(' ')).toString(36)}`;
}

/** The package.json of the package an import of `name` from here resolves to (node_modules, nearest first). */
function packageJson(name: string): string {
  for (let dir = here; ; dir = dirname(dir)) {
    const candidate = join(dir, 'node_modules', name, 'package.json');
    if (statSync(candidate, { throwIfNoEntry: false })) return candidate;
    if (dirname(dir) === dir) throw new Error(`${name} not found`);
  }
}

/**
 * cyrb53, a fast 53-bit string hash. Not cryptographic, and need not be: it shortens the fingerprint and
 * names cache files, while the config text itself is compared in full. (node:crypto costs ~8 ms to load.)
 */
export function quickHash(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

// The architecture, checked by `npm run lint` (dependency-cruiser): commands → capabilities → cloud → core,
// no import cycles (type-only imports included), SDKs only in src/lib/cloud, the emulators only in the sandbox.
// Layers are directories, so a file added to one is checked without touching this list; a new directory under
// src/lib/ is a capability unless it is named as core below. test/architecture/layers.test.ts proves each rule
// rejects a deliberate break.
import { fileURLToPath } from 'node:url';

/** Directories of src/lib/ that every layer may use and that use nothing above them. */
const CORE_DIRS = ['audit', 'checksums', 'config', 'errors', 'home', 'plan', 'stats', 'tlog', 'ui'];
const CORE = `^src/lib/(${CORE_DIRS.join('|')})/`;
const CLOUD = '^src/lib/cloud/';
const CAPABILITY = `^src/lib/(?!(${[...CORE_DIRS, 'cloud'].join('|')})/)[^/]+/`;
const COMMANDS = ['^src/commands/', '^src/base-command\\.ts$'];
const SDKS = '(^|/)node_modules/(@google-cloud|@kubernetes|@grpc|mongodb|google-auth-library|google-gax)/';
const EMULATORS = '(^|/)packages/emulators/|(^|/)node_modules/@gwctl/emulators/';

/** @type {import('dependency-cruiser').IConfiguration} */
export default {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'An import cycle (type-only imports count): split the shared part into a module both import.',
      severity: 'error',
      from: { path: '^(src|packages/[^/]+/src)/' },
      to: { circular: true },
    },
    {
      name: 'core-imports-no-layer-above',
      comment: 'Core (config, audit, errors, ui, plan, tlog, …) is used by every layer and uses none of them.',
      severity: 'error',
      from: { path: CORE },
      to: { path: [CLOUD, CAPABILITY, ...COMMANDS] },
    },
    {
      name: 'cloud-imports-no-capability',
      comment: 'src/lib/cloud wraps the SDKs for the capabilities; it knows none of them (shared types go to core).',
      severity: 'error',
      from: { path: CLOUD },
      to: { path: [CAPABILITY, ...COMMANDS] },
    },
    {
      name: 'capability-imports-no-command',
      comment: 'Commands call the capabilities, never the other way round.',
      severity: 'error',
      from: { path: CAPABILITY },
      to: { path: COMMANDS },
    },
    {
      name: 'sdk-only-in-cloud',
      comment: 'Google and Kubernetes SDKs (their types too) are imported only under src/lib/cloud.',
      severity: 'error',
      from: { path: '^src/', pathNot: CLOUD },
      to: { path: SDKS },
    },
    {
      name: 'emulators-only-in-sandbox',
      comment: 'Product code never imports the emulators; only src/lib/sandbox runs them (tests and bench may).',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/lib/sandbox/' },
      to: { path: EMULATORS },
    },
    {
      name: 'emulators-import-no-product-code',
      comment: 'The emulators package stands alone: it speaks for Google and Kubernetes, not for gwctl.',
      severity: 'error',
      from: { path: '^packages/emulators/src/' },
      to: { path: '^src/' },
    },
  ],
  options: {
    // Type-only imports are dependencies too: a cycle through `import type` is still a cycle.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: fileURLToPath(new URL('./tsconfig.json', import.meta.url)) },
    doNotFollow: { path: 'node_modules' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['types', 'import', 'node', 'default'],
      extensions: ['.ts', '.js', '.mjs', '.cjs', '.d.ts'],
    },
  },
};

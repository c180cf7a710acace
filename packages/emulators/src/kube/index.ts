export { startKubeEmulator, type KubeEmulator, type KubeEmulatorOptions } from './server.js';
export type { KubeObject } from './store.js';
export type { AccessDenial } from './access-review.js';

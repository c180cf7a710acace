export { startKubeEmulator, type KubeEmulator, type KubeEmulatorOptions } from './server.js';
export type { KubeObject } from './store.js';

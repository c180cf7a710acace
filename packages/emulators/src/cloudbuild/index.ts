export {
  startCloudBuildEmulator,
  type CloudBuildEmulator,
  type CloudBuildEmulatorOptions,
} from './cloudbuild-emulator.js';
export type { BuildTrigger, TriggerSeed } from './trigger-store.js';

export { startGcsEmulator, type GcsEmulator, type GcsEmulatorOptions, type SeedObject } from './emulator.js';
export type { GcsQuirks } from './context.js';
export type { SweepResult } from './lifecycle.js';
export { DAY_MS } from './records.js';

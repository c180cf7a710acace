export { startKmsEmulator, type KmsEmulator, type KmsEmulatorOptions } from './kms-emulator.js';

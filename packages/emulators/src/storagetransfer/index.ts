export {
  startStorageTransferEmulator,
  type StorageTransferEmulator,
  type StorageTransferEmulatorOptions,
} from './storagetransfer-emulator.js';
export type { ObjectFault, RunFault } from './transfer-run.js';
export type { RpcCode } from './transfer-error.js';
export type { TransferJob, TransferSpec } from './transfer-job.js';
export type { StoredOperation, TransferCounters, TransferOperation, TransferStore } from './transfer-store.js';

// Real SDK clients wired to the emulators (as fake-gcs-server's `Server.Client()`), for tests and benches.
export { errorOf, gcsClient } from './gcs.js';
export {
  jsonPatch,
  kubeClients,
  kubeConfigFor,
  mergePatch,
  statusOf,
  strategicMergePatch,
  type KubeClients,
} from './kube.js';
export { startMongoTarget, usingRealMongo, type MongoTarget } from './mongo.js';
export { startFirestoreTarget, type FirestoreTarget } from './firestore.js';
export { acceptsConnections, isLoopback, listeningSockets, networkAddresses, type Listener } from './listeners.js';
export { startMonitoringTarget, type MonitoringTarget } from './monitoring.js';
export {
  getTransferOperation,
  listTransferOperations,
  plainTransferOperation,
  startStorageTransferTarget,
  storageTransferClientOptions,
  type PlainOperation,
  type StorageTransferTarget,
} from './storagetransfer.js';

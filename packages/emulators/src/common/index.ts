export { FaultInjector, ratesFromProbability, type FaultRates } from './faults.js';
export {
  filterRequests,
  isMutating,
  MONGO_READ_COMMANDS,
  READ_ONLY_METHODS,
  RequestLog,
  type InjectedFault,
  type RecordedRequest,
  type RequestFilter,
} from './request-log.js';
export {
  makePrivateDir,
  openPrivateFile,
  replacePrivateFile,
  tightenTree,
  writePrivateFile,
  PRIVATE_DIR_MODE,
  PRIVATE_FILE_MODE,
} from './private-files.js';

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

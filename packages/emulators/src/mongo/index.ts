export { startMongoEmulator, type MongoEmulator, type MongoEmulatorOptions } from './server.js';
export { MONGO_READ_COMMANDS } from '../common/request-log.js';

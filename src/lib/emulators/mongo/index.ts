export { startMongoEmulator, MONGO_READ_COMMANDS, type MongoEmulator, type MongoEmulatorOptions } from './server.js';

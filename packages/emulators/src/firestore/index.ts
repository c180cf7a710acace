export { startFirestoreEmulator, type FirestoreEmulator } from './server.js';

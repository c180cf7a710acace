export type { KeyevBackend, KeyevStore } from './store.js';
export { openKeyev } from './open.js';
export { configMapKeyProblem, firestoreIdProblem } from './key-rules.js';

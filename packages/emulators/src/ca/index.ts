export { createLocalCa, type LocalCa } from './local-ca.js';

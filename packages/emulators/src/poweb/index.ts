export { startPowebStandIn, type PowebStandIn, type PowebStandInOptions } from './poweb-stand-in.js';

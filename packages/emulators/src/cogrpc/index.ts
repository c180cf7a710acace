export { startCogrpcStandIn, type CogrpcStandIn, type CogrpcStandInOptions } from './cogrpc-stand-in.js';

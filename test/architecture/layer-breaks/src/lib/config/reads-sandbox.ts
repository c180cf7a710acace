// Break: core (config) imports a capability (sandbox).
import { sandboxState } from '../sandbox/state.js';

export const configuredSandbox = () => sandboxState();

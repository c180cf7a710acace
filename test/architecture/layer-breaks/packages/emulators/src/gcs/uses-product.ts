// Break: the emulators package imports gwctl's own code.
import { environmentName } from '../../../../src/lib/config/name.js';

export const emulatedEnvironment = () => environmentName('emulated');

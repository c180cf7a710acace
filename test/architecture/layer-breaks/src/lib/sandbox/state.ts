// Allowed: the sandbox runs the emulators, and any layer uses core.
import { startGcsEmulator } from '@gwctl/emulators/gcs';
import { environmentName } from '../config/name.js';

export const sandboxState = () => ({ env: environmentName('sandbox'), start: startGcsEmulator });

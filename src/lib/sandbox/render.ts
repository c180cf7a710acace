import type { Ui } from '../ui/ui.js';
import type { SandboxState } from './state.js';

/** The sandbox's endpoints as a two-column table, as `start` and `status` print them. */
export function renderEndpoints(ui: Ui, endpoints: SandboxState['endpoints']): void {
  ui.table(Object.entries(endpoints), [
    { header: 'service', get: ([k]) => k },
    { header: 'endpoint', get: ([, v]) => v },
  ]);
}

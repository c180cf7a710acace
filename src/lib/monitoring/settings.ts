import { ALERTING_DEFAULTS } from '../config/alerting-defaults.js';
import type { Environment } from '../config/schema.js';

export interface AlertingSettings {
  notificationChannels: string[];
  thresholds: { [K in keyof typeof ALERTING_DEFAULTS.thresholds]: number };
  backends: { poweb: string; pohttp: string; cogrpc: string };
  disable: string[];
}

/** `monitoring.alerting` of the environment with every default filled in (the section may be absent). */
export function alertingSettings(env: Environment): AlertingSettings {
  const a = env.monitoring.alerting;
  return {
    notificationChannels: a?.notificationChannels ?? [],
    thresholds: { ...ALERTING_DEFAULTS.thresholds, ...a?.thresholds },
    backends: { ...ALERTING_DEFAULTS.backends, ...a?.backends },
    disable: a?.disable ?? [],
  };
}

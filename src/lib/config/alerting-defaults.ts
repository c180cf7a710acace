// Kept apart from schema.ts so that using the defaults does not load zod.
/** Defaults of `monitoring.alerting` (gwctl monitoring plan|apply), also applied when the section is absent. */
export const ALERTING_DEFAULTS = {
  thresholds: {
    deliveryP99Ms: 1000,
    deliveryForMinutes: 5,
    error5xxRatio: 0.05,
    error5xxForMinutes: 5,
    lbTimeoutSeconds: 30,
    coldStartWindowMinutes: 10,
    backupIntervalHours: 12,
    uptimePeriodSeconds: 60,
    uptimeTimeoutSeconds: 10,
  },
  /** Substrings of the LB's `backend_target_name` (GKE names backends after the Service). */
  backends: { poweb: 'public-gateway-poweb', pohttp: 'public-gateway-pohttp', cogrpc: 'public-gateway-cogrpc' },
} as const;

/**
 * The sandbox project's alerting as someone left it in the console: one notification channel for
 * `monitoring.alerting.notificationChannels` to name, and one policy gwctl did not make (and must never touch).
 * The Monitoring stand-in keeps them in memory: a restarted sandbox starts from this again.
 */
export const SANDBOX_MONITORING = {
  project: 'gwctl-sandbox',
  notificationChannels: [
    { type: 'email', displayName: 'sandbox-oncall', labels: { email_address: 'oncall@sandbox.invalid' } },
  ],
  alertPolicies: [
    {
      displayName: 'Team dashboard: request rate over 1000/s',
      userLabels: { team: 'sre' },
      combiner: 'OR' as const,
      conditions: [
        {
          displayName: 'LB request rate > 1000/s',
          conditionThreshold: {
            filter:
              'metric.type = "loadbalancing.googleapis.com/https/request_count" AND resource.type = "https_lb_rule"',
            aggregations: [
              { alignmentPeriod: { seconds: 60 }, perSeriesAligner: 'ALIGN_RATE', crossSeriesReducer: 'REDUCE_SUM' },
            ],
            comparison: 'COMPARISON_GT' as const,
            thresholdValue: 1000,
            duration: { seconds: 300 },
          },
        },
      ],
    },
  ],
};

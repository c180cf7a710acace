import { describe, expect, it } from 'vitest';
import { witnessCronJob } from '../../src/lib/schedule/witness-schedule.js';

const base = {
  name: 'relaycorp-prod',
  namespace: 'gwctl-witness',
  log: 'gs://relaycorp-gateway-prod-audit/log/',
  key: 'storage.googleapis.com/relaycorp-gateway-prod-audit/log+af1874f8+AQp/kpV4Y78gPxSIq3A2KW9gCTQ4K5IfSkReSRYVPBkA',
  state: 'gs://example-witness/relaycorp-prod',
  everyMinutes: 15,
  image: 'ghcr.io/relaycorp/gwctl:1.0.0',
  serviceAccount: 'gwctl-witness',
  secret: 'gwctl-witness-key',
};

describe('audit witness schedule', () => {
  it('renders a CronJob that runs one witness round at a time, with the key from a Secret and the state in a bucket', () => {
    const job = witnessCronJob(base);
    expect(job.spec.schedule).toBe('*/15 * * * *');
    expect(job.spec.concurrencyPolicy).toBe('Forbid');
    const container = job.spec.jobTemplate.spec.template.spec.containers[0]!;
    expect(container.args).toEqual([
      'audit',
      'witness',
      '--log',
      base.log,
      '--key',
      base.key,
      '--witness-key',
      '/etc/gwctl-witness/witness.key',
      '--state',
      base.state,
      '--json',
    ]);
    expect(job.spec.jobTemplate.spec.template.spec.volumes[0]).toMatchObject({
      secret: { secretName: 'gwctl-witness-key' },
    });
    expect(job.spec.jobTemplate.spec.backoffLimit).toBe(0);
    expect(witnessCronJob({ ...base, everyMinutes: 120 }).spec.schedule).toBe('0 */2 * * *');
  });

  it('refuses a state a pod would lose, and intervals cron cannot keep evenly', () => {
    expect(() => witnessCronJob({ ...base, state: '/var/lib/witness' })).toThrow(/own bucket/);
    expect(() => witnessCronJob({ ...base, everyMinutes: 7 })).toThrow(/divides the hour/);
  });
});

import { GwctlCommand } from '../../../base-command.js';
import { openBucketAdmin } from '../../../lib/cloud/buckets.js';
import { bucketTtlFlags } from '../../../lib/lifecycle/flags.js';
import { readTtlState } from '../../../lib/lifecycle/bucket-state.js';
import { describeRef, resolveBucket } from '../../../lib/lifecycle/bucket-ref.js';
import { renderTtlReport } from '../../../lib/lifecycle/render.js';
import { describeTtl } from '../../../lib/lifecycle/ttl-report.js';

export default class BucketTtlShow extends GwctlCommand<typeof BucketTtlShow> {
  static override flags = { ...bucketTtlFlags };

  async run() {
    const env = this.environment();
    const ref = resolveBucket(env, this.flags.bucket);
    const admin = await openBucketAdmin(env);
    const report = describeTtl(await readTtlState(admin, ref.name, { scanHolds: this.flags.holds }), ref.role);
    renderTtlReport(this.ui, report, `${describeRef(ref)} in environment ${env.name}`);
    return { env: env.name, ...(ref.role ? { role: ref.role } : {}), ...report };
  }
}

// One gwctl-like writer for the shared-log race test: `changes` write-ahead runs (intent, apply, outcome)
// against the shared log in the GCS emulator, through the built modules. Prints `applied <run>` after each
// run whose outcome was recorded, so the test knows which changes must be in the log.
import { hostname } from 'node:os';
import { openSharedLog } from '../../../dist/lib/audit/shared/open-shared-log.js';
import { FileRunProgress } from '../../../dist/lib/audit/run-progress.js';
import { runWriteAhead } from '../../../dist/lib/audit/write-ahead.js';
import { sharedLogDeps } from '../../../dist/lib/cloud/shared-log-deps.js';

const [gcsUrl, bucket, keyFile, runsDir, worker, changes] = process.argv.slice(2);
const env = { name: 'race', source: '/race/gwctl.yaml', project: 'test', emulators: { storage: gcsUrl } };
const config = {
  env: 'race',
  url: `gs://${bucket}/log/`,
  bucket,
  prefix: 'log/',
  origin: 'race.example/log',
  signer: { kind: 'file', keyFile },
  witnesses: [],
};
const progress = new FileRunProgress(runsDir);
const { sink } = await openSharedLog(config, sharedLogDeps(env, config), { create: true, progress });
for (let i = 0; i < Number(changes); i++) {
  let run;
  await runWriteAhead({
    sink,
    progress,
    intent: {
      operator: `os:worker-${worker}@${hostname()}`,
      command: 'bucket ttl set',
      env: 'race',
      planDigest: `sha256:${worker}-${i}`,
      summary: `worker ${worker} change ${i}`,
      steps: 1,
    },
    apply: async (ctx) => {
      run = ctx.run;
      ctx.stepDone('set-lifecycle');
    },
    warn: (m) => process.stderr.write(`${m}\n`),
  });
  process.stdout.write(`applied ${run}\n`);
}

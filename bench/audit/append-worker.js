// One writer of the contention bench: `changes` write-ahead runs (intent, apply, outcome) on the shared log.
import { openSharedLog } from '../../dist/lib/audit/shared/open-shared-log.js';
import { FileRunProgress } from '../../dist/lib/audit/run-progress.js';
import { runWriteAhead } from '../../dist/lib/audit/write-ahead.js';
import { sharedLogDeps } from '../../dist/lib/cloud/shared-log-deps.js';

const [gcsUrl, bucket, keyFile, runsDir, worker, changes] = process.argv.slice(2);
const env = { name: 'bench', source: '/bench/gwctl.yaml', project: 'bench', emulators: { storage: gcsUrl } };
const config = {
  env: 'bench',
  url: `gs://${bucket}/log/`,
  bucket,
  prefix: 'log/',
  origin: `storage.googleapis.com/${bucket}/log`,
  signer: { kind: 'file', keyFile },
  witnesses: [],
};
const progress = new FileRunProgress(runsDir);
const { sink } = await openSharedLog(config, sharedLogDeps(env, config), { create: true, progress });
// Loaded and ready: the bench starts every writer's appends at once, process start-up left out.
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
for (let i = 0; i < Number(changes); i++)
  await runWriteAhead({
    sink,
    progress,
    intent: {
      operator: `os:bench-${worker}@bench`,
      command: 'bucket ttl set',
      env: 'bench',
      planDigest: `sha256:${worker}-${i}`,
      summary: `writer ${worker} change ${i}`,
      steps: 1,
    },
    apply: async () => undefined,
  });

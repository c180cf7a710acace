// The PoWeb stand-in in a process of its own, so gwctl and curl both measure an outside server.
// Prints one JSON line ({ url, caFile }) when ready; stops when stdin closes.
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLocalCa } from '@gwctl/emulators/ca';
import { startPowebStandIn } from '@gwctl/emulators/poweb';

const ca = await createLocalCa();
const caFile = join(mkdtempSync(join(tmpdir(), 'gwctl-bench-')), 'ca.pem');
writeFileSync(caFile, ca.caPem);
// No added latency: the bench compares how each client times the same fast answers.
const standIn = await startPowebStandIn({
  tls: { key: ca.keyPem, cert: ca.certPem },
  config: { backend: { latencyMs: 0, jitterMs: 0 }, lb: { latencyMs: 0, jitterMs: 0 } },
});
process.stdout.write(`${JSON.stringify({ url: standIn.url, caFile })}\n`);
process.stdin.resume();
process.stdin.on('end', async () => {
  await standIn.close();
  process.exit(0);
});

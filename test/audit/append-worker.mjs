// One gwctl-like writer for the concurrent-append test: `count` appends to `file` through the built sink.
import { FileAuditSink } from '../../dist/lib/audit/file-sink.js';
import { appendEntry } from '../../dist/lib/audit/sink.js';

const [file, worker, count] = process.argv.slice(2);
const sink = new FileAuditSink(file);
for (let i = 0; i < Number(count); i++)
  await appendEntry(sink, {
    operator: `os:worker-${worker}@test`,
    command: 'bucket ttl set',
    env: 'race',
    planDigest: `sha256:${worker}-${i}`,
    summary: `worker ${worker} append ${i}`,
    result: 'applied',
  });

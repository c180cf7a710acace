// A process running the GCS and Storage Transfer Service emulators on data directories (argv: gcsDir stsDir), from the
// built package, so that a test can kill it with -9 in the middle of a run. Prints one JSON line with its endpoints.
import { startGcsEmulator } from '../../dist/gcs/index.js';
import { startStorageTransferEmulator } from '../../dist/storagetransfer/index.js';

const [gcsDir, stsDir] = process.argv.slice(2);
const gcs = await startGcsEmulator({ dataDir: gcsDir });
const sts = await startStorageTransferEmulator({ gcsUrl: gcs.url, dataDir: stsDir, objectDelayMs: 40 });
process.stdout.write(`${JSON.stringify({ gcs: gcs.url, sts: sts.port })}\n`);

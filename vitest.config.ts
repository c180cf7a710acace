import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Tests run the emulators from source; the built CLI (bin/run.js) loads the package's dist.
    alias: [
      {
        find: /^@gwctl\/emulators\/(.*)$/,
        replacement: fileURLToPath(new URL('./packages/emulators/src/$1/index.ts', import.meta.url)),
      },
    ],
  },
  test: {
    include: ['test/**/*.test.ts', 'packages/*/test/**/*.test.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Emulators bind OS-picked ports, so files can run in parallel safely. Most of a test's time is waiting
    // (gwctl processes starting, emulator round trips, timers), so more files run at once than there are cores
    // (vitest's default is one fewer than the cores: a single file at a time on a 2-core machine).
    fileParallelism: true,
    maxWorkers: 4,
    // A worker runs file after file with its module cache kept: the SDKs and emulators load once per worker,
    // not once per file. Safe because no test leaves process-wide state behind: environment variables are
    // restored (vi.stubEnv/unstubAllEnvs, or set and deleted in finally), no module is mocked.
    isolate: false,
  },
});

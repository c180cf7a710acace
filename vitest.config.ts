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
    // Emulators bind OS-picked ports, so files can run in parallel safely.
    fileParallelism: true,
  },
});

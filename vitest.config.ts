import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts', 'components/**/*.test.ts', 'src/**/*.test.ts'],
    // Integration tests share one Temporal dev server and PostgreSQL; keep files in separate forks.
    pool: 'forks',
    // two files at a time: most e2e files wait on Temporal, servers and schedules rather than
    // compute, and vitest's default on a 2-core machine (cores - 1) ran them one by one
    maxWorkers: 2,
    globalSetup: ['test/global-setup.ts'],
    testTimeout: 120_000,
    hookTimeout: 180_000,
    // only the type tests' own assertions: `npm test` runs tsc over the whole tree first
    typecheck: { enabled: true, include: ['test/**/*.test-d.ts'], ignoreSourceErrors: true },
  },
});

import { defineConfig } from 'vitest/config';

// End-to-end tests open real sockets and child processes; the machine has 2 cores, so files run
// with limited parallelism and generous timeouts (timeouts bound hangs, they assert nothing).
export default defineConfig({
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', 'dist/**'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
  },
});

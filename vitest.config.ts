import { defineConfig } from 'vitest/config';

// Engine-backed tests run real guest code; keep per-test timeouts generous and run files in
// separate processes (each Unicorn instance is native memory owned by that process).
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    maxWorkers: 2,
  },
});

import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 120_000,
    hookTimeout: 120_000,
    pool: 'forks',
    // Vitest's default is one fork less than the cores, which is one fork on the 2-core CI machine;
    // the long files (wasm/cpu training, soak, parity) are single-threaded, so two forks halve the wall time.
    maxWorkers: 2,
  },
});

import { BaseSequencer, type TestSpecification } from 'vitest/node';
import { defineConfig } from 'vitest/config';

/**
 * The files that take longest (measured 2026-12-05 on the 2-core CI machine), longest first. A
 * fresh clone has no timing cache, so Vitest would start its largest files first, and these are
 * small: started last, one of them kept one fork busy for a minute after the other had finished.
 */
const SLOW_FIRST = ['baseline-parity', 'train-determinism', 'compress-job', 'cancel-stages', 'soak', 'train-from-scratch', 'zoo', 'recon-allocation', 'sensitivity-job'].map((n) => `tests/unit/${n}.test.ts`);

class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (f: TestSpecification) => {
      const i = SLOW_FIRST.findIndex((s) => f.moduleId.endsWith(s));
      return i < 0 ? SLOW_FIRST.length : i;
    };
    // Array.prototype.sort is stable: the rest keep the order Vitest chose.
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}

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
    // Files share their fork's module cache instead of importing tfjs and the engine afresh each
    // (isolated: 224 s for the suite, 43 s of it imports; shared: 158-196 s, 2026-12-06). What a
    // file could leave behind for the next is the active tfjs backend: the setup file starts every
    // file on wasm. Leak checks compare tf.memory() within a file, so they still hold.
    isolate: false,
    setupFiles: ['tests/unit/fresh-backend.ts'],
    sequence: { sequencer: SlowFirstSequencer },
  },
});

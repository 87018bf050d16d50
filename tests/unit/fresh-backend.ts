/**
 * Runs before every unit test file (vitest.config.ts setupFiles). Files share a process, so the
 * backend a file left active would otherwise be the next file's: every file starts on wasm, the
 * backend the studio computes on (a file that needs another one selects it itself).
 */
import { initBackend } from '../../src/engine/backend/init';

await initBackend('wasm');

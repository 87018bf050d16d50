/** Copies the tfjs wasm backend's .wasm binaries to public/tfjs-wasm/, so they are served locally. */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function copyWasmBinaries(root: string): void {
  const src = join(root, 'node_modules', '@tensorflow', 'tfjs-backend-wasm', 'dist');
  const dst = join(root, 'public', 'tfjs-wasm');
  mkdirSync(dst, { recursive: true });
  for (const f of readdirSync(src).filter((n) => n.endsWith('.wasm'))) {
    const to = join(dst, f);
    if (!existsSync(to) || statSync(to).size !== statSync(join(src, f)).size) copyFileSync(join(src, f), to);
  }
}

/**
 * Copies TFLite's wasm runtime (@tensorflow/tfjs-tflite: tflite_web_api_cc*.js/.wasm, with and
 * without SIMD and threads) to public/tflite-wasm/, where the engine worker loads it from.
 */
export function copyTfliteWasm(root: string): void {
  const src = join(root, 'node_modules', '@tensorflow', 'tfjs-tflite', 'wasm');
  const dst = join(root, 'public', 'tflite-wasm');
  mkdirSync(dst, { recursive: true });
  for (const f of readdirSync(src).filter((n) => /^tflite_web_api_cc[a-z_]*\.(js|wasm)$/.test(n))) {
    const to = join(dst, f);
    if (!existsSync(to) || statSync(to).size !== statSync(join(src, f)).size) copyFileSync(join(src, f), to);
  }
}

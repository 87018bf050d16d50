/**
 * Copies the wasm runtimes from node_modules to public/, so the studio serves them itself (never
 * from a CDN). Files already there with the same size are left alone.
 */
import { copyFileSync, existsSync, mkdirSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

function copyMatching(root: string, from: string[], to: string, name: RegExp): void {
  const src = join(root, 'node_modules', ...from);
  const dst = join(root, 'public', to);
  mkdirSync(dst, { recursive: true });
  for (const f of readdirSync(src).filter((n) => name.test(n))) {
    const out = join(dst, f);
    if (!existsSync(out) || statSync(out).size !== statSync(join(src, f)).size) copyFileSync(join(src, f), out);
  }
}

/** The tfjs wasm backend's .wasm binaries, to public/tfjs-wasm/. */
export function copyWasmBinaries(root: string): void {
  copyMatching(root, ['@tensorflow', 'tfjs-backend-wasm', 'dist'], 'tfjs-wasm', /\.wasm$/);
}

/**
 * TFLite's wasm runtime from @tensorflow/tfjs-tflite (tflite_web_api_cc*.js/.wasm, with and
 * without SIMD and threads), to public/tflite-wasm/.
 */
export function copyTfliteWasm(root: string): void {
  copyMatching(root, ['@tensorflow', 'tfjs-tflite', 'wasm'], 'tflite-wasm', /^tflite_web_api_cc[a-z_]*\.(js|wasm)$/);
}

/**
 * LiteRT.js' wasm runtime from @litertjs/core (litert_wasm_*internal.js/.wasm: the relaxed-SIMD,
 * compat and threaded builds), to public/litert-wasm/. Its JSPI build (for WebGPU/WebNN
 * partitioning) is left out: the studio runs LiteRT.js on the CPU only.
 */
export function copyLiteRtWasm(root: string): void {
  copyMatching(root, ['@litertjs', 'core', 'wasm'], 'litert-wasm', /^litert_wasm_(compat_|threaded_)?internal\.(js|wasm)$/);
}

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

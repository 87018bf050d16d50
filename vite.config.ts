import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// Cross-origin isolation lets the tfjs wasm backend use threads (SharedArrayBuffer).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react()],
  server: { headers: isolation },
  preview: { headers: isolation },
  worker: { format: 'es' },
  // Not minified: the tfjs wasm backend starts its pthread workers from the source text of its
  // module factory, which minification rewrites to reference bundle-scope names the worker
  // lacks ("e is not defined"), and threads then fail.
  build: { target: 'es2022', chunkSizeWarningLimit: 8192, minify: false },
});

import { defineConfig, type Plugin } from 'vite';
import react from '@vitejs/plugin-react';
import type { OutgoingHttpHeaders, ServerResponse } from 'node:http';

// Cross-origin isolation lets the tfjs wasm backend use threads (SharedArrayBuffer).
const isolation = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

/**
 * Content-Security-Policy for the built studio: scripts only from this origin, no eval;
 * 'wasm-unsafe-eval' lets the tfjs wasm backends compile WebAssembly, and blob: workers are how
 * their pthreads start. Styles allow inline attributes (React style props, recharts). The dev
 * server goes without it because React Refresh injects an inline script.
 */
export const CSP = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval' blob:",
  "worker-src 'self' blob:",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "connect-src 'self' blob: data:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** The same policy as a meta tag in the built index.html, for hosts that cannot set headers. */
const cspMeta: Plugin = {
  name: 'studio-csp-meta',
  apply: 'build',
  transformIndexHtml: (html) => html.replace('<head>', `<head>\n    <meta http-equiv="Content-Security-Policy" content="${CSP.replace("; frame-ancestors 'none'", '')}" />`),
};

/**
 * TFLite's wasm runtime (@tensorflow/tfjs-tflite) builds its JS bindings with `new Function`
 * (emscripten embind), so the TFLite worker's script alone is served with 'unsafe-eval'; the page
 * and the engine worker keep the policy above. A worker's CSP comes from its own script's
 * response, so this does not loosen the page.
 */
export const TFLITE_WORKER_CSP = CSP.replace("script-src 'self'", "script-src 'self' 'unsafe-eval'");
const tfliteWorkerCsp: Plugin = {
  name: 'studio-tflite-worker-csp',
  configurePreviewServer(server) {
    server.middlewares.use((req, res, next) => {
      if (/\/assets\/tflite\.worker-[\w-]+\.js$/.test((req.url ?? '').split('?')[0])) {
        // The static middleware sets preview.headers later; swap its policy for this response.
        const setHeader = res.setHeader.bind(res);
        res.setHeader = ((name: string, value: number | string | readonly string[]) => setHeader(name, name.toLowerCase() === 'content-security-policy' ? TFLITE_WORKER_CSP : value)) as typeof res.setHeader;
      }
      next();
    });
  },
};

/**
 * STUDIO_PREVIEW_GZIP=0 serves the preview uncompressed. vite preview gzips every response as it
 * sends it, 0.18 CPU-s per page open for the two scripts (4 and 2 MB, not minified: below); the
 * end-to-end suite's server shares 2 cores with its browsers and gains nothing over loopback.
 */
const previewWithoutGzip: Plugin = {
  name: 'studio-preview-without-gzip',
  configurePreviewServer(server) {
    if (process.env.STUDIO_PREVIEW_GZIP !== '0') return;
    server.middlewares.use((req, _res, next) => {
      delete req.headers['accept-encoding'];
      next();
    });
  },
};

/**
 * The datasets' .gz files are served as the files they are (application/gzip). sirv, vite's static
 * server, marks any .gz response `Content-Encoding: gzip`, so the browser inflated the whole file
 * on every read: all of MNIST's training images (47 MB, about 0.6 s) for the 64 a calibration
 * takes, where the engine inflates only the records a job needs (src/engine/data/head.ts) and
 * checks the CRC of the files it reads whole. Static hosts mostly serve .gz this way already.
 */
function servesGzipAsFile(url: string | undefined): boolean {
  return /^\/data\/.+\.gz$/.test((url ?? '').split('?')[0]);
}
const gzipAsFile: Plugin = (() => {
  const middleware = (req: { url?: string }, res: ServerResponse, next: () => void) => {
    if (servesGzipAsFile(req.url)) {
      const writeHead = res.writeHead.bind(res) as (code: number, headers?: OutgoingHttpHeaders) => ServerResponse;
      res.writeHead = ((code: number, headers?: OutgoingHttpHeaders) => {
        res.removeHeader('Content-Encoding');
        if (!headers) return writeHead(code);
        const rest = Object.fromEntries(Object.entries(headers).filter(([name]) => name.toLowerCase() !== 'content-encoding' && name.toLowerCase() !== 'content-type'));
        return writeHead(code, { ...rest, 'Content-Type': 'application/gzip' });
      }) as typeof res.writeHead;
    }
    next();
  };
  return { name: 'studio-gzip-as-file', configureServer: (server) => void server.middlewares.use(middleware), configurePreviewServer: (server) => void server.middlewares.use(middleware) };
})();

export default defineConfig({
  plugins: [react(), cspMeta, tfliteWorkerCsp, previewWithoutGzip, gzipAsFile],
  server: { headers: isolation },
  preview: { headers: { ...isolation, 'Content-Security-Policy': CSP } },
  worker: { format: 'es' },
  // The dev server would find the workers' dependencies only when a worker first starts, then
  // re-bundle them and reload the page, ending the job that started it: scan the workers up front.
  optimizeDeps: { entries: ['index.html', 'src/workers/*.worker.ts'] },
  // Not minified: the tfjs wasm backend starts its pthread workers from the source text of its
  // module factory, which minification rewrites to reference bundle-scope names the worker
  // lacks ("e is not defined"), and threads then fail.
  build: { target: 'es2022', chunkSizeWarningLimit: 8192, minify: false },
});

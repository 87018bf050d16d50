/**
 * Loading an emscripten "classic script" glue file inside the studio's module workers.
 *
 * Both TFLite runtimes (@tensorflow/tfjs-tflite and @litertjs/core) load their emscripten glue with
 * importScripts and then read the factory it declares as a global. In a module worker
 * importScripts throws, and the studio's Content-Security-Policy forbids eval. So the glue is
 * fetched and imported beforehand as a module from a blob URL (allowed: script-src blob:), with one
 * line appended that puts its factory on the global object, and importScripts becomes a check that
 * the factory is there. Outside a module worker this does nothing (the loaders work as they are).
 */
import { StudioError } from '../errors';

type Scope = typeof globalThis & { importScripts?: (...urls: Array<string | URL>) => void } & Record<string, unknown>;

/** True in a module worker, where importScripts exists but throws. */
function inModuleWorker(): boolean {
  const scope = globalThis as Scope;
  // eslint-disable-next-line no-restricted-globals -- a probe for the main thread, not a use of the DOM
  if (typeof window !== 'undefined' || typeof scope.importScripts !== 'function') return false;
  try {
    scope.importScripts();
    return false; // a classic worker: the real importScripts works
  } catch {
    return true;
  }
}

/**
 * Imports the glue at `url` so that `globalThis[factory]` holds its factory, in a module worker.
 * `folder` names where `npm run prepare-data` puts the file, for the error message.
 */
export async function preloadGlue(url: string, factory: string, folder: string): Promise<void> {
  if (!inModuleWorker()) return;
  const scope = globalThis as Scope;
  if (!scope[factory]) {
    const res = await fetch(url);
    if (!res.ok) throw new StudioError('dataset-missing', `Could not load the runtime script ${url}: HTTP ${res.status}. Run "npm run prepare-data", which copies it to ${folder}.`, { fileName: url });
    const text = await res.text();
    const blob = new Blob([text, `\n;globalThis.${factory} = ${factory};\n`], { type: 'text/javascript' });
    const blobUrl = URL.createObjectURL(blob);
    try {
      await import(/* @vite-ignore */ blobUrl);
    } finally {
      URL.revokeObjectURL(blobUrl);
    }
  }
  scope.importScripts = (...urls: Array<string | URL>) => {
    if (!scope[factory]) throw new StudioError('internal', `The runtime glue ${urls.map(String).join(', ')} was not preloaded.`, {}, 'bug');
  };
}

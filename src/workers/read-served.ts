/**
 * A file the studio's own server serves (models, datasets, runtimes), as bytes, for the workers'
 * jobs. A missing file and a server that does not answer (stopped, or the connection dropped
 * mid-file) are both named with the file and what to do, never left as a bare "Failed to fetch",
 * which the page would show as an internal error.
 */
import { StudioError } from '../engine/errors';

export async function readServed(origin: string, path: string): Promise<Uint8Array> {
  let res: Response;
  let bytes: ArrayBuffer;
  try {
    res = await fetch(new URL(path, origin).href);
    if (!res.ok) throw new StudioError('dataset-missing', `Could not load ${path}: HTTP ${res.status}. Run "npm start", which prepares data and models.`, { fileName: path, status: res.status });
    bytes = await res.arrayBuffer();
  } catch (e) {
    if (e instanceof StudioError) throw e;
    const why = e instanceof Error ? e.message : String(e);
    throw new StudioError('download-failed', `Could not load ${path}: the studio's server did not answer (${why}). If it was started with "npm start", start it again, then reload the page.`, { fileName: path });
  }
  return new Uint8Array(bytes);
}

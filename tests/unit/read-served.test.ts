/**
 * workers/read-served.ts: a served file as bytes; a missing file names its HTTP status, and a
 * server that does not answer (fetch rejects, or the body breaks off) is a named user error, not
 * the "Internal error" a bare TypeError became on the page.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { StudioError } from '../../src/engine/errors';
import { readServed } from '../../src/workers/read-served';

const ORIGIN = 'http://127.0.0.1:4173/';

afterEach(() => vi.unstubAllGlobals());

async function failure(p: Promise<unknown>): Promise<StudioError> {
  const e: unknown = await p.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StudioError);
  return e as StudioError;
}

describe('readServed', () => {
  it('gives the bytes of the file at the path under the origin', async () => {
    const fetch = vi.fn(async () => new Response(new Uint8Array([1, 2, 3])));
    vi.stubGlobal('fetch', fetch);
    expect(Array.from(await readServed(ORIGIN, 'models/index.json'))).toEqual([1, 2, 3]);
    expect(fetch).toHaveBeenCalledWith('http://127.0.0.1:4173/models/index.json');
  });

  it('names a missing file with its status and what to run', async () => {
    vi.stubGlobal('fetch', async () => new Response('not here', { status: 404 }));
    const e = await failure(readServed(ORIGIN, 'data/mnist/t10k-images-idx3-ubyte.gz'));
    expect(e.code).toBe('dataset-missing');
    expect(e.kind).toBe('user');
    expect(e.message).toBe('Could not load data/mnist/t10k-images-idx3-ubyte.gz: HTTP 404. Run "npm start", which prepares data and models.');
  });

  it('names a server that does not answer, with the file and what to do', async () => {
    vi.stubGlobal('fetch', async () => Promise.reject(new TypeError('Failed to fetch')));
    const e = await failure(readServed(ORIGIN, 'models/custom-cnn-mnist/model.json'));
    expect(e.code).toBe('download-failed');
    expect(e.kind).toBe('user');
    expect(e.message).toBe('Could not load models/custom-cnn-mnist/model.json: the studio\'s server did not answer (Failed to fetch). If it was started with "npm start", start it again, then reload the page.');
    expect(e.context).toEqual({ fileName: 'models/custom-cnn-mnist/model.json' });
  });

  it('names a body that breaks off the same way', async () => {
    const broken = new Response(new ReadableStream({ pull: (c) => c.error(new TypeError('network error')) }));
    vi.stubGlobal('fetch', async () => broken);
    const e = await failure(readServed(ORIGIN, 'data/cifar10/test_batch.bin.gz'));
    expect(e.code).toBe('download-failed');
    expect(e.message).toContain('(network error)');
  });
});

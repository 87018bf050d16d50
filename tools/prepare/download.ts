/** HTTP download with progress output, a size check against Content-Length, and an MD5 check. */
import { createHash } from 'node:crypto';

export class DownloadError extends Error {}

export interface DownloadOptions {
  log?: (line: string) => void;
  timeoutMs?: number;
}

export function md5(bytes: Uint8Array): string {
  return createHash('md5').update(bytes).digest('hex');
}

export function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export async function download(url: string, expectedMd5: string, label: string, opts: DownloadOptions = {}): Promise<Uint8Array> {
  const log = opts.log ?? (() => {});
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs ?? 10 * 60_000) });
  } catch (e) {
    throw new DownloadError(`${label}: could not download ${url}: ${(e as Error).cause ?? (e as Error).message}`);
  }
  if (!res.ok || !res.body) throw new DownloadError(`${label}: ${url} answered HTTP ${res.status}`);
  const declared = Number(res.headers.get('content-length') ?? NaN);
  const chunks: Uint8Array[] = [];
  let received = 0;
  let nextReport = 0.1;
  const reader = res.body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      if (Number.isFinite(declared) && received / declared >= nextReport) {
        log(`  ${label}: ${Math.floor((received / declared) * 100)}% of ${(declared / 1e6).toFixed(1)} MB`);
        nextReport += 0.1;
      }
    }
  } catch (e) {
    throw new DownloadError(`${label}: download of ${url} broke off after ${received} bytes (${(e as Error).message})`);
  }
  if (Number.isFinite(declared) && received !== declared) {
    throw new DownloadError(`${label}: download of ${url} is truncated: ${received} of ${declared} bytes`);
  }
  const bytes = new Uint8Array(received);
  let at = 0;
  for (const c of chunks) {
    bytes.set(c, at);
    at += c.length;
  }
  const found = md5(bytes);
  if (found !== expectedMd5) {
    throw new DownloadError(`${label}: checksum mismatch for ${url}: MD5 is ${found}, expected ${expectedMd5}`);
  }
  return bytes;
}

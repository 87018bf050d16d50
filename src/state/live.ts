/**
 * Live updates while the recipe changes: the layer picture follows the selected model and the
 * pruning and quantization settings, and (with live preview on) a preview of the after-figures
 * follows every setting; the picture is then requested once the preview is in. Changes are debounced (a dragged slider sends one request when it
 * rests), and a newer request cancels the one still running, whose answer is dropped. Compress
 * cancels a running preview and clears the shown one: its full measurement replaces it. Once the
 * page rests, the worker makes the next Compress's "before" evaluation ahead of need (requestWarm).
 */
import { serializeError, type SerializedError } from '../engine/errors';
import { validateCompressSettings } from '../engine/jobs/compress-settings';
import { JobError } from '../workers/client';
import type { JobRequest, JobResult } from '../workers/protocol';
import { cancelRequest, modelRef, sideRequest } from './jobs';
import { useStudio, type StudioState } from './store';
import { isBigModel } from '../engine/models/architectures';

/**
 * Milliseconds a setting must rest before its picture, and its preview, are requested. A dragged
 * slider sends an input event every frame (16 ms) and a held arrow key every ~30 ms, so 60 ms
 * without one (twice the key's repeat) means the user has stopped; every millisecond here is part
 * of the preview's latency (issue 19's target: the first figure within 1 s of the slider
 * stopping), and a preview that starts too early is only cancelled by the next one.
 */
export const PICTURE_DEBOUNCE_MS = 150;
export const PREVIEW_DEBOUNCE_MS = 60;
/** Milliseconds the page must rest after its picture before the worker starts work ahead of need. */
export const WARM_DELAY_MS = 1000;

const pictureKey = (s: StudioState) => (s.selectedId ? JSON.stringify([s.selectedId, s.compressSettings.prune, s.compressSettings.quant.granularity]) : undefined);
const previewKey = (s: StudioState) => (s.selectedId ? JSON.stringify([s.selectedId, s.compressSettings]) : undefined);

const asError = (e: unknown): SerializedError => (e instanceof JobError ? e.error : serializeError(e));

/** One kind of live request: at most one in flight, each newer one cancelling the older. */
class Latest {
  private id?: number;
  private timer?: ReturnType<typeof setTimeout>;

  constructor(private readonly delayMs: number) {}

  later(f: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(f, this.delayMs);
  }

  send(job: JobRequest, transfer: Transferable[], onResult: (r: JobResult) => void, onError: (e: SerializedError) => void): void {
    this.cancel();
    const { id, done } = sideRequest(job, transfer);
    this.id = id;
    done
      .then(onResult, (e: unknown) => onError(asError(e)))
      .finally(() => {
        if (this.id === id) this.id = undefined;
      });
  }

  cancel(): void {
    clearTimeout(this.timer);
    if (this.id !== undefined) cancelRequest(this.id);
    this.id = undefined;
  }
}

const picture = new Latest(PICTURE_DEBOUNCE_MS);
const preview = new Latest(PREVIEW_DEBOUNCE_MS);
const warm = new Latest(WARM_DELAY_MS);
/** Model and test-record count whose "before" evaluation the worker has made, or is making. */
const warmed = new Set<string>();
let warming: { key: string; id: number } | undefined;
const warmKey = (s: StudioState) => (s.selectedId ? JSON.stringify([s.selectedId, s.compressSettings.evalLimit ?? null]) : undefined);

/**
 * While the page rests, the worker evaluates the unchanged model on the records the next Compress
 * will evaluate (engine/jobs/compress.ts warmBaseline), once per model and record count, so that
 * Compress starts with its "before" figures made. Not for a big model (minutes of work the user
 * may never ask for); the worker lets the picture and preview go first.
 */
function requestWarm(): void {
  const s = useStudio.getState();
  if (!s.selectedId || s.running) return;
  const entry = s.baselines.find((b) => b.id === s.selectedId);
  if (entry && isBigModel(entry)) return;
  const key = warmKey(s);
  if (!key || warmed.has(key)) return;
  warmed.add(key);
  const { transfer, ...ref } = modelRef(s.selectedId);
  const { id, done } = sideRequest({ type: 'warm', ...ref, evalLimit: s.compressSettings.evalLimit }, transfer);
  warming = { key, id };
  done
    .catch(() => warmed.delete(key))
    .finally(() => {
      if (warming?.id === id) warming = undefined;
    });
}

/** A warm-up for another model or record count than the recipe's now is work nobody will use: it stops. */
function stopStaleWarm(s: StudioState): void {
  if (warming && warming.key !== warmKey(s)) {
    cancelRequest(warming.id);
    warming = undefined;
  }
}

function requestPicture(): void {
  const s = useStudio.getState();
  const key = pictureKey(s);
  if (!key || !s.selectedId || s.picture.key === key) return;
  const { transfer, ...ref } = modelRef(s.selectedId);
  s.setPicture({ ...s.picture, key, status: 'loading' });
  const current = () => useStudio.getState().picture.key === key;
  picture.send(
    { type: 'weight-sample', ...ref, prune: s.compressSettings.prune, granularity: s.compressSettings.quant.granularity },
    transfer,
    (r) => {
      if (current() && r.type === 'weight-sample') useStudio.getState().setPicture({ key, status: 'ready', sample: r.sample });
      warm.later(requestWarm);
    },
    (e) => current() && e.code !== 'cancelled' && useStudio.getState().setPicture({ key, status: 'error', error: e.message }),
  );
}

function requestPreview(): void {
  const s = useStudio.getState();
  const key = previewKey(s);
  if (!key || !s.selectedId || !s.livePreview || s.running || s.preview.key === key) return picture.later(requestPicture);
  try {
    validateCompressSettings(s.compressSettings);
  } catch {
    // A setting the engine refuses: Compress names it; there is nothing to preview.
    s.setPreview({ status: 'idle' });
    return picture.later(requestPicture);
  }
  const { transfer, ...ref } = modelRef(s.selectedId);
  s.setPreview({ ...s.preview, key, status: 'running' });
  const current = () => useStudio.getState().preview.key === key;
  preview.send(
    { type: 'preview', ...ref, settings: s.compressSettings },
    transfer,
    (r) => {
      if (current() && r.type === 'preview') useStudio.getState().setPreview({ key, status: 'ready', result: r });
      picture.later(requestPicture);
      warm.later(requestWarm);
    },
    (e) => {
      if (current() && e.code !== 'cancelled') useStudio.getState().setPreview({ key, status: 'error', error: e.message });
      if (e.code !== 'cancelled') picture.later(requestPicture);
    },
  );
}

/** Requests the picture for the current model and recipe now, then follows changes. Returns the unsubscribe. */
export function startLiveUpdates(): () => void {
  requestPicture();
  return useStudio.subscribe((st, prev) => {
    if (st.selectedId !== prev.selectedId || st.compressSettings !== prev.compressSettings) stopStaleWarm(st);
    if (st.running && !prev.running) {
      preview.cancel();
      if (st.preview.status !== 'idle') st.setPreview({ status: 'idle' });
    }
    if (st.selectedId === prev.selectedId && st.compressSettings === prev.compressSettings && st.livePreview === prev.livePreview) return;
    const previewing = st.livePreview && !st.running && previewKey(st) !== previewKey(prev);
    // While a preview is coming, the picture waits for it: the first figure comes first, and
    // the two requests do not share the worker.
    if (pictureKey(st) !== pictureKey(prev)) previewing ? picture.cancel() : picture.later(requestPicture);
    if (previewing || (st.livePreview && !prev.livePreview)) preview.later(requestPreview);
    if (!st.livePreview) preview.cancel();
  });
}

/**
 * Live updates while the recipe changes: the layer picture follows the selected model and the
 * pruning and quantization settings. Changes are debounced (a dragged slider sends one request
 * when it rests), and a newer request cancels the one still running, whose answer is dropped.
 */
import { serializeError } from '../engine/errors';
import { JobError } from '../workers/client';
import { cancelRequest, modelRef, sideRequest } from './jobs';
import { useStudio, type StudioState } from './store';

/** Milliseconds a setting must rest before its picture is requested. */
export const PICTURE_DEBOUNCE_MS = 150;

function pictureKey(s: StudioState): string | undefined {
  if (!s.selectedId) return undefined;
  return JSON.stringify([s.selectedId, s.compressSettings.prune, s.compressSettings.quant.granularity]);
}

let timer: ReturnType<typeof setTimeout> | undefined;
let inFlight: number | undefined;

function requestPicture(): void {
  const s = useStudio.getState();
  const key = pictureKey(s);
  if (!key || !s.selectedId || s.picture.key === key) return;
  if (inFlight !== undefined) cancelRequest(inFlight);
  const { transfer, ...ref } = modelRef(s.selectedId);
  s.setPicture({ ...s.picture, key, status: 'loading' });
  const { id, done } = sideRequest({ type: 'weight-sample', ...ref, prune: s.compressSettings.prune, granularity: s.compressSettings.quant.granularity }, transfer);
  inFlight = id;
  done.then(
    (r) => {
      if (useStudio.getState().picture.key === key && r.type === 'weight-sample') useStudio.getState().setPicture({ key, status: 'ready', sample: r.sample });
    },
    (e: unknown) => {
      const err = e instanceof JobError ? e.error : serializeError(e);
      if (useStudio.getState().picture.key === key && err.code !== 'cancelled') useStudio.getState().setPicture({ key, status: 'error', error: err.message });
    },
  ).finally(() => {
    if (inFlight === id) inFlight = undefined;
  });
}

/** Requests the picture for the current model and recipe now, then whenever they change. Returns the unsubscribe. */
export function startLiveUpdates(): () => void {
  requestPicture();
  return useStudio.subscribe((st, prev) => {
    if (st.selectedId === prev.selectedId && st.compressSettings === prev.compressSettings) return;
    if (pictureKey(st) === pictureKey(prev)) return;
    clearTimeout(timer);
    timer = setTimeout(requestPicture, PICTURE_DEBOUNCE_MS);
  });
}

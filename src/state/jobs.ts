/**
 * Starting and cancelling engine jobs: one worker client for the page, results and errors into
 * the store. A compression job's settings are checked with the engine's own validation before
 * they are sent, so a bad value is named at once (the worker checks them again). Every finished
 * compression becomes a run in the history. A job that occupies the studio is marked as running
 * in storage while it runs (run-marker.ts), so a reload mid-run is reported. Small side requests (validating an upload, reading
 * the gallery's pixels) go to the same worker without occupying the studio.
 */
import { getDataset } from '../engine/data/registry';
import { defaultScaling, scalingPreprocessing } from '../engine/choices/input-scaling';
import { serializeError, type SerializedError } from '../engine/errors';
import { pruneMethodOf, validateCompressSettings, type CompressSettings } from '../engine/jobs/compress-settings';
import { studyConfigs, studyRunProblem } from '../engine/study/preset';
import type { DatasetId } from '../engine/types';
import { EngineClient, JobError, type Progress } from '../workers/client';
import type { CompressJobResult, JobResult } from '../engine/jobs/results';
import { MAX_RECORDS, type JobRequest, type UserModelPayload } from '../workers/protocol';
import { modelLabel } from './model-label';
import { describeJob, markRunning } from './run-marker';
import { recipeLabel, type RunRecord } from './run-record';
import { tfliteRequest } from './deploy-slice';
import { parseSweep } from './sweep-slice';
import { sensitivitySettings } from './sensitivity-slice';
import { panelBudget } from './auto-slice';
import { describeBudget } from '../engine/choices/auto-budget';
import { studyModels } from './study-models';
import { useStudio } from './store';
import { newUserModelId, payloadOf, type UserModelRecord } from './user-model-record';

let client: EngineClient | undefined;
function engine(): EngineClient {
  client ??= new EngineClient();
  return client;
}

function asSerialized(e: unknown): SerializedError {
  return e instanceof JobError ? e.error : serializeError(e);
}

/** Runs a job as the studio's one running job; resolves with its result, or undefined if it failed (the error is in the store). */
export function runJob(job: JobRequest, transfer: Transferable[] = [], onProgress?: (p: Progress) => void): Promise<JobResult | undefined> {
  const { running, progressed, started, finished, failed } = useStudio.getState();
  if (running) return Promise.resolve(undefined);
  const model = 'modelId' in job ? modelLabel(useStudio.getState(), job.modelId) : undefined;
  const unmark = markRunning(describeJob(job, model));
  const handle = engine().run(
    job,
    (p) => {
      progressed(p);
      onProgress?.(p);
    },
    transfer,
  );
  started(handle.id, job);
  return handle.done.then(
    (r) => {
      unmark();
      finished(r);
      return r;
    },
    (e: unknown) => {
      unmark();
      failed(job.type, asSerialized(e));
      return undefined;
    },
  );
}

/** A side request: does not show as the running job and touches no result. */
function request(job: JobRequest, transfer: Transferable[] = []): Promise<JobResult> {
  return sideRequest(job, transfer).done;
}

/** A side request with its id, so that a newer one can cancel it (cancelRequest). */
export function sideRequest(job: JobRequest, transfer: Transferable[] = []): { id: number; done: Promise<JobResult> } {
  return engine().run(job, () => {}, transfer);
}

export function cancelRequest(id: number): void {
  engine().cancel(id);
}

/** Cancels the running job, whatever its kind; its promise then rejects with 'cancelled'. */
export function cancelJob(): void {
  const running = useStudio.getState().running;
  if (running) engine().cancel(running.jobId);
}

/** How a job names the selected model: a baseline id, or a user's model with copies of its files. */
export function modelRef(id: string): { modelId: string; upload?: UserModelPayload; transfer: ArrayBuffer[] } {
  const user = useStudio.getState().userModels.find((m) => m.id === id);
  if (!user) return { modelId: id, transfer: [] };
  const upload = payloadOf(user);
  return { modelId: id, upload, transfer: upload.files.map((f) => f.bytes) };
}

/** Evaluates the selected model (a baseline or the user's own). */
export function runEvaluate(limit?: number): void {
  const { selectedId, backend } = useStudio.getState();
  if (!selectedId) return;
  const { transfer, ...ref } = modelRef(selectedId);
  void runJob({ type: 'evaluate', ...ref, backend, limit }, transfer);
}

export interface CompressOptions {
  /** Settings to run instead of the ones in the controls (a sweep step, a study configuration). */
  settings?: CompressSettings;
  /** A model other than the selected one (the study preset runs several). */
  modelId?: string;
  origin?: RunRecord['origin'];
  name?: string;
}

/** Compresses the selected model (or opts.modelId); the finished run is added to the history. */
export async function runCompress(opts: CompressOptions = {}): Promise<CompressJobResult | undefined> {
  const { selectedId, compressSettings, compressBackend, running, failed } = useStudio.getState();
  const modelId = opts.modelId ?? selectedId;
  if (!modelId || running) return undefined;
  const settings = opts.settings ?? compressSettings;
  try {
    validateCompressSettings(settings);
  } catch (e) {
    failed('compress', serializeError(e));
    return undefined;
  }
  const { transfer, ...ref } = modelRef(modelId);
  // A sweep or the study preset measures many points on tfjs only; the TFLite step belongs to a single run.
  const tflite = opts.origin === 'sweep' || opts.origin === 'study' ? undefined : tfliteRequest(useStudio.getState().deploy);
  const job = { type: 'compress' as const, ...ref, backend: compressBackend, settings, ...(tflite ? { tflite } : {}) };
  let r = await runJob(job, transfer);
  // A job estimated above 10 minutes stops before its work: ask, and start it again if the user agrees.
  const asked = useStudio.getState().error;
  if (!r && asked?.job === 'compress' && asked.error.code === 'needs-confirmation') {
    if (!window.confirm(`${asked.error.message} Start it anyway? (Cancel stops it at any time.)`)) return undefined;
    // A fresh copy of an uploaded model's files: the first request's were transferred to the worker.
    const { transfer: again, ...fresh } = modelRef(modelId);
    r = await runJob({ ...job, ...fresh, confirmedLong: true }, again);
  }
  if (r?.type !== 'compress') return undefined;
  useStudio.getState().addRun(r, compressBackend, opts.origin, opts.name);
  return r;
}

/** Runs the sweep's sparsities one after another with the current settings; stops at the first failure or a cancel. */
export async function runSweep(): Promise<void> {
  const s = useStudio.getState();
  if (s.running || !s.selectedId) return;
  const sparsities = parseSweep(s.sweep.text);
  if (typeof sparsities === 'string') return s.sweepEnded('failed', sparsities);
  const base = s.compressSettings;
  const method = pruneMethodOf(base.prune);
  // Methods that take a sparsity (the table's `uses.sparsity`) can be swept.
  if (!method.uses.sparsity) return s.sweepEnded('failed', 'A sweep varies the sparsity: choose unstructured (per layer or global) or structured pruning above.');
  if (method.structured && sparsities.some((x) => x >= 1)) return s.sweepEnded('failed', 'Structured pruning keeps at least one filter: use sparsities below 1.');
  const recipe = recipeLabel(base).replace(/ \d+%/, '');
  s.sweepStarted(sparsities.length, s.selectedId, recipe);
  for (const sparsity of sparsities) {
    const settings = { ...base, prune: { ...base.prune, sparsity } };
    const r = await runCompress({ settings, origin: 'sweep', name: `sweep ${Math.round(sparsity * 100)}% · ${recipe}` });
    const st = useStudio.getState();
    if (!r) {
      const e = st.error?.job === 'compress' ? st.error.error : undefined;
      const done = st.sweep.points.length;
      return st.sweepEnded(
        e?.code === 'cancelled' ? 'cancelled' : 'failed',
        e?.code === 'cancelled' ? `Cancelled after ${done} of ${sparsities.length} sparsities.` : `Stopped at sparsity ${sparsity}: ${e?.message ?? 'the job did not finish'}`,
      );
    }
    st.sweepPoint(
      {
        sparsity,
        runId: st.currentRunId ?? '',
        accuracy: r.after.metrics.accuracy,
        macroRecall: r.after.metrics.macroRecall,
        deployedBytes: r.after.size.deployedBytes,
        gzipBytes: r.after.size.gzipBytes,
        sparseBytes: r.after.size.sparseBytes,
      },
      { accuracy: r.before.metrics.accuracy, deployedBytes: r.before.size.deployedBytes },
    );
  }
  useStudio.getState().sweepEnded('done');
}

/** Runs the study preset's configurations one after another; stops at the first failure or a cancel, keeping what finished. */
export async function runStudy(): Promise<void> {
  const s = useStudio.getState();
  if (s.running) return;
  const problem = studyRunProblem(s.study.run);
  if (problem) return s.studyEnded('failed', problem);
  const models = studyModels(s.baselines, s.datasets).filter((m) => s.study.modelIds.includes(m.id));
  if (models.length === 0) return s.studyEnded('failed', 'Choose at least one model for the study.');
  const configs = studyConfigs(models, s.study.run);
  s.studyStarted(configs);
  for (const [i, c] of configs.entries()) {
    useStudio.getState().studyStep(i);
    const r = await runCompress({ modelId: c.modelId, settings: c.settings, origin: 'study', name: `study ${i + 1}/${configs.length} · ${c.label}` });
    const st = useStudio.getState();
    if (!r) {
      const e = st.error?.job === 'compress' ? st.error.error : undefined;
      if (e?.code === 'cancelled') return st.studyEnded('cancelled', `Cancelled after ${i} of ${configs.length} configurations; the finished ones stay below and in the run history.`);
      return st.studyEnded('failed', `Stopped at ${i + 1} of ${configs.length} (${c.label}): ${e?.message ?? 'the job did not finish'}`);
    }
    st.studyResult(c.key, r, st.currentRunId ?? '');
  }
  useStudio.getState().studyEnded('done');
}

/** Measures each layer of the selected model compressed alone, with the view's settings, on the compress form's backend. */
export async function runSensitivity(): Promise<void> {
  const s = useStudio.getState();
  if (s.running || !s.selectedId) return;
  const settings = sensitivitySettings(s.sensitivityForm);
  if (typeof settings === 'string') return s.failed('sensitivity', { code: 'bad-settings', kind: 'user', message: settings, context: {} });
  const { transfer, ...ref } = modelRef(s.selectedId);
  const r = await runJob({ type: 'sensitivity', ...ref, backend: s.compressBackend, settings }, transfer);
  if (r?.type === 'sensitivity') useStudio.getState().sensitivityDone(r);
}

/** Fetches the pixels of the shown run's flipped records (at most 64) unless they are already there. */
export function loadGallery(r: CompressJobResult | undefined): void {
  const { gallery, setGallery } = useStudio.getState();
  if (!r || r.flipped.length === 0) {
    if (gallery.status !== 'idle') setGallery({ status: 'idle' });
    return;
  }
  const indices = r.flipped.slice(0, MAX_RECORDS).map((f) => f.index);
  const key = `${r.dataset}:${indices.join(',')}`;
  if (gallery.key === key) return;
  setGallery({ key, status: 'loading' });
  request({ type: 'records', dataset: r.dataset as DatasetId, indices }).then(
    (res) => {
      if (useStudio.getState().gallery.key === key && res.type === 'records') setGallery({ key, status: 'ready', records: res });
    },
    (e: unknown) => {
      if (useStudio.getState().gallery.key === key) setGallery({ key, status: 'error', error: asSerialized(e).message });
    },
  );
}

/** model.json and weights at most this large (the validator caps weights at 512 MiB). */
const MAX_UPLOAD_BYTES = 520 * 1024 * 1024;

/**
 * Reads the user's files (each by its path in what was given: a dropped folder keeps its
 * structure), has the worker validate them for the chosen dataset, and keeps the model.
 */
export async function uploadModel(files: Array<{ file: File; path: string }>): Promise<void> {
  const { uploadDataset: dataset, uploadScaling, setUpload, addUserModel } = useStudio.getState();
  setUpload({ status: 'reading', error: undefined, added: undefined, addedId: undefined, fileNames: files.map((f) => f.path) });
  try {
    const total = files.reduce((a, f) => a + f.file.size, 0);
    if (total > MAX_UPLOAD_BYTES) throw new JobError({ code: 'bad-model', kind: 'user', message: `The files hold ${(total / 2 ** 20).toFixed(0)} MiB; the studio accepts models up to 512 MiB of weights.`, context: {} });
    const read = await Promise.all(files.map(async (f) => ({ name: f.path, bytes: await f.file.arrayBuffer() })));
    setUpload({ status: 'validating' });
    const id = newUserModelId('upload');
    const copies = read.map((f) => ({ name: f.name, bytes: f.bytes.slice(0) }));
    const scaling = uploadScaling ?? defaultScaling(dataset);
    const upload = { id, dataset, files: copies, preprocessing: scalingPreprocessing(scaling, dataset) };
    const r = await request(
      { type: 'validate-model', upload },
      copies.map((f) => f.bytes),
    );
    if (r.type !== 'validate-model') return;
    const label = `${r.summary.modelJsonName.replace(/\.(json|keras|h5|hdf5|tflite|onnx)$/i, '')} (${getDataset(dataset).label})`;
    const record: UserModelRecord = { v: 1, id, label, origin: 'upload', dataset, createdAt: Date.now(), files: read, summary: r.summary, scaling };
    addUserModel(record);
    setUpload({ status: 'idle', added: label, addedId: id });
    void proposeScalingFor(record);
  } catch (e) {
    setUpload({ status: 'idle', error: asSerialized(e) });
  }
}

/**
 * The input-scaling proposal for a kept model (200 training images under each scaling), as a
 * side request after the model is added, so the upload answers at once. A failure is shown
 * under the upload, and the model stays.
 */
async function proposeScalingFor(m: UserModelRecord): Promise<void> {
  const { setUserModelProposal } = useStudio.getState();
  setUserModelProposal(m.id, 'measuring');
  try {
    const p = payloadOf(m);
    const r = await request(
      { type: 'validate-model', upload: p, propose: true },
      p.files.map((f) => f.bytes),
    );
    if (r.type === 'validate-model' && r.proposal) setUserModelProposal(m.id, r.proposal);
  } catch (e) {
    setUserModelProposal(m.id, { error: asSerialized(e).message });
  }
}

/** Trains the form's architecture from scratch; the model is validated like an upload and kept. */
export async function runTrain(): Promise<UserModelRecord | undefined> {
  const f = useStudio.getState().trainForm;
  const id = newUserModelId('trained');
  const settings = {
    architecture: f.architecture,
    dataset: f.dataset,
    epochs: f.epochs,
    batchSize: f.batchSize,
    learningRate: f.learningRate,
    optimizer: f.optimizer,
    seed: 1,
    trainLimit: f.trainLimit,
    maxSteps: f.maxSteps,
    evalLimit: f.evalLimit,
  };
  const r = await runJob({ type: 'train', id, backend: f.backend, settings });
  if (r?.type !== 'train') return undefined;
  const weights = r.artifacts.weights;
  const files = [
    { name: 'model.json', bytes: new TextEncoder().encode(r.artifacts.modelJson).buffer as ArrayBuffer },
    { name: 'weights.bin', bytes: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength) as ArrayBuffer },
  ];
  try {
    const copies = files.map((x) => ({ name: x.name, bytes: x.bytes.slice(0) }));
    const v = await request(
      { type: 'validate-model', upload: { id, dataset: f.dataset, files: copies } },
      copies.map((x) => x.bytes),
    );
    if (v.type !== 'validate-model') return undefined;
    const rec: UserModelRecord = {
      v: 1,
      id,
      label: `${f.architecture} on ${getDataset(f.dataset).label}, trained here`,
      origin: 'trained',
      dataset: f.dataset,
      createdAt: Date.now(),
      files,
      summary: v.summary,
      accuracy: r.metrics.accuracy,
      evaluatedOn: r.metrics.count,
      training: r.entry.training,
    };
    useStudio.getState().addUserModel(rec);
    return rec;
  } catch (e) {
    useStudio.getState().failed('train', { ...asSerialized(e), kind: 'bug' });
    return undefined;
  }
}

/** Puts a history run's model and settings back into the controls. */
export function applyRunSettings(id: string): void {
  const s = useStudio.getState();
  const run = s.runs.find((r) => r.id === id);
  if (!run || s.running) return;
  const known = s.baselines.some((b) => b.id === run.modelId) || s.userModels.some((m) => m.id === run.modelId);
  if (known) s.select(run.modelId);
  else s.notify('run-model', `The model of “${run.name}” (${run.modelId}) is no longer in this browser; its settings were applied to ${s.selectedId ?? 'the selected model'}.`);
  useStudio.getState().replaceSettings(run.settings, run.backend);
}

/**
 * The automatic search under the panel's budget: the search job (candidates on held-back training
 * images, obs pruning with the controls' allocation and quantization, no fine-tuning), then the
 * pick compressed as an ordinary run, measured on the test records and added to the history.
 */
export async function runAutoSearch(): Promise<void> {
  const s = useStudio.getState();
  if (s.running || !s.selectedId) return;
  const budget = panelBudget(s.autoSearch);
  if (typeof budget === 'string') return s.autoEnded('failed', budget);
  const base = s.compressSettings;
  // Another method's own parameters and a gradual schedule mean nothing to obs (its validation refuses them).
  const prune = { ...base.prune, method: 'obs' as const, schedule: { kind: 'one-shot' as const }, params: base.prune.method === 'obs' ? base.prune.params : {} };
  const settings: CompressSettings = { ...base, prune, finetune: { ...base.finetune, epochs: 0 } };
  try {
    validateCompressSettings(settings);
  } catch (e) {
    return s.autoEnded('failed', serializeError(e).message);
  }
  s.autoStarted(budget);
  const { transfer, ...ref } = modelRef(s.selectedId);
  const found = await runJob({ type: 'auto-search', ...ref, backend: s.compressBackend, settings, budget }, transfer, (p) => p.candidate && useStudio.getState().autoCandidate(p.candidate));
  const ended = (job: 'auto-search' | 'compress', what: string) => {
    const st = useStudio.getState();
    const e = st.error?.job === job ? st.error.error : undefined;
    st.autoEnded(e?.code === 'cancelled' ? 'cancelled' : 'failed', e?.code === 'cancelled' ? `Cancelled ${what}.` : (e?.message ?? `The ${what} did not finish.`));
  };
  if (found?.type !== 'auto-search') return ended('auto-search', 'during the search');
  useStudio.getState().autoFound(found);
  const r = await runCompress({ settings: found.pickSettings, name: `auto ${Math.round(found.pick.sparsity * 100)}% · ${describeBudget(budget)}` });
  if (!r) return ended('compress', 'while compressing the pick');
  useStudio.getState().autoEnded('done', undefined, { runId: useStudio.getState().currentRunId ?? '', testBefore: r.before.metrics.accuracy, testAfter: r.after.metrics.accuracy });
}

/**
 * `npm run cli -- compress`'s flags: the table (names, arguments from the choice tables, help) and
 * flags -> CompressSettings. A choice flag's value is checked against its table here, so the error
 * names the flag the user typed; the engine's validator then checks the whole settings again.
 */
import { BOARDS, TFLITE_IO } from '../../src/engine/choices/deploy';
import { LAYER_KINDS, PRUNE_ALLOCATIONS, PRUNE_CRITERIA, PRUNE_SCHEDULES } from '../../src/engine/choices/prune';
import { isPruning, PRUNE_METHODS } from '../../src/engine/choices/prune-methods';
import { BIAS_CORRECTIONS, CALIBRATION_METHODS, GRANULARITIES, ROUNDINGS, QUANT_MODES } from '../../src/engine/choices/quantize';
import { BACKENDS, OPTIMIZERS } from '../../src/engine/choices/train';
import { StudioError } from '../../src/engine/errors';
import { gradualSchedule, type PartialCompressSettings } from '../../src/engine/jobs/compress-settings';
import { AUTO_FLAGS, BOARD_BUDGET_HELP } from './auto-flags';
import { argOf, choice, choices, type FlagSpec, type Flags, num, str } from './flags';

const labelled = (t: { options: readonly { id: string; label: string }[] }) => t.options.map((o) => `${o.id} (${o.label})`).join('; ');

export const COMPRESS_FLAGS: readonly FlagSpec[] = [
  { name: 'model', arg: '<baseline id or architecture>', help: 'custom-cnn-mnist, or an architecture with --dataset (npm run cli -- list).' },
  { name: 'dataset', arg: '<dataset id>', help: 'With an architecture name in --model.' },
  { name: 'settings', arg: '<file.json>', help: 'A partial CompressSettings; the flags override it.' },
  { name: 'backend', arg: argOf(BACKENDS), help: 'Training and measuring backend (default wasm; auto: wasm unless WebGL is hardware-accelerated).' },
  { name: 'prune', arg: '<sparsity 0-1>', help: 'Fraction pruned; without it (and without --prune-method or --nm) nothing is pruned.' },
  { name: 'prune-method', arg: argOf(PRUNE_METHODS), help: `Default ${PRUNE_METHODS.defaultId}. ${labelled(PRUNE_METHODS)}.` },
  { name: 'prune-param', arg: '<key=value,...>', help: 'The pruning method’s own parameters.' },
  { name: 'schedule', arg: argOf(PRUNE_SCHEDULES), help: `Default ${PRUNE_SCHEDULES.defaultId}; gradual prunes while fine-tuning (needs --epochs).` },
  { name: 'initial-sparsity', arg: '<0-1>', help: 'Where a gradual schedule starts (default 0).' },
  { name: 'layers', arg: argOf(LAYER_KINDS, ','), help: `Layer kinds unstructured pruning touches (default ${LAYER_KINDS.defaultIds.join(',')}).` },
  { name: 'spare-first-last', help: 'Leave the first and last weighted layers unpruned (the default).' },
  { name: 'prune-first-last', help: 'Prune the first and last weighted layers too.' },
  {
    name: 'allocation',
    arg: argOf(PRUNE_ALLOCATIONS),
    help: `How obs spreads --prune over the layers (default ${PRUNE_ALLOCATIONS.defaultId}). ${labelled(PRUNE_ALLOCATIONS)}.`,
  },
  { name: 'criterion', arg: argOf(PRUNE_CRITERIA), help: `Structured pruning's filter ranking (default ${PRUNE_CRITERIA.defaultId}).` },
  { name: 'nm', arg: '<N:M>', help: 'N:M pattern, e.g. 2:4 (picks the n:m method when none is given).' },
  { name: 'epochs', arg: '<N>', help: 'Fine-tuning epochs (default 0: none).' },
  { name: 'batch', arg: '<N>', help: 'Fine-tuning batch size.' },
  { name: 'lr', arg: '<rate>', help: 'Fine-tuning learning rate.' },
  { name: 'optimizer', arg: argOf(OPTIMIZERS), help: `Default ${OPTIMIZERS.defaultId}. ${labelled(OPTIMIZERS)}.` },
  { name: 'seed', arg: '<N>', help: 'Seed of the training order.' },
  { name: 'train-limit', arg: '<N>', help: 'Fine-tune on the first N training images.' },
  { name: 'max-steps', arg: '<N>', help: 'Stop fine-tuning after N steps.' },
  { name: 'quant', arg: argOf(QUANT_MODES), help: `Without it nothing is quantized. ${labelled(QUANT_MODES)}.` },
  { name: 'granularity', arg: argOf(GRANULARITIES), help: `Weight scales (default ${GRANULARITIES.defaultId}).` },
  { name: 'per-tensor', help: 'The same as --granularity per-tensor.' },
  { name: 'rounding', arg: argOf(ROUNDINGS), help: `int8 weight rounding (default ${ROUNDINGS.defaultId}; gptq re-fits on the calibration images).` },
  { name: 'bias-correction', arg: argOf(BIAS_CORRECTIONS), help: `Restore each output's mean after int8 rounding (default ${BIAS_CORRECTIONS.defaultId}).` },
  { name: 'calibration', arg: argOf(CALIBRATION_METHODS), help: `Activation ranges (default ${CALIBRATION_METHODS.defaultId}).` },
  { name: 'calibration-samples', arg: '<N>', help: 'Training images calibration reads.' },
  { name: 'percentile', arg: '<50-100>', help: 'For --calibration percentile.' },
  { name: 'limit', arg: '<N>', help: 'Evaluate on the first N of the model’s test records.' },
  { name: 'latency-runs', arg: '<N>', help: 'Timed batch-1 runs.' },
  { name: 'stage-accuracy', help: 'Also evaluate after pruning and after fine-tuning, not only at the end (one more pass over the test images per stage).' },
  { name: 'export-dir', arg: '<dir>', help: 'Write the run’s files there (engine/export/run-files.ts: .tflite, C arrays, tfjs zip, report).' },
  { name: 'tflite-io', arg: argOf(TFLITE_IO), help: `The int8 file's I/O (default ${TFLITE_IO.defaultId}).` },
  { name: 'board', arg: argOf(BOARDS), help: BOARD_BUDGET_HELP },
  ...AUTO_FLAGS,
  { name: 'json', help: 'Print the result as JSON.' },
  { name: 'yes', help: 'Start a job estimated at more than 10 minutes (refused without it).' },
];

/** "damping=0.01,blockSize=128" -> { damping: 0.01, blockSize: 128 } (the validator checks keys and ranges). */
function pruneParams(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^([A-Za-z]\w*)=(.+)$/.exec(part);
    if (!m || !Number.isFinite(Number(m[2]))) throw new StudioError('bad-settings', `--prune-param must look like key=number[,key=number], got "${text}".`, { flag: 'prune-param' });
    out[m[1]] = Number(m[2]);
  }
  return out;
}

export function settingsFromFlags(flags: Flags, base: PartialCompressSettings = {}): PartialCompressSettings {
  const s: PartialCompressSettings = structuredClone(base);
  s.prune ??= {};
  s.finetune ??= {};
  s.quant ??= {};
  s.quant.calibration ??= {};
  const sparsity = num(flags, 'prune');
  if (sparsity !== undefined) s.prune.sparsity = sparsity;
  const method = choice(flags, 'prune-method', PRUNE_METHODS);
  if (method) s.prune.method = method;
  else if (sparsity === undefined && !base.prune?.method) s.prune.method = 'none';
  const params = str(flags, 'prune-param');
  if (params) s.prune.params = pruneParams(params);
  const schedule = choice(flags, 'schedule', PRUNE_SCHEDULES);
  if (schedule === 'gradual') s.prune.schedule = gradualSchedule(num(flags, 'initial-sparsity'));
  else if (schedule) s.prune.schedule = { kind: schedule };
  const layers = choices(flags, 'layers', LAYER_KINDS);
  if (layers) s.prune.layerKinds = layers;
  if (flags['spare-first-last'] && flags['prune-first-last']) throw new StudioError('bad-settings', '--spare-first-last and --prune-first-last contradict each other: give one.', { flag: 'prune-first-last' });
  if (flags['spare-first-last']) s.prune.spareFirstLast = true;
  if (flags['prune-first-last']) s.prune.spareFirstLast = false;
  const allocation = choice(flags, 'allocation', PRUNE_ALLOCATIONS);
  if (allocation) s.prune.allocation = allocation;
  const criterion = choice(flags, 'criterion', PRUNE_CRITERIA);
  if (criterion) s.prune.criterion = criterion;
  const nm = str(flags, 'nm');
  if (nm) {
    const m = /^(\d+):(\d+)$/.exec(nm);
    if (!m) throw new StudioError('bad-settings', `--nm must look like 2:4, got "${nm}".`, { flag: 'nm' });
    s.prune.n = Number(m[1]);
    s.prune.m = Number(m[2]);
    // An N:M pattern without a pruning method picks the method that takes one.
    if (!s.prune.method || !isPruning(PRUNE_METHODS.get(s.prune.method))) s.prune.method = PRUNE_METHODS.options.find((o) => o.uses.nm)!.id;
  }
  for (const [flag, key] of [
    ['epochs', 'epochs'],
    ['batch', 'batchSize'],
    ['lr', 'learningRate'],
    ['seed', 'seed'],
    ['train-limit', 'trainLimit'],
    ['max-steps', 'maxSteps'],
  ] as const) {
    const v = num(flags, flag);
    if (v !== undefined) s.finetune[key] = v;
  }
  const optimizer = choice(flags, 'optimizer', OPTIMIZERS);
  if (optimizer) s.finetune.optimizer = optimizer;
  const quant = choice(flags, 'quant', QUANT_MODES);
  if (quant) s.quant.mode = quant;
  else if (!base.quant?.mode) s.quant.mode = 'none';
  const granularity = choice(flags, 'granularity', GRANULARITIES);
  if (granularity) s.quant.granularity = granularity;
  if (flags['per-tensor']) s.quant.granularity = 'per-tensor';
  const rounding = choice(flags, 'rounding', ROUNDINGS);
  if (rounding) s.quant.rounding = rounding;
  const biasCorrection = choice(flags, 'bias-correction', BIAS_CORRECTIONS);
  if (biasCorrection) s.quant.biasCorrection = biasCorrection;
  const cal = choice(flags, 'calibration', CALIBRATION_METHODS);
  if (cal) s.quant.calibration.method = cal;
  const samples = num(flags, 'calibration-samples');
  if (samples !== undefined) s.quant.calibration.samples = samples;
  const pct = num(flags, 'percentile');
  if (pct !== undefined) s.quant.calibration.percentile = pct;
  const limit = num(flags, 'limit');
  if (limit !== undefined) s.evalLimit = limit;
  if (flags['stage-accuracy']) s.stageAccuracy = true;
  const runs = num(flags, 'latency-runs');
  if (runs !== undefined) s.latencyRuns = runs;
  return s;
}

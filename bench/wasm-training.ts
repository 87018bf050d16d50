/**
 * Training throughput on the tfjs wasm backend (with the composed training kernels from
 * src/engine/backend/wasm-training-kernels.ts) against the tfjs cpu backend and against Debian's
 * python3-torch (the native peer, all CPU threads) on the same architecture, batch 64, random data.
 *
 *   npm run bench:train -- [--repeats 3] [--wasm-steps 5] [--cpu-steps 1] [--cpu-batch 8] [--torch-steps 20] [--tfjs-bn-grad]
 *
 * Every figure is the median of --repeats repeats (bench/lib/repro.ts), with the machine and its load.
 *
 * --tfjs-bn-grad keeps tfjs' own BatchNorm gradient instead of the leaner one in batchnorm-gradient.ts.
 *
 * The cpu backend is very slow here (its Conv2DBackpropFilter is a scalar loop over TensorBuffer.get:
 * about 90% of a custom-cnn step, minutes per batch of 64). Its time per image does not depend on
 * the batch size (no batching gains in scalar loops), so `--cpu-batch 8` gives the same img/s in an
 * eighth of the time; the table says which batch each row used.
 *
 * Each model/backend pair: the model is built on that backend, compiled with SGD and softmax
 * cross-entropy, trained one untimed warm-up step on wasm (XNNPACK operator creation; the cpu
 * backend has nothing to warm up and a step there takes minutes), then `steps` timed `trainOnBatch`
 * calls (each resolves only after its loss is read back, so the time covers the whole step). Before the kernels are
 * registered, a plain wasm step is tried once to show why they are needed. Absolute figures move
 * by 5-15% between runs on a shared machine; compare the ratios of one run.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerBatchNormGradient } from '../src/engine/backend/batchnorm-gradient';
import { registerWasmTrainingKernels } from '../src/engine/backend/wasm-training-kernels';
import { getArchitecture } from '../src/engine/models/registry';
import { formatSpread, machineInfo, repeatRuns, reproHeader, reproRecord, summarise } from './lib/repro';

const BATCH = 64;
const here = dirname(fileURLToPath(import.meta.url));

interface ModelCase {
  id: string;
  inputShape: [number, number, number];
}

const MODELS: ModelCase[] = [
  { id: 'custom-cnn', inputShape: [28, 28, 1] },
  { id: 'custom-cnn', inputShape: [32, 32, 3] },
  { id: 'mobilenet-v1-0.5', inputShape: [32, 32, 3] },
];

const key = (m: ModelCase) => `${m.id} ${m.inputShape.join('x')}`;

/** The same architecture trained by python3-torch, or why it could not be measured. */
async function measureTorch(m: ModelCase, steps: number): Promise<{ imgPerSec?: number; threads?: number; missing?: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-torch-'));
  const model = getArchitecture(m.id).build({ inputShape: m.inputShape, numClasses: 10 });
  await model.save(
    tf.io.withSaveHandler(async (a) => {
      writeFileSync(join(dir, 'model.json'), JSON.stringify({ modelTopology: a.modelTopology, weightsManifest: [{ paths: [], weights: a.weightSpecs }] }));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  model.dispose();
  const r = spawnSync(process.env.PYTHON ?? '/usr/bin/python3', [join(here, 'torch_train_speed.py'), join(dir, 'model.json'), String(BATCH), String(steps)], { encoding: 'utf8' });
  if (r.error) return { missing: `python3 could not run (${r.error.message})` };
  if (r.status !== 0) return { missing: `python3-torch failed: ${(r.stderr || '').trim().split('\n').pop()}` };
  const out = JSON.parse(r.stdout.trim().split('\n').pop()!) as { imagesPerSecond: number; threads: number };
  return { imgPerSec: out.imagesPerSecond, threads: out.threads };
}

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 && process.argv[i + 1] ? Number(process.argv[i + 1]) : fallback;
}

interface Row {
  model: string;
  input: string;
  backend: string;
  batch: number;
  steps: number;
  msPerStep: number;
  imgPerSec: number;
  /** engine tensor count after the last timed step minus after the first: 0 unless something leaks */
  tensorGrowth: number;
}

/** Builds and compiles the model on the active backend, with one random batch. */
function setup(m: ModelCase, batch: number) {
  const model = getArchitecture(m.id).build({ inputShape: m.inputShape, numClasses: 10 });
  const optimizer = tf.train.sgd(0.01);
  model.compile({ optimizer, loss: (yTrue: tf.Tensor, yPred: tf.Tensor) => tf.losses.softmaxCrossEntropy(yTrue, yPred) });
  const x = tf.randomUniform([batch, ...m.inputShape]);
  const labels = tf.randomUniform([batch], 0, 10, 'int32');
  const y = tf.oneHot(labels, 10).toFloat();
  labels.dispose();
  return {
    model,
    x,
    y,
    dispose: () => {
      model.dispose();
      optimizer.dispose();
      tf.dispose([x, y]);
    },
  };
}

async function measure(m: ModelCase, backend: string, steps: number, batch: number): Promise<Row> {
  await tf.setBackend(backend);
  await tf.ready();
  const s = setup(m, batch);
  try {
    if (backend === 'wasm') await s.model.trainOnBatch(s.x, s.y); // warm-up
    let afterFirst = 0;
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) {
      await s.model.trainOnBatch(s.x, s.y);
      if (i === 0) afterFirst = tf.memory().numTensors;
    }
    const msPerStep = (performance.now() - t0) / steps;
    const tensorGrowth = tf.memory().numTensors - afterFirst;
    return { model: m.id, input: m.inputShape.join('x'), backend, batch, steps, msPerStep, imgPerSec: (batch * 1000) / msPerStep, tensorGrowth };
  } finally {
    s.dispose();
  }
}

/** One training step on wasm before the kernels are registered: expected to fail. */
async function tryPlainWasm(m: ModelCase): Promise<string> {
  await tf.setBackend('wasm');
  await tf.ready();
  const s = setup(m, BATCH);
  try {
    await s.model.trainOnBatch(s.x, s.y);
    return 'trains';
  } catch (e) {
    return `fails: ${(e as Error).message.split('\n')[0]}`;
  } finally {
    s.dispose();
  }
}

async function main() {
  const wasmSteps = arg('wasm-steps', 5);
  const cpuSteps = arg('cpu-steps', 1);
  const cpuBatch = arg('cpu-batch', BATCH);
  if (!(await tf.setBackend('wasm'))) throw new Error('the wasm backend did not start');
  await tf.ready();

  console.log(`plain tfjs-backend-wasm, ${MODELS[0].id}: ${await tryPlainWasm(MODELS[0])}`);
  const report = registerWasmTrainingKernels();
  if (!process.argv.includes('--tfjs-bn-grad')) registerBatchNormGradient();
  console.log(`registered: ${report.registered.join(', ')}${report.failed.length ? `; FAILED: ${JSON.stringify(report.failed)}` : ''}`);

  const startedIso = new Date().toISOString();
  const runs = await repeatRuns(
    arg('repeats', 3),
    async (i) => {
      process.stderr.write(`repeat ${i + 1}\n`);
      const torch = new Map<string, Awaited<ReturnType<typeof measureTorch>>>();
      for (const m of MODELS) torch.set(key(m), await measureTorch(m, arg('torch-steps', 20)));
      const rows: Row[] = [];
      for (const m of MODELS) {
        for (const [backend, steps, batch] of [
          ['wasm', wasmSteps, BATCH],
          ['cpu', cpuSteps, cpuBatch],
        ] as const) {
          const row = await measure(m, backend, steps, batch);
          rows.push(row);
          const growth = row.steps > 1 ? `, tensor count ${row.tensorGrowth ? `GREW by ${row.tensorGrowth}` : 'steady'} over the timed steps` : '';
          console.log(`  ${row.model} ${row.input} on ${backend}: ${row.msPerStep.toFixed(0)} ms/step${growth}`);
        }
      }
      return { rows, torch };
    },
    { allowFewer: process.argv.includes('--allow-fewer') },
  );
  const record = reproRecord(machineInfo(), runs, startedIso);

  console.log(`\n${reproHeader(record).join('\n')}`);
  console.log(`\nTraining throughput, Node ${process.version}, tfjs ${tf.version.tfjs}; each figure the median of the repeats (min-max, spread)`);
  console.log('| model | input | backend | batch | timed steps | ms/step | img/s |');
  console.log('|---|---|---|---|---|---|---|');
  const first = runs[0].value.rows;
  const over = (k: number, f: (r: Row) => number) => summarise(runs.map((r) => f(r.value.rows[k])));
  first.forEach((r, k) =>
    console.log(
      `| ${r.model} | ${r.input} | ${r.backend} | ${r.batch} | ${r.steps} | ${formatSpread(
        over(k, (x) => x.msPerStep),
        0,
      )} | ${formatSpread(
        over(k, (x) => x.imgPerSec),
        2,
      )} |`,
    ),
  );
  console.log('');
  const img = (m: ModelCase, backend: string) => {
    const k = first.findIndex((r) => `${r.model} ${r.input}` === key(m) && r.backend === backend);
    return over(k, (x) => x.imgPerSec).median;
  };
  for (const m of MODELS) {
    const w = img(m, 'wasm');
    const c = img(m, 'cpu');
    const t = summarise(runs.map((r) => r.value.torch.get(key(m))!.imgPerSec ?? NaN));
    const missing = runs[0].value.torch.get(key(m))!.missing;
    const peer = t.n ? `torch ${formatSpread(t, 0)} img/s (${runs[0].value.torch.get(key(m))!.threads} threads), torch/wasm = ${(t.median / w).toFixed(1)}x` : `torch peer MISSING: ${missing}`;
    console.log(`${key(m)}: wasm/cpu = ${(w / c).toFixed(1)}x; ${peer}`);
  }
  if (record.underLoad) console.log('\nMEASURED UNDER LOAD: do not quote these figures as headlines.');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

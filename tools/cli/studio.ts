/**
 * The studio's command line, over the same engine the Worker runs.
 *
 *   npm run cli -- evaluate --model custom-cnn-mnist [--backend wasm] [--limit N] [--json]
 *   npm run cli -- finetune --model custom-cnn-mnist [--epochs 1] [--batch 64] [--lr 0.01] [--backend wasm] [--json]
 *   npm run cli -- compress --model custom-cnn --dataset mnist --prune 0.8 --quant int8 [--json]
 *   npm run cli -- train --arch custom-cnn --dataset cifar10 [--epochs 1] [--batch 64] [--lr 0.01] [--train-limit N]
 *   npm run cli -- list
 *
 * compress flags: --prune <sparsity> --prune-method per-layer|global|n:m|structured|none
 *   --schedule one-shot|gradual --initial-sparsity S --layers conv,depthwise,dense --spare-first-last
 *   --criterion l1|l2 --nm 2:4 --epochs N --batch N --lr X --optimizer sgd-momentum|adam
 *   --train-limit N --max-steps N --seed N --quant int8|weight-int8|float16|none --per-tensor
 *   --calibration minmax|percentile|mse --calibration-samples N --percentile P --limit N
 *   --latency-runs N --settings file.json (a partial CompressSettings; flags override it)
 *   --export-dir DIR (.tflite int8/float32, C array, report.json; see export-command.ts)
 *   --tflite-io float|int8 --board <id>
 */
import * as tf from '@tensorflow/tfjs';
import { initBackend, type BackendName } from '../../src/engine/backend/init';
import { loadDataset } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import { serializeError, StudioError } from '../../src/engine/errors';
import { evaluate } from '../../src/engine/evaluate';
import { evaluateBaseline } from '../../src/engine/jobs/evaluate-baseline';
import { loadLayersModel } from '../../src/engine/models/load';
import { prepareTrainingBackend } from '../../src/engine/train/training-backend';
import { fit } from '../../src/engine/train/fit';
import { readIndex, readPublic, saveTrained } from './node-io';
import { trainFromScratch } from '../../src/engine/jobs/train-from-scratch';
import type { DatasetId } from '../../src/engine/types';
import { compressFromFlags, printCompressTable } from './compress-command';
import { printExports, writeExports } from './export-command';
import type { CompressedModels } from '../../src/engine/jobs/compress';

export type Flags = Record<string, string | boolean>;

function parseFlags(argv: string[]): { command: string; flags: Flags } {
  const [command = 'help', ...rest] = argv;
  const flags: Flags = {};
  for (let i = 0; i < rest.length; i++) {
    const a = rest[i];
    if (!a.startsWith('--')) throw new StudioError('bad-model', `Unexpected argument "${a}". Flags start with --.`);
    const next = rest[i + 1];
    if (next === undefined || next.startsWith('--')) flags[a.slice(2)] = true;
    else {
      flags[a.slice(2)] = next;
      i++;
    }
  }
  return { command, flags };
}

function num(flags: Flags, name: string, fallback: number): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new StudioError('bad-model', `--${name} must be a number, got "${String(v)}".`);
  return n;
}

async function baseline(flags: Flags) {
  const id = String(flags.model ?? '');
  const index = await readIndex();
  const entry = index.models.find((m) => m.id === id);
  if (!entry) throw new StudioError('bad-model', `Unknown baseline "${id}". Known: ${index.models.map((m) => m.id).join(', ')}.`, { modelId: id });
  return entry;
}

function bar(fraction: number): string {
  const n = Math.round(fraction * 30);
  return `[${'#'.repeat(n)}${'.'.repeat(30 - n)}]`;
}

async function main(): Promise<void> {
  const { command, flags } = parseFlags(process.argv.slice(2));
  const json = flags.json === true;
  const log = (s: string) => {
    if (!json) process.stderr.write(s);
  };
  if (command === 'list') {
    for (const m of (await readIndex()).models) console.log(`${m.id.padEnd(28)} ${m.dataset.padEnd(14)} ${(m.testAccuracy * 100).toFixed(2)}%`);
    return;
  }
  if (command === 'evaluate') {
    const entry = await baseline(flags);
    const status = await initBackend((flags.backend as BackendName) ?? 'wasm');
    const r = await evaluateBaseline(entry, { read: readPublic, onProgress: (stage, done, total) => log(`\r${stage.padEnd(10)} ${bar(total ? done / total : 0)} ${done}/${total}   `) }, flags.limit ? num(flags, 'limit', 0) : undefined);
    log('\n');
    if (json) console.log(JSON.stringify({ ...r, backendStatus: status }, null, 1));
    else {
      console.log(`${r.modelId} on ${r.dataset} test records ${r.testRecords.first}-${r.testRecords.first + r.testRecords.count - 1}, backend ${r.backend}`);
      console.log(`  accuracy ${(r.metrics.accuracy * 100).toFixed(2)}%  macro recall ${(r.metrics.macroRecall * 100).toFixed(2)}%  latency p50 ${r.latency.medianMs.toFixed(2)} ms  size ${r.sizeBytes} B`);
      for (const c of r.caveats) console.log(`  note: ${c}`);
    }
    return;
  }
  if (command === 'finetune') {
    const entry = await baseline(flags);
    const training = await prepareTrainingBackend((flags.backend as BackendName | undefined) ?? 'wasm');
    log(`training on ${training.backend}${training.note ? ` (${training.note})` : ''}\n`);
    const { model } = await loadLayersModel(entry.path, readPublic, entry.files);
    const d = getDataset(entry.dataset);
    const train = await loadDataset(d, 'train', (n) => readPublic(`data/${d.id}/${n}`), flags.limit ? { count: num(flags, 'limit', 0) } : {});
    const res = await fit(model, train, entry.preprocessing, {
      epochs: num(flags, 'epochs', 1),
      batchSize: num(flags, 'batch', 64),
      learningRate: num(flags, 'lr', 0.005),
      seed: num(flags, 'seed', 1),
      onStep: (p) => log(`\rstep ${p.step}/${p.totalSteps} ${bar(p.step / p.totalSteps)} loss ${p.loss.toFixed(4)}  ${p.imagesPerSecond.toFixed(0)} img/s  ${Math.ceil(p.secondsLeft)} s left   `),
    });
    log('\n');
    const test = await loadDataset(d, 'test', (n) => readPublic(`data/${d.id}/${n}`), { first: entry.testData.first, count: entry.testData.count });
    const { metrics } = await evaluate(model, test, entry.preprocessing);
    const out = { modelId: entry.id, backend: res.backend, steps: res.steps, imagesPerSecond: res.imagesPerSecond, elapsedMs: res.elapsedMs, finalLoss: res.losses.at(-1), testAccuracy: metrics.accuracy, baselineAccuracy: entry.testAccuracy };
    if (json) console.log(JSON.stringify(out, null, 1));
    else console.log(`fine-tuned ${res.steps} steps on ${res.backend} in ${(res.elapsedMs / 1000).toFixed(1)} s (${res.imagesPerSecond.toFixed(0)} img/s); test accuracy ${(metrics.accuracy * 100).toFixed(2)}% (baseline ${(entry.testAccuracy * 100).toFixed(2)}%)`);
    model.dispose();
    return;
  }
  if (command === 'train') {
    const arch = String(flags.arch ?? '');
    const dataset = String(flags.dataset ?? '') as DatasetId;
    const training = await prepareTrainingBackend((flags.backend as BackendName | undefined) ?? 'wasm');
    log(`training ${arch} on ${dataset} from scratch on ${training.backend}\n`);
    const r = await trainFromScratch(
      { architecture: arch, dataset, epochs: num(flags, 'epochs', 1), batchSize: num(flags, 'batch', 64), learningRate: num(flags, 'lr', 0.01), optimizer: flags.optimizer === 'adam' ? 'adam' : 'sgd-momentum', seed: num(flags, 'seed', 1), trainLimit: flags['train-limit'] ? num(flags, 'train-limit', 0) : undefined, maxSteps: flags['max-steps'] ? num(flags, 'max-steps', 0) : undefined },
      `models/trained/${arch}-${dataset}-trained`,
      { read: readPublic, onProgress: (stage, done, total, p) => log(`\r${stage.padEnd(10)} ${bar(total ? done / total : 0)} ${done}/${total}${p ? ` loss ${p.loss.toFixed(4)} ${p.imagesPerSecond.toFixed(0)} img/s ${Math.ceil(p.secondsLeft)} s left` : ''}   `) },
    );
    log('\n');
    const dir = await saveTrained(r);
    const out = { id: r.entry.id, savedTo: dir, steps: r.steps, imagesPerSecond: r.imagesPerSecond, backend: r.backend, testAccuracy: r.metrics.accuracy, testRecords: r.entry.testData };
    if (json) console.log(JSON.stringify(out, null, 1));
    else console.log(`trained ${r.entry.id}: ${r.steps} steps on ${r.backend} (${r.imagesPerSecond.toFixed(0)} img/s), test accuracy ${(r.metrics.accuracy * 100).toFixed(2)}% on records ${r.entry.testData.first}-${r.entry.testData.first + r.entry.testData.count - 1}; saved to ${dir}; compress it with --model ${r.entry.id}`);
    return;
  }
  if (command === 'compress') {
    let models: CompressedModels | undefined;
    const exportDir = flags['export-dir'];
    if (exportDir === true) throw new StudioError('bad-settings', '--export-dir needs a folder.', { flag: 'export-dir' });
    const r = await compressFromFlags(flags, log, bar, exportDir ? (m) => (models = m) : undefined);
    const exported = exportDir && models ? await writeExports(exportDir, r, models, flags) : undefined;
    if (json) console.log(JSON.stringify(exported ? { ...r, exported: { dir: exported.dir, files: exported.files, fit: exported.fit, skipped: exported.skipped } } : r, null, 1));
    else {
      printCompressTable(r);
      if (exported) printExports(exported);
    }
    return;
  }
  console.log('usage: npm run cli -- <list | evaluate | finetune | compress | train> --model <baseline id> [--backend wasm|webgl|cpu] [--json]');
  if (command !== 'help') process.exitCode = 2;
}

main().catch((e) => {
  const err = serializeError(e);
  console.error(`error (${err.code}${err.kind === 'bug' ? ', internal' : ''}): ${err.message}`);
  process.exit(1);
});
void tf;

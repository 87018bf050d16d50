/**
 * The studio's command line, over the same engine the Worker runs.
 *
 *   npm run cli -- list | evaluate | finetune | compress [--auto] | sensitivity | train   (flags: npm run cli -- help)
 *
 * Each command's flags are a table (COMMANDS below; compress's in compress-flags.ts) whose choice
 * arguments come from src/engine/choices/: the parser refuses a flag the command does not take or
 * a value outside its table, and `help` prints the tables.
 */
import { BACKENDS, OPTIMIZERS } from '../../src/engine/choices/train';
import { initBackend } from '../../src/engine/backend/init';
import { serializeError, StudioError } from '../../src/engine/errors';
import type { CompressedModels } from '../../src/engine/jobs/compress';
import { evaluateBaseline } from '../../src/engine/jobs/evaluate-baseline';
import { finetuneBaseline } from '../../src/engine/jobs/finetune-baseline';
import { trainFromScratch } from '../../src/engine/jobs/train-from-scratch';
import { prepareTrainingBackend } from '../../src/engine/train/training-backend';
import type { DatasetId } from '../../src/engine/types';
import { autoFromFlags, printAuto } from './auto-command';
import { autoBudgetFromFlags } from './auto-flags';
import { compressFromFlags, printCompressTable } from './compress-command';
import { COMPRESS_FLAGS } from './compress-flags';
import { printExports, writeExports } from './export-command';
import { argOf, checkKnown, choice, type FlagSpec, type Flags, helpText, num as maybeNum, parseFlags, str } from './flags';
import { readIndex, readPublic, saveTrained } from './node-io';
import { analyseSensitivity } from '../../src/engine/jobs/sensitivity';
import { SENSITIVITY_DEFAULTS } from '../../src/engine/jobs/sensitivity-settings';

const json: FlagSpec = { name: 'json', help: 'Print the result as JSON.' };
const model: FlagSpec = { name: 'model', arg: '<baseline id>', help: 'A baseline of npm run cli -- list.' };
const inference: FlagSpec = { name: 'backend', arg: argOf({ options: BACKENDS.options.filter((o) => o.id !== 'auto') }), help: 'tfjs backend (default wasm).' };
const training: FlagSpec = { name: 'backend', arg: argOf(BACKENDS), help: 'Training backend (default wasm).' };

const sparsityLevels: FlagSpec = { name: 'sparsities', arg: '<s1,s2,...>', help: `The sparsities each layer is tried at (default ${SENSITIVITY_DEFAULTS.sparsities.join(',')}).` };
const reconImages: FlagSpec = { name: 'images', arg: '<N>', help: `Calibration images per layer (default ${SENSITIVITY_DEFAULTS.calibrationImages}).` };
const heldOut: FlagSpec = { name: 'held-out', arg: '<N>', help: `Training images accuracy is measured on, disjoint from the calibration images (default ${SENSITIVITY_DEFAULTS.heldOutImages}).` };

/** Each command's flags; `help` prints them. */
export const COMMANDS: Record<string, { about: string; flags: readonly FlagSpec[] }> = {
  list: { about: 'The baselines, their dataset and test accuracy.', flags: [] },
  evaluate: { about: 'Evaluate a baseline on its test records.', flags: [model, inference, { name: 'limit', arg: '<N>', help: 'The first N test records only.' }, json] },
  finetune: {
    about: 'Fine-tune a baseline (the engine’s fine-tune job: test accuracy before and after).',
    flags: [
      model,
      training,
      { name: 'epochs', arg: '<N>', help: 'Default 1.' },
      { name: 'batch', arg: '<N>', help: 'Default 64.' },
      { name: 'lr', arg: '<rate>', help: 'Default 0.005.' },
      { name: 'seed', arg: '<N>', help: 'Default 1.' },
      { name: 'limit', arg: '<N>', help: 'Train on the first N training images.' },
      json,
    ],
  },
  compress: { about: 'Prune, fine-tune and quantize a baseline; measure it before and after.', flags: COMPRESS_FLAGS },
  sensitivity: {
    about: 'Each weighted layer compressed alone (pruned with reconstruction, or int8): its output error and the accuracy on held-back training images.',
    flags: [model, sparsityLevels, reconImages, heldOut, json],
  },
  train: {
    about: 'Train an architecture from scratch for a dataset (saved under public/models/trained/).',
    flags: [
      { name: 'arch', arg: '<architecture>', help: 'An architecture of the zoo.' },
      { name: 'dataset', arg: '<dataset id>', help: 'The dataset to train on.' },
      training,
      { name: 'epochs', arg: '<N>', help: 'Default 1.' },
      { name: 'batch', arg: '<N>', help: 'Default 64.' },
      { name: 'lr', arg: '<rate>', help: 'Default 0.01.' },
      { name: 'optimizer', arg: argOf(OPTIMIZERS), help: `Default ${OPTIMIZERS.defaultId}.` },
      { name: 'seed', arg: '<N>', help: 'Default 1.' },
      { name: 'train-limit', arg: '<N>', help: 'The first N training images only.' },
      { name: 'max-steps', arg: '<N>', help: 'Stop after N steps.' },
      json,
    ],
  },
};

function usage(): string {
  const parts = ['usage: npm run cli -- <command> [flags]', ''];
  for (const [name, c] of Object.entries(COMMANDS)) parts.push(`${name}: ${c.about}`, ...(c.flags.length ? [helpText(c.flags)] : []), '');
  return parts.join('\n');
}

function num(flags: Flags, name: string, fallback: number): number {
  return maybeNum(flags, name) ?? fallback;
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
  if (command === 'search') throw new StudioError('bad-settings', 'search is now compress --auto: npm run cli -- compress --model <id> --auto --max-drop 1 (docs/CLI.md).', { command });
  if (command === 'help' || !(command in COMMANDS)) {
    console.log(usage());
    if (command !== 'help') process.exitCode = 2;
    return;
  }
  checkKnown(command, flags, COMMANDS[command].flags);
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
    const requested = choice(flags, 'backend', BACKENDS) ?? 'wasm';
    if (requested === 'auto') throw new StudioError('bad-settings', '--backend: evaluate runs on wasm, webgl or cpu (auto chooses a training backend).', { flag: 'backend' });
    const status = await initBackend(requested);
    const r = await evaluateBaseline(entry, { read: readPublic, onProgress: (stage, done, total) => log(`\r${stage.padEnd(10)} ${bar(total ? done / total : 0)} ${done}/${total}   `) }, maybeNum(flags, 'limit'));
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
    const training = await prepareTrainingBackend(choice(flags, 'backend', BACKENDS) ?? 'wasm');
    log(`training on ${training.backend}${training.note ? ` (${training.note})` : ''}\n`);
    // The engine's fine-tune job, as the studio's Fine-tune button runs it.
    const r = await finetuneBaseline(
      entry,
      { epochs: num(flags, 'epochs', 1), batchSize: num(flags, 'batch', 64), learningRate: num(flags, 'lr', 0.005), seed: num(flags, 'seed', 1), trainLimit: maybeNum(flags, 'limit') },
      {
        read: readPublic,
        onProgress: (stage, done, total, p) =>
          log(
            p
              ? `\rstep ${p.step}/${p.totalSteps} ${bar(p.step / p.totalSteps)} loss ${p.loss.toFixed(4)}  ${p.imagesPerSecond.toFixed(0)} img/s  ${Math.ceil(p.secondsLeft)} s left   `
              : `\r${stage.padEnd(10)} ${bar(total ? done / total : 0)} ${done}/${total}   `,
          ),
      },
    );
    log('\n');
    const out = {
      modelId: entry.id,
      backend: training.backend,
      steps: r.steps,
      imagesPerSecond: r.imagesPerSecond,
      elapsedMs: r.elapsedMs,
      finalLoss: r.losses.at(-1),
      accuracyBefore: r.accuracyBefore,
      testAccuracy: r.accuracyAfter,
      baselineAccuracy: entry.testAccuracy,
      testRecords: r.testRecords,
    };
    if (json) console.log(JSON.stringify(out, null, 1));
    else
      console.log(
        `fine-tuned ${r.steps} steps on ${training.backend} in ${(r.elapsedMs / 1000).toFixed(1)} s (${r.imagesPerSecond.toFixed(0)} img/s); test accuracy ${(r.accuracyBefore * 100).toFixed(2)}% -> ${(r.accuracyAfter * 100).toFixed(2)}% (baseline ${(entry.testAccuracy * 100).toFixed(2)}%)`,
      );
    return;
  }
  if (command === 'sensitivity') {
    const entry = await baseline(flags);
    await initBackend('wasm');
    const d = SENSITIVITY_DEFAULTS;
    const sparsities = flags.sparsities === undefined ? d.sparsities : String(flags.sparsities).split(',').map(Number);
    // The engine's analysis, as the studio's Sensitivity tab runs it (and as a Compress with sensitivity allocation reuses it).
    const { report: r, settings } = await analyseSensitivity(
      entry,
      { calibrationImages: num(flags, 'images', d.calibrationImages), heldOutImages: num(flags, 'held-out', d.heldOutImages), sparsities },
      { read: readPublic, onProgress: (stage, done, total) => log(`\r${stage.padEnd(12)} ${bar(total ? done / total : 0)} ${done}/${total}   `) },
    );
    log('\n');
    if (json) console.log(JSON.stringify({ modelId: entry.id, ...r }, null, 1));
    else {
      const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
      console.log(`${entry.id}: accuracy on ${r.heldOutImages} held-back training images ${pct(r.baselineAccuracy)}; each layer changed alone (output error / KL divergence from the unchanged model's predictions / accuracy)`);
      console.log(['layer'.padEnd(22), 'weights'.padStart(8), ...settings.sparsities.map((x) => `pruned ${pct(x)}`.padStart(30)), 'int8'.padStart(30)].join(' '));
      for (const l of r.layers) {
        const cell = (p: { outputError: number; divergence: number; accuracy: number }) => `${p.outputError.toExponential(1)} / ${p.divergence.toExponential(1)} / ${pct(p.accuracy)}`.padStart(30);
        console.log([l.layer.padEnd(22), String(l.weights).padStart(8), ...l.prune.map(cell), cell(l.int8)].join(' '));
      }
    }
    return;
  }
  if (command === 'train') {
    const arch = String(flags.arch ?? '');
    const dataset = String(flags.dataset ?? '') as DatasetId;
    const training = await prepareTrainingBackend(choice(flags, 'backend', BACKENDS) ?? 'wasm');
    log(`training ${arch} on ${dataset} from scratch on ${training.backend}\n`);
    const r = await trainFromScratch(
      {
        architecture: arch,
        dataset,
        epochs: num(flags, 'epochs', 1),
        batchSize: num(flags, 'batch', 64),
        learningRate: num(flags, 'lr', 0.01),
        optimizer: choice(flags, 'optimizer', OPTIMIZERS) ?? OPTIMIZERS.defaultId,
        seed: num(flags, 'seed', 1),
        trainLimit: maybeNum(flags, 'train-limit'),
        maxSteps: maybeNum(flags, 'max-steps'),
      },
      `models/trained/${arch}-${dataset}-trained`,
      {
        read: readPublic,
        onProgress: (stage, done, total, p) =>
          log(`\r${stage.padEnd(10)} ${bar(total ? done / total : 0)} ${done}/${total}${p ? ` loss ${p.loss.toFixed(4)} ${p.imagesPerSecond.toFixed(0)} img/s ${Math.ceil(p.secondsLeft)} s left` : ''}   `),
      },
    );
    log('\n');
    const dir = await saveTrained(r);
    const out = { id: r.entry.id, savedTo: dir, steps: r.steps, imagesPerSecond: r.imagesPerSecond, backend: r.backend, testAccuracy: r.metrics.accuracy, testRecords: r.entry.testData };
    if (json) console.log(JSON.stringify(out, null, 1));
    else
      console.log(
        `trained ${r.entry.id}: ${r.steps} steps on ${r.backend} (${r.imagesPerSecond.toFixed(0)} img/s), test accuracy ${(r.metrics.accuracy * 100).toFixed(2)}% on records ${r.entry.testData.first}-${r.entry.testData.first + r.entry.testData.count - 1}; saved to ${dir}; compress it with --model ${r.entry.id}`,
      );
    return;
  }
  let models: CompressedModels | undefined;
  const exportDir = str(flags, 'export-dir');
  const auto = flags.auto || autoBudgetFromFlags(flags) ? await autoFromFlags(flags, log, bar, exportDir ? (m) => (models = m) : undefined) : undefined;
  const r = auto?.result ?? (await compressFromFlags(flags, log, bar, exportDir ? (m) => (models = m) : undefined));
  const exported = exportDir && models ? await writeExports(exportDir, r, models, flags) : undefined;
  const out = exported ? { ...r, exported: { dir: exported.dir, files: exported.files, fit: exported.fit, skipped: exported.skipped } } : r;
  if (json) console.log(JSON.stringify(auto ? { search: auto.search, ...out } : out, null, 1));
  else {
    if (auto) printAuto(auto);
    else printCompressTable(r);
    if (exported) printExports(exported);
  }
}

main().catch((e) => {
  const err = serializeError(e);
  console.error(`error (${err.code}${err.kind === 'bug' ? ', internal' : ''}): ${err.message}`);
  process.exit(1);
});

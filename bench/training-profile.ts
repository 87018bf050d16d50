/**
 * Where a wasm training step's time goes, and the compute ceiling it implies (issue 8).
 *
 *   npm run bench:profile -- [--model custom-cnn|mobilenet-v1-0.5] [--input mnist|cifar] [--repeats 3]
 *
 * Prints img/s for a full step at batch 64, the kernels' share of one profiled step, and the
 * multiply-accumulate rate XNNPACK reaches on the forward pass alone (MACs from the engine's graph
 * cost). A training step costs about 3x the forward MACs (forward, input gradient, filter
 * gradient), so forward GMAC/s / (3 x MACs per image) bounds the img/s any wasm implementation of
 * these kernels can reach on one thread.
 */
import * as tf from '@tensorflow/tfjs';
import { graphFromLayersModel } from '../src/engine/graph/from-layers';
import { graphCost } from '../src/engine/graph/shapes';
import { getArchitecture } from '../src/engine/models/registry';
import { prepareTrainingBackend } from '../src/engine/train/training-backend';
import { formatSpread, machineInfo, repeatRuns, reproHeader, reproRecord, summarise } from './lib/repro';

const args = process.argv.slice(2);
const flag = (n: string, d: string) => (args.includes(`--${n}`) ? args[args.indexOf(`--${n}`) + 1] : d);

async function main() {
  const backend = await prepareTrainingBackend('wasm');
  const shape: [number, number, number] = flag('input', 'mnist') === 'cifar' ? [32, 32, 3] : [28, 28, 1];
  const arch = flag('model', 'custom-cnn');
  const model = getArchitecture(arch).build({ inputShape: shape, numClasses: 10, dropout: 0 });
  const macs = graphCost(graphFromLayersModel(model)).macs;
  const B = 64;
  const opt = tf.train.momentum(0.01, 0.9);
  const x = tf.randomNormal([B, ...shape]);
  const y = tf.oneHot(tf.randomUniform([B], 0, 10, 'int32'), 10).toFloat();
  const step = () => opt.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
  const time = async (f: () => tf.Tensor, n: number) => {
    for (let i = 0; i < 2; i++) tf.dispose(await f().data());
    const t0 = performance.now();
    for (let i = 0; i < n; i++) {
      const t = f();
      await t.data();
      t.dispose();
    }
    return (performance.now() - t0) / n;
  };
  const startedIso = new Date().toISOString();
  // The timings repeat (median and spread); the kernel shares come from one profiled step.
  const runs = await repeatRuns(Number(flag('repeats', '3')), async () => ({ stepMs: await time(step, 4), fwdMs: await time(() => model.predict(x) as tf.Tensor, 4) }), { allowFewer: args.includes('--allow-fewer') });
  const stepMs = summarise(runs.map((r) => r.value.stepMs));
  const fwdMs = summarise(runs.map((r) => r.value.fwdMs));
  const prof = await tf.profile(async () => {
    const l = step();
    await l.data();
    l.dispose();
  });
  const by = new Map<string, number>();
  // Op-level wrappers (names ending in __op) contain their kernels; count kernels only.
  for (const k of prof.kernels) if (!k.name.endsWith('__op')) by.set(k.name, (by.get(k.name) ?? 0) + (k.kernelTimeMs as number));
  const total = [...by.values()].reduce((a, b) => a + b, 0);
  const gmacs = summarise(runs.map((r) => (macs * B) / (r.value.fwdMs / 1000) / 1e9));
  const record = reproRecord(machineInfo(), runs, startedIso);
  console.log(reproHeader(record).join('\n'));
  console.log(`${arch} ${shape.join('x')} on ${backend.backend}, batch ${B}, threads: ${tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT') ? 'yes' : 'no'}; median (min-max, spread) of the repeats`);
  console.log(`  training step ${formatSpread(stepMs, 0, ' ms')} = ${((B * 1000) / stepMs.median).toFixed(0)} img/s; forward (inference mode) ${formatSpread(fwdMs, 0, ' ms')}`);
  console.log(`  forward: ${(macs / 1e6).toFixed(1)} MMAC/image at ${formatSpread(gmacs, 2, ' GMAC/s')} -> ceiling for a step of ~3x forward MACs: ${((gmacs.median * 1e9) / (3 * macs)).toFixed(0)} img/s`);
  console.log('  kernel shares of one profiled step:');
  for (const [k, v] of [...by.entries()].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(`  ${k.padEnd(28)} ${v.toFixed(1).padStart(8)} ms ${((100 * v) / total).toFixed(1).padStart(5)}%`);
  if (record.underLoad) console.log('\nMEASURED UNDER LOAD: do not quote these figures as headlines.');
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

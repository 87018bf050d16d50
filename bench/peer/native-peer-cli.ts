/**
 * The studio beside a native peer, in one run: a baseline's float32 and int8 figures from the
 * studio's engine (tfjs wasm in Node, the compress job with no pruning and full-integer int8)
 * and from Debian's python3-torch (bench/peer/torch_peer.py) on the same test records.
 *
 *   npm run bench:peer -- --model custom-cnn-mnist [--limit N] [--calibration 500] [--threads 2]
 *                         [--runs 30] [--repeats 3] [--python /usr/bin/python3] [--json out.json]
 *
 * Speed figures are the medians of --repeats repeats of the whole comparison (bench/lib/repro.ts).
 *
 * Prints a Markdown table and the ratios issue 6 asks for: studio accuracy minus peer accuracy
 * (float should be ~0: same weights, same images, same preprocessing) and studio throughput over
 * peer throughput, float and int8. tfjs has no int8 kernels, so the int8 throughput ratio puts
 * tfjs float kernels (running the dequantized int8 weights) against torch's int8 engine; the
 * output says so. The two run one after the other, never at once, so neither slows the other;
 * on a shared machine both move with other work (the load average is printed).
 * A missing peer is printed as MISSING with the reason, and the studio's figures still print.
 */
import { writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../src/engine/backend/init';
import { compressBaseline } from '../../src/engine/jobs/compress';
import { withDefaults } from '../../src/engine/jobs/compress-settings';
import type { BaselineEntry } from '../../src/engine/types';
import { readIndex, readPublic } from '../../tools/cli/node-io';
import { formatSpread, machineInfo, repeatRuns, reproHeader, reproRecord, type Spread, summarise } from '../lib/repro';
import { isInt8Supported, isMissing, peerRatios, runNativePeer, type PeerMissing, type PeerResult, type StudioFigures } from './native-peer';

const args = process.argv.slice(2);
function flag(name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}
function intFlag(name: string, fallback?: number): number | undefined {
  const v = flag(name);
  if (v === undefined) return fallback;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a whole number of at least 1 (got ${JSON.stringify(v)})`);
  return n;
}

const pct = (v: number) => `${(v * 100).toFixed(2)}%`;
const fixed = (v: number | undefined, d = 2) => (v === undefined ? '-' : v.toFixed(d));

/** The compress job with no pruning and full-integer int8: its before (float32) and after (int8). */
async function studioFigures(entry: BaselineEntry, limit: number | undefined, calibration: number, runs: number): Promise<StudioFigures & { records: { first: number; count: number }; latencyNote: string }> {
  const r = await compressBaseline(entry, withDefaults({ evalLimit: limit, latencyRuns: runs, prune: { method: 'none' }, quant: { mode: 'int8', granularity: 'per-channel', calibration: { method: 'minmax', samples: calibration } } }), {
    read: readPublic,
    onProgress: (stage, done, total) => process.stderr.isTTY && process.stderr.write(`\r  studio: ${stage.padEnd(16)} ${done}/${total}      `),
  });
  if (process.stderr.isTTY) process.stderr.write('\n');
  const figures = (m: typeof r.before) => ({ accuracy: m.metrics.accuracy, macroRecall: m.metrics.macroRecall, imagesPerSecond: m.throughput.imagesPerSecond, latencyMsP50: m.latency.medianMs });
  return {
    backend: r.backend,
    float: figures(r.before),
    int8: { ...figures(r.after), agreementWithFloat: 1 - r.flippedCount / r.testRecords.count },
    records: r.testRecords,
    latencyNote: r.after.latencyNote,
  };
}

async function main() {
  const modelId = flag('model') ?? 'custom-cnn-mnist';
  const limit = intFlag('limit');
  const calibration = intFlag('calibration', 500)!;
  const threads = intFlag('threads', 2)!;
  const runs = intFlag('runs', 30)!;
  const index = await readIndex();
  const entry = index.models.find((m) => m.id === modelId);
  if (!entry) throw new Error(`baseline ${JSON.stringify(modelId)} is not in public/models/index.json (have: ${index.models.map((m) => m.id).join(', ')})`);
  const first = entry.testData.first;
  const count = Math.min(entry.testData.count, limit ?? Infinity);
  const load0 = loadavg()[0];
  const startedIso = new Date().toISOString();

  process.stderr.write(`native peer: ${modelId}, test records ${first}-${first + count - 1}\n`);
  const backend = await initBackend('wasm');
  // Accuracy is the same in every repeat; the speed figures are the medians of the repeats.
  const repeats = await repeatRuns(
    intFlag('repeats', 3)!,
    async () => {
      const p = await runNativePeer({ modelId, first, count, calibration, threads, runs, python: flag('python') });
      const st = await studioFigures(entry, limit, calibration, runs);
      return { peer: p, studio: st };
    },
    { allowFewer: args.includes('--allow-fewer') },
  );
  const { peer, studio, spreads } = medianFigures(repeats.map((r) => r.value));
  const load1 = loadavg()[0];
  const record = reproRecord(machineInfo(), repeats, startedIso);
  console.log(`\n${reproHeader(record).join('\n')}`);
  for (const [name, sp] of spreads) console.log(`  ${name}: ${formatSpread(sp, 2)}`);

  console.log(`\n${modelId} on ${entry.dataset}, test records ${first}-${first + count - 1} (${count === entry.testData.count ? "the baseline's full recorded test set" : `a subset of the baseline's ${entry.testData.count}`})`);
  console.log(`machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; 1-min load ${load0.toFixed(2)} -> ${load1.toFixed(2)}`);
  if (Math.max(load0, load1) > cpus().length - 0.5) {
    const why = threads > 1 ? `, torch's with ${threads} threads most of all (each op waits for its slowest thread). Rerun when it is idle, or with --threads 1` : '. Rerun when it is idle';
    console.log(`  WARNING: the machine was busy with other work (load above its ${cpus().length} cores); timings are unreliable${why}.`);
  }
  const wasmThreads = await tf
    .env()
    .getAsync('WASM_HAS_MULTITHREAD_SUPPORT')
    .catch(() => 'unknown');
  console.log(
    `studio: tfjs ${tf.version.tfjs} ${studio.backend} in Node ${process.version} (wasm threads: ${wasmThreads})${backend.fallbackReason ? `, FALLBACK: ${backend.fallbackReason}` : ''}; int8 = the compress job's simulated int8 (per-channel, minmax, ${calibration} calibration images)`,
  );
  if (isMissing(peer)) {
    console.log(`native peer: MISSING (${peer.missing})`);
    console.log(`\n| figure | studio |\n|---|---|`);
    console.log(`| float32 accuracy | ${pct(studio.float.accuracy)} |\n| float32 images/s (batch 32) | ${fixed(studio.float.imagesPerSecond, 1)} |\n| int8 accuracy (simulated) | ${pct(studio.int8!.accuracy)} |`);
    writeJson({ modelId, studio, peer });
    return;
  }
  const int8 = isInt8Supported(peer.int8) ? peer.int8 : undefined;
  console.log(
    `peer: python3-torch ${peer.torchVersion}, ${peer.threads} thread${peer.threads === 1 ? '' : 's'}, eager mode; int8 = ${int8 ? `${int8.api}, engine ${int8.engine}, ${int8.qconfig}, ${int8.calibration.images} calibration images (training split, seed ${int8.calibration.seed})` : `UNSUPPORTED: ${(peer.int8 as { unsupported: string }).unsupported}`}`,
  );
  const ratios = peerRatios(studio, peer);
  const si = studio.int8!;
  console.log('\n| figure | studio (tfjs) | peer (torch) | studio vs peer |');
  console.log('|---|---|---|---|');
  console.log(`| float32 accuracy | ${pct(studio.float.accuracy)} | ${pct(peer.float.accuracy)} | ${fixed(ratios.floatAccuracyDiffPts)} pts |`);
  console.log(`| float32 macro recall | ${pct(studio.float.macroRecall)} | ${pct(peer.float.macroRecall)} | ${fixed((studio.float.macroRecall - peer.float.macroRecall) * 100)} pts |`);
  console.log(`| float32 images/s (batch 32) | ${fixed(studio.float.imagesPerSecond, 1)} | ${fixed(peer.float.imagesPerSecond, 1)} | x${fixed(ratios.floatThroughputRatio, 3)} |`);
  console.log(`| float32 latency ms (batch 1, p50) | ${fixed(studio.float.latencyMsP50)} | ${fixed(peer.float.latencyMsP50)} | x${fixed(ratios.floatLatencyRatio, 3)} |`);
  console.log(`| int8 accuracy | ${pct(si.accuracy)} (simulated) | ${int8 ? pct(int8.accuracy) : 'unsupported'} | ${fixed(ratios.int8AccuracyDiffPts)} pts |`);
  console.log(`| int8 agreement with float32 | ${pct(si.agreementWithFloat)} | ${int8 ? pct(int8.agreementWithFloat) : '-'} | |`);
  console.log(`| int8 images/s (batch 32) | ${fixed(si.imagesPerSecond, 1)} (tfjs float kernels) | ${int8 ? fixed(int8.imagesPerSecond, 1) : '-'} (torch int8) | x${fixed(ratios.int8ThroughputRatio, 3)} |`);
  console.log(`| int8 latency ms (batch 1, p50) | ${fixed(si.latencyMsP50)} | ${int8 ? fixed(int8.latencyMsP50) : '-'} | x${fixed(ratios.int8LatencyRatio, 3)} |`);
  console.log('');
  console.log(`float32: studio accuracy - peer accuracy = ${fixed(ratios.floatAccuracyDiffPts)} points; studio throughput / peer throughput = ${fixed(ratios.floatThroughputRatio, 3)}`);
  if (int8) {
    console.log(
      `int8: studio accuracy - peer accuracy = ${fixed(ratios.int8AccuracyDiffPts)} points (different quantizers: the studio's minmax calibration vs torch's histogram observer); studio throughput / peer throughput = ${fixed(ratios.int8ThroughputRatio, 3)}`,
    );
    console.log(`  note: tfjs has no int8 kernels; ${studio.latencyNote}. This ratio compares tfjs float kernels with torch's int8 engine (${int8.engine}).`);
    if (int8.floatIslands > 0) console.log(`  note: ${int8.floatIslands} stretch(es) of the torch int8 graph run in float between a dequantize and a quantize.`);
  } else console.log(`int8: the peer's int8 is UNSUPPORTED for this model: ${(peer.int8 as { unsupported: string }).unsupported}`);
  console.log(indexCheck(peer, entry.testAccuracy, entry.testData));
  writeJson({ modelId, studio, peer, ratios });
}

type Repeat = { peer: PeerResult | PeerMissing; studio: Awaited<ReturnType<typeof studioFigures>> };

/**
 * The first repeat's figures with every speed figure replaced by its median over the repeats, and
 * each speed figure's spread (printed beside the table).
 */
function medianFigures(all: Repeat[]): Repeat & { spreads: Array<[string, Spread]> } {
  const spreads: Array<[string, Spread]> = [];
  const med = (name: string, pick: (r: Repeat) => number | undefined) => {
    const sp = summarise(all.map((r) => pick(r) ?? NaN));
    if (sp.n) spreads.push([name, sp]);
    return sp.n ? sp.median : undefined;
  };
  const { peer, studio } = structuredClone(all[0]);
  const speed = <T extends { imagesPerSecond: number; latencyMsP50: number }>(o: T, name: string, pick: (r: Repeat) => T | undefined) => {
    o.imagesPerSecond = med(`${name} images/s`, (r) => pick(r)?.imagesPerSecond) ?? o.imagesPerSecond;
    o.latencyMsP50 = med(`${name} latency ms`, (r) => pick(r)?.latencyMsP50) ?? o.latencyMsP50;
  };
  speed(studio.float, 'studio float32', (r) => r.studio.float);
  if (studio.int8) speed(studio.int8, 'studio int8', (r) => r.studio.int8);
  if (!isMissing(peer)) {
    speed(peer.float, 'peer float32', (r) => (isMissing(r.peer) ? undefined : r.peer.float));
    if (isInt8Supported(peer.int8)) speed(peer.int8, 'peer int8', (r) => (!isMissing(r.peer) && isInt8Supported(r.peer.int8) ? r.peer.int8 : undefined));
  }
  return { peer, studio, spreads };
}

/** The peer against index.json's recorded accuracy, when it ran on the same records. */
function indexCheck(peer: PeerResult, testAccuracy: number, td: { first: number; count: number }): string {
  if (peer.testRecords.first !== td.first || peer.testRecords.count !== td.count) {
    return `index.json check: not applicable (index.json's ${pct(testAccuracy)} is on records ${td.first}-${td.first + td.count - 1}; this run used a subset)`;
  }
  const diff = Math.abs(peer.float.accuracy - testAccuracy) * 100;
  return `index.json check: peer float32 ${pct(peer.float.accuracy)} vs recorded ${pct(testAccuracy)}: ${diff <= 0.1 ? 'matches' : 'DIFFERS'} (|diff| ${diff.toFixed(3)} points, limit 0.1)`;
}

function writeJson(o: object): void {
  const file = flag('json');
  if (file) writeFileSync(file, JSON.stringify({ ...o, date: new Date().toISOString(), machine: { cpu: cpus()[0]?.model, cores: cpus().length } }, null, 1));
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

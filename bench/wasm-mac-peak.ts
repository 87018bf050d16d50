/**
 * The most an int8 wasm kernel can gain over a float32 one on this CPU and browser: the peak
 * multiply-accumulate throughput of the SIMD instructions each is built from (bench/wasm/mac-peak.wat:
 * register-only loops with 8 independent accumulators), in headless Chromium, once as the browser
 * runs and once per extra V8 flag set (default: "--no-enable-avx-vnni", what a CPU without AVX-VNNI
 * gets). It also probes how V8 lowers the relaxed int8 dot product when its second operand has the
 * top bit set, which decides whether XNNPACK (LiteRT.js) may use it:
 *   -130560  unsigned, not saturating (x64 with AVX-VNNI: vpdpbusd): XNNPACK's "usdot" int8 kernels;
 *   -65536   unsigned, saturating at int16 (x64 without AVX-VNNI: pmaddubsw + pmaddwd): XNNPACK
 *            refuses it and falls back to SIMD128 int8 kernels (i16 dot products);
 *   512      signed (Arm: sdot): XNNPACK's "sdot" kernels.
 * The kernels take turns in 20 short rounds and each keeps its fastest (load only slows a round down).
 * Real kernels also load, broadcast and requantize, so they reach a fraction of these peaks; the
 * ratio int8 / float32 of the peaks bounds the int8 speed-up of compute-bound layers.
 *
 *   npx tsx bench/wasm-mac-peak.ts [--repeats 3] [--iterations 20000000] [--flags "--no-enable-avx-vnni"] [--record]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { ROOT } from '../tools/cli/node-io';
import { formatSpread, machineInfo, repeatRuns, reproHeader, reproRecord, summarise, writeResult } from './lib/repro';

const args = process.argv.slice(2);
const flag = (name: string, fallback?: string) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const repeats = Number(flag('repeats', '3'));
const iterations = Number(flag('iterations', '20000000'));
const variants = ['', ...(flag('flags', '--no-enable-avx-vnni') ?? '').split(';').filter(Boolean)];

/** Kernel name -> MACs per loop iteration (12 accumulators x MACs per instruction). */
const KERNELS = { f32_relaxed_madd: 48, f32_mul_add: 48, i16_dot_add: 96, i8_relaxed_dot: 192 } as const;
type Kernel = keyof typeof KERNELS;

interface Measured {
  gmacs: Record<Kernel, number>;
  probe: number;
}

async function measure(jsFlags: string): Promise<{ version: string; run: () => Promise<Measured>; close: () => Promise<void> }> {
  const browser = await chromium.launch({ executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium', args: ['--no-sandbox', ...(jsFlags ? [`--js-flags=${jsFlags}`] : [])] });
  const page = await browser.newPage();
  const wasm = readFileSync(join(ROOT, 'bench', 'wasm', 'mac-peak.wasm')).toString('base64');
  const run = () =>
    page.evaluate(
      async ([b64, n, kernels]) => {
        const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
        const { instance } = await WebAssembly.instantiate(bytes);
        const ex = instance.exports as Record<string, (n?: number) => number> & { mem: WebAssembly.Memory };
        const mem = new Int8Array(ex.mem.buffer);
        mem.fill(-128, 0, 16);
        mem.fill(-1, 16, 32);
        mem.fill(0, 32, 48);
        ex.dot_probe();
        const probe = new Int32Array(ex.mem.buffer, 48, 4)[0];
        // Float operands stay normal (int8 bytes read as float32 would make denormal products, which
        // x86 handles in microcode, 10-100x slower); int operands are small. (No named helper
        // functions in here: the bundler would wrap them in a helper the page does not have.)
        const f32Operands = new Float32Array([1, 1, 1, 1, 1e-3, 1e-3, 1e-3, 1e-3]);
        const i8Operands = new Int8Array(32).fill(1);
        const best: Record<string, number> = {};
        for (const k of Object.keys(kernels)) {
          if (k.startsWith('f32')) new Float32Array(ex.mem.buffer, 0, 8).set(f32Operands);
          else mem.set(i8Operands);
          ex[k](n / 10); // warm-up: tier up to the optimizing compiler
          best[k] = Infinity;
        }
        // The kernels take turns in short rounds, and each keeps its fastest round: load from other
        // processes only ever slows a round down, and falls on all kernels alike.
        const rounds = 20;
        for (let r = 0; r < rounds; r++) {
          for (const k of Object.keys(kernels)) {
            if (k.startsWith('f32')) new Float32Array(ex.mem.buffer, 0, 8).set(f32Operands);
            else mem.set(i8Operands);
            const t = performance.now();
            ex[k](n / rounds);
            best[k] = Math.min(best[k], performance.now() - t);
          }
        }
        const gmacs: Record<string, number> = {};
        for (const [k, macs] of Object.entries(kernels)) gmacs[k] = ((n / rounds) * macs) / (best[k] * 1e6);
        return { gmacs, probe } as { gmacs: Record<string, number>; probe: number };
      },
      [wasm, iterations, KERNELS] as const,
    ) as Promise<Measured>;
  return { version: browser.version(), run, close: () => browser.close() };
}

async function main(): Promise<void> {
  const startedIso = new Date().toISOString();
  const sessions: Array<{ flags: string } & Awaited<ReturnType<typeof measure>>> = [];
  for (const v of variants) sessions.push({ flags: v, ...(await measure(v)) });
  const machine = machineInfo(`Chromium ${sessions[0].version}`);
  let runs;
  try {
    runs = await repeatRuns(
      repeats,
      async () => {
        const out: Measured[] = [];
        for (const s of sessions) out.push(await s.run());
        return out;
      },
      { allowFewer: args.includes('--allow-fewer') },
    );
  } finally {
    for (const s of sessions) await s.close();
  }
  const record = reproRecord(machine, runs, startedIso);
  const probeMeaning = (p: number) => (p === -130560 ? 'unsigned, not saturating (VNNI)' : p === -65536 ? 'unsigned, saturating at int16' : p === 512 ? 'signed' : `unexpected (${p})`);
  const lines = ['Peak MAC throughput, GMAC/s per core (median of the repeats, min-max, spread), and the peak ratio to float32 FMA', ''];
  lines.push('| V8 flags | relaxed dot lowering | f32 relaxed_madd | f32 mul+add | i16 dot + add | i8 relaxed dot | i16 / f32 FMA | i8 relaxed dot / f32 FMA | i8 i7-safe (2 dots) / f32 FMA |');
  lines.push('|---|---|---|---|---|---|---|---|---|');
  const peaks = [
    '',
    'The fastest round of all repeats (load only slows a round down, so this is the best estimate of each peak):',
    '',
    '| V8 flags | f32 relaxed_madd | f32 mul+add | i16 dot + add | i8 relaxed dot | i16 / f32 FMA | i8 relaxed dot / f32 FMA | i8 i7-safe / f32 FMA |',
    '|---|---|---|---|---|---|---|---|',
  ];
  const summary = sessions.map((s, v) => {
    const g = (k: Kernel) => summarise(runs.map((r) => r.value[v].gmacs[k]));
    const ratio = (k: Kernel, d = 1) => summarise(runs.map((r) => r.value[v].gmacs[k] / d / r.value[v].gmacs.f32_relaxed_madd));
    const row = {
      flags: s.flags || '(none)',
      probe: runs[0].value[v].probe,
      f32Fma: g('f32_relaxed_madd'),
      f32MulAdd: g('f32_mul_add'),
      i16: g('i16_dot_add'),
      i8: g('i8_relaxed_dot'),
      i16Ratio: ratio('i16_dot_add'),
      i8Ratio: ratio('i8_relaxed_dot'),
      i8SafeRatio: ratio('i8_relaxed_dot', 2),
    };
    lines.push(
      `| ${row.flags} | ${probeMeaning(row.probe)} | ${formatSpread(row.f32Fma, 1)} | ${formatSpread(row.f32MulAdd, 1)} | ${formatSpread(row.i16, 1)} | ${formatSpread(row.i8, 1)} | ${formatSpread(row.i16Ratio, 2, 'x')} | ${formatSpread(row.i8Ratio, 2, 'x')} | ${formatSpread(row.i8SafeRatio, 2, 'x')} |`,
    );
    // Load only ever slows a round, so the fastest round of all repeats is the best estimate of the peak.
    const peak = (k: Kernel) => g(k).max;
    peaks.push(
      `| ${row.flags} | ${peak('f32_relaxed_madd').toFixed(1)} | ${peak('f32_mul_add').toFixed(1)} | ${peak('i16_dot_add').toFixed(1)} | ${peak('i8_relaxed_dot').toFixed(1)} | ${(peak('i16_dot_add') / peak('f32_relaxed_madd')).toFixed(2)}x | ${(peak('i8_relaxed_dot') / peak('f32_relaxed_madd')).toFixed(2)}x | ${(peak('i8_relaxed_dot') / 2 / peak('f32_relaxed_madd')).toFixed(2)}x |`,
    );
    return { ...row, peakGmacs: Object.fromEntries(Object.keys(KERNELS).map((k) => [k, peak(k as Kernel)])) };
  });
  lines.push(...peaks);
  console.log(`${reproHeader(record).join('\n')}\n\n${lines.join('\n')}`);
  if (record.underLoad) console.log('\nMEASURED UNDER LOAD: do not quote these figures as headlines.');
  if (args.includes('--record')) {
    const f = writeResult(ROOT, 'wasm-mac-peak', record, 'Peak wasm SIMD multiply-accumulate throughput', lines.join('\n'), { summary });
    console.log(`\nwrote ${f.md}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

/**
 * Reproducible speed figures: every bench that publishes a speed runs its measurement at least
 * three times and reports the median and the spread, with the machine it ran on and how busy that
 * machine was. A run taken under load is marked as such in its output and its result file, and is
 * never a headline figure.
 *
 * "Under load" (judgeLoad): other processes used more than OTHERS_SHARE_LIMIT of the machine's CPU
 * in the QUIET_WINDOW_MS before the run or during it (Linux: /proc/stat less this process tree's
 * own CPU time). Where that cannot be measured, the 1-minute load average before the run is the
 * test (above LOAD_PER_CORE_LIMIT per core), and a rise by more than the bench's own thread can
 * explain. The load average is recorded but does not judge a repeat where CPU time can be read: it
 * decays over minutes, so after a first repeat it still carries the bench's own busy thread (a
 * quiet run of bench:tflite read 1.3-2.1 before repeats 2 and 3, with others using 0.02-0.05
 * cores).
 *
 * Why the CPU's flags are recorded: the wasm engines lower relaxed SIMD to different instructions
 * on different CPUs (V8 on x64: i32x4.relaxed_dot_i8x16_i7x16_add_s is one vpdpbusd with AVX-VNNI,
 * three instructions without; f32x4.relaxed_madd is one FMA with FMA3), so the int8 / float32
 * ratio of one .tflite file is a property of the CPU as well as of the runtime.
 */
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';

/** At least this many repeats for a published figure. */
export const MIN_REPEATS = 3;
/** 1-minute load average per logical core above which the machine counts as busy before a run. */
export const LOAD_PER_CORE_LIMIT = 0.5;
/** Share of all cores that other processes may use during a run before it counts as under load. */
export const OTHERS_SHARE_LIMIT = 0.1;
/** How long the machine is watched just before each repeat. */
export const QUIET_WINDOW_MS = 3000;

/** CPU flags that change how wasm SIMD (and relaxed SIMD) is lowered on x86-64. */
const SIMD_FLAGS = ['ssse3', 'sse4_1', 'avx', 'avx2', 'fma', 'f16c', 'avx512f', 'avx512bw', 'avx512_vnni', 'avx_vnni', 'avx_vnni_int8', 'asimddp', 'i8mm'];

export interface MachineInfo {
  cpuModel: string;
  logicalCores: number;
  /** The SIMD-relevant flags of /proc/cpuinfo (Linux only; empty elsewhere). */
  cpuFlags: string[];
  os: string;
  node: string;
  totalMemoryGiB: number;
  /** e.g. "Chromium 156.0.8078.114", where the bench drives a browser. */
  browser?: string;
}

export function machineInfo(browser?: string): MachineInfo {
  const cpus = os.cpus();
  let flags: string[] = [];
  let model = cpus[0]?.model?.trim() ?? 'unknown CPU';
  if (existsSync('/proc/cpuinfo')) {
    const info = readFileSync('/proc/cpuinfo', 'utf8');
    const line = info.split('\n').find((l) => /^(flags|Features)\s*:/.test(l));
    const all = new Set((line?.split(':')[1] ?? '').trim().split(/\s+/));
    flags = SIMD_FLAGS.filter((f) => all.has(f));
    const m = /^model name\s*:\s*(.+)$/m.exec(info);
    if (m) model = m[1].trim();
  }
  return {
    cpuModel: model,
    logicalCores: cpus.length,
    cpuFlags: flags,
    os: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    totalMemoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    ...(browser ? { browser } : {}),
  };
}

export interface LoadSample {
  atIso: string;
  load1: number;
  load5: number;
  load15: number;
  /** Linux: all cores' busy and total jiffies, and this process tree's own CPU jiffies. */
  cpu?: { busy: number; total: number; own: number };
}

/** Jiffies from /proc/stat's first line: busy (all but idle and iowait) and total. */
function systemJiffies(): { busy: number; total: number } | undefined {
  if (!existsSync('/proc/stat')) return undefined;
  const f = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal (guest fields are already in user/nice)
  const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
  return { busy: total - f[3] - f[4], total };
}

/**
 * CPU jiffies of this process and all its descendants (the browser a bench drives runs in child
 * processes), alive or reaped (cutime/cstime).
 */
function ownTreeJiffies(): number {
  const parent = new Map<number, number>();
  const used = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // The command name (field 2) may hold spaces; the fields after its closing bracket are fixed.
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parent.set(Number(name), Number(rest[1]));
      used.set(Number(name), Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]));
    } catch {
      // the process ended while we read
    }
  }
  let sum = 0;
  for (const pid of used.keys()) {
    for (let p: number | undefined = pid; p !== undefined && p > 1; p = parent.get(p)) {
      if (p === process.pid) {
        sum += used.get(pid)!;
        break;
      }
    }
  }
  return sum;
}

export function sampleLoad(): LoadSample {
  const [load1, load5, load15] = os.loadavg();
  const sys = systemJiffies();
  return { atIso: new Date().toISOString(), load1, load5, load15, ...(sys ? { cpu: { ...sys, own: ownTreeJiffies() } } : {}) };
}

export interface LoadVerdict {
  underLoad: boolean;
  /** Why, in words; empty when quiet. */
  reasons: string[];
  /** Other processes' average CPU use during the run, in cores (Linux only). */
  othersCores?: number;
  /** The same in the QUIET_WINDOW_MS before the run. */
  othersCoresBefore?: number;
}

/** Other processes' CPU use between two samples, in cores (Linux only). */
function othersCoresBetween(a: LoadSample, b: LoadSample, cores: number): number | undefined {
  if (!a.cpu || !b.cpu || b.cpu.total <= a.cpu.total) return undefined;
  return Math.max(0, ((b.cpu.busy - a.cpu.busy - (b.cpu.own - a.cpu.own)) / (b.cpu.total - a.cpu.total)) * cores);
}

/**
 * Whether a run between two samples was taken under load (see the module comment). `window` is
 * the pair of samples QUIET_WINDOW_MS apart just before the run, when it was watched.
 */
export function judgeLoad(before: LoadSample, after: LoadSample, cores: number, window?: { start: LoadSample; end: LoadSample }): LoadVerdict {
  const reasons: string[] = [];
  const allowed = OTHERS_SHARE_LIMIT * cores;
  const beforeCores = window && othersCoresBetween(window.start, window.end, cores);
  const othersCores = othersCoresBetween(before, after, cores);
  if (beforeCores !== undefined) {
    if (beforeCores > allowed) reasons.push(`other processes used ${beforeCores.toFixed(2)} of ${cores} cores just before the run (limit ${allowed.toFixed(2)})`);
  } else {
    const limit = LOAD_PER_CORE_LIMIT * cores;
    if (before.load1 > limit) reasons.push(`1-min load average ${before.load1.toFixed(2)} before the run (limit ${limit.toFixed(2)} on ${cores} cores)`);
  }
  if (othersCores !== undefined) {
    if (othersCores > allowed) reasons.push(`other processes used ${othersCores.toFixed(2)} of ${cores} cores during the run (limit ${allowed.toFixed(2)})`);
  } else if (after.load1 > before.load1 + 1) {
    reasons.push(`1-min load average rose from ${before.load1.toFixed(2)} to ${after.load1.toFixed(2)}, more than the bench's own thread explains`);
  }
  return { underLoad: reasons.length > 0, reasons, ...(othersCores !== undefined ? { othersCores } : {}), ...(beforeCores !== undefined ? { othersCoresBefore: beforeCores } : {}) };
}

export interface Spread {
  n: number;
  median: number;
  min: number;
  max: number;
  /** (max - min) / median, in percent. */
  spreadPct: number;
  values: number[];
}

/** Median and spread of one figure over the repeats (NaN values, e.g. a missing file, are dropped). */
export function summarise(values: number[]): Spread {
  const v = values.filter((x) => !Number.isNaN(x));
  const s = [...v].sort((a, b) => a - b);
  const n = s.length;
  const median = n === 0 ? NaN : n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
  return { n, median, min: s[0] ?? NaN, max: s[n - 1] ?? NaN, spreadPct: n ? ((s[n - 1] - s[0]) / median) * 100 : NaN, values: v };
}

/** "1.234 (1.200-1.300, 8.1%)": the median, then min-max and the spread of the repeats. */
export function formatSpread(s: Spread, digits = 3, unit = ''): string {
  if (!s.n) return '-';
  return `${s.median.toFixed(digits)}${unit} (${s.min.toFixed(digits)}-${s.max.toFixed(digits)}, ${s.spreadPct.toFixed(1)}%)`;
}

export interface RepeatRecord<T> {
  index: number;
  value: T;
  wallMs: number;
  loadBefore: LoadSample;
  loadAfter: LoadSample;
  verdict: LoadVerdict;
}

/** Two load samples `ms` apart: the machine watched just before a run (judgeLoad's `window`; its `end` is the run's `before`). */
export async function watchBefore(ms = QUIET_WINDOW_MS): Promise<{ start: LoadSample; end: LoadSample }> {
  const start = sampleLoad();
  await new Promise((r) => setTimeout(r, ms));
  return { start, end: sampleLoad() };
}

/** Runs `measure` `n` times (at least MIN_REPEATS unless `allowFewer`), sampling the load around each run. */
export async function repeatRuns<T>(n: number, measure: (index: number) => Promise<T>, opts: { allowFewer?: boolean; onRun?: (r: RepeatRecord<T>) => void; quietWindowMs?: number } = {}): Promise<Array<RepeatRecord<T>>> {
  if (n < MIN_REPEATS && !opts.allowFewer) throw new Error(`A published speed figure needs at least ${MIN_REPEATS} repeats, not ${n} (pass --repeats ${MIN_REPEATS} or more).`);
  const cores = os.cpus().length;
  const out: Array<RepeatRecord<T>> = [];
  for (let i = 0; i < n; i++) {
    const window = await watchBefore(opts.quietWindowMs);
    const loadBefore = window.end;
    const t = performance.now();
    const value = await measure(i);
    const wallMs = performance.now() - t;
    const loadAfter = sampleLoad();
    const rec = { index: i, value, wallMs, loadBefore, loadAfter, verdict: judgeLoad(loadBefore, loadAfter, cores, window) };
    opts.onRun?.(rec);
    out.push(rec);
  }
  return out;
}

/** What a result file records beside its figures. */
export interface ReproRecord {
  command: string;
  startedIso: string;
  finishedIso: string;
  machine: MachineInfo;
  repeats: number;
  runs: Array<{ index: number; wallMs: number; loadBefore: LoadSample; loadAfter: LoadSample; verdict: LoadVerdict }>;
  /** True if any repeat was under load: then no figure of this run is a headline. */
  underLoad: boolean;
}

export function reproRecord<T>(machine: MachineInfo, runs: Array<RepeatRecord<T>>, startedIso: string): ReproRecord {
  return {
    command: commandLine(),
    startedIso,
    finishedIso: new Date().toISOString(),
    machine,
    repeats: runs.length,
    runs: runs.map(({ index, wallMs, loadBefore, loadAfter, verdict }) => ({ index, wallMs, loadBefore, loadAfter, verdict })),
    underLoad: runs.some((r) => r.verdict.underLoad),
  };
}

/** How this bench was started: "npm run <script> -- <args>" under npm, else "tsx <file> <args>". */
function commandLine(): string {
  const script = process.env.npm_lifecycle_event;
  const args = process.argv.slice(2).join(' ');
  if (script && script !== 'npx') return `npm run ${script}${args ? ` -- ${args}` : ''}`;
  return `tsx ${process.argv[1]?.replace(`${process.cwd()}/`, '') ?? ''} ${args}`.trim();
}

/** The banner a bench prints and writes above its figures. */
export function reproHeader(r: ReproRecord): string[] {
  const m = r.machine;
  const lines = [
    r.underLoad ? '**MEASURED UNDER LOAD: not a headline figure; rerun on a quiet machine.**' : 'Measured on a quiet machine (load checked before and during every repeat).',
    `Command: \`${r.command}\``,
    `Machine: ${m.cpuModel}, ${m.logicalCores} logical cores${m.cpuFlags.length ? ` (${m.cpuFlags.join(' ')})` : ''}, ${m.totalMemoryGiB} GiB, ${m.os}, Node ${m.node}${m.browser ? `, ${m.browser}` : ''}`,
    `Repeats: ${r.repeats} (figures are the median of the repeats, with min-max and spread = (max - min) / median), ${r.startedIso} to ${r.finishedIso}`,
  ];
  for (const run of r.runs) {
    const before = run.verdict.othersCoresBefore === undefined ? '' : `, others used ${run.verdict.othersCoresBefore.toFixed(2)} cores just before`;
    const others = (run.verdict.othersCores === undefined ? '' : `, others used ${run.verdict.othersCores.toFixed(2)} cores during it`) + before;
    lines.push(
      `- repeat ${run.index + 1}: ${(run.wallMs / 1000).toFixed(1)} s, 1-min load ${run.loadBefore.load1.toFixed(2)} before, ${run.loadAfter.load1.toFixed(2)} after${others}${run.verdict.underLoad ? ` - UNDER LOAD: ${run.verdict.reasons.join('; ')}` : ''}`,
    );
  }
  return lines;
}

/**
 * Writes bench/results/<date>-<machine>-<name>.md and .json (machine: BENCH_MACHINE, default "vm"),
 * the record first, so a result file always says how and where it was measured.
 */
export function writeResult(root: string, name: string, rec: ReproRecord, title: string, bodyMd: string, data: unknown): { md: string; json: string } {
  const dir = join(root, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const base = join(dir, `${rec.startedIso.slice(0, 10)}-${process.env.BENCH_MACHINE ?? 'vm'}-${name}${rec.underLoad ? '-under-load' : ''}`);
  writeFileSync(`${base}.md`, `# ${title}${rec.underLoad ? ' (measured under load)' : ''}\n\n${reproHeader(rec).join('\n')}\n\n${bodyMd}\n`);
  writeFileSync(`${base}.json`, JSON.stringify({ repro: rec, ...(data as object) }, null, 1));
  return { md: `${base}.md`, json: `${base}.json` };
}

/**
 * The native peer: the same baseline weights evaluated by Debian's python3-torch on this CPU
 * (bench/peer/torch_peer.py), float32 and torch's own int8 engine, on the same test records.
 *
 * `runNativePeer` returns the peer's figures, or `{ missing }` with the reason when the peer
 * cannot run here (no interpreter, or no torch for it), so a caller reports it as missing and
 * never skips it silently. Any other failure of the peer (a bad model id, a bug) throws.
 * `peerRatios` puts the studio's figures beside the peer's.
 */
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/**
 * Debian's interpreter, the one python3-torch is installed for (the python3 on PATH may lack it);
 * STUDIO_PEER_PYTHON names another.
 */
export const DEFAULT_PYTHON = process.env.STUDIO_PEER_PYTHON ?? '/usr/bin/python3';
/** torch_peer.py's exit status when torch (or numpy) is not installed for the interpreter. */
const EXIT_MISSING = 3;

export interface NativePeerOptions {
  /** Baseline id from public/models/index.json. */
  modelId: string;
  /** Test records (default: the baseline's recorded testData range). */
  first?: number;
  count?: number;
  /** int8 calibration images, drawn from the training split with a fixed seed (default 500). */
  calibration?: number;
  /** torch.set_num_threads (default 2). */
  threads?: number;
  /** Timed runs at batch 1; a third as many at batch 32 (default 30). */
  runs?: number;
  /** Interpreter to run (default /usr/bin/python3). */
  python?: string;
  /** Give up after this many ms (default 10 minutes). */
  timeoutMs?: number;
}

export interface PeerFigures {
  accuracy: number;
  macroRecall: number;
  /** Images per second at batch 32, from the median batch time after warm-up. */
  imagesPerSecond: number;
  /** Median ms per image at batch 1, after warm-up. */
  latencyMsP50: number;
}

export interface PeerInt8 extends PeerFigures {
  /** Fraction 0-1 of test records where int8 and float32 predict the same class. */
  agreementWithFloat: number;
  calibration: { images: number; source: string; seed: number };
  /** torch's quantized engine (onednn on Debian's build, which has no fbgemm). */
  engine: string;
  api: string;
  qconfig: string;
  quantizedModules: Record<string, number>;
  /** Asymmetric 'same' pads moved onto int8 tensors (see requantize_pads in torch_peer.py). */
  padsOnInt8: number;
  /** dequantize -> float op -> quantize stretches left inside the int8 graph. */
  floatIslands: number;
  floatWeightedModules: string[];
}

export interface PeerResult {
  peer: 'python3-torch';
  torchVersion: string;
  threads: number;
  modelId: string;
  dataset: string;
  testRecords: { first: number; count: number };
  float: PeerFigures & { maxLogitDiffVsTrainerGraph: number };
  int8: PeerInt8 | { unsupported: string };
  timing: { throughputBatch: number; latencyBatch: number; latencyRuns: number; statistic: string };
  floatLogitsFirst8?: number[][];
  machine: { cpus: number; loadAverage1m: { before: number; after: number } };
}

export interface PeerMissing {
  missing: string;
}

export function isMissing(r: PeerResult | PeerMissing): r is PeerMissing {
  return 'missing' in r;
}

export function isInt8Supported(i: PeerResult['int8']): i is PeerInt8 {
  return !('unsupported' in i);
}

function scriptArgs(o: NativePeerOptions): string[] {
  const args = [join(here, 'torch_peer.py'), o.modelId];
  const num = (flag: string, v: number | undefined) => {
    if (v === undefined) return;
    if (!Number.isInteger(v) || v < 0) throw new Error(`runNativePeer: ${flag} must be a whole number (got ${v})`);
    args.push(`--${flag}`, String(v));
  };
  num('first', o.first);
  num('count', o.count);
  num('calibration', o.calibration);
  num('threads', o.threads);
  num('runs', o.runs);
  return args;
}

export function runNativePeer(o: NativePeerOptions): Promise<PeerResult | PeerMissing> {
  const python = o.python ?? DEFAULT_PYTHON;
  const args = scriptArgs(o);
  return new Promise((resolve, reject) => {
    const child = spawn(python, args, { stdio: ['ignore', 'pipe', 'pipe'], timeout: o.timeoutMs ?? 600_000 });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', (e: NodeJS.ErrnoException) => {
      // ENOENT / EACCES: there is no interpreter to run, which is a missing peer, not a failure.
      if (e.code === 'ENOENT' || e.code === 'EACCES') resolve({ missing: `${python} cannot be run (${e.code}): the native peer needs Debian's python3 with python3-torch` });
      else reject(new Error(`torch_peer: could not start ${python}: ${e.message}`));
    });
    child.on('close', (code, signal) => {
      const why = stderr.trim().split('\n').filter(Boolean).pop() ?? '';
      if (code === EXIT_MISSING) return resolve({ missing: why || `${python} has no torch` });
      if (code !== 0) return reject(new Error(`torch_peer failed (${signal ? `killed by ${signal}` : `exit ${code}`}) for ${o.modelId}: ${why || 'no message'}`));
      try {
        resolve(parsePeerOutput(stdout));
      } catch (e) {
        reject(e);
      }
    });
  });
}

/** The peer's JSON line, checked for the fields the callers read. */
export function parsePeerOutput(stdout: string): PeerResult {
  const line = stdout.trim().split('\n').pop() ?? '';
  let r: PeerResult;
  try {
    r = JSON.parse(line) as PeerResult;
  } catch {
    throw new Error(`torch_peer printed no JSON (last line: ${JSON.stringify(line.slice(0, 200))})`);
  }
  const figures = (f: unknown) => typeof f === 'object' && f !== null && ['accuracy', 'macroRecall', 'imagesPerSecond', 'latencyMsP50'].every((k) => typeof (f as Record<string, unknown>)[k] === 'number');
  if (r.peer !== 'python3-torch' || !figures(r.float) || typeof r.int8 !== 'object' || !(figures(r.int8) || typeof (r.int8 as { unsupported?: unknown }).unsupported === 'string')) {
    throw new Error(`torch_peer printed JSON without the expected figures: ${line.slice(0, 200)}`);
  }
  return r;
}

/** The studio's side of the comparison, from its own engine on the same test records. */
export interface StudioFigures {
  backend: string;
  float: PeerFigures;
  /** The compress job's int8: simulated accuracy; speed of tfjs float kernels on dequantized weights. */
  int8?: PeerFigures & { agreementWithFloat: number };
}

export interface PeerRatios {
  /** Studio accuracy minus peer accuracy, in percentage points (should be ~0 for float). */
  floatAccuracyDiffPts: number;
  /** Studio images/s over peer images/s at batch 32 (below 1: the studio is slower). */
  floatThroughputRatio: number;
  floatLatencyRatio: number;
  int8AccuracyDiffPts?: number;
  int8ThroughputRatio?: number;
  int8LatencyRatio?: number;
}

export function peerRatios(studio: StudioFigures, peer: PeerResult): PeerRatios {
  const r: PeerRatios = {
    floatAccuracyDiffPts: (studio.float.accuracy - peer.float.accuracy) * 100,
    floatThroughputRatio: studio.float.imagesPerSecond / peer.float.imagesPerSecond,
    floatLatencyRatio: studio.float.latencyMsP50 / peer.float.latencyMsP50,
  };
  if (studio.int8 && isInt8Supported(peer.int8)) {
    r.int8AccuracyDiffPts = (studio.int8.accuracy - peer.int8.accuracy) * 100;
    r.int8ThroughputRatio = studio.int8.imagesPerSecond / peer.int8.imagesPerSecond;
    r.int8LatencyRatio = studio.int8.latencyMsP50 / peer.int8.latencyMsP50;
  }
  return r;
}

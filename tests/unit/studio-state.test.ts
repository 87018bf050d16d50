/**
 * The studio's persistence table, in Node: the URL codec (round trip, compactness, refusals),
 * history records read back through restoreRun, the CSV/JSON exports, and the sweep's parser.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, type CompressSettings } from '../../src/engine/jobs/compress-settings';
import { csvCell, historyCsv, historyJson } from '../../src/state/history-export';
import { restoreRun, type RunRecord } from '../../src/state/run-record';
import { parseSweep } from '../../src/state/sweep-slice';
import { DEFAULT_DEPLOY } from '../../src/state/deploy-slice';
import { decodeUrlState, encodeUrlState } from '../../src/state/url-state';

const settings = (patch: (s: CompressSettings) => void): CompressSettings => {
  const s = structuredClone(DEFAULT_SETTINGS);
  patch(s);
  return s;
};

describe('URL state', () => {
  it('writes only the version for the defaults', () => {
    expect(encodeUrlState({ settings: DEFAULT_SETTINGS, backend: 'auto', run: false, lecture: false })).toBe('v=2');
  });

  it('round-trips every field', () => {
    const s = settings((x) => {
      x.prune = {
        ...x.prune,
        method: 'structured',
        sparsity: 0.35,
        layerKinds: ['conv', 'depthwise'],
        spareFirstLast: true,
        criterion: 'l2',
        overrides: { 'a,b:c': 0.2, 'conv/1': 0.9 },
        schedule: { kind: 'gradual', initialSparsity: 0.1, power: 2 },
        n: 1,
        m: 8,
      };
      x.finetune = { epochs: 3, batchSize: 32, learningRate: 0.0125, optimizer: 'adam', seed: 7, trainLimit: 500, maxSteps: 40 };
      x.quant = { mode: 'weight-int8', granularity: 'per-tensor', rounding: 'gptq', biasCorrection: 'mean', calibration: { method: 'percentile', samples: 64, percentile: 99.9 } };
      x.evalLimit = 300;
      x.stageAccuracy = true;
      x.latencyRuns = 5;
    });
    const q = encodeUrlState({ modelId: 'custom-cnn-mnist', settings: s, backend: 'wasm', run: true, lecture: true });
    const d = decodeUrlState(`?${q}`);
    expect(d.ignored).toEqual([]);
    expect(d.settings).toEqual(s);
    expect(d).toMatchObject({ modelId: 'custom-cnn-mnist', backend: 'wasm', run: true, lecture: true, present: true });
  });

  it('leaves values it cannot read at their defaults and names them', () => {
    const d = decodeUrlState('?v=2&sp=1.5&ep=-1&q=int4&ov=__proto__:0.5&lk=conv.fc&sc=g:x:3&foo=1&pm=gl');
    expect(d.ignored.sort()).toEqual(['ep', 'foo', 'lk', 'ov', 'q', 'sc', 'sp']);
    expect(d.settings.prune.method).toBe('global');
    expect(d.settings.prune.sparsity).toBe(DEFAULT_SETTINGS.prune.sparsity);
    expect(Object.getPrototypeOf(d.settings.prune.overrides)).toBe(Object.prototype);
  });

  it('reads a version-1 link against the defaults of its day, so it keeps its meaning', () => {
    const d = decodeUrlState('?v=1&m=custom-cnn-mnist&sp=0.6&q=int8');
    expect(d.newerVersion).toBeUndefined();
    expect(d.settings.prune).toMatchObject({ method: 'per-layer', sparsity: 0.6, allocation: 'sensitivity', spareFirstLast: false });
    expect(d.settings.stageAccuracy).toBe(true);
    // Today's defaults differ in each of those, and a bare link of today's version is today's defaults.
    expect(DEFAULT_SETTINGS.prune).toMatchObject({ method: 'obs', sparsity: 0.8, allocation: 'uniform', spareFirstLast: true });
    expect(DEFAULT_SETTINGS.stageAccuracy).toBe(false);
    expect(decodeUrlState('?v=2').settings).toEqual(DEFAULT_SETTINGS);
    // Re-encoded, it says the same in today's version.
    expect(decodeUrlState(`?${encodeUrlState({ modelId: d.modelId, settings: d.settings, backend: 'auto', run: false, lecture: false })}`).settings).toEqual(d.settings);
  });

  it('applies nothing from a newer version and never runs it', () => {
    const d = decodeUrlState('?v=3&sp=0.9&run=1');
    expect(d.newerVersion).toBe('3');
    expect(d.run).toBe(false);
    expect(d.settings).toEqual(DEFAULT_SETTINGS);
  });

  it('round-trips the Deploy choices: TFLite step, int8 I/O, board, custom RAM and flash, file', () => {
    const deploy = { tflite: true, io: 'int8' as const, runtime: 'tfjs-tflite' as const, board: 'custom' as const, customRamKb: 16, customFlashKb: 1536.5, file: 'float32' as const };
    const q = encodeUrlState({ modelId: 'custom-cnn-mnist', settings: DEFAULT_SETTINGS, backend: 'auto', deploy, run: false, lecture: false });
    expect(q).toBe('v=2&m=custom-cnn-mnist&tfl=1&io=i8&rt=tft&bd=custom&ram=16&fl=1536.5&ff=f32');
    const d = decodeUrlState(`?${q}`);
    expect(d.deploy).toEqual(deploy);
    expect(d.ignored).toEqual([]);
    expect(d.present).toBe(true);
    // A listed board by its id; the defaults write nothing.
    expect(encodeUrlState({ settings: DEFAULT_SETTINGS, backend: 'auto', deploy: { ...DEFAULT_DEPLOY, board: 'esp32' }, run: false, lecture: false })).toBe('v=2&bd=esp32');
    expect(encodeUrlState({ settings: DEFAULT_SETTINGS, backend: 'auto', deploy: DEFAULT_DEPLOY, run: false, lecture: false })).toBe('v=2');
    expect(decodeUrlState('?v=1&bd=esp32').deploy).toEqual({ ...DEFAULT_DEPLOY, board: 'esp32' });
    // The runtime chosen by measurement is the default (rt=m, written as nothing); a runtime picked by name is kept.
    expect(DEFAULT_DEPLOY.runtime).toBe('measured');
    expect(decodeUrlState('?v=1&rt=m').deploy.runtime).toBe('measured');
    expect(encodeUrlState({ settings: DEFAULT_SETTINGS, backend: 'auto', deploy: { ...DEFAULT_DEPLOY, runtime: 'litert' }, run: false, lecture: false })).toBe('v=2&rt=lrt');
  });

  it('an empty custom-board box is written as its default, and unreadable Deploy values are named', () => {
    const q = encodeUrlState({ settings: DEFAULT_SETTINGS, backend: 'auto', deploy: { ...DEFAULT_DEPLOY, board: 'custom', customRamKb: Number.NaN }, run: false, lecture: false });
    expect(q).toBe('v=2&bd=custom');
    const d = decodeUrlState('?v=1&tfl=yes&io=int4&rt=onnx&bd=arduino-uno&ram=-4&fl=0&ff=f32');
    expect(d.ignored.sort()).toEqual(['bd', 'fl', 'io', 'ram', 'rt', 'tfl']);
    expect(d.deploy).toEqual({ ...DEFAULT_DEPLOY, file: 'float32' });
  });

  it('a bare address or lecture=1 alone holds no settings', () => {
    expect(decodeUrlState('').present).toBe(false);
    expect(decodeUrlState('?lecture=1')).toMatchObject({ present: false, lecture: true });
  });

  it('round-trips the open tab, the tour step and the live preview switch; what the page shows is no setting', () => {
    const q = encodeUrlState({ settings: DEFAULT_SETTINGS, backend: 'auto', ui: { tab: 'history', tour: 'pruning-int8', livePreview: false }, run: false, lecture: true });
    expect(q).toBe('v=2&tab=history&tour=pruning-int8&pv=0&lecture=1');
    expect(decodeUrlState(`?${q}`)).toMatchObject({ ui: { tab: 'history', tour: 'pruning-int8', livePreview: false }, ignored: [] });
    expect(decodeUrlState('?tab=history&tour=int8&pv=0').present).toBe(false);
    expect(encodeUrlState({ settings: DEFAULT_SETTINGS, backend: 'auto', ui: { tab: 'details', tour: undefined, livePreview: true }, run: false, lecture: false })).toBe('v=2');
  });

  it('an unknown tab or tour step is named and left at its default', () => {
    const d = decodeUrlState('?v=1&tab=nope&tour=step9&pv=maybe&sp=0.4');
    expect(d.ui).toEqual({ tab: 'details', tour: undefined, livePreview: true });
    expect(d.ignored).toEqual(['tab', 'tour', 'pv']);
    expect(d.settings.prune.sparsity).toBe(0.4);
    expect(decodeUrlState('?v=1&tab=').ui.tab).toBe('details');
  });
});

function record(over: Partial<RunRecord> = {}): RunRecord {
  const report = {
    format: 'int8',
    metrics: { accuracy: 0.9, macroRecall: 0.89, confusion: [[1]] },
    size: { deployedBytes: 1000, gzipInt8Bytes: 700, sparseInt8Bytes: 600, gzipFloat32Bytes: 2000, sparseFloat32Bytes: 1800 },
    latency: { medianMs: 1.5, p95Ms: 2 },
    macs: 100,
  };
  return {
    v: 1,
    id: 'run-abc-01',
    name: 'my run',
    createdAt: 1_700_000_000_000,
    modelId: 'custom-cnn-mnist',
    backend: 'auto',
    settings: DEFAULT_SETTINGS,
    origin: 'run',
    result: {
      type: 'compress',
      modelId: 'custom-cnn-mnist',
      dataset: 'mnist',
      backend: 'wasm',
      settings: DEFAULT_SETTINGS,
      testRecords: { first: 0, count: 300 },
      caveats: [],
      before: report,
      after: report,
      stages: [],
      layers: [],
      flipped: [],
      flippedCount: 0,
      elapsedMs: 1234,
    } as unknown as RunRecord['result'],
    ...over,
  };
}

describe('run records', () => {
  it('restores a valid record and fills settings added since', () => {
    const r = restoreRun(JSON.parse(JSON.stringify({ ...record(), settings: { prune: DEFAULT_SETTINGS.prune, quant: DEFAULT_SETTINGS.quant, finetune: DEFAULT_SETTINGS.finetune } })));
    expect(r).not.toBeInstanceOf(Error);
    expect((r as RunRecord).settings.latencyRuns).toBe(DEFAULT_SETTINGS.latencyRuns);
  });

  it('keeps how a run was started (single, sweep, study preset); anything else reads as a single run', () => {
    const origin = (o: unknown) => (restoreRun(JSON.parse(JSON.stringify({ ...record(), origin: o }))) as RunRecord).origin;
    expect([origin('run'), origin('sweep'), origin('study'), origin('other'), origin(undefined)]).toEqual(['run', 'sweep', 'study', 'run', 'run']);
  });

  it.each([
    ['a string', 'x', 'not an object'],
    ['another version', { ...record(), v: 2 }, 'unknown record version 2'],
    ['a bad id', { ...record(), id: '<script>' }, 'its id is malformed'],
    ['no metrics', { ...record(), result: { ...record().result, after: { size: {} } } }, 'result.after.metrics is not a metrics object'],
    ['no layers', { ...record(), result: { ...record().result, layers: undefined } }, 'its result lacks layers'],
  ])('refuses %s', (_what, raw, reason) => {
    const r = restoreRun(raw);
    expect(r).toBeInstanceOf(Error);
    expect((r as Error).message).toContain(reason);
  });
});

describe('history exports', () => {
  it('writes a versioned JSON envelope', () => {
    const doc = JSON.parse(historyJson([record()], new Date('2026-01-02T03:04:05Z'))) as { format: string; version: number; exportedAt: string; runs: unknown[] };
    expect(doc).toMatchObject({ format: 'compression-studio-history', version: 1, exportedAt: '2026-01-02T03:04:05.000Z' });
    expect(doc.runs).toHaveLength(1);
  });

  it('writes one CSV row per run, quoting and defusing formulas', () => {
    const lines = historyCsv([record({ name: '=cmd|"x", y' })])
      .trim()
      .split('\r\n');
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain(`"'=cmd|""x"", y"`);
    expect(lines[1]).toContain(',0.9,0.9,');
    expect(csvCell(-3)).toBe('-3');
    expect(csvCell('-3')).toBe("'-3");
  });
});

describe('sweep parser', () => {
  it('reads fractions and percentages, sorted and unique', () => {
    expect(parseSweep('0.9, 30%,0.5; 50%')).toEqual([0.3, 0.5, 0.9]);
  });
  it('names what it cannot read', () => {
    expect(parseSweep('')).toMatch(/at least one/);
    expect(parseSweep('0.5, 1')).toMatch(/"1" is not a sparsity/);
    expect(parseSweep(Array(13).fill('0.1').join(','))).toMatch(/At most 12/);
  });
});

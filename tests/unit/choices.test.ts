/**
 * The choice tables (src/engine/choices/) and the settings validator derived from them: every
 * choice field refuses a value outside its table with a message naming the field, the allowed
 * values and what it got; nothing falls back to a default. The optimizer and layer-kind cases are
 * the two silent fallbacks of issue 23 (`--optimizer adamw` trained with SGD-momentum, `--layers
 * convs` pruned nothing); both passed the old validator.
 */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { type ChoiceTable, defineChoice, defineMultiChoice, formOptions } from '../../src/engine/choices/choice';
import * as deployChoices from '../../src/engine/choices/deploy';
import { BOARDS } from '../../src/engine/choices/deploy';
import * as scalingChoices from '../../src/engine/choices/input-scaling';
import * as pruneChoices from '../../src/engine/choices/prune';
import { LAYER_KINDS, PRUNE_CRITERIA, PRUNE_SCHEDULES } from '../../src/engine/choices/prune';
import * as pruneMethodChoices from '../../src/engine/choices/prune-methods';
import { PRUNE_METHODS } from '../../src/engine/choices/prune-methods';
import * as quantizeChoices from '../../src/engine/choices/quantize';
import { CALIBRATION_METHODS, GRANULARITIES, QUANT_MODES } from '../../src/engine/choices/quantize';
import * as trainChoices from '../../src/engine/choices/train';
import { OPTIMIZERS } from '../../src/engine/choices/train';
import { DEFAULT_SETTINGS, type PartialCompressSettings, validateCompressSettings, validatePruneParams, withDefaults } from '../../src/engine/jobs/compress-settings';
import { fit } from '../../src/engine/train/fit';
import type { ImageDataset } from '../../src/engine/types';

/** Every single choice table the choice modules export, found rather than listed, so a new table is checked too. */
const MODULES = [deployChoices, pruneChoices, pruneMethodChoices, quantizeChoices, trainChoices, scalingChoices];
const isTable = (v: unknown): v is ChoiceTable => typeof v === 'object' && v !== null && 'defaultId' in v && 'check' in v && 'options' in v;
const TABLES: Record<string, ChoiceTable> = Object.fromEntries(MODULES.flatMap((m) => Object.entries(m).filter(([, v]) => isTable(v))));

describe('choice tables', () => {
  it.each(Object.entries(TABLES))('%s: unique ids and link codes, one default, labels and help for every option', (_, t) => {
    expect(new Set(t.ids).size).toBe(t.options.length);
    expect(new Set(t.options.map((o) => o.urlCode ?? o.id)).size).toBe(t.options.length);
    expect(t.has(t.defaultId)).toBe(true);
    for (const o of t.options) {
      expect(o.label.length).toBeGreaterThan(0);
      expect(typeof o.help).toBe('string');
    }
    expect(formOptions(t).map((o) => o.value)).toEqual(t.ids);
  });

  it('refuses a table with two defaults, no default or a repeated id', () => {
    expect(() => defineChoice('x', [{ id: 'a', label: 'A', help: '' }])).toThrow(/exactly one option must be the default/);
    expect(() =>
      defineChoice('x', [
        { id: 'a', label: 'A', help: '', default: true },
        { id: 'b', label: 'B', help: '', default: true },
      ]),
    ).toThrow(/exactly one/);
    expect(() =>
      defineMultiChoice('x', [
        { id: 'a', label: 'A', help: '' },
        { id: 'a', label: 'B', help: '' },
      ]),
    ).toThrow(/share an id/);
  });

  it('check names the field, the allowed values and what it got', () => {
    expect(() => OPTIMIZERS.check('adamw')).toThrow('finetune.optimizer: must be one of sgd-momentum, adam (got "adamw").');
    expect(() => LAYER_KINDS.check(['convs'])).toThrow('prune.layerKinds: must list only conv, depthwise, dense; "convs" is none of them (got ["convs"]).');
    expect(() => LAYER_KINDS.check(['conv', 'conv'])).toThrow(/lists "conv" twice/);
    try {
      QUANT_MODES.check('int4', 'quant.mode');
    } catch (e) {
      expect(e).toMatchObject({ code: 'bad-settings', context: { field: 'quant.mode', value: 'int4', allowed: ['none', 'int8', 'weight-int8', 'float16'] } });
    }
  });

  it('the boards carry core and clock from the datasheets', () => {
    expect(BOARDS.options.map((b) => [b.id, b.core, b.clockMHz])).toEqual([
      ['arduino-nano-33-ble-sense', 'cortex-m4', 64],
      ['raspberry-pi-pico', 'cortex-m0plus', 133],
      ['esp32', 'xtensa-lx6', 240],
      ['stm32f746', 'cortex-m7', 216],
    ]);
  });
});

describe('the settings validator checks every field', () => {
  const bad = (p: PartialCompressSettings) => () => validateCompressSettings(withDefaults(p));
  const set = (path: string, value: unknown): PartialCompressSettings => {
    const s = structuredClone(DEFAULT_SETTINGS) as unknown as Record<string, Record<string, unknown>>;
    const keys = path.split('.');
    let o: Record<string, unknown> = s;
    for (const k of keys.slice(0, -1)) o = o[k] as Record<string, unknown>;
    o[keys.at(-1)!] = value;
    return s as PartialCompressSettings;
  };

  it('accepts the defaults and every option of every choice', () => {
    expect(bad({})).not.toThrow();
    for (const method of PRUNE_METHODS.ids) expect(bad({ prune: { method } })).not.toThrow();
    for (const optimizer of OPTIMIZERS.ids) expect(bad({ finetune: { optimizer } })).not.toThrow();
    for (const mode of QUANT_MODES.ids) for (const granularity of GRANULARITIES.ids) expect(bad({ quant: { mode, granularity } })).not.toThrow();
    for (const method of CALIBRATION_METHODS.ids) expect(bad({ quant: { calibration: { method } } })).not.toThrow();
    for (const criterion of PRUNE_CRITERIA.ids) expect(bad({ prune: { method: 'structured', criterion } })).not.toThrow();
  });

  it.each([
    ['prune.method', 'magnitude', PRUNE_METHODS.allowed],
    ['prune.criterion', 'l3', PRUNE_CRITERIA.allowed],
    ['prune.schedule.kind', 'cosine', PRUNE_SCHEDULES.allowed],
    ['finetune.optimizer', 'adamw', OPTIMIZERS.allowed],
    ['quant.mode', 'int4', QUANT_MODES.allowed],
    ['quant.granularity', 'per-group', GRANULARITIES.allowed],
    ['quant.calibration.method', 'kl', CALIBRATION_METHODS.allowed],
  ])('%s = %j is refused, naming the allowed values', (field, value, allowed) => {
    expect(bad(set(field, value))).toThrow(`${field}: must be one of ${allowed} (got ${JSON.stringify(value)}).`);
  });

  it('refuses layer kinds outside the table, and none at all for a method that reads them', () => {
    expect(bad({ prune: { layerKinds: ['convs' as 'conv'] } })).toThrow(/^prune.layerKinds: must list only conv, depthwise, dense/);
    expect(bad({ prune: { method: 'global', layerKinds: [] } })).toThrow(/prune.layerKinds: must name at least one/);
    expect(bad({ prune: { method: 'structured', layerKinds: [] } })).not.toThrow();
  });

  it.each([
    ['prune.spareFirstLast', 'yes'],
    ['prune.overrides.conv1', '0.5'],
    ['prune.n', '2'],
    ['finetune.seed', -1],
    ['finetune.learningRate', '0.01'],
    ['finetune.trainLimit', 0],
    ['finetune.maxSteps', 1.5],
    ['quant.calibration.percentile', 50],
    ['evalLimit', 0],
    ['latencyRuns', 0],
  ])('%s = %j is refused', (field, value) => {
    expect(bad(set(field, value))).toThrow(new RegExp(`^${field.replace(/\./g, '\\.')}: `));
  });

  it('refuses keys the settings do not have (a misspelt key in a settings file)', () => {
    expect(bad({ finetune: { optimiser: 'adam' } as PartialCompressSettings['finetune'] })).toThrow('finetune.optimiser: not a setting; finetune may hold epochs, batchSize, learningRate, optimizer, seed, trainLimit, maxSteps.');
    expect(bad({ quant: { calibration: { samples: 10, count: 3 } as never } })).toThrow(/quant.calibration.count: not a setting/);
    expect(() => validateCompressSettings({ ...DEFAULT_SETTINGS, sparsity: 0.5 } as never)).toThrow(/^sparsity: not a setting/);
  });

  it('checks the gradual schedule’s own fields', () => {
    const g = (extra: object) => bad({ prune: { method: 'per-layer', sparsity: 0.8, schedule: { kind: 'gradual', initialSparsity: 0, power: 3, ...extra } }, finetune: { epochs: 1 } });
    expect(g({})).not.toThrow();
    expect(g({ power: 0 })).toThrow(/prune.schedule.power/);
    expect(g({ endStep: -2 })).toThrow(/prune.schedule.endStep/);
    expect(g({ steps: 3 })).toThrow(/prune.schedule.steps: not a setting/);
  });

  it('a method’s own parameters: known keys only, within their ranges', () => {
    const method = {
      id: 'recon',
      params: [
        { key: 'damping', label: 'Damping', help: '', default: 0.01, min: 0, max: 1 },
        { key: 'blockSize', label: 'Block', help: '', default: 128, min: 1, max: 4096, integer: true },
      ],
    };
    expect(() => validatePruneParams(method, { damping: 0.1, blockSize: 64 })).not.toThrow();
    expect(() => validatePruneParams(method, { damping: 2 })).toThrow('prune.params.damping: must be a number from 0 to 1 (got 2).');
    expect(() => validatePruneParams(method, { blockSize: 1.5 })).toThrow(/prune.params.blockSize: must be a whole number/);
    expect(() => validatePruneParams(method, { dampening: 0.1 })).toThrow('prune.params.dampening: the recon method takes damping, blockSize.');
    expect(bad({ prune: { method: 'per-layer', params: { damping: 0.1 } } })).toThrow('prune.params.damping: the per-layer method takes no parameters.');
  });
});

describe('training refuses an unknown optimizer', () => {
  it('fit throws for "adamw" instead of training with SGD-momentum', async () => {
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [2, 2, 1] }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    const ds: ImageDataset = { id: 'mnist', split: 'train', count: 4, shape: [2, 2, 1], numClasses: 2, pixels: new Uint8Array(16).fill(7), labels: new Uint8Array([0, 1, 0, 1]), classNames: ['a', 'b'] };
    const before = tf.memory().numTensors;
    try {
      await expect(fit(model, ds, { kind: 'scale', scale: 1 / 255 }, { epochs: 1, batchSize: 2, learningRate: 0.1, optimizer: 'adamw' as 'adam' })).rejects.toThrow('optimizer: must be one of sgd-momentum, adam (got "adamw").');
      expect(tf.memory().numTensors).toBe(before);
    } finally {
      model.dispose();
    }
  });
});

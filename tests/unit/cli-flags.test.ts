/**
 * The command line's flags (tools/cli/flags.ts, compress-flags.ts): every choice flag takes only
 * its table's values and names the flag when it refuses one; a flag the command does not take is
 * refused. `--optimizer adamw` and `--layers convs` were issue 23's silent fallbacks (SGD-momentum,
 * and no layer pruned): before, both reached the engine unchecked.
 */
import { describe, expect, it } from 'vitest';
import { LAYER_KINDS, PRUNE_CRITERIA, PRUNE_SCHEDULES } from '../../src/engine/choices/prune';
import { PRUNE_METHODS } from '../../src/engine/choices/prune-methods';
import { CALIBRATION_METHODS, GRANULARITIES, QUANT_MODES } from '../../src/engine/choices/quantize';
import { OPTIMIZERS } from '../../src/engine/choices/train';
import { validateCompressSettings, withDefaults } from '../../src/engine/jobs/compress-settings';
import { COMPRESS_FLAGS, settingsFromFlags } from '../../tools/cli/compress-flags';
import { checkKnown, helpText, parseFlags } from '../../tools/cli/flags';

const settings = (argv: string[]) => withDefaults(settingsFromFlags(parseFlags(['compress', ...argv]).flags));

describe('compress flags', () => {
  it('refuses --optimizer adamw and --layers convs, naming the flag and the allowed values', () => {
    expect(() => settings(['--optimizer', 'adamw'])).toThrow('--optimizer: must be one of sgd-momentum, adam (got "adamw").');
    expect(() => settings(['--prune', '0.5', '--layers', 'convs'])).toThrow('--layers: must list only conv, depthwise, dense; "convs" is none of them (got ["convs"]).');
  });

  it.each([
    ['--prune-method', PRUNE_METHODS.allowed],
    ['--criterion', PRUNE_CRITERIA.allowed],
    ['--schedule', PRUNE_SCHEDULES.allowed],
    ['--quant', QUANT_MODES.allowed],
    ['--granularity', GRANULARITIES.allowed],
    ['--calibration', CALIBRATION_METHODS.allowed],
  ])('%s refuses a value outside its table', (flag, allowed) => {
    expect(() => settings([flag, 'bogus'])).toThrow(`${flag}: must be one of ${allowed} (got "bogus").`);
  });

  it('passes every value of every choice flag through to settings the engine accepts', () => {
    for (const optimizer of OPTIMIZERS.ids) expect(settings(['--optimizer', optimizer]).finetune.optimizer).toBe(optimizer);
    for (const mode of QUANT_MODES.ids) expect(settings(['--quant', mode]).quant.mode).toBe(mode);
    expect(settings(['--prune', '0.5', '--layers', 'conv,depthwise']).prune.layerKinds).toEqual(['conv', 'depthwise']);
    expect(settings(['--prune', '0.5', '--layers', LAYER_KINDS.ids.join(',')]).prune.layerKinds).toEqual([...LAYER_KINDS.ids]);
    for (const method of PRUNE_METHODS.ids) expect(() => validateCompressSettings(settings(['--prune-method', method, '--prune', '0.5']))).not.toThrow();
  });

  it('keeps the old meanings: no --prune means no pruning, --nm picks N:M, no --quant means none', () => {
    expect(settings([]).prune.method).toBe('none');
    expect(settings([]).quant.mode).toBe('none');
    expect(settings(['--prune', '0.7']).prune).toMatchObject({ method: PRUNE_METHODS.defaultId, sparsity: 0.7 });
    expect(settings(['--nm', '1:4']).prune).toMatchObject({ method: 'n:m', n: 1, m: 4 });
    expect(settings(['--prune', '0.6', '--schedule', 'gradual', '--initial-sparsity', '0.2']).prune.schedule).toEqual({ kind: 'gradual', initialSparsity: 0.2, power: 3 });
    expect(settings(['--per-tensor']).quant.granularity).toBe('per-tensor');
  });

  it('spares the first and last layers unless told, and measures each stage only when asked', () => {
    expect(settings(['--prune', '0.7']).prune.spareFirstLast).toBe(true);
    expect(settings(['--prune', '0.7', '--prune-first-last']).prune.spareFirstLast).toBe(false);
    expect(() => settings(['--prune', '0.7', '--prune-first-last', '--spare-first-last'])).toThrow(/contradict/);
    expect(settings([]).stageAccuracy).toBe(false);
    expect(settings(['--stage-accuracy']).stageAccuracy).toBe(true);
  });

  it('refuses a flag compress does not take', () => {
    expect(() => checkKnown('compress', parseFlags(['compress', '--optimiser', 'adam']).flags, COMPRESS_FLAGS)).toThrow(/^--optimiser: compress takes no such flag/);
    expect(() => checkKnown('compress', parseFlags(['compress', '--optimizer', 'adam', '--json']).flags, COMPRESS_FLAGS)).not.toThrow();
  });

  it('the help lists every choice flag with its table’s values', () => {
    const help = helpText(COMPRESS_FLAGS);
    expect(help).toContain(`--optimizer ${OPTIMIZERS.ids.join('|')}`);
    expect(help).toContain(`--prune-method ${PRUNE_METHODS.ids.join('|')}`);
    expect(help).toContain(`--layers ${LAYER_KINDS.ids.join(',')}`);
  });
});

/** Runs one fuzz case against the loader it targets, in Node, and classifies the outcome. */
import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import { StudioError } from '../../src/engine/errors';
import { modelFromValidated } from '../../src/engine/models/load';
import { validateLayersModel } from '../../src/engine/validate/layers-model';
import type { FuzzCase } from './corpus';

export interface CaseOutcome {
  outcome: 'accept' | 'refuse' | 'crash';
  code?: string;
  message?: string;
  ms: number;
}

async function exercise(c: FuzzCase): Promise<void> {
  if (c.target === 'model') {
    const supplied = new Map(Object.entries(c.files).filter(([k]) => k !== 'model.json'));
    const v = validateLayersModel(c.files['model.json'], 'model.json', supplied);
    // Accepted models must also work: build in tfjs and predict once.
    const model = await modelFromValidated(v);
    const y = tf.tidy(() => model.predict(tf.zeros([1, ...v.inputShape])) as tf.Tensor);
    const values = await y.data();
    y.dispose();
    model.dispose();
    if (values.length !== v.outputUnits || !values.every(Number.isFinite)) throw new Error(`accepted model predicted ${values.length} values, some not finite`);
    return;
  }
  const d = getDataset(c.target === 'idx' ? 'mnist' : 'cifar10');
  const read = async (name: string) => {
    const f = c.files[name];
    if (!f) throw new StudioError('dataset-missing', `${name} not supplied`, { fileName: name });
    return f;
  };
  await loadDataset(d, 'test', read);
}

export async function runCase(c: FuzzCase): Promise<CaseOutcome> {
  const t0 = performance.now();
  try {
    await exercise(c);
    return { outcome: 'accept', ms: performance.now() - t0 };
  } catch (e) {
    const ms = performance.now() - t0;
    if (e instanceof StudioError) return { outcome: 'refuse', code: e.code, message: e.message, ms };
    return { outcome: 'crash', message: (e as Error)?.stack ?? String(e), ms };
  }
}

/** True when the outcome is the case's expectation (refusals: the code and the message pattern). */
export function matches(c: FuzzCase, o: CaseOutcome): boolean {
  if (c.expect.outcome === 'accept') return o.outcome === 'accept';
  return o.outcome === 'refuse' && o.code === c.expect.code && new RegExp(c.expect.message).test(o.message ?? '');
}

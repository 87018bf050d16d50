/** Runs one fuzz case against the loader it targets, in Node, and classifies the outcome. */
import * as tf from '@tensorflow/tfjs';
import { loadDataset } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import { StudioError } from '../../src/engine/errors';
import { openUserModel } from '../../src/engine/jobs/user-model';
import { loadLayersModel, modelFromValidated } from '../../src/engine/models/load';
import { validateLayersModel } from '../../src/engine/validate/layers-model';
import type { FuzzCase } from './corpus';

export interface CaseOutcome {
  outcome: 'accept' | 'refuse' | 'crash';
  code?: string;
  message?: string;
  ms: number;
}

/** Accepted models must also work: predict once, every score finite. */
async function predictsOnce(model: tf.LayersModel, inputShape: number[], units: number): Promise<void> {
  const y = tf.tidy(() => model.predict(tf.zeros([1, ...inputShape])) as tf.Tensor);
  const values = await y.data();
  y.dispose();
  model.dispose();
  if (values.length !== units || !values.every(Number.isFinite)) throw new Error(`accepted model predicted ${values.length} values, some not finite`);
}

async function exercise(c: FuzzCase): Promise<void> {
  if (c.target === 'model') {
    const supplied = new Map(Object.entries(c.files).filter(([k]) => k !== 'model.json'));
    const v = validateLayersModel(c.files['model.json'], 'model.json', supplied);
    return predictsOnce(await modelFromValidated(v), v.inputShape, v.outputUnits);
  }
  if (c.target === 'upload') {
    const noRead = async (p: string): Promise<Uint8Array> => {
      throw new StudioError('dataset-missing', `${p} is not read by a fuzz case`);
    };
    const m = openUserModel({ id: 'fuzz-case', dataset: 'mnist', files: Object.entries(c.files).map(([name, bytes]) => ({ name, bytes })) }, noRead);
    const { model } = await loadLayersModel(m.entry.path, m.read);
    return predictsOnce(model, m.summary.inputShape, m.summary.outputUnits);
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
  if (c.expect.outcome === 'either') return o.outcome === 'accept' || o.outcome === 'refuse';
  return o.outcome === 'refuse' && o.code === c.expect.code && new RegExp(c.expect.message).test(o.message ?? '');
}

/**
 * The "published vs yours" table: one row per configuration of the preset, our measurement (once
 * its run has finished) beside the study's published figure for the same model family and method
 * (where the study published one), each with where it comes from: which test records, whether they
 * are the dataset's exact images, which backend, and where the study's model or dataset differs.
 */
import { getDataset } from '../data/registry';
import type { CompressResult } from '../jobs/compress';
import { publishedFigure, type StudyMethod } from './published';
import type { StudyConfig } from './preset';
import { sizeReduction, type SizeReduction } from './size-reduction';

/** What a row needs of a finished compression run. */
export type StudyFigures = Pick<CompressResult, 'dataset' | 'backend' | 'testRecords' | 'caveats' | 'before' | 'after' | 'settings'>;

export interface StudyMeasured {
  size: SizeReduction;
  /** Fractions 0-1 on the same test records, before and after compression. */
  accuracyBefore: number;
  accuracyAfter: number;
  /** (after - before) x 100: percentage points. */
  accuracyChangePts: number;
  backend: string;
  /** "MNIST test records 0-499 (500 of 10,000, exact images)" */
  records: string;
  /** "tfjs wasm; 10 fine-tuning steps of 64 images; calibrated on 200 training images" */
  method: string;
  caveats: string[];
}

export interface StudyPublished {
  sizeReductionPct: number;
  accuracy: 'retained';
  /** "the study: MobileNet on CIFAR-100; ours: MobileNetV1 0.5 on CIFAR-10" */
  source: string;
}

export interface StudyRow {
  key: string;
  label: string;
  modelLabel: string;
  datasetLabel: string;
  method: StudyMethod;
  methodLabel: string;
  published?: StudyPublished;
  /** Undefined until the configuration's run has finished. */
  measured?: StudyMeasured;
}

function recordsText(f: StudyFigures, exact: boolean): string {
  const d = getDataset(f.dataset);
  const { first, count } = f.testRecords;
  return `${d.label} test records ${first}-${first + count - 1} (${count.toLocaleString('en')} of ${d.testCount.toLocaleString('en')}${exact ? ', exact images' : ', not all exact'})`;
}

function methodText(f: StudyFigures): string {
  const s = f.settings;
  const parts = [`tfjs ${f.backend}`];
  if (s.prune.method !== 'none') parts.push(s.finetune.epochs > 0 ? `${s.finetune.maxSteps ?? 'all'} fine-tuning steps of ${s.finetune.batchSize} images` : 'no fine-tuning');
  if (s.quant.mode === 'int8') parts.push(`calibrated on ${s.quant.calibration.samples} training images; int8 accuracy simulated`);
  return parts.join('; ');
}

export function measuredOf(f: StudyFigures, exact: boolean): StudyMeasured {
  const accuracyBefore = f.before.metrics.accuracy;
  const accuracyAfter = f.after.metrics.accuracy;
  return {
    size: sizeReduction(f.before, f.after),
    accuracyBefore,
    accuracyAfter,
    accuracyChangePts: (accuracyAfter - accuracyBefore) * 100,
    backend: f.backend,
    records: recordsText(f, exact),
    method: methodText(f),
    caveats: f.caveats,
  };
}

export function studyRows(configs: readonly StudyConfig[], results: Readonly<Record<string, StudyFigures | undefined>>): StudyRow[] {
  return configs.map((c) => {
    const p = publishedFigure(c.family, c.method);
    const f = results[c.key];
    return {
      key: c.key,
      label: c.label,
      modelLabel: c.modelLabel,
      datasetLabel: c.datasetLabel,
      method: c.method,
      methodLabel: c.methodLabel,
      published: p && { sizeReductionPct: p.sizeReductionPct, accuracy: p.accuracy, source: `the study: ${p.model} on ${p.dataset}; ours: ${c.modelLabel} on ${c.datasetLabel}` },
      measured: f && measuredOf(f, c.exact),
    };
  });
}

/** Every data caveat of the finished rows, once each, for the notes under the table. */
export function studyCaveats(rows: readonly StudyRow[]): string[] {
  return [...new Set(rows.flatMap((r) => r.measured?.caveats ?? []))];
}

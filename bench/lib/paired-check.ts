/**
 * A paired check on every test record of a dataset whose headline figures use a subset (CIFAR-10:
 * records 0-999 are exact, 1000-9999 JPEG-degraded in the shared copy). One standard error of an
 * accuracy on 1,000 records is about 1.1 points, so two recipes' figures there can swap order by
 * chance; the same two models on all 10,000 records, before and after on the same images, show
 * the change with a tenth of the variance. The degraded images lower both accuracies, so only the
 * change is read, never the level.
 */
import type { CompressedModels } from '../../src/engine/jobs/compress';
import { loadDataset } from '../../src/engine/data/load';
import { getDataset } from '../../src/engine/data/registry';
import { evaluate } from '../../src/engine/evaluate';
import { compileGraph } from '../../src/engine/graph/execute';
import { compileQuantized } from '../../src/engine/quantize/simulate';
import type { BaselineEntry } from '../../src/engine/types';
import { readPublic } from '../../tools/cli/node-io';

export interface PairedCheck {
  records: number;
  before: number;
  after: number;
}

/** Accuracy of the job's unchanged and compressed models (as the job evaluated them) on all of the dataset's test records. */
export async function pairedCheck(entry: BaselineEntry, models: CompressedModels): Promise<PairedCheck> {
  const d = getDataset(entry.dataset);
  const test = await loadDataset(d, 'test', (name) => readPublic(`data/${d.id}/${name}`), { first: 0, count: d.testCount });
  const before = compileGraph(models.baseline);
  const after = models.quantized ? compileQuantized(models.quantized) : compileGraph(models.compressed);
  try {
    const b = await evaluate(before, test, entry.preprocessing);
    const a = await evaluate(after, test, entry.preprocessing);
    return { records: test.count, before: b.metrics.accuracy, after: a.metrics.accuracy };
  } finally {
    before.dispose();
    after.dispose();
  }
}

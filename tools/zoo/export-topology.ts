/**
 * Writes the tfjs model.json (topology + weight manifest, freshly initialised weights) of every
 * baseline in baselines.json to tools/zoo/build/<id>/. The PyTorch trainer builds its network from
 * exactly this file, so each architecture has one definition: the tfjs builder.
 *
 *   npm run zoo:export
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { getArchitecture } from '../../src/engine/models/registry';
import { getDataset } from '../../src/engine/data/registry';
import { summarize } from '../../src/engine/models/summary';

const here = dirname(fileURLToPath(import.meta.url));

interface BaselineSpec { id: string; arch: string; dataset: string }

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  const { baselines } = JSON.parse(readFileSync(join(here, 'baselines.json'), 'utf8')) as { baselines: BaselineSpec[] };
  for (const b of baselines) {
    const arch = getArchitecture(b.arch);
    const ds = getDataset(b.dataset);
    const model = arch.build({ inputShape: ds.shape, numClasses: ds.numClasses });
    const summary = summarize(model);
    const out = join(here, 'build', b.id);
    mkdirSync(out, { recursive: true });
    await model.save(
      tf.io.withSaveHandler(async (artifacts) => {
        const modelJson = {
          format: 'layers-model',
          generatedBy: `TensorFlow.js tfjs-layers v${tf.version_layers}`,
          convertedBy: null,
          modelTopology: artifacts.modelTopology,
          weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
        };
        writeFileSync(join(out, 'model.json'), JSON.stringify(modelJson));
        writeFileSync(join(out, 'weights.bin'), new Uint8Array(artifacts.weightData as ArrayBuffer));
        writeFileSync(
          join(out, 'meta.json'),
          JSON.stringify({ ...b, family: arch.family, alpha: arch.alpha, inputShape: ds.shape, numClasses: ds.numClasses, preprocessing: ds.preprocessing, params: summary.params, macs: summary.macs }, null, 1),
        );
        return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
      }),
    );
    console.log(`${b.id}: ${summary.params} params, ${(summary.macs / 1e6).toFixed(2)} M MACs -> ${out}`);
    model.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});

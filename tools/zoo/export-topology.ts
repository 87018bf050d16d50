/**
 * Writes the tfjs model.json (topology + weight manifest, freshly initialised weights) of every
 * baseline in baselines.json to tools/zoo/build/<id>/, and the catalog of every architecture's size
 * (public/models/zoo.json, which the studio shows for models with no trained baseline). The PyTorch trainer builds its network from
 * exactly this file, so each architecture has one definition: the tfjs builder.
 *
 *   npm run zoo:export
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs';
import { ARCHITECTURES, getArchitecture } from '../../src/engine/models/registry';
import { DATASETS, getDataset } from '../../src/engine/data/registry';
import { summarize } from '../../src/engine/models/summary';

const here = dirname(fileURLToPath(import.meta.url));

interface BaselineSpec {
  id: string;
  arch: string;
  dataset: string;
}

/** Params, MACs and float32 bytes of every architecture for both input shapes: public/models/zoo.json. */
function writeZooCatalog(): void {
  const entries = [];
  for (const arch of ARCHITECTURES) {
    for (const ds of DATASETS) {
      const model = arch.build({ inputShape: ds.shape, numClasses: ds.numClasses });
      const s = summarize(model);
      entries.push({ architecture: arch.id, family: arch.family, label: arch.label, notes: arch.notes, dataset: ds.id, inputShape: ds.shape, numClasses: ds.numClasses, params: s.params, macs: s.macs, float32Bytes: s.float32Bytes });
      model.dispose();
    }
  }
  writeFileSync(join(here, '../../public/models/zoo.json'), JSON.stringify({ version: 1, entries }, null, 1) + '\n');
  console.log(`zoo.json: ${entries.length} architecture x dataset entries`);
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  writeZooCatalog();
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
          JSON.stringify(
            { ...b, family: arch.family, alpha: arch.alpha, inputShape: ds.shape, numClasses: ds.numClasses, preprocessing: ds.preprocessing, headlineTest: ds.headlineTest, params: summary.params, macs: summary.macs },
            null,
            1,
          ),
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

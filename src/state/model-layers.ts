/**
 * The prunable layers of a baseline, read from its model.json topology (Keras layer classes and
 * names) without loading any weights or tfjs: enough for the per-layer override table, whose
 * keys are these names (the engine's graph keeps Keras layer names).
 */
import { layerKindOfKerasClass, type LayerKind } from '../engine/choices/prune';

export interface ModelLayer {
  name: string;
  kind: LayerKind;
}

interface KerasLayer {
  class_name: string;
  config: { name: string; layers?: KerasLayer[] };
}

function collect(layers: KerasLayer[], out: ModelLayer[]): ModelLayer[] {
  for (const l of layers) {
    const kind = layerKindOfKerasClass(l.class_name);
    if (kind) out.push({ name: l.config.name, kind });
    else if (l.config.layers) collect(l.config.layers, out);
  }
  return out;
}

export async function fetchModelLayers(path: string): Promise<ModelLayer[]> {
  const res = await fetch(`/${path}`);
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  const json = (await res.json()) as { modelTopology?: { model_config?: KerasLayer; config?: KerasLayer['config'] } };
  const top = json.modelTopology;
  const layers = top?.model_config?.config.layers ?? top?.config?.layers;
  if (!layers) throw new Error(`${path}: no layers in modelTopology`);
  return collect(layers, []);
}

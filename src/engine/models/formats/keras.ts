/**
 * Keras model files -> the canonical validated model (validate/layers-model.ts
 * validatedFromWeights), read in the browser and in Node:
 *   - `.keras` (Keras 3, also Keras 2.13-2.15's new format): a zip of config.json (the model's
 *     serialized config), metadata.json and model.weights.h5. In the weights file each layer's
 *     variables sit at `layers/<snake_case class name>[_<n>]/vars/<i>`, numbered per class in
 *     model.layers order (keras/src/saving/saving_lib.py, _save_container_state: layers are
 *     addressed by class, not by their names); Keras 2.13 wrote `_layer_checkpoint_dependencies`
 *     for `layers`. model.weights.npz is refused by name.
 *   - `.h5` (Keras 2 `model.save('x.h5')`): the config in the root's `model_config` attribute,
 *     weights at `model_weights/<layer>/<weight name>` listed by the `weight_names` attribute
 *     (keras/saving/hdf5_format.py). A weights-only file (save_weights) has no config and is
 *     named as such.
 * Zip entries are read with fflate under a size cap, so a zip bomb is refused before inflating.
 */
import { unzipSync } from 'fflate';
import { StudioError } from '../../errors';
import { validatedFromWeights, type ValidatedLayersModel } from '../../validate/layers-model';
import { DEFAULT_CAPS, inferModel, kerasModelConfig, readKerasTopology, type KerasLayer, type ValidationCaps } from '../../validate/keras-topology';
import { safeParseJson } from '../../validate/safe-json';
import { attrNames, attrText, Hdf5 } from './hdf5';

type Weights = Map<string, { shape: number[]; values: Float32Array }>;

function bad(file: string, message: string, context: Record<string, unknown> = {}): never {
  throw new StudioError('bad-model', `${file}: ${message}`, { fileName: file, ...context });
}

/** keras.src.utils.naming.to_snake_case, which names the weights file's groups. */
export function toSnakeCase(name: string): string {
  return name
    .replace(/\W+/g, '')
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** A layer's variables in Keras' order (as tfjs names them), given its config. */
function variableNames(l: KerasLayer): string[] {
  const bias = l.config.use_bias !== false;
  switch (l.cls) {
    case 'Conv2D':
    case 'Dense':
      return bias ? ['kernel', 'bias'] : ['kernel'];
    case 'DepthwiseConv2D':
      return bias ? ['depthwise_kernel', 'bias'] : ['depthwise_kernel'];
    case 'BatchNormalization':
      return [...(l.config.scale !== false ? ['gamma'] : []), ...(l.config.center !== false ? ['beta'] : []), 'moving_mean', 'moving_variance'];
    default:
      return [];
  }
}

export const ZIP_SIGNATURE = [0x50, 0x4b, 0x03, 0x04];
const isZip = (b: Uint8Array) => b.length >= 4 && ZIP_SIGNATURE.every((x, i) => b[i] === x);

/** A .keras archive: a zip whose entries include config.json (the cheap look at the local headers). */
export function looksLikeKerasZip(bytes: Uint8Array): boolean {
  if (!isZip(bytes)) return false;
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, Math.min(bytes.length, 1 << 20)));
  return head.includes('config.json') || head.includes('model.weights.h5');
}

function unzipEntries(bytes: Uint8Array, file: string, caps: ValidationCaps): Record<string, Uint8Array> {
  const wanted = new Set(['config.json', 'metadata.json', 'model.weights.h5', 'model.weights.npz']);
  const cap = caps.maxWeightBytes + 64 * 1024 * 1024;
  try {
    return unzipSync(bytes, {
      filter: (f) => {
        if (!wanted.has(f.name)) return false;
        if (f.originalSize > cap) bad(file, `the archive's ${f.name} would unpack to ${f.originalSize} bytes; at most ${cap} are accepted.`, { expected: cap, found: f.originalSize });
        return true;
      },
    });
  } catch (e) {
    if (e instanceof StudioError) throw e;
    return bad(file, `the .keras archive cannot be unpacked (${(e as Error).message}); it is truncated or not a zip.`);
  }
}

export function openKerasArchive(bytes: Uint8Array, file: string, caps: ValidationCaps = DEFAULT_CAPS): ValidatedLayersModel {
  const entries = unzipEntries(bytes, file, caps);
  if (!entries['config.json']) bad(file, `config.json is missing from the archive; a .keras file holds config.json, metadata.json and model.weights.h5.`, { expected: 'config.json' });
  if (!entries['model.weights.h5']) {
    if (entries['model.weights.npz']) bad(file, `the weights are saved as model.weights.npz (weights_format="npz"); save the model with the default h5 weights.`, { found: 'model.weights.npz' });
    bad(file, `model.weights.h5 is missing from the archive.`, { expected: 'model.weights.h5' });
  }
  const where = `${file} (config.json)`;
  const topo = readKerasTopology(where, kerasModelConfig(where, safeParseJson(entries['config.json'], where)));
  // The shapes every weight must have, from the config (under the caps), before reading any.
  const { expected } = inferModel(where, topo, caps);
  const h5 = new Hdf5(entries['model.weights.h5'], `${file} (model.weights.h5)`);
  const root = h5.group('layers') ? 'layers' : h5.group('_layer_checkpoint_dependencies') ? '_layer_checkpoint_dependencies' : bad(file, 'model.weights.h5 has no "layers" group; this is not a Keras weights file.', { expected: 'layers' });
  const weights: Weights = new Map();
  const used = new Map<string, number>();
  for (const l of topo.layers) {
    if (l.inbound.length === 0 && l.cls === 'InputLayer') continue;
    // Keras numbers groups per class over model.layers, whether or not a layer has weights.
    const base = toSnakeCase(l.cls);
    const n = used.get(base);
    used.set(base, n === undefined ? 0 : n + 1);
    const vars = variableNames(l);
    if (vars.length === 0) continue;
    let path = `${root}/${n === undefined ? base : `${base}_${n + 1}`}/vars`;
    if (!h5.group(path) && h5.group(`${root}/${l.name}/vars`)) path = `${root}/${l.name}/vars`;
    const found = h5.keys(path);
    if (found.length !== vars.length) bad(h5.file, `layer "${l.name}" (${l.cls}) needs ${vars.length} variables (${vars.join(', ')}) at "${path}"; found ${found.length}.`, { layer: l.name, expected: vars.length, found: found.length });
    vars.forEach((v, i) => weights.set(`${l.name}/${v}`, h5.floats(`${path}/${i}`, expected.get(`${l.name}/${v}`))));
  }
  return validatedFromWeights(file, topo, weights, caps);
}

export function openKerasH5(bytes: Uint8Array, file: string, caps: ValidationCaps = DEFAULT_CAPS): ValidatedLayersModel {
  const h5 = new Hdf5(bytes, file);
  const configText = attrText(h5.attr('', 'model_config'));
  if (configText === undefined) {
    if (h5.group('layers') || h5.attr('', 'layer_names') !== undefined)
      bad(file, 'this .h5 holds weights only (save_weights), without the model\'s architecture; save it with model.save("model.h5") or model.save("model.keras").', { expected: 'model_config' });
    bad(file, 'this HDF5 file has no model_config attribute, so it is not a Keras model saved with model.save().', { expected: 'model_config' });
  }
  const where = `${file} (model_config)`;
  const topo = readKerasTopology(where, kerasModelConfig(where, safeParseJson(new TextEncoder().encode(configText), where)));
  const { expected } = inferModel(where, topo, caps);
  const root = h5.group('model_weights') ? 'model_weights' : '';
  const weights: Weights = new Map();
  for (const l of topo.layers) {
    const vars = variableNames(l);
    if (vars.length === 0) continue;
    const group = root ? `${root}/${l.name}` : l.name;
    const names = attrNames(h5.attr(group, 'weight_names'));
    if (names.length !== vars.length)
      bad(file, `layer "${l.name}" (${l.cls}) needs ${vars.length} weights (${vars.join(', ')}); "${group}" lists ${names.length} (${names.join(', ') || 'none'}).`, { layer: l.name, expected: vars.length, found: names.length });
    for (const wn of names) {
      // "conv2d/kernel:0" (or "model/conv2d/kernel:0"): the variable is the last segment.
      const v = wn.split('/').pop()!.replace(/:\d+$/, '');
      const key = v === 'kernel' && l.cls === 'DepthwiseConv2D' ? 'depthwise_kernel' : v;
      if (!vars.includes(key)) bad(file, `layer "${l.name}" lists the weight "${wn}", which a ${l.cls} does not have (${vars.join(', ')}).`, { layer: l.name, found: wn });
      weights.set(`${l.name}/${key}`, h5.floats(`${group}/${wn}`, expected.get(`${l.name}/${key}`)));
    }
  }
  return validatedFromWeights(file, topo, weights, caps);
}

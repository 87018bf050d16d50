/**
 * A deterministic fuzz corpus for the studio's front doors: tfjs LayersModel files and dataset
 * files (IDX, CIFAR binary, gzip). Every case is a mutation of a valid input with the outcome it
 * must have: accepted, or refused with a named error code and a message pattern. The same seed
 * always yields the same cases (mulberry32), so a failure reproduces by its id.
 *
 * Used by tests/unit/fuzz-corpus.test.ts (all cases, in Node) and `npm run fuzz` (the table).
 */
import { gzipSync } from 'fflate';
import { mulberry32 } from '../../src/engine/train/data-order';
import { buildOnnx, tinyOnnx } from '../fixtures/onnx-builder';
import { tfjsVariants } from '../fixtures/tfjs-variants';

/** 'either': accepted, or refused with a named StudioError (random byte flips may land in weights). */
export type Expectation = { outcome: 'accept' } | { outcome: 'refuse'; code: string; message: string } | { outcome: 'either' };

export interface FuzzCase {
  id: string;
  target: 'model' | 'upload' | 'idx' | 'cifar10';
  description: string;
  /**
   * model: 'model.json' + weight files (the validator); upload: the files a user supplies, by
   * relative path, through the whole upload (openUserModel for MNIST, then tfjs); idx: the two
   * MNIST test files; cifar10: test_batch.bin.gz
   */
  files: Record<string, Uint8Array>;
  expect: Expectation;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const enc = (s: string) => new TextEncoder().encode(s);
const refuse = (code: string, message: string): Expectation => ({ outcome: 'refuse', code, message });
const ACCEPT: Expectation = { outcome: 'accept' };

/** The format fixtures (tests/fixtures/formats/) by file name, for the single-file format cases. */
export type FormatSeeds = Record<string, Uint8Array>;

export interface ModelSeed {
  modelJson: string;
  /** The single weights file the manifest names. */
  weightsName: string;
  weights: Uint8Array;
}

function modelCases(seed: ModelSeed, rand: () => number): FuzzCase[] {
  const base = JSON.parse(seed.modelJson) as Json;
  const cases: FuzzCase[] = [];
  const add = (id: string, description: string, json: Json | string | Uint8Array, weights: Record<string, Uint8Array> | undefined, expect: Expectation) => {
    const text = typeof json === 'string' ? enc(json) : json instanceof Uint8Array ? json : enc(JSON.stringify(json));
    cases.push({ id: `model/${id}`, target: 'model', description, files: { 'model.json': text, ...(weights ?? { [seed.weightsName]: seed.weights }) }, expect });
  };
  const clone = (): Json => JSON.parse(seed.modelJson) as Json;
  const layers = (j: Json): Json[] => j.modelTopology.config.layers;
  const specs = (j: Json): Json[] => j.weightsManifest[0].weights;
  const L = layers(base).length;
  const pick = (n: number) => Math.floor(rand() * n);

  // Accepted variants.
  add('valid', 'the model as shipped', seed.modelJson, undefined, ACCEPT);
  add('valid-indented', 'the same JSON pretty-printed', JSON.stringify(base, null, 2), undefined, ACCEPT);
  {
    const j = clone();
    const s = Math.ceil(seed.weights.length / 8) * 4; // two shards, the last one smaller
    j.weightsManifest[0].paths = ['shard1.bin', 'shard2.bin'];
    add('valid-two-shards', 'weights split over two shards in order', j, { 'shard1.bin': seed.weights.slice(0, s), 'shard2.bin': seed.weights.slice(s) }, ACCEPT);
  }
  {
    const j = clone();
    j.extra = { note: 'ignored' };
    add('valid-extra-key', 'an unknown top-level key is ignored', j, undefined, ACCEPT);
  }

  // Not JSON / unsafe JSON.
  for (let i = 0; i < 24; i++) {
    const cut = 1 + Math.floor((seed.modelJson.length - 2) * ((i + rand()) / 24));
    add(`truncated-json-${i}`, `model.json cut at byte ${cut}`, seed.modelJson.slice(0, cut), undefined, refuse('bad-model', 'not valid JSON|nests'));
  }
  add('not-utf8', 'binary garbage instead of JSON', new Uint8Array([0xff, 0xfe, 0x00, 0x81, 0x7b]), undefined, refuse('bad-model', 'not UTF-8'));
  add('empty', 'an empty model.json', '', undefined, refuse('bad-model', 'not valid JSON'));
  add('array-top', 'a JSON array at the top level', '[1,2,3]', undefined, refuse('bad-model', 'top level must be a JSON object'));
  for (const depth of [65, 1000, 100000]) add(`deep-${depth}`, `${depth} nested arrays`, `${'['.repeat(depth)}${']'.repeat(depth)}`, undefined, refuse('bad-model', 'nests'));
  add('deep-in-config', 'deep nesting inside a layer config', seed.modelJson.replace('"name":', `"deep":${'['.repeat(200)}${']'.repeat(200)},"name":`), undefined, refuse('bad-model', 'nests'));
  for (const key of ['__proto__', 'constructor', 'prototype']) {
    add(`key-${key}-top`, `a "${key}" key at the top level`, seed.modelJson.replace('{', `{"${key}":{"polluted":true},`), undefined, refuse('bad-model', `"${key}"`));
    add(`key-${key}-layer`, `a "${key}" key inside a layer config`, seed.modelJson.replace('"config": {', `"config": {"${key}":{"x":1},`).replace('"config":{', `"config":{"${key}":{"x":1},`), undefined, refuse('bad-model', `"${key}"`));
  }

  // Structure.
  {
    const j = clone();
    delete j.modelTopology;
    add('no-topology', 'modelTopology missing (a graph model)', j, undefined, refuse('bad-model', 'modelTopology is missing'));
  }
  {
    const j = clone();
    delete j.weightsManifest;
    add('no-manifest', 'weightsManifest missing', j, undefined, refuse('bad-model', 'weightsManifest is missing'));
  }
  {
    const j = clone();
    j.modelTopology.class_name = 'GraphDef';
    add('bad-class-name', 'modelTopology.class_name unknown', j, undefined, refuse('bad-model', 'class_name must be'));
  }
  for (const cls of ['Lambda', 'UpSampling2D', 'Conv3D', 'LSTM', 'MyCustomLayer', 'TFOpLambda', 'Conv2DTranspose', 'SeparableConv2D']) {
    const j = clone();
    const i = 1 + pick(L - 1);
    layers(j)[i].class_name = cls;
    add(`unsupported-${cls}`, `layer ${i} turned into ${cls}`, j, undefined, refuse('bad-model', `unsupported layer "${layers(j)[i].name}" of class ${cls}`));
  }
  for (let k = 0; k < 6; k++) {
    const j = clone();
    const i = 1 + pick(L - 1);
    layers(j)[i].inbound_nodes[0][0][0] = `ghost_${k}`;
    add(`dangling-ref-${k}`, `layer ${i} reads a layer that does not exist`, j, undefined, refuse('bad-model', `reads from "ghost_${k}"`));
  }
  {
    const j = clone();
    layers(j)[2].inbound_nodes[0][0][1] = 3;
    add('node-index', 'an inbound node index out of range', j, undefined, refuse('bad-model', 'only node 0, tensor 0'));
    const j2 = clone();
    layers(j2)[2].inbound_nodes[0][0][2] = 7;
    add('tensor-index', 'an inbound tensor index out of range', j2, undefined, refuse('bad-model', 'only node 0, tensor 0'));
  }
  for (let k = 0; k < 4; k++) {
    const j = clone();
    const a = 1 + pick(Math.floor(L / 2));
    const b = a + 1 + pick(L - a - 1);
    layers(j)[a].inbound_nodes[0][0][0] = layers(j)[b].name;
    add(`cycle-${k}`, `layer ${a} reads layer ${b}, which depends on it`, j, undefined, refuse('bad-model', 'cycle'));
  }
  {
    const j = clone();
    layers(j)[3].name = layers(j)[2].name;
    add('duplicate-layer-name', 'two layers with one name', j, undefined, refuse('bad-model', 'two layers are named'));
    const j2 = clone();
    j2.modelTopology.config.input_layers = [];
    add('no-inputs', 'input_layers empty', j2, undefined, refuse('bad-model', 'exactly one entry in input_layers'));
    const j3 = clone();
    j3.modelTopology.config.output_layers = [['nowhere', 0, 0]];
    add('output-missing', 'output_layers names no layer', j3, undefined, refuse('bad-model', 'output_layers names "nowhere"'));
    const j4 = clone();
    j4.modelTopology.config.layers.push({ ...layers(j4)[0], name: 'input2' });
    add('two-inputs', 'a second InputLayer', j4, undefined, refuse('bad-model', 'one input layer'));
    const j5 = clone();
    layers(j5)[1].inbound_nodes = [];
    add('orphan-layer', 'a layer with no input', j5, undefined, refuse('bad-model', 'has no input|reads from'));
    const j6 = clone();
    layers(j6)[4].inbound_nodes.push(layers(j6)[4].inbound_nodes[0]);
    add('shared-layer', 'a layer applied twice', j6, undefined, refuse('bad-model', 'shared layers'));
  }

  // Configs and shapes.
  const convIdx = layers(base)
    .map((l, i) => (l.class_name === 'Conv2D' ? i : -1))
    .filter((i) => i >= 0);
  const conv = (j: Json, k: number) => layers(j)[convIdx[k % convIdx.length]];
  const shapeCases: Array<[string, (c: Json) => void, Expectation]> = [
    ['filters-changed', (c) => (c.config.filters = c.config.filters + 3), refuse('bad-model', 'has shape')],
    ['filters-zero', (c) => (c.config.filters = 0), refuse('bad-model', 'filters must be a whole number')],
    ['filters-huge', (c) => (c.config.filters = 1e9), refuse('bad-model', 'filters must be a whole number')],
    ['filters-string', (c) => (c.config.filters = '32'), refuse('bad-model', 'filters must be a whole number')],
    ['kernel-zero', (c) => (c.config.kernel_size = [0, 3]), refuse('bad-model', 'kernel_size must be')],
    ['kernel-huge', (c) => (c.config.kernel_size = [99, 99]), refuse('bad-model', 'kernel_size must be')],
    ['kernel-changed', (c) => (c.config.kernel_size = [5, 5]), refuse('bad-model', 'has shape')],
    ['stride-zero', (c) => (c.config.strides = [0, 0]), refuse('bad-model', 'strides must be')],
    ['stride-float', (c) => (c.config.strides = [1.5, 1]), refuse('bad-model', 'strides must be')],
    ['padding-causal', (c) => (c.config.padding = 'causal'), refuse('bad-model', 'padding must be')],
    ['dilated', (c) => (c.config.dilation_rate = [2, 2]), refuse('bad-model', 'dilated')],
    ['activation-unknown', (c) => (c.config.activation = 'swishy'), refuse('bad-model', 'activation')],
    ['bias-toggled', (c) => (c.config.use_bias = !c.config.use_bias), refuse('bad-model', 'missing from weightsManifest|belongs to no layer')],
  ];
  for (const [name, mutate, expect] of shapeCases) {
    for (let k = 0; k < 2; k++) {
      const j = clone();
      mutate(conv(j, k + pick(3)));
      add(`conv-${name}-${k}`, `a Conv2D's ${name}`, j, undefined, expect);
    }
  }
  for (const [name, shape] of [
    ['input-huge', [null, 1e6, 28, 1]],
    ['input-negative', [null, -28, 28, 1]],
    ['input-rank3', [null, 28, 28]],
    ['input-channels', [null, 28, 28, 3]],
    ['input-zero', [null, 0, 28, 1]],
  ] as const) {
    const j = clone();
    layers(j)[0].config.batch_input_shape = shape;
    add(name, `input shape ${JSON.stringify(shape)}`, j, undefined, refuse('bad-model', name === 'input-channels' ? 'has shape' : 'input|height|width|channels'));
  }
  {
    const j = clone();
    const dense = layers(j).find((l) => l.class_name === 'Dense')!;
    dense.config.units = dense.config.units + 1;
    add('dense-units', 'the classifier has one more unit than its weights', j, undefined, refuse('bad-model', 'has shape'));
  }

  // Manifest: paths, entries, dtypes, quantization.
  for (const [p, why] of [
    ['../weights.bin', "leaves the model's folder"],
    ['/etc/passwd', 'is an absolute path'],
    ['http://example.com/w.bin', 'is a URL'],
    ['C:\\w.bin', 'is a URL or a drive path'],
    ['..', "leaves the model's folder"],
    ['file:weights.bin', 'is a URL'],
    ['//host/weights.bin', 'is an absolute path'],
    ['sub\\weights.bin', 'contains a backslash'],
    ['.', 'names a folder'],
  ]) {
    const j = clone();
    j.weightsManifest[0].paths = [p];
    add(`path-${p.replace(/[^a-z0-9]/gi, '_')}`, `weights path ${p}`, j, undefined, refuse('bad-model', `the weights path "${p.replace(/[\\.]/g, '\\$&')}" ${why}`));
  }
  // Real writers' paths that are not traversal: tfjs' browser save, a sub-folder of loose files.
  for (const p of [`./${seed.weightsName}`, `weights/${seed.weightsName}`, `./a/../${seed.weightsName}`]) {
    const j = clone();
    j.weightsManifest[0].paths = [p];
    add(`path-ok-${p.replace(/[^a-z0-9]/gi, '_')}`, `weights path ${p} (inside the model's folder)`, j, undefined, ACCEPT);
  }
  {
    const j = clone();
    j.weightsManifest[0].paths = ['other.bin'];
    add('path-missing-file', 'the manifest names a file not supplied', j, undefined, refuse('bad-model', 'is missing; supplied'));
    const j2 = clone();
    j2.weightsManifest[0].paths = [seed.weightsName, seed.weightsName];
    add('path-twice', 'the same shard listed twice', j2, undefined, refuse('bad-model', 'listed twice'));
  }
  for (let k = 0; k < 8; k++) {
    const j = clone();
    const s = specs(j);
    let a = pick(s.length);
    let b = pick(s.length);
    while (s[a].shape.join() === s[b].shape.join()) {
      a = pick(s.length);
      b = pick(s.length);
    }
    [s[a].name, s[b].name] = [s[b].name, s[a].name];
    add(`swapped-names-${k}`, `weights ${a} and ${b} swap names`, j, undefined, refuse('bad-model', 'has shape'));
  }
  for (let k = 0; k < 4; k++) {
    const j = clone();
    const s = specs(j);
    const i = pick(s.length);
    s.splice(i, 0, { ...s[i] });
    add(`duplicate-weight-${k}`, `weight ${i} listed twice`, j, undefined, refuse('bad-model', 'listed twice'));
  }
  for (let k = 0; k < 4; k++) {
    const j = clone();
    const i = pick(specs(j).length);
    specs(j).splice(i, 1);
    add(`missing-weight-${k}`, `weight ${i} left out of the manifest`, j, undefined, refuse('bad-model', 'need|missing from weightsManifest'));
  }
  {
    const j = clone();
    specs(j).push({ name: 'intruder/kernel', shape: [1], dtype: 'float32' });
    add('extra-weight', 'a weight that belongs to no layer', j, undefined, refuse('bad-model', 'belongs to no layer'));
    const j2 = clone();
    specs(j2)[0].shape = [...specs(j2)[0].shape].reverse();
    add('reversed-shape', 'a weight with its shape reversed', j2, undefined, refuse('bad-model', 'has shape'));
  }
  for (const dt of ['int32', 'string', 'complex64', 'bool']) {
    const j = clone();
    specs(j)[pick(specs(j).length)].dtype = dt;
    add(`dtype-${dt}`, `a weight of dtype ${dt}`, j, undefined, refuse('bad-model', 'dtype'));
  }
  for (const [name, q] of [
    ['q-nan', { dtype: 'uint8', scale: 'NaN', min: 0 }],
    ['q-zero', { dtype: 'uint8', scale: 0, min: 0 }],
    ['q-negative', { dtype: 'uint8', scale: -1, min: 0 }],
    ['q-int4', { dtype: 'int4', scale: 1, min: 0 }],
    ['q-nomin', { dtype: 'uint16', scale: 0.1 }],
    ['q-string', 'uint8'],
  ] as const) {
    const j = clone();
    specs(j)[pick(specs(j).length)].quantization = q;
    add(name, `quantization ${JSON.stringify(q)}`, j, undefined, refuse('bad-model', 'quantization'));
  }

  // Bytes.
  const n = seed.weights.length;
  for (const [name, bytes] of [
    ['short-1', seed.weights.slice(0, n - 1)],
    ['short-4', seed.weights.slice(0, n - 4)],
    ['half', seed.weights.slice(0, n >> 1)],
    ['long-1', new Uint8Array([...seed.weights, 0])],
    ['long-4', new Uint8Array([...seed.weights, 0, 0, 0, 0])],
    ['empty', new Uint8Array(0)],
  ] as const) {
    add(`bytes-${name}`, `the weights file ${name}`, seed.modelJson, { [seed.weightsName]: bytes }, refuse('bad-model', 'need \\d+ bytes'));
  }
  {
    const s = Math.ceil(seed.weights.length / 12) * 4; // three shards [s, s, rest < s]
    const parts = [seed.weights.slice(0, s), seed.weights.slice(s, 2 * s), seed.weights.slice(2 * s)];
    for (const [name, order] of [
      ['swapped-first-last', [2, 1, 0]],
      ['swapped-last-two', [0, 2, 1]],
      ['duplicated', [0, 0, 2]],
    ] as const) {
      const j = clone();
      j.weightsManifest[0].paths = ['a.bin', 'b.bin', 'c.bin'];
      const expect = name === 'duplicated' ? refuse('bad-model', 'identical') : refuse('bad-model', 'shards of weight group');
      add(`shards-${name}`, `three shards supplied as ${order.join(',')}`, j, { 'a.bin': parts[order[0]], 'b.bin': parts[order[1]], 'c.bin': parts[order[2]] }, expect);
    }
  }

  // Values.
  for (let k = 0; k < 18; k++) {
    const w = seed.weights.slice();
    const idx = pick(w.length >> 2);
    new DataView(w.buffer).setFloat32(idx * 4, [NaN, Infinity, -Infinity][k % 3], true);
    add(`nonfinite-${k}`, `weight element ${idx} set to ${[NaN, Infinity, -Infinity][k % 3]}`, seed.modelJson, { [seed.weightsName]: w }, refuse('bad-model', 'non-finite value'));
  }
  return cases;
}

function be32(n: number): number[] {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
}

function idxCases(rand: () => number): FuzzCase[] {
  const count = 20;
  const img = (magic = 2051, n = count, rows = 28, cols = 28, extra = 0) => new Uint8Array([...be32(magic), ...be32(n), ...be32(rows), ...be32(cols), ...new Array(count * 784 + extra).fill(7)]);
  const lbl = (magic = 2049, n = count, labels?: number[]) => new Uint8Array([...be32(magic), ...be32(n), ...(labels ?? Array.from({ length: count }, (_, i) => i % 10))]);
  const cases: FuzzCase[] = [];
  const add = (id: string, description: string, images: Uint8Array, labels: Uint8Array, expect: Expectation) =>
    cases.push({ id: `idx/${id}`, target: 'idx', description, files: { 't10k-images-idx3-ubyte.gz': images, 't10k-labels-idx1-ubyte.gz': labels }, expect });
  add('valid', 'well-formed, uncompressed', img(), lbl(), ACCEPT);
  add('valid-gz', 'well-formed, gzip', gzipSync(img()), gzipSync(lbl()), ACCEPT);
  add('magic-images', 'image magic 2049', img(2049), lbl(), refuse('bad-magic', 'magic'));
  add('magic-labels', 'label magic 2051', img(), lbl(2051), refuse('bad-magic', 'magic'));
  add('count-over', 'header claims more images than the file holds', img(2051, count + 1), lbl(), refuse('truncated', 'images|bytes'));
  add('count-huge', 'header claims 2^31 images', img(2051, 2 ** 31 - 1), lbl(), refuse('bad-header', 'implausible'));
  add('rows', '32x32 images for MNIST', img(2051, count, 32, 32, count * (1024 - 784)), lbl(), refuse('shape-mismatch', '32x32'));
  add(
    'labels-fewer',
    '19 labels for 20 images',
    img(),
    lbl(
      2049,
      count - 1,
      Array.from({ length: count - 1 }, () => 1),
    ),
    refuse('size-mismatch', 'labels'),
  );
  for (let k = 0; k < 5; k++) {
    const labels = Array.from({ length: count }, (_, i) => i % 10);
    const at = Math.floor(rand() * count);
    labels[at] = 10 + Math.floor(rand() * 240);
    add(`label-range-${k}`, `label ${labels[at]} at record ${at}`, img(), lbl(2049, count, labels), refuse('label-out-of-range', 'label'));
  }
  for (let k = 0; k < 6; k++) {
    const full = img();
    const cut = 1 + Math.floor(rand() * (full.length - 2));
    add(`truncated-${k}`, `image file cut at ${cut}`, full.slice(0, cut), lbl(), refuse(cut < 16 ? 'truncated' : 'truncated', 'truncated|bytes|header'));
  }
  const gz = gzipSync(img());
  add('gz-truncated', 'gzip stream cut short (its size field is then random bytes)', gz.slice(0, gz.length - 30), lbl(), refuse('size-mismatch', 'decompresses to'));
  const wrongCrc = gz.slice();
  wrongCrc[wrongCrc.length - 6] ^= 0x55;
  add('gz-crc', 'gzip stream with a wrong CRC-32', wrongCrc, lbl(), refuse('truncated', 'CRC-32'));
  add(
    'gz-corrupt',
    'gzip stream with flipped bytes',
    gz.map((b, i) => (i > 20 && i < 40 ? b ^ 0xff : b)),
    lbl(),
    refuse('truncated', 'gzip'),
  );
  // A gzip bomb: 64 MB of zeros compress to ~64 KB; the cap for 10,000 MNIST images is 7.8 MB.
  const bomb = gzipSync(new Uint8Array(64 * 1024 * 1024), { level: 9 });
  add('gz-bomb', '64 MB of zeros in a 64 KB gzip', bomb, lbl(), refuse('size-mismatch', 'decompresses to'));
  const lying = bomb.slice();
  lying.set([0, 0, 1, 0], lying.length - 4); // ISIZE claims 64 KB
  add('gz-bomb-lying-size', 'a gzip bomb whose trailer claims 64 KB', lying, lbl(), refuse('truncated', 'gzip'));
  return cases;
}

function cifarCases(rand: () => number): FuzzCase[] {
  const rec = 3073;
  const records = (n: number, label = (i: number) => i % 10) => {
    const out = new Uint8Array(n * rec);
    for (let i = 0; i < n; i++) out[i * rec] = label(i);
    return out;
  };
  const cases: FuzzCase[] = [];
  const add = (id: string, description: string, bytes: Uint8Array, expect: Expectation) => cases.push({ id: `cifar10/${id}`, target: 'cifar10', description, files: { 'test_batch.bin.gz': bytes }, expect });
  add('valid', '10 records', records(10), ACCEPT);
  add('valid-gz', '10 records, gzip', gzipSync(records(10)), ACCEPT);
  for (let k = 0; k < 5; k++) {
    const cut = 1 + Math.floor(rand() * (10 * rec - 2));
    add(`partial-${k}`, `cut at byte ${cut}`, records(10).slice(0, cut), cut % rec === 0 ? ACCEPT : refuse('truncated', 'record'));
  }
  for (let k = 0; k < 4; k++) {
    const bad = 10 + Math.floor(rand() * 246);
    add(
      `label-${k}`,
      `a label of ${bad}`,
      records(10, (i) => (i === k ? bad : 1)),
      refuse('label-out-of-range', 'label'),
    );
  }
  add('empty', 'an empty file', new Uint8Array(0), refuse('truncated', 'record|empty|0 bytes|outside'));
  add(
    'bomb',
    '1 GB of zeros claimed by a gzip trailer',
    (() => {
      const g = gzipSync(new Uint8Array(1024));
      g.set([0, 0, 0, 64], g.length - 4);
      return g;
    })(),
    refuse('size-mismatch', 'decompresses to'),
  );
  return cases;
}

/**
 * Positive controls shaped as real writers write them (tools/fixtures/tfjs-variants.ts), and the
 * graph model, which must be named as one. Models the studio exports itself are not enough: every
 * real tfjs model was refused while only those were in the corpus (issue 21).
 */
function uploadCases(seed: ModelSeed): FuzzCase[] {
  const cases: FuzzCase[] = tfjsVariants({ modelJson: seed.modelJson, weights: seed.weights }).map((v) => ({ id: `upload/${v.id}`, target: 'upload', description: v.writer, files: v.files, expect: ACCEPT }));
  const graph = {
    format: 'graph-model',
    generatedBy: '2.11.0',
    convertedBy: 'TensorFlow.js Converter v3.21.0',
    modelTopology: { node: [{ name: 'input_1', op: 'Placeholder', attr: {} }], library: {}, versions: { producer: 1286 } },
    weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: [] }],
  };
  cases.push({
    id: 'upload/tfjs-graph-model',
    target: 'upload',
    description: 'a tfjs graph model (converter --output_format tfjs_graph_model)',
    files: { 'model.json': enc(JSON.stringify(graph)), 'group1-shard1of1.bin': new Uint8Array(4) },
    expect: refuse('bad-model', 'this is a tfjs graph model; the studio needs a layers model'),
  });
  return cases;
}

/**
 * Single-file formats (.keras, .h5, .tflite, .onnx): each fixture accepted as it is; truncated at
 * several points, and with bytes flipped, each refused by name or (flips landing in weights)
 * accepted, never a crash or a hang; and the named damages: a zip cut short, an HDF5 missing a
 * dataset, a protobuf length past the end, a cycle and an unknown operator in an ONNX graph.
 */
function formatCases(formats: FormatSeeds, rand: () => number): FuzzCase[] {
  const cases: FuzzCase[] = [];
  const add = (id: string, description: string, name: string, bytes: Uint8Array, expect: Expectation) => cases.push({ id: `format/${id}`, target: 'upload', description, files: { [name]: bytes }, expect });
  for (const [name, bytes] of Object.entries(formats)) {
    if (name.startsWith('broken-')) continue;
    add(`${name}`, `${name} as made by its writer`, name, bytes, ACCEPT);
    for (let k = 0; k < 4; k++) {
      const cut = 1 + Math.floor((bytes.length - 2) * ((k + rand()) / 4));
      add(`${name}-cut-${k}`, `${name} cut at byte ${cut} of ${bytes.length}`, name, bytes.slice(0, cut), refuse('bad-model', name));
    }
    for (let k = 0; k < 4; k++) {
      const b = bytes.slice();
      for (let f = 0; f < 8; f++) b[Math.floor(rand() * b.length)] ^= 1 + Math.floor(rand() * 255);
      add(`${name}-flips-${k}`, `${name} with 8 bytes flipped`, name, b, { outcome: 'either' });
    }
  }
  if (formats['broken-missing-var.keras']) add('keras-missing-var', 'a .keras whose model.weights.h5 lacks the dense bias', 'm.keras', formats['broken-missing-var.keras'], refuse('bad-model', 'needs 2 variables \\(kernel, bias\\)'));
  if (formats['broken-missing-dataset.h5']) add('h5-missing-dataset', 'an .h5 missing a weight dataset', 'm.h5', formats['broken-missing-dataset.h5'], refuse('bad-model', 'the weight dataset "model_weights/dense/dense/bias:0" is missing'));
  if (formats['broken-huge-dataset.h5'])
    add('h5-huge-dataset', 'an .h5 whose dense kernel declares 4 GiB (chunked, compressed, unwritten)', 'm.h5', formats['broken-huge-dataset.h5'], refuse('bad-model', 'has shape \\[65536, 16384\\]; its layer needs \\[784, 10\\]'));
  const onnx = formats['mnist-cnn.onnx'];
  if (onnx) {
    const w = onnx.slice();
    const g = w.indexOf(0x3a);
    w.set([0xff, 0xff, 0x7f], g + 1);
    add('onnx-wrong-length', 'the graph field claims more bytes than the file has', 'm.onnx', w, refuse('bad-model', 'ONNX protobuf is malformed'));
  }
  const t = tinyOnnx();
  add(
    'onnx-cycle',
    'an ONNX graph whose first node reads the output of a later one',
    'm.onnx',
    buildOnnx({ ...t, nodes: [{ ...t.nodes[0], inputs: ['x2', 'w', 'b'] }, ...t.nodes.slice(1, 3), { op: 'Relu', name: 'back', inputs: ['r'], outputs: ['x2'] }, t.nodes[3]] }),
    refuse('bad-model', 'cycle through'),
  );
  add(
    'onnx-self-loop',
    'an ONNX node that reads its own output',
    'm.onnx',
    buildOnnx({ ...t, nodes: [t.nodes[0], { op: 'Add', name: 'loop', inputs: ['c', 'r'], outputs: ['r'] }, ...t.nodes.slice(2)] }),
    refuse('bad-model', 'cycle through'),
  );
  add('onnx-unknown-op', 'an ONNX LSTM node', 'm.onnx', buildOnnx({ ...t, nodes: [t.nodes[0], { op: 'LSTM', name: 'lstm', inputs: ['c'], outputs: ['r'] }, ...t.nodes.slice(2)] }), refuse('bad-model', 'cannot import the operator LSTM'));
  add(
    'onnx-dangling',
    'an ONNX node reading a tensor nothing provides',
    'm.onnx',
    buildOnnx({ ...t, nodes: [t.nodes[0], { op: 'Relu', name: 'relu', inputs: ['ghost'], outputs: ['r'] }, ...t.nodes.slice(2)] }),
    refuse('bad-model', 'reads the tensor "ghost"'),
  );
  add('onnx-tiny', 'a tiny ONNX model built by the corpus (4x4 input: refused for MNIST by its shape)', 'm.onnx', buildOnnx(t), refuse('shape-mismatch', 'takes 4x4x1 images'));
  return cases;
}

export function buildCorpus(seed: ModelSeed, rngSeed = 20261126, formats: FormatSeeds = {}): FuzzCase[] {
  const rand = mulberry32(rngSeed);
  return [...modelCases(seed, rand), ...uploadCases(seed), ...idxCases(rand), ...cifarCases(rand), ...formatCases(formats, mulberry32(rngSeed + 1))];
}

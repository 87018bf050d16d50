/**
 * The ideas behind the controls, in one table: for each method a short explanation (plain,
 * accurate, one to three sentences) and one reference. The workbench shows the ideas of the
 * chosen recipe beside its controls (ExplainPanel.tsx); nothing else holds these texts.
 */
import { PRUNE_METHODS } from '../../engine/choices/prune-methods';
import { QUANT_MODES } from '../../engine/choices/quantize';
import type { CompressSettings } from '../../engine/jobs/compress-settings';
import { STUDY_CITATION } from '../../engine/study/published';

interface Reference {
  text: string;
  url?: string;
}

const references = {
  study: { text: STUDY_CITATION },
  frantar2023: { text: 'Frantar, Alistarh, “SparseGPT: massive language models can be accurately pruned in one-shot”, ICML 2023', url: 'https://arxiv.org/abs/2301.00774' },
  hassibi1993: { text: 'Hassibi, Stork, “Second order derivatives for network pruning: Optimal Brain Surgeon”, NeurIPS 1992', url: 'https://proceedings.neurips.cc/paper/1992/hash/303ed4c69846ab36c2904d3ba8573050-Abstract.html' },
  frantar2022: { text: 'Frantar, Ashkboos, Hoefler, Alistarh, “GPTQ: accurate post-training quantization for generative pre-trained transformers”, ICLR 2023', url: 'https://arxiv.org/abs/2210.17323' },
  nagel2019: { text: 'Nagel, van Baalen, Blankevoort, Welling, “Data-free quantization through weight equalization and bias correction”, ICCV 2019', url: 'https://arxiv.org/abs/1906.04721' },
  han2015: { text: 'Han, Pool, Tran, Dally, “Learning both weights and connections for efficient neural networks”, NeurIPS 2015', url: 'https://arxiv.org/abs/1506.02626' },
  deepCompression: { text: 'Han, Mao, Dally, “Deep compression”, ICLR 2016', url: 'https://arxiv.org/abs/1510.00149' },
  zhu2017: { text: 'Zhu, Gupta, “To prune, or not to prune: exploring the efficacy of pruning for model compression”, 2017', url: 'https://arxiv.org/abs/1710.01878' },
  li2017: { text: 'Li, Kadav, Durdanovic, Samet, Graf, “Pruning filters for efficient ConvNets”, ICLR 2017', url: 'https://arxiv.org/abs/1608.08710' },
  mishra2021: { text: 'Mishra et al., “Accelerating sparse deep neural networks”, 2021', url: 'https://arxiv.org/abs/2104.08378' },
  jacob2018: { text: 'Jacob et al., “Quantization and training of neural networks for efficient integer-arithmetic-only inference”, CVPR 2018', url: 'https://arxiv.org/abs/1712.05877' },
  nagel2021: { text: 'Nagel et al., “A white paper on neural network quantization”, 2021', url: 'https://arxiv.org/abs/2106.08295' },
  tfliteFloat16: { text: 'TensorFlow Lite, “Post-training float16 quantization”', url: 'https://www.tensorflow.org/lite/performance/post_training_float16_quant' },
  tfliteDynamic: { text: 'TensorFlow Lite, “Post-training dynamic range quantization”', url: 'https://www.tensorflow.org/lite/performance/post_training_quant' },
} satisfies Record<string, Reference>;
/** The references are the keys of the table above, written once. */
export type ReferenceId = keyof typeof references;
export const REFERENCES: Record<ReferenceId, Reference> = references;

export interface Idea {
  title: string;
  text: string;
  ref: ReferenceId;
}

const ideas = {
  magnitude: {
    title: 'Magnitude pruning, per layer',
    text: 'Sets the chosen fraction of each layer’s weights with the smallest absolute value to zero, on the view that small weights matter least. The zeros make the model smaller only in a format that skips them (gzip, a sparse bitmask); a dense file still stores every zero.',
    ref: 'han2015',
  },
  global: {
    title: 'Global magnitude pruning',
    text: 'Ranks the weights of all pruned layers together and zeroes the smallest overall. The total fraction is the slider’s, but layers with many small weights lose more than layers with few.',
    ref: 'han2015',
  },
  nm: {
    title: '2:4 semi-structured sparsity',
    text: 'In every group of 4 consecutive weights along the input channels, keeps the 2 largest: exactly half the weights, in a regular pattern that hardware with sparse support (such as NVIDIA’s sparse tensor cores) can skip. On hardware without it, the zeros save nothing but storage.',
    ref: 'mishra2021',
  },
  structured: {
    title: 'Structured (filter) pruning',
    text: 'Removes whole filters, the output channels with the smallest L1 or L2 norm, together with the matching inputs of the next layer. The model becomes a smaller dense model, faster on any runtime, but it usually loses more accuracy than removing single weights.',
    ref: 'li2017',
  },
  reconstruction: {
    title: 'Pruning with reconstruction',
    text: 'Prunes one layer at a time, in network order. From the inputs the layer sees on a few hundred training images, it ranks each weight by how much the layer’s output would change without it (w²/[H⁻¹]ii, Optimal Brain Surgeon), removes the least important, and re-fits the weights it keeps so the layer’s output stays as close as possible to the original. No training, so it takes seconds to a minute or two where fine-tuning takes many minutes. By default the sparsity is of all the weights together: each layer’s sensitivity is measured first (how much pruning it alone moves the predictions), and the tolerant layers are pruned more.',
    ref: 'frantar2023',
  },
  sensitivity: {
    title: 'Per-layer sensitivity',
    text: 'How much one layer can lose on its own. Each layer in turn is compressed while every other layer stays as it was (pruned with reconstruction at each sparsity, or rounded to int8), and the model classifies training images it was not fitted on. A curve that stays flat marks a layer that can give up most of its weights; one that falls early marks a layer to spare. The KL divergence shows how far the predictions moved even while the accuracy has not changed yet, which is what spreading one sparsity across the layers reads. Costs measured one layer at a time do not simply add up: pruning every layer at once costs more.',
    ref: 'han2015',
  },
  gradual: {
    title: 'Gradual pruning schedule',
    text: 'Raises the sparsity step by step while fine-tuning, from the initial value to the target along a polynomial curve (cubic by default), instead of all at once, so the network can adapt as weights are removed.',
    ref: 'zhu2017',
  },
  finetune: {
    title: 'Fine-tuning',
    text: 'Trains the pruned model for a while with the pruned weights held at zero, so the remaining weights make up for the removed ones. It recovers accuracy at the cost of training time and training data.',
    ref: 'han2015',
  },
  float32: {
    title: 'float32',
    text: 'Every weight stays a 32-bit float, 4 bytes: the baseline that the size and accuracy of every other format are compared with.',
    ref: 'study',
  },
  int8: {
    title: 'Full-integer INT8',
    text: 'Stores each weight as an 8-bit integer q, with real value ≈ scale × (q − zero point), and computes activations in int8 too. Weights take about a quarter of float32’s bytes, and integer kernels run fast on microcontrollers.',
    ref: 'jacob2018',
  },
  'per-tensor': {
    title: 'One scale per tensor',
    text: 'A layer’s weights share one scale, set by the largest weight. Simple, but one large weight makes the int8 grid coarse for every channel.',
    ref: 'jacob2018',
  },
  'per-channel': {
    title: 'One scale per output channel',
    text: 'Each output channel gets its own scale, so a channel of small weights keeps a fine grid. Weight grids are symmetric, so the zero point is 0. Here, as in TFLite, convolutions get one scale per channel and dense layers one per tensor.',
    ref: 'nagel2021',
  },
  calibration: {
    title: 'Calibration',
    text: 'Full-integer INT8 needs the range of every activation, measured by running some training images through the float model. Min-max keeps the extremes, a percentile clips rare outliers, and MSE picks the range with the least total rounding and clipping error.',
    ref: 'nagel2021',
  },
  rounding: {
    title: 'GPTQ rounding and bias correction',
    text: 'Rounding each weight to its nearest int8 level makes errors that add up in a layer’s outputs. GPTQ rounds one input column at a time and shifts the weights not yet rounded so the layer’s outputs on calibration images stay close; bias correction then gives each output back the mean the rounding moved. The int8 file is the same size: only which levels are chosen changes.',
    ref: 'frantar2022',
  },
  'weight-int8': {
    title: 'Weight-only INT8',
    text: 'Stores the weights as int8 and keeps the activations in float, so no calibration is needed. The file is about as small as with full-integer INT8, but the model cannot run on integer-only hardware.',
    ref: 'tfliteDynamic',
  },
  float16: {
    title: 'float16',
    text: 'Rounds every weight to a 16-bit float: half the size of float32, usually with little or no loss of accuracy. A processor without float16 arithmetic converts the weights back to float32 to compute.',
    ref: 'tfliteFloat16',
  },
  combined: {
    title: 'Pruning and quantization together',
    text: 'The two add up: zeros compress well, and each weight that remains takes one byte instead of four. Combined with Huffman coding, they shrank large networks 35 to 49 times without losing accuracy.',
    ref: 'deepCompression',
  },
} satisfies Record<string, Idea>;
/**
 * The ideas are the keys of the table above, written once; the quantization formats and weight
 * scales are keyed by their choice ids, so a new format without an idea fails to compile.
 */
export type IdeaId = keyof typeof ideas;
export const IDEAS: Record<IdeaId, Idea> = ideas;

/** The element id of an idea's text (ExplainPanel), which its control names in aria-describedby. */
export const ideaElementId = (id: IdeaId) => `idea-${id}`;

/** The idea a pruning method names in its table entry (engine/choices/prune-methods.ts). */
export function pruneIdea(method: CompressSettings['prune']['method']): IdeaId | undefined {
  const key = PRUNE_METHODS.get(method).idea;
  return key !== undefined && key in IDEAS ? (key as IdeaId) : undefined;
}

/** The ideas of a recipe, grouped by the control they explain, in the order of the controls. */
export function recipeIdeas(s: CompressSettings): { prune?: IdeaId; schedule?: IdeaId; finetune?: IdeaId; format: IdeaId; scales?: IdeaId; rounding?: IdeaId; calibration?: IdeaId; combined?: IdeaId } {
  const m = s.prune.method;
  const mode = QUANT_MODES.get(s.quant.mode);
  const int8 = mode.int8Weights;
  // The report's name for the format (float32 where nothing is quantized) is the idea's key.
  const format: IdeaId = mode.format;
  return {
    prune: pruneIdea(m),
    schedule: PRUNE_METHODS.get(m).uses.gradual && s.prune.schedule.kind === 'gradual' ? 'gradual' : undefined,
    finetune: s.finetune.epochs > 0 ? 'finetune' : undefined,
    format,
    scales: int8 ? s.quant.granularity : undefined,
    rounding: int8 && (s.quant.rounding !== 'nearest' || s.quant.biasCorrection !== 'none') ? 'rounding' : undefined,
    calibration: mode.calibrates ? 'calibration' : undefined,
    combined: m !== 'none' && s.quant.mode !== 'none' ? 'combined' : undefined,
  };
}

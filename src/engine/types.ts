/**
 * The shared vocabulary of the engine: descriptors that cross module and worker boundaries.
 * Everything here is plain data (JSON-serialisable), never a tensor.
 */

import type { DatasetId } from './data/registry';
import type { FileDigest } from './models/file-digests';

/** One of the datasets of data/registry.ts, where the list is declared. */
export type { DatasetId };
export type Split = 'train' | 'test';

/** Input shape as [height, width, channels] (NHWC without the batch axis). */
export type InputShape = [number, number, number];

/** How raw uint8 pixels become the model's float input. Stored in index.json, applied by TS and Python alike. */
export type Preprocessing =
  | { kind: 'scale'; scale: number } // x * scale
  | { kind: 'standardize'; mean: number[]; std: number[] }; // (x - mean[c]) / std[c], x in 0..255

/** A decoded image-classification dataset: pixels in NHWC uint8, one label per image. */
export interface ImageDataset {
  id: DatasetId;
  split: Split;
  count: number;
  shape: InputShape;
  numClasses: number;
  /** count * h * w * c bytes, NHWC order. */
  pixels: Uint8Array;
  labels: Uint8Array;
  classNames: string[];
}

/** 'uploaded': a user's own LayersModel (jobs/user-model.ts), built by no zoo builder. */
export type ModelFamily = 'custom-cnn' | 'mobilenet-v1' | 'resnet50' | 'resnet101' | 'vgg16' | 'uploaded';

export interface ModelSpec {
  family: ModelFamily;
  inputShape: InputShape;
  numClasses: number;
  /** MobileNet width multiplier; ignored by other families. */
  alpha?: number;
  /** Dropout rate before the classifier (default per family); 0 makes training deterministic across backends. */
  dropout?: number;
}

/** One row of public/models/index.json. */
export interface BaselineEntry {
  id: string;
  family: ModelFamily;
  alpha?: number;
  dataset: DatasetId;
  inputShape: InputShape;
  numClasses: number;
  preprocessing: Preprocessing;
  path: string;
  params: number;
  macs: number;
  sizeBytes: number;
  testAccuracy: number;
  testData: { split: Split; first: number; count: number; exact: boolean; note: string };
  training: Record<string, unknown>;
  /** Logits of the first test images as recorded by the trainer, for the parity test. */
  referenceLogitsPath: string;
  /**
   * Every file of the model's folder with its size and sha256, checked at load
   * (models/file-digests.ts). Written by the trainer for the baselines stored as float16 shards.
   */
  files?: FileDigest[];
}

export interface BaselineIndex {
  version: 1;
  models: BaselineEntry[];
}

export interface ClassificationMetrics {
  count: number;
  accuracy: number;
  macroRecall: number;
  macroPrecision: number;
  macroF1: number;
  perClassRecall: number[];
  confusion: number[][];
}

export interface LatencyStats {
  backend: string;
  batch: number;
  runs: number;
  medianMs: number;
  p95Ms: number;
}

/** public/models/zoo.json: the size of every architecture for every dataset's input shape. */
export interface ZooCatalogEntry {
  architecture: string;
  family: ModelFamily;
  label: string;
  notes: string;
  dataset: DatasetId;
  inputShape: InputShape;
  numClasses: number;
  params: number;
  macs: number;
  float32Bytes: number;
}

export interface ZooCatalog {
  version: 1;
  entries: ZooCatalogEntry[];
}

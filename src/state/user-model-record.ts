/**
 * A user's own model as the studio keeps it (IndexedDB, so it survives a reload): an uploaded
 * LayersModel or one trained in the studio, with its files, the dataset it is for, and what
 * validation found. Files are sent to the worker, which validates them again before every job.
 */
import type { UserModelSummary } from '../engine/jobs/user-model';
import type { DatasetId, Preprocessing } from '../engine/types';
import { scalingPreprocessing, SCALINGS, type ScalingId, type ScalingProposal } from '../engine/choices/input-scaling';
import { DATASETS } from '../engine/data/registry';

export const USER_MODEL_RECORD_VERSION = 1;

export interface UserModelRecord {
  v: typeof USER_MODEL_RECORD_VERSION;
  /** The studio's id ("upload-…" or "trained-…"), never a user-typed string. */
  id: string;
  /** A display label from the file name or the architecture (rendered as text only). */
  label: string;
  origin: 'upload' | 'trained';
  dataset: DatasetId;
  createdAt: number;
  files: Array<{ name: string; bytes: ArrayBuffer }>;
  summary: UserModelSummary;
  /** How its inputs are scaled (the upload's choice); absent: the dataset's baselines' scaling. */
  scaling?: ScalingId;
  /** The studio's proposal from 200 training images, as measured at upload. */
  proposal?: ScalingProposal;
  /** Trained in the studio: test accuracy on `evaluatedOn` exact test records, and the training settings. */
  accuracy?: number;
  evaluatedOn?: number;
  training?: Record<string, unknown>;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export function userModelProblem(raw: unknown): string | undefined {
  if (!isObj(raw)) return 'not an object';
  if (raw.v !== USER_MODEL_RECORD_VERSION) return `unknown record version ${JSON.stringify(raw.v)?.slice(0, 20)}`;
  if (typeof raw.id !== 'string' || !/^(upload|trained)-[a-z0-9-]{1,60}$/.test(raw.id)) return 'its id is malformed';
  if (typeof raw.label !== 'string') return 'its label is not text';
  if (raw.origin !== 'upload' && raw.origin !== 'trained') return 'its origin is unknown';
  if (!DATASETS.some((d) => d.id === raw.dataset)) return 'its dataset is unknown';
  if (!Array.isArray(raw.files) || raw.files.length === 0 || !raw.files.every((f) => isObj(f) && typeof f.name === 'string' && f.bytes instanceof ArrayBuffer)) return 'its files are missing';
  const s = raw.summary;
  if (!isObj(s) || !Array.isArray(s.layers) || typeof s.params !== 'number') return 'its summary is missing';
  if (raw.scaling !== undefined && !SCALINGS.has(raw.scaling)) return 'its input scaling is unknown';
  return undefined;
}

export function restoreUserModel(raw: unknown): UserModelRecord | Error {
  const p = userModelProblem(raw);
  return p ? new Error(p) : (raw as UserModelRecord);
}

/** Copies of the files for a job (the copies are transferred to the worker; the record keeps its own). */
export function payloadOf(m: UserModelRecord): { id: string; dataset: DatasetId; files: Array<{ name: string; bytes: ArrayBuffer }>; preprocessing?: Preprocessing } {
  return { id: m.id, dataset: m.dataset, files: m.files.map((f) => ({ name: f.name, bytes: f.bytes.slice(0) })), preprocessing: m.scaling ? scalingPreprocessing(m.scaling, m.dataset) : undefined };
}

export function newUserModelId(origin: UserModelRecord['origin'], now = Date.now()): string {
  return `${origin}-${now.toString(36)}-${Math.floor(Math.random() * 1296).toString(36)}`;
}

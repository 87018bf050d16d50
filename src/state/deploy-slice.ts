/**
 * Deployment choices: whether a compression job also exports .tflite files and runs them on the
 * TFLite runtime (the job's `tflite` request, workers/protocol.ts), and the board the Deploy
 * section checks the exported model against. Sizes of a custom board are in KB (1 KB = 1024 B),
 * as board makers state them.
 */
import type { StateCreator } from 'zustand';
import { BOARDS, EXPORT_FILES, TFLITE_IO, TFLITE_RUNTIMES, type BoardChoice, type ExportLabel, type RuntimeChoiceId, type TfliteIo } from '../engine/choices/deploy';
import { runtimeForFiles } from '../engine/runtime/model-runtime';
import type { TfliteRequest } from '../workers/protocol';
import type { StudioState } from './store';

export type { BoardChoice };

export interface DeployState {
  /** Export .tflite files and evaluate them on TFLite's wasm runtime (real int8). */
  tflite: boolean;
  /** I/O of the int8 file: float (QUANTIZE/DEQUANTIZE inside) or int8. */
  io: TfliteIo;
  /** The runtime that measures the files, or `measured` (the faster, timed in this browser); an int8-I/O file always runs on tfjs-tflite (runtimeFor). */
  runtime: RuntimeChoiceId;
  board: BoardChoice;
  /** The custom board's RAM and flash in KB; NaN while the box is empty or not a number. */
  customRamKb: number;
  customFlashKb: number;
  /** Which exported file the fit check is about. */
  file: ExportLabel;
}

export interface DeploySlice {
  deploy: DeployState;
  setDeploy: (patch: Partial<DeployState>) => void;
}

export const DEFAULT_DEPLOY: DeployState = { tflite: false, io: TFLITE_IO.defaultId, runtime: TFLITE_RUNTIMES.defaultId, board: BOARDS.defaultId, customRamKb: 64, customFlashKb: 512, file: EXPORT_FILES.defaultId };

/** The runtime that will measure the files (runtimeForFiles: int8 I/O goes to tfjs-tflite). */
export function runtimeFor(d: Pick<DeployState, 'io' | 'runtime'>): RuntimeChoiceId {
  return runtimeForFiles(d.io, d.runtime);
}

/** The compress job's `tflite` request for these choices, or undefined when it is off. */
export function tfliteRequest(d: DeployState): TfliteRequest | undefined {
  return d.tflite ? { evaluate: true, io: d.io, runtime: runtimeFor(d) } : undefined;
}

export const createDeploySlice: StateCreator<StudioState, [], [], DeploySlice> = (set) => ({
  deploy: DEFAULT_DEPLOY,
  setDeploy: (patch) => set((s) => ({ deploy: { ...s.deploy, ...patch } })),
});

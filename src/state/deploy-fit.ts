/**
 * The Deploy section's fit check behind the store: the board the user picked (listed or custom) as
 * an engine McuProfile, and the engine's verdict for an exported file (engine/export/mcu-fit.ts
 * computes every figure; this resolves the choice). Components call this, never the engine.
 */
import { CUSTOM_BOARD } from '../engine/choices/deploy';
import type { ExportedModel } from '../engine/export/compress-exports';
import { customProfile, MCU_PROFILES, type McuFit, type McuProfile } from '../engine/export/mcu-fit';
import { defaultFitModel, fitChecks } from '../engine/export/run-files';
import { StudioError } from '../engine/errors';
import type { DeployState } from './deploy-slice';

export const KB = 1024;

/** The picked board, or the reason the custom one is not a board (a user's mistake, said plainly). */
export function pickedProfile(d: Pick<DeployState, 'board' | 'customRamKb' | 'customFlashKb'>): McuProfile | { error: string } {
  if (d.board !== CUSTOM_BOARD.id) return MCU_PROFILES.find((p) => p.id === d.board) ?? MCU_PROFILES[0];
  try {
    return customProfile(d.customRamKb * KB, d.customFlashKb * KB, `custom board (${d.customRamKb} KB RAM, ${d.customFlashKb} KB flash)`);
  } catch (e) {
    if (e instanceof StudioError) return { error: 'Enter the custom board’s RAM and flash as positive numbers of KB.' };
    throw e;
  }
}

/** The verdict for the picked board, and for every listed board (the report keeps them all). */
export function fitsFor(m: ExportedModel, d: DeployState): { picked: McuFit | { error: string }; all: McuFit[] } {
  const p = pickedProfile(d);
  const picked = 'error' in p ? p : fitChecks(m, [p])[0];
  const all = fitChecks(m, MCU_PROFILES);
  if (!('error' in picked) && d.board === CUSTOM_BOARD.id) all.push(picked);
  return { picked, all };
}

/** The file the fit check shows: the one picked, else the default. */
export function fitModel(models: ExportedModel[], d: Pick<DeployState, 'file'>): ExportedModel | undefined {
  return defaultFitModel(models, d.file);
}

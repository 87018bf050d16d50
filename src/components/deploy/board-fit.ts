/**
 * The board the user picked, as an engine McuProfile, and the engine's fit verdict for an exported
 * file (engine/export/mcu-fit.ts computes every figure; this only resolves the choice).
 */
import type { ExportedModel } from '../../engine/export/compress-exports';
import { checkFit, customProfile, MCU_PROFILES, type McuFit, type McuProfile } from '../../engine/export/mcu-fit';
import { StudioError } from '../../engine/errors';
import type { DeployState } from '../../state/deploy-slice';

export const KB = 1024;

/** "149.0 KB" with 1 KB = 1024 bytes, as boards are specified. */
export function formatKb(bytes: number): string {
  return `${(bytes / KB).toFixed(1)} KB`;
}

/** The picked board, or the reason the custom one is not a board (a user's mistake, said plainly). */
export function pickedProfile(d: Pick<DeployState, 'board' | 'customRamKb' | 'customFlashKb'>): McuProfile | { error: string } {
  if (d.board !== 'custom') return MCU_PROFILES.find((p) => p.id === d.board) ?? MCU_PROFILES[0];
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
  const fit = (profile: McuProfile) => checkFit(m.summary.sizeBytes, m.arena, profile);
  const picked = 'error' in p ? p : fit(p);
  const all = MCU_PROFILES.map(fit);
  if (!('error' in picked) && d.board === 'custom') all.push(picked);
  return { picked, all };
}

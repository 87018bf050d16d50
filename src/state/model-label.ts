/**
 * How a model is named on screen: a user's model by its label (text), a baseline by its
 * architecture's and dataset's labels (engine/models/architectures.ts), anything else by its id.
 */
import { baselineName } from '../engine/models/architectures';
import type { StudioState } from './store';

export function modelLabel(s: Pick<StudioState, 'userModels' | 'baselines'>, id: string): string {
  const user = s.userModels.find((m) => m.id === id);
  if (user) return user.label;
  const b = s.baselines.find((m) => m.id === id);
  return b ? baselineName(b) : id;
}

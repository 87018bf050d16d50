/** How a model is named on screen: a user's model by its label (text), a baseline by its id. */
import type { StudioState } from './store';

export function modelLabel(s: Pick<StudioState, 'userModels'>, id: string): string {
  return s.userModels.find((m) => m.id === id)?.label ?? id;
}

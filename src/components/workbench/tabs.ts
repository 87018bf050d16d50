/** The tabs under the workbench: their labels, and which ones lecture mode hides (ids: state/ui-slice.ts). */
import type { TabId } from '../../state/ui-slice';

export const TAB_LABELS: Record<TabId, { label: string; advanced?: boolean }> = {
  details: { label: 'All figures' },
  layers: { label: 'Per layer' },
  confusion: { label: 'Confusion' },
  flipped: { label: 'Flipped images' },
  deploy: { label: 'Deploy' },
  sweep: { label: 'Sweep' },
  sensitivity: { label: 'Sensitivity' },
  study: { label: 'The study' },
  history: { label: 'History' },
  upload: { label: 'Your model', advanced: true },
  train: { label: 'Train', advanced: true },
  evaluate: { label: 'Evaluate & zoo', advanced: true },
};

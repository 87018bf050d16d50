/** Colours and sizes shared by the compression charts. */
export const BEFORE_COLOR = '#8a94a8';
export const AFTER_COLOR = '#2156c9';
export const SELECTED_COLOR = '#f0a000';
export const FILTERS_COLOR = '#7b4fc9';
export const SQNR_COLORS = { weight: '#d07a00', output: '#2a9d5c' };
export const CHART_HEIGHT = 210;
export const AXIS_TICK = { fontSize: 11, fill: '#4a5468' };

/** Legend items in the order the series are drawn (recharts sorts them by name otherwise). */
const LEGEND_ORDER = ['Before', 'After', 'Sparsity', 'Filters removed', 'Weight SQNR', 'Output SQNR'];
export const legendOrder = (item: { value?: unknown }): number => LEGEND_ORDER.indexOf(String(item.value));

/**
 * The colour of series `i` of `n` (one per layer, up to MobileNet's ~28): hues spread around the
 * wheel, alternate series darker, so neighbours in network order differ in hue and lightness.
 */
export function seriesColor(i: number, n: number): string {
  return `hsl(${Math.round((i * 360) / Math.max(1, n))}, 70%, ${i % 2 ? 34 : 46}%)`;
}

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

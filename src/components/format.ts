/** Number formatting for display only; every figure itself comes from the engine. */
export function formatPercent(fraction: number, digits = 2): string {
  return `${(fraction * 100).toFixed(digits)}%`;
}

export function formatBytes(bytes: number): string {
  if (bytes >= 1e6) return `${(bytes / 1e6).toFixed(2)} MB`;
  if (bytes >= 1e3) return `${(bytes / 1e3).toFixed(1)} kB`;
  return `${bytes} B`;
}

export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)} G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)} M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(1)} k`;
  return String(n);
}

export function formatMs(ms: number): string {
  return ms >= 100 ? `${ms.toFixed(0)} ms` : `${ms.toFixed(2)} ms`;
}

/** Relative change from `before` to `after`, as "+12.3%" / "−45.0%" ("" when before is 0). */
export function formatChange(before: number, after: number, digits = 1): string {
  if (before === 0) return after === 0 ? '±0%' : '';
  const c = ((after - before) / before) * 100;
  return `${c > 0 ? '+' : c < 0 ? '−' : '±'}${Math.abs(c).toFixed(digits)}%`;
}

/** Change of a fraction in percentage points: "−7.00 pts". */
export function formatPoints(before: number, after: number, digits = 2): string {
  const d = (after - before) * 100;
  return `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(digits)} pts`;
}

export function formatDb(db: number): string {
  return Number.isFinite(db) ? `${db.toFixed(1)} dB` : '∞ dB';
}

export function formatSeconds(ms: number): string {
  return ms >= 60_000 ? `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

/**
 * An engine error as a sentence to show next to the control it names: bad-settings messages read
 * "prune.sparsity: must be ... (got 2)", and beside the sparsity control the field name is noise.
 */
export function fieldMessage(message: string, field: string): string {
  const rest = message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
  return rest.charAt(0).toUpperCase() + rest.slice(1);
}

/** "149.0 KB" with 1 KB = 1024 bytes, as boards are specified. */
export function formatKb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} KB`;
}

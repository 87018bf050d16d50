import type { CSSProperties } from 'react';
import type { CompressJobResult } from '../../engine/jobs/results';
import { getDataset } from '../../engine/data/registry';
import type { DatasetId } from '../../engine/types';

type Mode = 'counts' | 'diff';

/** WCAG relative luminance of an sRGB colour (0-255 channels). */
function luminance([r, g, b]: number[]): number {
  const lin = (c: number) => (c / 255 <= 0.04045 ? c / 255 / 12.92 : ((c / 255 + 0.055) / 1.055) ** 2.4);
  return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
}

/**
 * A shade of `rgb` at opacity `alpha` over white, with the text colour that reads on it: black or
 * white, whichever contrasts more (they meet at luminance 0.179, where both exceed 4.5:1).
 */
function shade(rgb: [number, number, number], alpha: number): CSSProperties {
  const c = rgb.map((x) => Math.round(255 + (x - 255) * alpha));
  return { background: `rgb(${c.join(', ')})`, color: luminance(c) > 0.179 ? '#000' : '#fff' };
}

/** Cell colour: counts shaded by their share of the true class; differences green where better. */
function cellStyle(mode: Mode, v: number, diagonal: boolean, scale: number): CSSProperties | undefined {
  if (v === 0 || scale === 0) return undefined;
  const a = Math.min(1, Math.abs(v) / scale);
  if (mode === 'counts') return shade([33, 86, 201], 0.08 + 0.8 * a);
  const better = diagonal ? v > 0 : v < 0;
  return shade(better ? [30, 122, 70] : [196, 30, 58], 0.15 + 0.75 * a);
}

function Heatmap({ title, matrix, mode, testId, names }: { title: string; matrix: number[][]; mode: Mode; testId: string; names: string[] }) {
  const rowTotals = matrix.map((row) => row.reduce((a, b) => a + b, 0));
  const maxAbs = Math.max(1, ...matrix.flat().map(Math.abs));
  return (
    <table className={`heatmap ${mode}`} data-testid={testId}>
      <caption>{title}</caption>
      <thead>
        <tr>
          <th scope="col" className="corner" title="rows: true class, columns: predicted class">
            true \ pred
          </th>
          {matrix.map((_, j) => (
            <th key={j} scope="col" title={names[j]}>
              {j}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {matrix.map((row, i) => (
          <tr key={i}>
            <th scope="row" title={names[i]}>
              {i}
            </th>
            {row.map((v, j) => (
              <td key={j} style={cellStyle(mode, v, i === j, mode === 'counts' ? rowTotals[i] : maxAbs)} title={`true ${names[i]}, predicted ${names[j]}: ${mode === 'diff' && v > 0 ? '+' : ''}${v}`}>
                {mode === 'diff' ? (v === 0 ? '' : v > 0 ? `+${v}` : `−${-v}`) : v}
              </td>
            ))}
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** Confusion matrices before and after, and their difference (after − before). */
export function ConfusionMatrix({ r }: { r?: CompressJobResult }) {
  if (!r) {
    return (
      <div className="confusion empty-box" data-testid="confusion">
        <p className="chart-empty">Confusion matrices before, after and their difference appear here.</p>
      </div>
    );
  }
  const b = r.before.metrics.confusion;
  const a = r.after.metrics.confusion;
  const diff = a.map((row, i) => row.map((v, j) => v - b[i][j]));
  const ds = getDataset(r.dataset as DatasetId);
  const names = ds.classNames ?? b.map((_, i) => String(i));
  const named = names.some((n, i) => n !== String(i));
  return (
    <div className="confusion" data-testid="confusion">
      <div className="heatmaps">
        <Heatmap title="Before" matrix={b} mode="counts" testId="confusion-before" names={names} />
        <Heatmap title="After" matrix={a} mode="counts" testId="confusion-after" names={names} />
        <Heatmap title="Difference (after − before)" matrix={diff} mode="diff" testId="confusion-diff" names={names} />
      </div>
      <p className="chart-caption">
        Rows: true class; columns: predicted class. In the difference, green is better (more correct on the diagonal, fewer confusions off it), red worse.
        {named && ` Classes: ${names.map((n, i) => `${i} ${n}`).join(', ')}.`}
      </p>
    </div>
  );
}

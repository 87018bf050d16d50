import { PRUNE_METHODS } from '../../engine/choices/prune-methods';
import { QUANT_MODES } from '../../engine/choices/quantize';
import type { WeightSample } from '../../engine/explain/weight-sample';
import { useStudio } from '../../state/store';

const CELL_W = 20;
const CELL_H = 14;
const PRUNED = '#e3e6ec';

/** A weight's colour: blue for positive, red for negative, paler toward zero (relative to the grid's largest). */
function colour(w: number, maxAbs: number): string {
  const t = maxAbs > 0 ? Math.min(1, Math.abs(w) / maxAbs) : 0;
  const [r, g, b] = w >= 0 ? [33, 86, 201] : [192, 57, 43];
  const mix = (c: number) => Math.round(255 + (c - 255) * (0.15 + 0.85 * t));
  return `rgb(${mix(r)}, ${mix(g)}, ${mix(b)})`;
}

/** The sample's grid (input channels down, output channels across) with the cells a mask prunes greyed and struck through. */
function Grid({ s, mask, title, groupsOf, testId }: { s: WeightSample; mask: number[]; title: string; groupsOf?: number; testId: string }) {
  const rows = s.inputChannels.length;
  const cols = s.outputChannels.length;
  const maxAbs = Math.max(...s.weights.map(Math.abs));
  const kept = mask.filter((m) => m === 1).length;
  return (
    <figure className="weight-grid" data-testid={testId}>
      <svg width={cols * CELL_W + 1} height={rows * CELL_H + 1} role="img" aria-label={`${title}: ${kept} of ${mask.length} weights kept`}>
        {s.weights.map((w, i) => {
          const x = (i % cols) * CELL_W;
          const y = Math.floor(i / cols) * CELL_H;
          const off = mask[i] === 0;
          return (
            <g key={i} data-kept={off ? 0 : 1}>
              <rect x={x + 0.5} y={y + 0.5} width={CELL_W - 1} height={CELL_H - 1} fill={off ? PRUNED : colour(w, maxAbs)} />
              {off && <line x1={x + 3} y1={y + CELL_H - 3} x2={x + CELL_W - 3} y2={y + 3} stroke="#7d8696" strokeWidth={1} />}
            </g>
          );
        })}
        {groupsOf &&
          Array.from({ length: Math.floor((rows - 1) / groupsOf) }, (_, k) => <line key={k} x1={0} x2={cols * CELL_W} y1={(k + 1) * groupsOf * CELL_H + 0.5} y2={(k + 1) * groupsOf * CELL_H + 0.5} stroke="#1d2330" strokeWidth={1.5} />)}
      </svg>
      <figcaption>
        {title}: {kept} of {mask.length} kept
      </figcaption>
    </figure>
  );
}

const fixed = (v: number, d = 4) => (Object.is(v, -0) ? 0 : v).toFixed(d);

/** One output channel's weights rounded to the int8 grid: each value, value ÷ scale, the level, level × scale. */
function Int8Table({ s, active }: { s: WeightSample; active: boolean }) {
  const l = s.int8;
  if (!l) return <p className="hint">Structured pruning removed every filter shown, so there is no channel to quantize here.</p>;
  return (
    <div className="int8-line" data-testid="picture-int8">
      <p className="picture-caption">
        {active ? 'INT8' : 'With INT8 (the recipe keeps floats)'}, output channel {l.channel}: scale <strong data-testid="picture-scale">{l.scale.toPrecision(3)}</strong>, zero point <strong>{l.zeroPoint}</strong>, levels {l.qmin}…{l.qmax}.
        Each weight is stored as the nearest level: weight ≈ scale × (level − zero point).
      </p>
      <table className="int8-table">
        <thead>
          <tr>
            <th scope="col">in</th>
            <th scope="col">weight</th>
            <th scope="col">÷ scale</th>
            <th scope="col">int8</th>
            <th scope="col">× scale</th>
          </tr>
        </thead>
        <tbody>
          {l.values.map((v, i) => (
            <tr key={l.inputChannels[i]}>
              <th scope="row">{l.inputChannels[i]}</th>
              <td>{fixed(v)}</td>
              <td>{fixed(l.positions[i], 2)}</td>
              <td className="q">{l.q[i]}</td>
              <td>{fixed(l.dequantized[i])}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/**
 * The live picture: one layer of the selected model under the current recipe, every number from
 * the engine (the worker's weight-sample request, state/live.ts): a grid of its weights with the
 * recipe's pruning, the same grid with a 2:4 pattern, and one channel's weights on the int8 grid.
 */
export function WeightPicture() {
  const picture = useStudio((s) => s.picture);
  const method = useStudio((s) => s.compressSettings.prune.method);
  const quant = useStudio((s) => s.compressSettings.quant.mode);
  const s = picture.sample;
  return (
    <section className={`weight-picture${picture.status === 'loading' ? ' stale' : ''}`} aria-labelledby="picture-h" aria-busy={picture.status === 'loading'} data-testid="weight-picture">
      <h3 id="picture-h">{s ? `Layer ${s.layer}, live` : 'One layer, live'}</h3>
      {picture.status === 'error' && <p className="error">{picture.error}</p>}
      {!s ? (
        <p className="placeholder">{picture.status === 'loading' ? 'Reading the model…' : 'The selected model’s weights appear here.'}</p>
      ) : (
        <>
          <p className="picture-caption">
            {s.inputChannels.length} input × {s.outputChannels.length} output channels of its {s.shape.join('×')} kernel
            {s.shape[0] > 1 ? ' (centre tap)' : ''}; blue positive, red negative, grey struck out: pruned.
          </p>
          <div className="weight-grids">
            <Grid s={s} mask={s.mask} title={method === 'none' ? 'No pruning' : `${PRUNE_METHODS.get(method).label}, ${Math.round(s.layerSparsity * 100)}% of the layer`} testId="picture-recipe" />
            <Grid s={s} mask={s.nm} title="2:4 pattern" groupsOf={4} testId="picture-nm" />
          </div>
          <Int8Table s={s} active={QUANT_MODES.get(quant).int8Weights} />
        </>
      )}
    </section>
  );
}

import { SCALINGS } from '../../engine/choices/input-scaling';
import { useStudio } from '../../state/store';

const labelOf = (id: string) => (SCALINGS.has(id) ? SCALINGS.get(id).label : id);
const pct = (x: number) => `${(100 * x).toFixed(1)}%`;

/**
 * What the studio measured about a user model's input scaling: accuracy on 200 training images
 * under each choice (engine/jobs/propose-scaling.ts), the proposal, and a button to take it when
 * it differs from the user's choice.
 */
export function ScalingProposalNote({ id }: { id: string }) {
  const m = useStudio((s) => s.userModels.find((x) => x.id === id));
  const setScaling = useStudio((s) => s.setUserModelScaling);
  const status = useStudio((s) => s.proposalStatus[id]);
  const p = m?.proposal;
  if (status === 'measuring')
    return (
      <p className="note" data-testid="scaling-measuring">
        Trying each input scaling on 200 training images…
      </p>
    );
  if (status && typeof status === 'object')
    return (
      <p className="note" data-testid="scaling-failed">
        The input scalings could not be compared: {status.error}
      </p>
    );
  if (!m || !p) return null;
  const chosen = m.scaling;
  const best = p.rows.find((r) => r.id === p.best)!;
  return (
    <div className="note scaling-proposal" data-testid="scaling-proposal">
      <p>
        On {p.images} training images: {p.rows.map((r) => `${labelOf(r.id)} ${pct(r.accuracy)}`).join(' · ')}.{' '}
        {chosen === p.best ? (
          <span data-testid="scaling-agrees">Your choice, {labelOf(p.best)}, is the best of these.</span>
        ) : (
          <span data-testid="scaling-differs">
            The studio proposes {labelOf(p.best)} ({pct(best.accuracy)}); you chose {labelOf(chosen ?? '')} ({pct(p.rows.find((r) => r.id === chosen)?.accuracy ?? 0)}).{' '}
            <button type="button" data-testid="scaling-use" onClick={() => setScaling(id, p.best)}>
              Use {labelOf(p.best)}
            </button>
          </span>
        )}
      </p>
    </div>
  );
}

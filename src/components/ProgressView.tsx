import { useStudio } from '../state/store';
import type { JobType } from '../state/job-slice';
import { progressView } from '../state/progress';

/**
 * The progress bar of the running job, shown by the panel whose job it is: stage (and its place in
 * the job), step count, images/s and time left. Its space is reserved whether or not a job runs.
 */
export function ProgressView({ jobs }: { jobs: JobType[] }) {
  const running = useStudio((s) => s.running);
  const mine = running && jobs.includes(running.type) ? running : undefined;
  const v = mine ? progressView(mine, performance.now()) : undefined;
  return (
    <div className="progress-area" aria-live="polite">
      {v && (
        <>
          <progress max={1} value={v.fraction} aria-label="Job progress" />
          <span data-testid="stage">
            {v.stageIndex !== undefined ? `Stage ${v.stageIndex} of ${v.stageCount}: ` : ''}
            {v.label}
            {v.total > 1 ? ` — ${v.done.toLocaleString('en')} / ${v.total.toLocaleString('en')}` : ''}
            {v.imagesPerSecond !== undefined ? ` — ${v.imagesPerSecond.toFixed(0)} img/s on ${v.backend}` : ''}
            {v.loss !== undefined ? ` — loss ${v.loss.toFixed(3)}` : ''}
            {v.secondsLeft !== undefined ? ` — about ${Math.ceil(v.secondsLeft)} s left` : ''}
          </span>
        </>
      )}
    </div>
  );
}

import { useLayoutEffect, useRef } from 'react';
import { logLineText, seconds } from '../state/job-log';
import type { JobType } from '../state/job-slice';
import { useStudio } from '../state/store';

/**
 * The compact log of the panel's job (running, or the last one, kept after it ends): one line per
 * stage with its key figure, time-stamped from the job's start, and one for the outcome. A box of
 * fixed height that scrolls, reserved whether or not there is a log, so nothing below it moves.
 * It follows the newest line unless the reader has scrolled up.
 */
export function JobLog({ jobs }: { jobs: JobType[] }) {
  const log = useStudio((s) => (s.log && jobs.includes(s.log.job) ? s.log : undefined));
  const ref = useRef<HTMLDivElement>(null);
  const follow = useRef(true);
  const entries = log?.entries;
  useLayoutEffect(() => {
    const el = ref.current;
    if (el && follow.current) el.scrollTop = el.scrollHeight;
  }, [entries]);
  const onScroll = () => {
    const el = ref.current;
    if (el) follow.current = el.scrollHeight - el.scrollTop - el.clientHeight < 8;
  };
  return (
    // A scrollable region is focusable so that keyboard users can scroll it. The log role sits on a
    // box around the list, so the list keeps its own semantics.
    <div className="job-log" role="log" aria-label="Job log" aria-relevant="additions" tabIndex={0} ref={ref} onScroll={onScroll} data-testid="job-log">
      <ol>
        {entries && entries.length > 0 ? (
          entries.map((e, i) => (
            <li key={i} data-testid="log-line" data-kind={e.kind === 'end' ? e.outcome : e.stage} className={e.kind === 'end' ? `log-end ${e.outcome}` : e.endMs === undefined ? 'log-open' : undefined}>
              <time>+{seconds(e.atMs)}</time>
              <span> {logLineText(e)}</span>
            </li>
          ))
        ) : (
          <li className="placeholder">{log ? 'Starting…' : 'Each stage of the next job is logged here.'}</li>
        )}
      </ol>
    </div>
  );
}

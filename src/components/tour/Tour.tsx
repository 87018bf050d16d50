import type { MouseEvent } from 'react';
import { enterTourStep, TOUR_STEPS, tourHref, tourNeighbour } from '../../state/tour';
import { useStudio } from '../../state/store';
import type { TourStep } from '../../state/ui-slice';
import { TOUR_TEXT } from './tour-steps';

/** Starts the tour at its first step. */
export function TourButton() {
  const tour = useStudio((s) => s.tour);
  const busy = useStudio((s) => !!s.running);
  if (tour) return null;
  return (
    <button type="button" className="secondary" onClick={() => enterTourStep(TOUR_STEPS[0])} disabled={busy} data-testid="tour-start">
      Lecture tour
    </button>
  );
}

/**
 * The tour's navigation: each step is a link (its URL opens it, tour.ts tourHref), plus Back,
 * Next and End. Following a link inside the page applies the step without reloading.
 */
export function TourNav() {
  const tour = useStudio((s) => s.tour);
  const busy = useStudio((s) => !!s.running);
  // Re-render the links when what they carry changes.
  useStudio((s) => s.selectedId);
  useStudio((s) => s.lecture);
  useStudio((s) => s.tab);
  useStudio((s) => s.deploy);
  useStudio((s) => s.compressBackend);
  if (!tour) return null;
  const go = (step: TourStep | undefined) => (e?: MouseEvent) => {
    e?.preventDefault();
    enterTourStep(step);
  };
  const back = tourNeighbour(tour, -1);
  const next = tourNeighbour(tour, 1);
  return (
    <nav className="tour-nav" aria-label="Lecture tour" data-testid="tour-nav">
      <button type="button" className="secondary small" onClick={go(back)} disabled={!back || busy} data-testid="tour-back">
        ‹ Back
      </button>
      <ol className="tour-steps">
        {TOUR_STEPS.map((step, i) => (
          <li key={step}>
            <a href={tourHref(step)} aria-current={step === tour ? 'step' : undefined} onClick={busy ? (e) => e.preventDefault() : go(step)} data-testid={`tour-step-${step}`}>
              {i + 1}. {TOUR_TEXT[step].short}
            </a>
          </li>
        ))}
      </ol>
      <button type="button" className="small" onClick={go(next)} disabled={!next || busy} data-testid="tour-next">
        Next ›
      </button>
      <button type="button" className="link" onClick={go(undefined)} data-testid="tour-end">
        End tour
      </button>
    </nav>
  );
}

/** The current step's story, at the top of How it works. */
export function TourStory() {
  const tour = useStudio((s) => s.tour);
  if (!tour) return null;
  const t = TOUR_TEXT[tour];
  return (
    <section className="tour-story" aria-labelledby="tour-story-h" data-testid="tour-story">
      <h3 id="tour-story-h">{t.title}</h3>
      <p>{t.text}</p>
    </section>
  );
}

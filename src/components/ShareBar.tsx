import { useEffect, useState } from 'react';
import { shareLink } from '../state/url-sync';
import { useStudio } from '../state/store';
import { TourButton } from './tour/Tour';

/**
 * Lecture mode and links: the address bar always holds the current settings; these buttons copy
 * it, or a variant that runs the settings as soon as it opens (for a lecture).
 */
export function ShareBar() {
  const lecture = useStudio((s) => s.lecture);
  const setLecture = useStudio((s) => s.setLecture);
  const [copied, setCopied] = useState<string>();
  useEffect(() => {
    document.documentElement.classList.toggle('lecture', lecture);
  }, [lecture]);
  const copy = (run: boolean) => {
    const link = shareLink(run);
    const say = (text: string) => {
      setCopied(text);
      setTimeout(() => setCopied(undefined), 4000);
    };
    navigator.clipboard.writeText(link).then(
      () => say(run ? 'Link copied: it runs the settings when opened.' : 'Link copied.'),
      () => say(`Copy this link: ${link}`),
    );
  };
  return (
    <div className="share-bar">
      <TourButton />
      <label className="switch">
        <input type="checkbox" role="switch" checked={lecture} onChange={(e) => setLecture(e.target.checked)} data-testid="lecture-toggle" />
        Lecture mode
      </label>
      <button type="button" className="secondary" onClick={() => copy(false)} data-testid="copy-link">
        Copy link
      </button>
      <button type="button" className="secondary advanced" onClick={() => copy(true)} data-testid="copy-run-link">
        Copy link that runs
      </button>
      <span className="share-status" role="status" data-testid="share-status">
        {copied}
      </span>
    </div>
  );
}

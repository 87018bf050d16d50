import { useStudio } from '../state/store';

/** Messages about the page itself (a shared link that could not be fully applied), each dismissible. */
export function Notices() {
  const notices = useStudio((s) => s.notices);
  const dismiss = useStudio((s) => s.dismiss);
  if (notices.length === 0) return null;
  return (
    <div className="notices">
      {notices.map((n) => (
        <p key={n.id} role="status" className="notice" data-testid={`notice-${n.id}`}>
          {n.text}
          <button type="button" className="link" onClick={() => dismiss(n.id)} aria-label="Dismiss this message">
            Dismiss
          </button>
        </p>
      ))}
    </div>
  );
}

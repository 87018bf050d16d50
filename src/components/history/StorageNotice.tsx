import type { StorageStatus } from '../../state/history-slice';

/** Where saved data lives when that is not IndexedDB, and the entries that could not be read. */
export function StorageNotice({ status, what, testId, onRemoveSkipped }: { status: StorageStatus; what: string; testId: string; onRemoveSkipped?: () => void }) {
  return (
    <>
      {status.warning && (
        <p role="alert" className="storage-warning" data-testid={`${testId}-warning`}>
          {status.warning}
        </p>
      )}
      {status.skipped.length > 0 && (
        <div role="alert" className="storage-warning" data-testid={`${testId}-skipped`}>
          {status.skipped.length === 1 ? `1 saved ${what} could not be read and was skipped:` : `${status.skipped.length} saved ${what}s could not be read and were skipped:`}
          <ul>
            {status.skipped.slice(0, 5).map((k) => (
              <li key={k.key}>
                <code>{k.key.slice(0, 60)}</code>: {k.reason}
              </li>
            ))}
          </ul>
          {onRemoveSkipped && (
            <button type="button" className="secondary small" onClick={onRemoveSkipped}>
              Remove the unreadable entries
            </button>
          )}
        </div>
      )}
    </>
  );
}

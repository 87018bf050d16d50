import { useEffect } from 'react';
import { getDataset } from '../../engine/data/registry';
import type { DatasetId } from '../../engine/types';
import { loadGallery } from '../../state/jobs';
import { useStudio } from '../../state/store';
import type { CompressJobResult } from '../../engine/jobs/results';
import { RecordImage } from './RecordImage';

/**
 * The test images whose prediction changed after compression (the first 64), with the true label
 * and the prediction before and after. Red: compression broke a correct prediction; green: it
 * fixed a wrong one; grey: wrong both times. The box keeps its size with or without images.
 */
export function FlippedGallery({ r }: { r?: CompressJobResult }) {
  const gallery = useStudio((s) => s.gallery);
  useEffect(() => loadGallery(r), [r]);
  if (!r)
    return (
      <div className="gallery empty-box">
        <p className="chart-empty">No compression run yet.</p>
      </div>
    );
  if (r.flipped.length === 0)
    return (
      <div className="gallery empty-box">
        <p className="chart-empty">No prediction changed on these {r.testRecords.count.toLocaleString('en')} test images.</p>
      </div>
    );
  const names = getDataset(r.dataset as DatasetId).classNames ?? [];
  const name = (k: number) => names[k] ?? String(k);
  const records = gallery.status === 'ready' ? gallery.records : undefined;
  const per = records ? records.shape[0] * records.shape[1] * records.shape[2] : 0;
  const broke = r.flipped.filter((f) => f.before === f.label).length;
  const fixed = r.flipped.filter((f) => f.after === f.label).length;
  return (
    <div className="gallery" data-testid="gallery">
      <p className="gallery-count" data-testid="gallery-count">
        {r.flipped.length < r.flippedCount ? `The first ${r.flipped.length} of ${r.flippedCount.toLocaleString('en')}` : `All ${r.flippedCount.toLocaleString('en')}`} flipped predictions: {broke} broken (red), {fixed} fixed (green),{' '}
        {r.flipped.length - broke - fixed} wrong both times. Under each image: the true label, then the prediction before → after.
      </p>
      {gallery.status === 'loading' && <p className="note">Reading the images…</p>}
      {gallery.status === 'error' && <p className="error">Could not read the images: {gallery.error}</p>}
      {records && (
        <ul className="gallery-grid">
          {r.flipped.map((f, k) => {
            const at = records.indices.indexOf(f.index);
            if (at < 0) return null;
            const kind = f.before === f.label ? 'broke' : f.after === f.label ? 'fixed' : 'wrong';
            const text = `Test image ${f.index}: true ${name(f.label)}, predicted ${name(f.before)} before and ${name(f.after)} after`;
            return (
              <li key={`${f.index}-${k}`} className={`flip ${kind}`} data-testid="gallery-item" title={text}>
                <RecordImage pixels={records.pixels.subarray(at * per, (at + 1) * per)} shape={records.shape} label={text} />
                <span className="flip-label">
                  <span className="truth">
                    <span className="sr-only">true label </span>
                    {name(f.label)}
                  </span>
                  <span className="pred">
                    {name(f.before)} → {name(f.after)}
                  </span>
                </span>
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}

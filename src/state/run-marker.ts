/**
 * A marker for the job that occupies the studio, so a reload or a closed tab mid-run is reported
 * on the next load (the job itself dies with the page's worker, and nothing of it is saved).
 *
 * The marker goes to localStorage when the job starts and is removed when it ends, whatever the
 * outcome. While the job runs, this tab holds a Web Lock of the marker's name, so a page opening
 * beside it never takes another tab's running job for an unfinished one: only markers whose lock
 * nobody holds are reported (and then removed). Storage that fails (some private modes) only
 * means the next load cannot say what was lost; the job itself runs regardless.
 */
import { withDefaults } from '../engine/jobs/compress-settings';
import type { JobRequest } from '../workers/protocol';
import { recipeLabel } from './run-record';

const PREFIX = 'compression-studio:running:';

export interface RunMarker {
  v: 1;
  /** What ran, for the message: "compression of Custom TinyML CNN · MNIST (per-layer 50% + int8)". */
  what: string;
  /** Date.now() at the start. */
  startedAt: number;
}

const NOUN: Record<JobRequest['type'], string> = {
  compress: 'compression',
  evaluate: 'evaluation',
  finetune: 'fine-tuning',
  train: 'training',
  'validate-model': 'model check',
  records: 'record read',
  'weight-sample': 'weight picture',
  warm: 'warm-up',
  preview: 'preview',
  sensitivity: 'sensitivity analysis',
  'auto-search': 'automatic search',
};

/** `model` is how the page names the job's model (model-label.ts: a user's label, or the baseline's name). */
export function describeJob(job: JobRequest, model: string | undefined): string {
  const of = model ? ` of ${model}` : '';
  if (job.type === 'compress') return `${NOUN.compress}${of} (${recipeLabel(withDefaults(job.settings))})`;
  if (job.type === 'train') return `${NOUN.train} of ${job.settings.architecture} on ${job.settings.dataset}`;
  return `${NOUN[job.type]}${of}`;
}

function storage(): Storage | undefined {
  try {
    return globalThis.localStorage ?? undefined;
  } catch {
    return undefined;
  }
}

function locks(): LockManager | undefined {
  return typeof navigator !== 'undefined' ? navigator.locks : undefined;
}

let counter = 0;

/** Marks a job as running; call the returned function when it ends (finished, failed or cancelled). */
export function markRunning(what: string, now = Date.now()): () => void {
  const store = storage();
  if (!store) return () => {};
  const key = `${PREFIX}${now.toString(36)}-${(counter++).toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const marker: RunMarker = { v: 1, what, startedAt: now };
  const write = () => {
    try {
      store.setItem(key, JSON.stringify(marker));
    } catch {
      // Full or refused storage: the job runs unmarked.
    }
  };
  const remove = () => {
    try {
      store.removeItem(key);
    } catch {
      // As above.
    }
  };
  const lockManager = locks();
  if (!lockManager) {
    write();
    return remove;
  }
  // The marker is written only once the lock is held, so no other page can see it unlocked.
  let release: () => void = () => {};
  let ended = false;
  const held = new Promise<void>((resolve) => (release = resolve));
  lockManager
    .request(key, async () => {
      if (ended) return;
      write();
      await held;
      remove();
    })
    .catch(remove);
  return () => {
    ended = true;
    remove();
    release();
  };
}

/** The markers of runs that no page is running any more (each removed as it is read), oldest first. */
export async function takeUnfinishedRuns(): Promise<RunMarker[]> {
  const store = storage();
  if (!store) return [];
  let keys: string[];
  try {
    keys = Array.from({ length: store.length }, (_, i) => store.key(i)).filter((k): k is string => !!k && k.startsWith(PREFIX));
  } catch {
    return [];
  }
  if (keys.length === 0) return [];
  let running = new Set<string>();
  try {
    const state = await locks()?.query();
    running = new Set([...(state?.held ?? []), ...(state?.pending ?? [])].map((l) => l.name ?? ''));
  } catch {
    // Without the Locks API every marker left over is taken as unfinished.
  }
  const out: RunMarker[] = [];
  for (const key of keys) {
    if (running.has(key)) continue;
    try {
      const m = JSON.parse(store.getItem(key) ?? 'null') as Partial<RunMarker> | null;
      if (m && m.v === 1 && typeof m.what === 'string' && typeof m.startedAt === 'number') out.push({ v: 1, what: m.what, startedAt: m.startedAt });
      store.removeItem(key);
    } catch {
      // An unreadable marker says nothing useful; it is dropped.
      try {
        store.removeItem(key);
      } catch {
        // Storage refuses writes now; nothing more to do.
      }
    }
  }
  return out.sort((a, b) => a.startedAt - b.startedAt);
}

/** The notice for runs that did not finish, or undefined when there are none. */
export function unfinishedNotice(runs: RunMarker[]): string | undefined {
  if (runs.length === 0) return undefined;
  const when = (t: number) => new Date(t).toLocaleString();
  const list = runs.map((r) => `the ${r.what}, started ${when(r.startedAt)}`).join('; ');
  return `${runs.length === 1 ? 'A run' : `${runs.length} runs`} did not finish because the page was reloaded or closed while it ran: ${list}. Nothing from ${runs.length === 1 ? 'it' : 'them'} was saved; the run history is intact. Run it again when you are ready.`;
}

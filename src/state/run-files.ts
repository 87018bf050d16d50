/**
 * The exported files of a run (.tflite int8 / float32 / baseline, the zipped tfjs model, the
 * reference predictions), kept apart from the run's record so that the history list stays light:
 * reading the history reads every record, while a run's files (hundreds of KB to MBs) are read
 * only when that run is shown.
 *
 * Why store the bytes rather than regenerate them: the files come out of the whole compression
 * (masks, fine-tuning on a backend, calibration); rebuilding them means running that job again,
 * seconds to minutes, and fine-tuning is only reproducible on the same backend. Their bytes are
 * small next to that cost, so they are stored as the run made them.
 *
 * One IndexedDB database of its own, one key per run id; when IndexedDB is missing or refuses a
 * write (e.g. over quota) the files stay in this tab's memory and the caller is told so. Entries are
 * read back through `restoreRunFiles`, which checks what the Deploy section relies on.
 */
import { EXPORT_FILES } from '../engine/choices/deploy';
import type { CompressExports } from '../engine/export/compress-exports';
import { isTflite } from '../engine/export/tflite/reader';
import { idbTable, storageProblem, type Table } from './idb-table';

export const RUN_FILES_VERSION = 1;

export interface RunFilesRecord {
  v: typeof RUN_FILES_VERSION;
  exports: CompressExports;
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A stored value as the run's exports, or an Error saying what is wrong with it. */
export function restoreRunFiles(raw: unknown): CompressExports | Error {
  if (!isObj(raw) || raw.v !== RUN_FILES_VERSION || !isObj(raw.exports)) return new Error(`not a version-${RUN_FILES_VERSION} record of run files`);
  const e = raw.exports;
  if (!Array.isArray(e.models) || !Array.isArray(e.skipped) || !isObj(e.predictions)) return new Error('its exports lack models, skipped or predictions');
  for (const m of e.models as unknown[]) {
    if (!isObj(m) || !EXPORT_FILES.has(m.label)) return new Error('a model has no known label');
    if (!(m.bytes instanceof Uint8Array && isTflite(m.bytes))) return new Error(`the ${String(m.label)} file is not a .tflite FlatBuffer`);
    if (!isObj(m.summary) || !isObj(m.arena)) return new Error(`the ${String(m.label)} file lacks its summary or arena plan`);
  }
  if (e.tfjs !== undefined && (!isObj(e.tfjs) || !(e.tfjs.zip instanceof Uint8Array))) return new Error('its tfjs model is not a zip');
  return e as unknown as CompressExports;
}

export interface RunFiles {
  /** Where the files went: IndexedDB, or this tab's memory (with the reason). */
  save(id: string, exports: CompressExports): Promise<{ storage: 'indexeddb' } | { storage: 'memory'; reason: string }>;
  /** The run's files; undefined when none were kept; an Error when the stored ones are unreadable. */
  load(id: string): Promise<CompressExports | undefined | Error>;
  remove(id: string): Promise<void>;
}

export function runFilesStore(table: Table = idbTable('compression-studio-run-files')): RunFiles {
  // Files that IndexedDB could not take. Unbounded, like the in-memory history they belong to.
  const memory = new Map<string, CompressExports>();
  return {
    save: async (id, exports) => {
      try {
        await table.put(id, { v: RUN_FILES_VERSION, exports } satisfies RunFilesRecord);
        return { storage: 'indexeddb' };
      } catch (e) {
        memory.set(id, exports);
        return { storage: 'memory', reason: storageProblem(e) };
      }
    },
    load: async (id) => {
      const kept = memory.get(id);
      if (kept) return kept;
      let raw: unknown;
      try {
        raw = await table.get(id);
      } catch {
        return undefined;
      }
      return raw === undefined ? undefined : restoreRunFiles(raw);
    },
    remove: async (id) => {
      memory.delete(id);
      await table.remove(id).catch(() => undefined);
    },
  };
}

/**
 * One IndexedDB object store as a small key-value table (idb-keyval), for what the studio keeps
 * across reloads: run history, runs' exported files and the user's own models. Every call is bounded by a deadline, so
 * storage that never answers (a blocked or broken database) cannot hang the studio; callers treat
 * any failure as "storage unavailable" and keep their data in memory.
 */
import { createStore, del, entries, get, set, type UseStore } from 'idb-keyval';

export interface Table {
  /** Every stored [key, value]; values are unchecked (callers restore them). */
  list(): Promise<Array<[string, unknown]>>;
  /** One stored value (unchecked), or undefined when the key is absent. */
  get(key: string): Promise<unknown>;
  put(key: string, value: unknown): Promise<void>;
  remove(key: string): Promise<void>;
}

const DEADLINE_MS = 8000;

/** Why storage failed, as a sentence for the user. */
export function storageProblem(e: unknown): string {
  if (e instanceof DOMException && e.name === 'QuotaExceededError') return 'the browser’s storage quota is full';
  if (e instanceof Error) return `${e.name === 'Error' ? '' : `${e.name}: `}${e.message}`;
  return String(e);
}

function withDeadline<T>(p: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`IndexedDB did not answer within ${DEADLINE_MS / 1000} s (${what})`)), DEADLINE_MS);
    p.then(
      (v) => (clearTimeout(t), resolve(v)),
      (e: unknown) => (clearTimeout(t), reject(e)),
    );
  });
}

/** A table in its own database (idb-keyval creates one store per database). */
export function idbTable(dbName: string): Table {
  let store: UseStore | undefined;
  const open = (): UseStore => {
    if (typeof indexedDB === 'undefined' || indexedDB === null) throw new Error('IndexedDB is not available in this browser (private browsing, or storage is disabled)');
    store ??= createStore(dbName, 'records');
    return store;
  };
  // async wrappers turn idb-keyval's synchronous throws into rejections.
  return {
    list: async () => withDeadline(entries<IDBValidKey, unknown>(open()), 'reading').then((es) => es.map(([k, v]) => [String(k), v] as [string, unknown])),
    get: async (key) => withDeadline(get<unknown>(key, open()), 'reading'),
    put: async (key, value) => withDeadline(set(key, value, open()), 'saving'),
    remove: async (key) => withDeadline(del(key, open()), 'deleting'),
  };
}
